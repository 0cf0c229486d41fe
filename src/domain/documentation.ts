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
    trail: buildTrail(c, { at: closedAt, by: writtenBy, outcome }),
  };
}

function csmActor(userId: string): Actor {
  // The escalation keeps CSM user ids only; the CSM role is implied by the rules that set them.
  return { kind: "staff", userId, role: "csm" };
}

const SYSTEM_ACTOR: Actor = { kind: "system" };

/**
 * The case's evidence as one chronological list of "who did what when", ending with the close
 * when the case is closing. Entries of one instant keep the order they are pushed in: the CSM's
 * engagement before the offers, the CSM's outcome after the answer it rests on.
 */
export function buildTrail(
  c: Case,
  closing?: { at: Instant; by: Actor; outcome: CaseOutcome },
): TrailEntry[] {
  const trail: TrailEntry[] = [
    { at: c.openedAt, by: c.openedBy, what: `Opened the case (${c.channel})` },
  ];
  const { identity } = c;
  if (identity.codesSent > 0 && identity.codeSentAt) {
    trail.push({
      at: identity.codeSentAt,
      by: SYSTEM_ACTOR,
      what:
        identity.codesSent === 1
          ? "Sent a verification code"
          : `Sent the latest of ${identity.codesSent} verification codes`,
    });
  }
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
      by: c.form.firstSentBy ?? c.form.sentBy,
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
      what: "Escalated to the CSM",
    });
    if (escalation.engagedAt && escalation.engagedBy) {
      trail.push({
        at: escalation.engagedAt,
        by: csmActor(escalation.engagedBy),
        what: "CSM engaged",
      });
    }
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
    } else if (offer.answer === "expired") {
      trail.push({
        at: offer.expiresAt,
        by: SYSTEM_ACTOR,
        what: `The offer ${offer.offerCode} expired without an answer`,
      });
    }
  }
  if (escalation?.decidedAt && escalation.decidedBy && escalation.outcome) {
    trail.push({
      at: escalation.decidedAt,
      by: csmActor(escalation.decidedBy),
      what: `CSM outcome: ${escalation.outcome}`,
    });
  }
  if (c.processing) {
    const timeBox = c.processing.timeBoxUsed ? " after the CSM step's time box ran out" : "";
    const asked = c.form?.submission?.requestedEffective;
    const termOver =
      asked === "end_of_term" && c.processing.mode === "immediately"
        ? "; the term had already ended"
        : "";
    trail.push({
      at: c.processing.processedAt,
      by: c.processing.processedBy,
      what: `Processed the cancellation (${c.processing.mode}, effective ${c.processing.effectiveAt}${termOver})${timeBox}`,
    });
  }
  if (c.confirmation) {
    trail.push({
      at: c.confirmation.recordedAt,
      by: c.confirmation.recordedBy,
      what: describeConfirmation(c.confirmation),
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
    if (c.feedback.expiredAt) {
      trail.push({
        at: c.feedback.expiredAt,
        by: SYSTEM_ACTOR,
        what: "The feedback request expired unanswered",
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
  if (closing) {
    const attempts =
      closing.outcome === "unverified"
        ? ` after ${identity.attempts} failed identity attempt${identity.attempts === 1 ? "" : "s"}`
        : "";
    trail.push({
      at: closing.at,
      by: closing.by,
      what: `Closed the case: ${closing.outcome}${attempts}`,
    });
  }
  // A stable sort keeps same-instant entries in the order they were pushed.
  return trail.sort((a, b) => instantMs(a.at) - instantMs(b.at));
}

/** The confirmation as it happened: a voicemail is a message left, not a conversation. */
export function describeConfirmation(confirmation: Confirmation): string {
  if (confirmation.channel !== "phone") {
    return `Confirmed the cancellation by ${confirmation.channel}`;
  }
  return confirmation.callOutcome === "left_voicemail"
    ? "Left a voicemail confirming the cancellation (phone)"
    : "Confirmed the cancellation by phone, speaking with the customer";
}
