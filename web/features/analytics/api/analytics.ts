// The analytics reports (GET /api/analytics/...), one hook per report, and the links to their CSV
// exports and to the cases behind a figure. The server aggregates; the page only draws.
import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";

export type Bucket = "week" | "month";

export interface PeriodParams {
  from?: string | undefined;
  to?: string | undefined;
  bucket: Bucket;
}

export interface PeriodJson {
  from: string;
  to: string;
  bucket: Bucket;
  buckets: string[];
}

type Rate = number | null;

export interface OverviewRow {
  bucket: string;
  requests: number;
  closed: number;
  retained: number;
  cancelled: number;
  withdrawn: number;
  /** Cancellations at the end of the term that the customer reactivated before they took effect. */
  reactivated: number;
  unverified: number;
  validated: number;
  pending: number;
  lost: number;
  saveRate: Rate;
  validatedSaveRate: Rate;
}

export interface ValueRow {
  bucket: string;
  currency: string;
  keptMinor: number;
  validatedKeptMinor: number;
  lostMinor: number;
}

export interface OverviewJson {
  period: PeriodJson;
  saveValidationDays: number;
  totals: Omit<OverviewRow, "bucket"> & { value: Omit<ValueRow, "bucket">[] };
  series: OverviewRow[];
  value: ValueRow[];
}

export type SaveRateDimension = "offer" | "reason" | "plan" | "segment" | "channel" | "am" | "csm";

export interface SaveRatesJson {
  period: PeriodJson;
  dimension: SaveRateDimension;
  saveValidationDays: number;
  rows: {
    key: string | null;
    label: string;
    decided: number;
    retained: number;
    cancelled: number;
    validated: number;
    pending: number;
    lost: number;
    /** One entry per currency: value is never added across currencies. */
    value: { currency: string; keptMinor: number; lostMinor: number }[];
    saveRate: Rate;
    validatedSaveRate: Rate;
  }[];
}

export interface ReasonsJson {
  period: PeriodJson;
  reasons: { code: string; label: string; cases: number }[];
  rows: { bucket: string; reasonCode: string; label: string; cases: number; cancelled: number }[];
}

export interface StepTimesJson {
  period: PeriodJson;
  rows: {
    number: number;
    step: string;
    title: string;
    cases: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
  }[];
}

export interface SlaJson {
  period: PeriodJson;
  totals: {
    escalated: number;
    met: number;
    late: number;
    neverEngaged: number;
    compliance: Rate;
    openEscalations: number;
    openBreached: number;
  };
  rows: {
    csmId: string | null;
    csmName: string;
    escalated: number;
    met: number;
    late: number;
    neverEngaged: number;
    compliance: Rate;
  }[];
}

export interface FormsJson {
  period: PeriodJson;
  totals: { sent: number; submitted: number; completionRate: Rate };
  series: { bucket: string; sent: number; submitted: number; completionRate: Rate }[];
}

export interface FeedbackJson {
  period: PeriodJson;
  totals: { responses: number; averageRating: number | null };
  ratings: { rating: number; responses: number }[];
  reasons: { reasonCode: string; label: string; responses: number; averageRating: number | null }[];
}

export interface AdherenceJson {
  period: PeriodJson;
  totals: { closed: number; adherent: number; notAdherent: number; adherenceRate: Rate };
  byAm: {
    amId: string | null;
    amName: string;
    closed: number;
    adherent: number;
    notAdherent: number;
    adherenceRate: Rate;
  }[];
  misses: { step: string; stepTitle: string; rule: string; cases: number }[];
}

export interface AnalyticsCaseJson {
  caseId: string;
  reference: string;
  accountName: string;
  outcome: string;
  channel: string;
  amName: string | null;
  csmName: string | null;
  reasonCode: string | null;
  savedOfferCode: string | null;
  planCode: string | null;
  currency: string;
  monthlyValueMinor: number;
  openedAt: string;
  closedAt: string;
  saveStatus: "validated" | "pending" | "lost" | null;
  slaMet: boolean | null;
  adherent: boolean;
  misses: { step: string; rule: string; detail: string }[];
}

type Query = Record<string, string | undefined>;

const clean = (query: Query): Record<string, string> =>
  Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== ""),
  ) as Record<string, string>;

/** The report's URL with its period and extra parameters (`format: "csv"` for the export). */
export function reportUrl(path: string, period: PeriodParams, extra: Query = {}): string {
  const params = new URLSearchParams(clean({ ...period, ...extra }));
  return `/api/analytics/${path}?${params.toString()}`;
}

export function useReport<T>(path: string, period: PeriodParams, extra: Query = {}) {
  return useQuery({
    queryKey: ["analytics", path, period, extra],
    queryFn: () => api.get<T>(`/api/analytics/${path}`, clean({ ...period, ...extra })),
  });
}

export function useAnalyticsCases(filter: Query, cursor: string | undefined) {
  return useQuery({
    queryKey: ["analytics", "cases", filter, cursor],
    queryFn: () =>
      api.get<{ items: AnalyticsCaseJson[]; nextCursor: string | null }>(
        "/api/analytics/cases",
        clean({ ...filter, cursor, limit: "50" }),
      ),
  });
}
