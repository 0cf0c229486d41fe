// The closed set of events a case can produce. They go to the append-only audit log in the same
// transaction as the new case; outgoing messages are derived from them by outbox.ts.

import type { Actor } from "./actor.ts";
import type {
  CallOutcome,
  CaseOutcome,
  ConfirmationChannel,
  EffectiveChoice,
  IdentityMethod,
  LinkChannel,
  RequestChannel,
} from "./case.ts";
import type { CaseDocumentation } from "./documentation.ts";
import type { OfferEffect } from "./offers.ts";
import type { OfferDefinition, OfferKind } from "./policy-definition.ts";
import type { Instant } from "./time.ts";

/** Every event carries the case, the case version it produced, when and who. */
export interface EventEnvelope {
  caseId: string;
  /** The case version after the command; all events of one command share it. */
  version: number;
  at: Instant;
  actor: Actor;
}

export type CaseEventBody =
  /** A cancellation request was logged (step 1). */
  | {
      type: "case_opened";
      reference: string;
      accountId: string;
      subscriptionId: string;
      requesterContactId: string;
      channel: RequestChannel;
      assignedAmId: string | null;
      assignedCsmId: string | null;
      policyVersion: number;
    }
  /** A one-time code is to be sent to the requester's contact details on file. */
  | {
      type: "identity_verification_started";
      method: "code";
      deliveryChannel: LinkChannel;
      codeExpiresAt: Instant;
      codesSent: number;
    }
  /** A code or security check failed; `attemptsLeft` reaching 0 closes the case unverified. */
  | {
      type: "identity_verification_failed";
      method: "code" | "security_check";
      attempts: number;
      attemptsLeft: number;
    }
  /** The requester's identity is verified. */
  | { type: "identity_verified"; method: IdentityMethod }
  /** The Cancellation Request Form link is to be sent (step 2). */
  | { type: "form_sent"; deliveryChannel: LinkChannel; expiresAt: Instant; sendCount: number }
  /** A new form link is to be sent; the previous link stops working. */
  | { type: "form_resent"; deliveryChannel: LinkChannel; expiresAt: Instant; sendCount: number }
  /** The customer submitted the form themself. */
  | {
      type: "form_submitted";
      reasonCode: string;
      requestedEffective: EffectiveChoice;
      preferredConfirmationChannel: ConfirmationChannel;
    }
  /** The latest form link ran out unused; the case waits for a resend. */
  | { type: "form_expired"; linkExpiresAt: Instant }
  /** The AM recorded the conversation about why the customer wants to cancel (step 3). */
  | { type: "reason_recorded"; reasonCode: string; notes: string }
  /** An offer from the catalog was presented to the customer. */
  | {
      type: "offer_presented";
      offerCode: string;
      kind: OfferKind;
      customTerms: string | null;
      expiresAt: Instant;
      sendToCustomer: boolean;
    }
  /** The customer answered an offer. */
  | { type: "offer_answered"; offerCode: string; answer: "accepted" | "declined" }
  /** An accepted offer must be applied to the subscription by the billing adapter. */
  | {
      type: "offer_accepted";
      subscriptionId: string;
      offer: OfferDefinition;
      customTerms: string | null;
      effect: OfferEffect;
      /** The plan the subscription was on when the offer was accepted (a downgrade changes it). */
      planCodeBefore?: string;
    }
  /** The AM recorded, with a written reason, that no offer in the catalog suits. */
  | { type: "no_suitable_offer_recorded"; reason: string }
  /** The case went to a CSM, who must engage by `slaDueAt` (step 4). */
  | { type: "escalated_to_csm"; csmId: string; slaDueAt: Instant }
  /** The CSM started the final engagement with the customer. */
  | { type: "csm_engaged"; csmId: string }
  /** The CSM decided: retained (with an offer) or proceed with the cancellation. */
  | {
      type: "csm_outcome_recorded";
      outcome: "retained" | "proceed";
      offerCode: string | null;
      notes: string;
    }
  /** The subscription must be cancelled in the system of record (step 5), exactly once. */
  | {
      type: "cancellation_processed";
      subscriptionId: string;
      mode: EffectiveChoice;
      effectiveAt: Instant;
      timeBoxUsed: boolean;
      /** The channel the confirmation must go out on. */
      confirmationChannel: ConfirmationChannel;
    }
  /** The confirmation went out (email/SMS, to be delivered) or the confirmation call was made. */
  | {
      type: "confirmation_recorded";
      channel: ConfirmationChannel;
      callOutcome: CallOutcome | null;
      effectiveAt: Instant;
    }
  /** The feedback survey link is to be sent (step 6). */
  | { type: "feedback_requested"; deliveryChannel: LinkChannel; expiresAt: Instant }
  /** The customer answered the feedback survey. */
  | { type: "feedback_submitted"; rating: number; decisionReason: string; comments: string }
  /** The feedback request ran out unanswered. */
  | { type: "feedback_expired"; requestExpiresAt: Instant }
  /** The customer withdrew the request before processing. */
  | { type: "case_withdrawn"; reason: string | null }
  /** The case closed and its documentation record was written to the account (step 7). */
  | { type: "case_closed"; outcome: CaseOutcome; documentation: CaseDocumentation }
  /** A note was added to the case. */
  | { type: "note_added"; noteNumber: number; text: string }
  /**
   * A cancellation scheduled for the end of the term was undone before it took effect. Written by
   * the reactivation use case (not by decide): the case stays closed, the subscription goes on.
   */
  | { type: "subscription_reactivated"; subscriptionId: string; cancelAtWas: Instant }
  /**
   * The requester's email or phone changed while the case was open: the identity code and the
   * customer's links go to these details, so the case records who changed which (never the
   * values: they are personal data). Written by the contact use case, not by decide.
   */
  | {
      type: "requester_details_changed";
      contactId: string;
      fields: ("email" | "phone" | "preferredChannel")[];
    }
  /** The AM or CSM of the case changed. */
  | { type: "case_reassigned"; slot: "am" | "csm"; fromUserId: string | null; toUserId: string }
  /**
   * The requester's personal data was erased on request: the listed entries' bodies were redacted
   * (their hashes kept). Written by the erasure use case (not by decide); carries no personal data.
   */
  | {
      type: "personal_data_erased";
      contactId: string;
      erasedEntries: { seq: number; hash: string }[];
    };

export type CaseEvent = EventEnvelope & CaseEventBody;
export type CaseEventType = CaseEventBody["type"];
export type CaseEventOf<T extends CaseEventType> = Extract<CaseEvent, { type: T }>;

const EVENT_TYPE_SET: Record<CaseEventType, true> = {
  case_opened: true,
  identity_verification_started: true,
  identity_verification_failed: true,
  identity_verified: true,
  form_sent: true,
  form_resent: true,
  form_submitted: true,
  form_expired: true,
  reason_recorded: true,
  offer_presented: true,
  offer_answered: true,
  offer_accepted: true,
  no_suitable_offer_recorded: true,
  escalated_to_csm: true,
  csm_engaged: true,
  csm_outcome_recorded: true,
  cancellation_processed: true,
  confirmation_recorded: true,
  feedback_requested: true,
  feedback_submitted: true,
  feedback_expired: true,
  case_withdrawn: true,
  case_closed: true,
  note_added: true,
  case_reassigned: true,
  subscription_reactivated: true,
  requester_details_changed: true,
  personal_data_erased: true,
};

export const CASE_EVENT_TYPES = Object.keys(EVENT_TYPE_SET) as CaseEventType[];
