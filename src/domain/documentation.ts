// The documentation record written to the customer's account when a case closes (step 7): the
// reason, offers and answers, CSM outcome, processing, confirmation, feedback, and a trail of who
// did what and when. It is a copy of the case's evidence at close, so it never changes afterwards.

import type { Actor } from "./actor.ts";
import type {
  Case,
  CaseNote,
  CaseOutcome,
  Confirmation,
  Escalation,
  FeedbackEvidence,
  IdentityMethod,
  NoSuitableOffer,
  OfferPresentation,
  Processing,
  ReasonConversation,
  RequestChannel,
  Withdrawal,
} from "./case.ts";
import { findReason, type PolicyDefinition } from "./policy-definition.ts";
import { type SlaStatus, slaStatus } from "./sla.ts";
import { type Instant, instantMs } from "./time.ts";

export interface TrailEntry {
  at: Instant;
  by: Actor;
  what: string;
}

export interface CaseDocumentation {
  caseId: string;
  reference: string;
  accountId: string;
  subscriptionId: string;
  policyVersion: number;
  outcome: CaseOutcome;
  channel: RequestChannel;
  openedAt: Instant;
  closedAt: Instant;
  writtenBy: Actor;
  /** The closing summary written by whoever closed the case, if any. */
  summary: string | null;
  requester: {
    contactId: string;
    identityMethod: IdentityMethod | null;
    verifiedAt: Instant | null;
    verifiedBy: Actor | null;
    failedAttempts: number;
  };
  reason: {
    code: string | null;
    label: string | null;
    formDetails: string | null;
    conversations: ReasonConversation[];
  };
  form: {
    firstSentAt: Instant;
    sendCount: number;
    submittedAt: Instant | null;
    requestedEffective: string | null;
    preferredConfirmationChannel: string | null;
  } | null;
  offers: OfferPresentation[];
  noSuitableOffer: NoSuitableOffer | null;
  escalation: (Escalation & { slaStatus: SlaStatus }) | null;
  processing: Processing | null;
  confirmation: Confirmation | null;
  feedback: FeedbackEvidence | null;
  withdrawal: Withdrawal | null;
  notes: CaseNote[];
  /** Every recorded action in time order. */
  trail: TrailEntry[];
}

export function buildDocumentation(
  c: Case,
  policy: PolicyDefinition,
  outcome: CaseOutcome,
  closedAt: Instant,
  writtenBy: Actor,
  summary: string | null,
): CaseDocumentation {
  const latestConversation = c.reasonConversations[c.reasonConversations.length - 1];
  const reasonCode = latestConversation?.reasonCode ?? c.form?.submission?.reasonCode ?? null;
  const escalation = c.escalation;
  return {
    caseId: c.id,
    reference: c.reference,
    accountId: c.accountId,
    subscriptionId: c.subscriptionId,
    policyVersion: c.policyVersion,
    outcome,
    channel: c.channel,
    openedAt: c.openedAt,
    closedAt,
    writtenBy,
    summary,
    requester: {
      contactId: c.requesterContactId,
      identityMethod: c.identity.verifiedAt ? c.identity.method : null,
      verifiedAt: c.identity.verifiedAt,
      verifiedBy: c.identity.verifiedBy,
      failedAttempts: c.identity.attempts,
    },
    reason: {
      code: reasonCode,
      label: findReason(policy, reasonCode)?.label ?? null,
      formDetails: c.form?.submission?.details ?? null,
      conversations: [...c.reasonConversations],
    },
    form: c.form
      ? {
          firstSentAt: c.form.firstSentAt,
          sendCount: c.form.sendCount,
          submittedAt: c.form.submission?.submittedAt ?? null,
          requestedEffective: c.form.submission?.requestedEffective ?? null,
          preferredConfirmationChannel: c.form.submission?.preferredConfirmationChannel ?? null,
        }
      : null,
    offers: [...c.offers],
    noSuitableOffer: c.noSuitableOffer,
    escalation: escalation
      ? {
          ...escalation,
          slaStatus: slaStatus({
            dueAt: escalation.slaDueAt,
            atRiskHours: policy.slas.csmEngagementAtRiskHours,
            completedAt: escalation.engagedAt,
            now: closedAt,
          }),
        }
      : null,
    processing: c.processing,
    confirmation: c.confirmation,
    feedback: c.feedback,
    withdrawal: c.withdrawal,
    notes: [...c.notes],
    trail: buildTrail(c),
  };
}

