// Documentation and proof over HTTP: a case's documentation (GET /api/cases/:id/documentation),
// the audit chain's verification (admins), and a contact's data export and erasure (admins).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../../../lib/api-client.ts";

export interface DocumentedStep {
  number: number;
  key: string;
  title: string;
  status: string;
  evidence: string[];
  evidenceParts?: ({ text: string } | { at: string })[][];
  records: { what: string; by: string; at: string; how: string | null }[];
}

export interface CaseDocumentation {
  generatedAt: string;
  caseId: string;
  reference: string;
  state: string;
  outcome: string | null;
  policyVersion: number;
  account: { id: string; name: string };
  subscription: {
    id: string;
    planName: string | null;
    monthlyValueMinor: number;
    currency: string;
    status: string;
  } | null;
  request: {
    channel: string;
    openedAt: string;
    openedBy: string;
    summary: string | null;
    requester: {
      id: string;
      name: string;
      email: string | null;
      phone: string | null;
      role: string;
    } | null;
  };
  steps: DocumentedStep[];
  reason: { code: string | null; label: string | null; formDetails: string | null };
  offers: {
    offerCode: string;
    label: string;
    kind: string;
    presentedAt: string;
    presentedBy: string;
    answer: string;
    answeredAt: string | null;
    answeredBy: string | null;
  }[];
  noSuitableOffer: { reason: string; recordedAt: string; recordedBy: string } | null;
  csm: {
    csm: string;
    escalatedAt: string;
    slaDueAt: string;
    engagedAt: string | null;
    outcome: string | null;
    retainedOfferCode: string | null;
    handoverNotes: string | null;
    engagementNotes: string | null;
    notes: string | null;
    decidedBy: string | null;
    decidedAt: string | null;
  } | null;
  processing: {
    mode: string;
    effectiveAt: string;
    processedAt: string;
    processedBy: string;
    timeBoxUsed: boolean;
  } | null;
  confirmation: {
    channel: string;
    recordedAt: string;
    recordedBy: string;
    callOutcome: string | null;
  } | null;
  feedback: {
    requestedAt: string;
    submittedAt: string | null;
    rating: number | null;
    decisionReason: string | null;
    comments: string | null;
    expiredAt: string | null;
  } | null;
  withdrawal: { withdrawnAt: string; withdrawnBy: string; reason: string | null } | null;
  notes: { number: number; text: string; writtenAt: string; writtenBy: string }[];
  closing: { closedAt: string | null; summary: string | null; writtenBy: string | null };
  audit: {
    verified: boolean;
    break: { seq: number; problem: string } | null;
    erasedEntries: number[];
    entries: {
      seq: number;
      type: string;
      at: string;
      by: string;
      prevHash: string;
      hash: string;
      erased: boolean;
    }[];
  };
}

export function documentationUrl(id: string, format: "json" | "markdown") {
  return `/api/cases/${encodeURIComponent(id)}/documentation?format=${format}`;
}

export function useCaseDocumentation(id: string) {
  return useQuery({
    queryKey: ["case-documentation", id],
    queryFn: () => api.get<CaseDocumentation>(`/api/cases/${encodeURIComponent(id)}/documentation`),
  });
}

export interface AuditBreak {
  caseId: string;
  reference: string;
  seq: number;
  problem: string;
}

export interface AuditVerification {
  ok: boolean;
  cases: number;
  entries: number;
  erasedEntries: number;
  brokenCases: number;
  breaks: AuditBreak[];
  checkedAt: string;
}

/** One slice of GET /api/audit/verify: the cases after a cursor, in case id order. */
interface AuditVerificationSlice extends AuditVerification {
  nextCursor: string | null;
  totalCases: number | null;
}

export interface AuditVerificationProgress {
  checked: number;
  /** How many cases there were when the check started. */
  total: number;
}

/** The breaks listed on the page (all broken chains are counted). */
const MAX_BREAKS_SHOWN = 1000;

/** Adds a slice's figures to the check so far. */
export function addSlice(
  sum: AuditVerification | undefined,
  slice: AuditVerification,
): AuditVerification {
  if (!sum) return { ...slice, breaks: slice.breaks.slice(0, MAX_BREAKS_SHOWN) };
  return {
    ok: sum.ok && slice.ok,
    cases: sum.cases + slice.cases,
    entries: sum.entries + slice.entries,
    erasedEntries: sum.erasedEntries + slice.erasedEntries,
    brokenCases: sum.brokenCases + slice.brokenCases,
    breaks: [...sum.breaks, ...slice.breaks].slice(0, MAX_BREAKS_SHOWN),
    checkedAt: slice.checkedAt,
  };
}

/**
 * Runs the verification when asked (it reads every case, so not on every page view), slice by
 * slice: at a million cases the whole check takes minutes, so each request checks up to 10,000
 * cases and the page shows how far it has got.
 */
export function useAuditVerification() {
  const [progress, setProgress] = useState<AuditVerificationProgress | null>(null);
  const mutation = useMutation({
    mutationFn: async () => {
      let sum: AuditVerification | undefined;
      let cursor: string | null = null;
      let total = 0;
      setProgress(null);
      do {
        const query: string = cursor ? `?after=${encodeURIComponent(cursor)}` : "";
        const slice: AuditVerificationSlice = await api.get<AuditVerificationSlice>(
          `/api/audit/verify${query}`,
        );
        total = slice.totalCases ?? total;
        sum = addSlice(sum, slice);
        // Cases opened during the check are checked too: the total never reads below the count.
        setProgress({ checked: sum.cases, total: Math.max(total, sum.cases) });
        cursor = slice.nextCursor;
      } while (cursor);
      return sum;
    },
  });
  return { ...mutation, progress };
}

export function contactExportUrl(contactId: string) {
  return `/api/contacts/${encodeURIComponent(contactId)}/export`;
}

export function useEraseContact(contactId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      api.post<{ cases: number; auditEntriesRedacted: number; messagesRedacted: number }>(
        `/api/contacts/${encodeURIComponent(contactId)}/erase`,
        { confirm: true },
      ),
    onSuccess: () => client.invalidateQueries(),
  });
}
