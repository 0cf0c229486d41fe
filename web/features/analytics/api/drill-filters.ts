// What each analytics figure's drill-down asks GET /api/analytics/cases for: exactly the predicate
// the figure counted, so the list holds as many cases as the figure shows. Plain functions (no
// React), shared by the page and by the test that checks every count against its list.
import type { PeriodJson, SaveRateDimension } from "./analytics.ts";

export type DrillFilter = Record<string, string | undefined>;

/** Users keyed by id in a figure; `none` asks for the cases with nobody (the "Unassigned" row). */
const person = (id: string | null) => id ?? "none";

/** The drill-down filter of each save-rate dimension's key. */
const SAVE_RATE_FILTER: Record<SaveRateDimension, string> = {
  offer: "offerCode",
  reason: "reasonCode",
  plan: "planCode",
  segment: "segment",
  channel: "channel",
  am: "amId",
  csm: "csmId",
};

export const drillFilters = {
  /** Overview: saves by status, and cases by outcome. */
  saves: (saveStatus: "validated" | "pending" | "lost"): DrillFilter => ({ saveStatus }),
  outcome: (outcome: "cancelled" | "withdrawn" | "reactivated"): DrillFilter => ({ outcome }),
  /**
   * Save rate's "Decided": retained or cancelled cases with this key (offers: presented to them).
   * Null for a missing reason, plan or segment, which the list cannot ask for.
   */
  saveRateDecided: (dimension: SaveRateDimension, key: string | null): DrillFilter | null => {
    if (key === null && dimension !== "am" && dimension !== "csm") return null;
    const filter = { [SAVE_RATE_FILTER[dimension]]: person(key), decided: "true" };
    // A CSM's figures count only the cases escalated to them.
    return dimension === "csm" ? { ...filter, escalated: "true" } : filter;
  },
  /** Reasons over time: retained and cancelled cases of the reason ("unknown": not recorded). */
  reasonCases: (reasonCode: string): DrillFilter | null =>
    reasonCode === "unknown" ? null : { reasonCode, decided: "true" },
  slaEscalated: (): DrillFilter => ({ escalated: "true" }),
  /** Late and never engaged: escalated cases whose CSM did not engage by the SLA. */
  slaLate: (csmId: string | null): DrillFilter => ({
    escalated: "true",
    slaMet: "false",
    csmId: person(csmId),
  }),
  formsSent: (): DrillFilter => ({ formSent: "true" }),
  formsSubmitted: (): DrillFilter => ({ formSent: "true", formSubmitted: "true" }),
  formsNotSubmitted: (): DrillFilter => ({ formSent: "true", formSubmitted: "false" }),
  feedbackRating: (rating: number): DrillFilter => ({ feedbackRating: String(rating) }),
  feedbackReason: (reasonCode: string): DrillFilter => ({ feedbackReason: reasonCode }),
  notAdherent: (): DrillFilter => ({ adherent: "false" }),
  notAdherentOfAm: (amId: string | null): DrillFilter => ({
    adherent: "false",
    amId: person(amId),
  }),
  /** "Steps missed" rows are per step and rule. */
  missed: (step: string, rule: string): DrillFilter => ({
    adherent: "false",
    missedStep: step,
    missedRule: rule,
  }),
};

function nextBucketStart(start: string, bucket: "week" | "month"): string {
  const d = new Date(`${start}T00:00:00.000Z`);
  if (bucket === "month") d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCDate(d.getUTCDate() + 7);
  return d.toISOString();
}

/** The drill-down to the cases behind a figure: the period (or one bucket of it) and filters. */
export function casesHref(period: PeriodJson, filter: DrillFilter, bucket?: string): string {
  const from =
    bucket && bucket > period.from.slice(0, 10) ? `${bucket}T00:00:00.000Z` : period.from;
  const bucketEnd = bucket ? nextBucketStart(bucket, period.bucket) : period.to;
  const to = [bucketEnd, period.to].sort()[0]!;
  const params = new URLSearchParams({ from, to });
  for (const [key, value] of Object.entries(filter)) if (value) params.set(key, value);
  return `/analytics/cases?${params.toString()}`;
}
