// The Case aggregate: one cancellation request for one subscription, as a plain immutable object.
// The engine (decide.ts) is the only thing that produces new versions of it. It is JSON all the
// way down (instants are ISO strings), so the use-case layer can store it as one JSON column plus
// the indexed columns listed in CASE_INDEXED_FIELDS.

import type { Actor } from "./actor.ts";
import type { CaseDocumentation } from "./documentation.ts";
import type { OfferKind } from "./policy-definition.ts";
import { hasPassed, type Instant, instantMs } from "./time.ts";

export const CASE_STATES = [
  "intake",
  "form",
  "retention",
  "escalated",
  "finalizing",
  "cancelled",
  "feedback",
  "closed",
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const REQUEST_CHANNELS = ["phone", "email", "chat", "portal", "api"] as const;
export type RequestChannel = (typeof REQUEST_CHANNELS)[number];

export const FORM_STATUSES = ["not_sent", "sent", "submitted"] as const;
export type FormStatus = (typeof FORM_STATUSES)[number];

export const CASE_OUTCOMES = ["cancelled", "retained", "withdrawn", "unverified"] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

export const IDENTITY_METHODS = ["code", "security_check", "self_service"] as const;
export type IdentityMethod = (typeof IDENTITY_METHODS)[number];

export const EFFECTIVE_CHOICES = ["end_of_term", "immediately"] as const;
export type EffectiveChoice = (typeof EFFECTIVE_CHOICES)[number];

export const CONFIRMATION_CHANNELS = ["email", "sms", "phone"] as const;
export type ConfirmationChannel = (typeof CONFIRMATION_CHANNELS)[number];

/** Links (codes, form, survey) can only travel by email or SMS. */
export type LinkChannel = "email" | "sms";

/**
 * `expired` and `unanswered` are set only when the case closes: the offer ran out without an
 * answer, or the case closed first (withdrawn, or another offer accepted).
 */
export const OFFER_ANSWERS = ["pending", "accepted", "declined", "expired", "unanswered"] as const;
export type OfferAnswer = (typeof OFFER_ANSWERS)[number];

export const CALL_OUTCOMES = ["reached", "left_voicemail"] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** Columns worth indexing next to the JSON document (queues, SLA timers, account timeline). */
export const CASE_INDEXED_FIELDS = [
  "id",
  "reference",
  "accountId",
  "subscriptionId",
  "requesterContactId",
  "state",
  "outcome",
  "assignedAmId",
  "assignedCsmId",
  "policyVersion",
  "version",
  "openedAt",
  "closedAt",
] as const;

export interface IdentityEvidence {
  readonly method: IdentityMethod | null;
  /** Failed attempts, codes and security checks together, counted against the policy's limit. */
  readonly attempts: number;
  readonly codesSent: number;
  readonly codeSentAt: Instant | null;
  readonly codeExpiresAt: Instant | null;
  readonly securityCheckFacts: string | null;
  readonly verifiedAt: Instant | null;
  readonly verifiedBy: Actor | null;
}

export interface FormSubmission {
  readonly reasonCode: string;
  readonly details: string;
  readonly requestedEffective: EffectiveChoice;
  readonly preferredConfirmationChannel: ConfirmationChannel;
  readonly authorityConfirmed: true;
  readonly submittedAt: Instant;
  readonly submittedBy: Actor;
}

export interface FormEvidence {
  readonly firstSentAt: Instant;
  /** Who sent the first link (absent on cases written before it was kept: see sentBy). */
  readonly firstSentBy?: Actor;
  /** The latest link; each send or resend supersedes the previous link. */
  readonly sentAt: Instant;
  readonly sentBy: Actor;
  readonly expiresAt: Instant;
  readonly sendCount: number;
  readonly deliveryChannel: LinkChannel;
  /** Set when the latest link ran out unused; cleared by a resend. */
  readonly linkExpiredAt: Instant | null;
  readonly submission: FormSubmission | null;
}

export interface ReasonConversation {
  readonly reasonCode: string;
  readonly notes: string;
  readonly recordedAt: Instant;
  readonly recordedBy: Actor;
}

export interface OfferPresentation {
  readonly offerCode: string;
  readonly kind: OfferKind;
  readonly label: string;
  /** Written terms of a custom offer; null for catalog offers with fixed parameters. */
  readonly customTerms: string | null;
  readonly presentedAt: Instant;
  readonly presentedBy: Actor;
  /** After this instant the offer can no longer be accepted. */
  readonly expiresAt: Instant;
  readonly answer: OfferAnswer;
  readonly answeredAt: Instant | null;
  readonly answeredBy: Actor | null;
}

export interface NoSuitableOffer {
  readonly reason: string;
  readonly recordedAt: Instant;
  readonly recordedBy: Actor;
}

export interface Escalation {
  readonly csmId: string;
  readonly escalatedAt: Instant;
  readonly escalatedBy: Actor;
  readonly notes: string | null;
  /** The CSM must engage by this instant (the policy's CSM engagement SLA). */
  readonly slaDueAt: Instant;
  readonly engagedAt: Instant | null;
  readonly engagedBy: string | null;
  readonly engagementNotes: string | null;
  readonly outcome: "retained" | "proceed" | null;
  readonly retainedOfferCode: string | null;
  readonly outcomeNotes: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: Instant | null;
}

export interface Processing {
  readonly mode: EffectiveChoice;
  readonly effectiveAt: Instant;
  readonly processedAt: Instant;
  readonly processedBy: Actor;
  /** True when the CSM step's time box ran out and processing went ahead without a CSM outcome. */
  readonly timeBoxUsed: boolean;
}

export interface Confirmation {
  readonly channel: ConfirmationChannel;
  readonly recordedAt: Instant;
  readonly recordedBy: Actor;
  /** Only for phone: what happened on the call. */
  readonly callOutcome: CallOutcome | null;
  readonly notes: string | null;
}

export interface FeedbackSubmission {
  /** Experience rating, 1 (poor) to 5 (excellent). */
  readonly rating: number;
  /** What led to the decision, as a reason code of the policy. */
  readonly decisionReason: string;
  readonly comments: string;
  readonly submittedAt: Instant;
  readonly submittedBy: Actor;
}

export interface FeedbackEvidence {
  readonly requestedAt: Instant;
  readonly requestedBy: Actor;
  readonly expiresAt: Instant;
  readonly deliveryChannel: LinkChannel;
  readonly submission: FeedbackSubmission | null;
  readonly expiredAt: Instant | null;
}

export interface Withdrawal {
  readonly withdrawnAt: Instant;
  readonly withdrawnBy: Actor;
  readonly reason: string | null;
}

export interface CaseNote {
  /** 1, 2, 3... in the order written. */
  readonly number: number;
  readonly text: string;
  readonly writtenAt: Instant;
  readonly writtenBy: Actor;
}

export interface Case {
  readonly id: string;
  /** Human-friendly reference (e.g. CX-2025-0042), generated by the use-case layer. */
  readonly reference: string;
  readonly accountId: string;
  readonly subscriptionId: string;
  readonly requesterContactId: string;
  readonly channel: RequestChannel;
  readonly state: CaseState;
  readonly formStatus: FormStatus;
  readonly outcome: CaseOutcome | null;
  readonly assignedAmId: string | null;
  readonly assignedCsmId: string | null;
  readonly policyVersion: number;
  /** Optimistic concurrency: +1 on every accepted command, starting at 1 when opened. */
  readonly version: number;
  readonly openedAt: Instant;
  readonly openedBy: Actor;
  readonly summary: string | null;
  readonly updatedAt: Instant;
  readonly closedAt: Instant | null;

  readonly identity: IdentityEvidence;
  readonly form: FormEvidence | null;
  readonly reasonConversations: readonly ReasonConversation[];
  readonly offers: readonly OfferPresentation[];
  readonly noSuitableOffer: NoSuitableOffer | null;
  readonly escalation: Escalation | null;
  readonly processing: Processing | null;
  readonly confirmation: Confirmation | null;
  readonly feedback: FeedbackEvidence | null;
  readonly withdrawal: Withdrawal | null;
  /** Written when the case closes, whatever the outcome. */
  readonly documentation: CaseDocumentation | null;
  readonly notes: readonly CaseNote[];
}

export function stateIndex(state: CaseState): number {
  return CASE_STATES.indexOf(state);
}

/** True when the case has not yet reached `state` in the policy's order of steps. */
export function isBeforeState(c: Case, state: CaseState): boolean {
  return stateIndex(c.state) < stateIndex(state);
}

/**
 * The cancellation reason the case is working with: the latest reason conversation, else the
 * reason the customer gave on the form. Offer eligibility by reason uses this.
 */
export function caseReasonCode(c: Case): string | null {
  const latest = c.reasonConversations[c.reasonConversations.length - 1];
  return latest?.reasonCode ?? c.form?.submission?.reasonCode ?? null;
}

/**
 * How a cancellation processed at `now` takes effect: as the form asks, except that a term
 * already over ends now (a late renewal job), so it is immediate.
 */
export function processingModeAt(
  requested: EffectiveChoice,
  currentPeriodEnd: Date | Instant,
  now: Date | Instant,
): EffectiveChoice {
  return requested === "immediately" || instantMs(currentPeriodEnd) < instantMs(now)
    ? "immediately"
    : "end_of_term";
}

/** How an offer's answer reads in the case's evidence and its record, at `now`. */
export function describeOfferAnswer(offer: OfferPresentation, now: Date | Instant): string {
  switch (offer.answer) {
    case "pending":
      return hasPassed(offer.expiresAt, now)
        ? "expired without an answer"
        : "waiting for an answer";
    case "expired":
      return "expired without an answer";
    case "unanswered":
      return "not answered before the case closed";
    default:
      return offer.answer;
  }
}

/**
 * The offer a CSM's "retained" outcome saved the customer with, as the customer accepted it (with
 * a custom offer's agreed terms); undefined for any other outcome.
 */
export function savedOffer(c: Case): OfferPresentation | undefined {
  const code = c.escalation?.outcome === "retained" ? c.escalation.retainedOfferCode : null;
  return code
    ? c.offers.findLast((o) => o.offerCode === code && o.answer === "accepted")
    : undefined;
}

/** Offers still waiting for the customer's answer at `now` (expired ones no longer wait). */
export function pendingOffers(c: Case, now: Date | Instant): OfferPresentation[] {
  const at = typeof now === "string" ? Date.parse(now) : now.getTime();
  return c.offers.filter((offer) => offer.answer === "pending" && Date.parse(offer.expiresAt) > at);
}

/** The channel the confirmation must go out on: the form's choice, else the contact's preference. */
export function confirmationChannelFor(
  c: Case,
  requesterPreferredChannel: ConfirmationChannel,
): ConfirmationChannel {
  return c.form?.submission?.preferredConfirmationChannel ?? requesterPreferredChannel;
}

/** Links go by SMS when that is the customer's preference, otherwise by email. */
export function linkChannelFor(preferred: ConfirmationChannel): LinkChannel {
  return preferred === "sms" ? "sms" : "email";
}
