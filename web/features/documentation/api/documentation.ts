// Documentation and proof over HTTP: a case's documentation (GET /api/cases/:id/documentation),
// the audit chain's verification (admins), and a contact's data export and erasure (admins).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client.ts";

export interface DocumentedStep {
  number: number;
  key: string;
  title: string;
  status: string;
  evidence: string[];
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

export interface AuditVerification {
  ok: boolean;
  cases: number;
  entries: number;
  erasedEntries: number;
  brokenCases: number;
  breaks: { caseId: string; reference: string; seq: number; problem: string }[];
  checkedAt: string;
}

/** Runs the verification when asked (it reads every case, so not on every page view). */
export function useAuditVerification() {
  return useMutation({
    mutationFn: () => api.get<AuditVerification>("/api/audit/verify"),
  });
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