function csmActor(userId: string): Actor {
  // The escalation keeps CSM user ids only; the CSM role is implied by the rules that set them.
  return { kind: "staff", userId, role: "csm" };
}

/** The case's evidence as one chronological list of "who did what when". */
export function buildTrail(c: Case): TrailEntry[] {
  const trail: TrailEntry[] = [
    { at: c.openedAt, by: c.openedBy, what: `Opened the case (${c.channel})` },
  ];
  const { identity } = c;
  if (identity.verifiedAt && identity.verifiedBy) {
    trail.push({
      at: identity.verifiedAt,
      by: identity.verifiedBy,
      what: `Verified the requester's identity (${identity.method})`,
    });
  }
  if (c.form) {
    trail.push({
      at: c.form.firstSentAt,
      by: c.form.sentBy,
      what: "Sent the Cancellation Request Form",
    });
    if (c.form.sendCount > 1) {
      trail.push({
        at: c.form.sentAt,
        by: c.form.sentBy,
        what: `Resent the form (${c.form.sendCount} sends)`,
      });
    }
    const submission = c.form.submission;
    if (submission) {
      trail.push({
        at: submission.submittedAt,
        by: submission.submittedBy,
        what: `Submitted the form (${submission.reasonCode}, ${submission.requestedEffective})`,
      });
    }
  }
  for (const conversation of c.reasonConversations) {
    trail.push({
      at: conversation.recordedAt,
      by: conversation.recordedBy,
      what: `Recorded the reason: ${conversation.reasonCode}`,
    });
  }
  for (const offer of c.offers) {
    trail.push({
      at: offer.presentedAt,
      by: offer.presentedBy,
      what: `Presented the offer ${offer.offerCode}`,
    });
    if (offer.answeredAt && offer.answeredBy) {
      trail.push({
        at: offer.answeredAt,
        by: offer.answeredBy,
        what: `Answered ${offer.offerCode}: ${offer.answer}`,
      });
    }
  }
  if (c.noSuitableOffer) {
    trail.push({
      at: c.noSuitableOffer.recordedAt,
      by: c.noSuitableOffer.recordedBy,
      what: "Recorded that no offer suits",
    });
  }
  const escalation = c.escalation;
  if (escalation) {
    trail.push({
      at: escalation.escalatedAt,
      by: escalation.escalatedBy,
      what: `Escalated to CSM ${escalation.csmId}`,
    });
    if (escalation.engagedAt && escalation.engagedBy) {
      trail.push({
        at: escalation.engagedAt,
        by: csmActor(escalation.engagedBy),
        what: "CSM engaged",
      });
    }
    if (escalation.decidedAt && escalation.decidedBy && escalation.outcome) {
      trail.push({
        at: escalation.decidedAt,
        by: csmActor(escalation.decidedBy),
        what: `CSM outcome: ${escalation.outcome}`,
      });
    }
  }
  if (c.processing) {
    const timeBox = c.processing.timeBoxUsed ? " after the CSM step's time box ran out" : "";
    trail.push({
      at: c.processing.processedAt,
      by: c.processing.processedBy,
      what: `Processed the cancellation (${c.processing.mode}, effective ${c.processing.effectiveAt})${timeBox}`,
    });
  }
  if (c.confirmation) {
    trail.push({
      at: c.confirmation.recordedAt,
      by: c.confirmation.recordedBy,
      what: `Confirmed the cancellation by ${c.confirmation.channel}`,
    });
  }
  if (c.feedback) {
    trail.push({
      at: c.feedback.requestedAt,
      by: c.feedback.requestedBy,
      what: "Requested feedback",
    });
    if (c.feedback.submission) {
      trail.push({
        at: c.feedback.submission.submittedAt,
        by: c.feedback.submission.submittedBy,
        what: `Gave feedback (rating ${c.feedback.submission.rating})`,
      });
    }
  }
  if (c.withdrawal) {
    trail.push({
      at: c.withdrawal.withdrawnAt,
      by: c.withdrawal.withdrawnBy,
      what: "Withdrew the request",
    });
  }
  for (const note of c.notes) {
    trail.push({ at: note.writtenAt, by: note.writtenBy, what: `Note ${note.number}` });
  }
  // A stable sort keeps same-instant entries in the order of the policy's steps.
  return trail.sort((a, b) => instantMs(a.at) - instantMs(b.at));
}
