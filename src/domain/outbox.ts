// Which outgoing messages each event asks for. Events stay plain audit facts; this one exhaustive
// mapping decides what the use-case layer puts in the outbox, in the same transaction as the case.
// Secrets are never in events: the use case adds the plaintext code or the signed link token it
// generated to the `identity_code`, `form_link`, `offer_link` and `feedback_request` messages.

import type { Case, LinkChannel } from "./case.ts";
import type { CaseEvent } from "./events.ts";
import { hasPassed, type Instant } from "./time.ts";

/** What other systems can subscribe to with a webhook endpoint. */
export const WEBHOOK_TOPICS = [
  "case.opened",
  "case.identity_verified",
  "case.form_submitted",
  "case.escalated",
  "case.retained",
  "cancellation.processed",
  "subscription.reactivated",
  "case.closed",
] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

export type StaffTopic =
  | "case_escalated"
  | "csm_outcome_recorded"
  | "form_submitted"
  | "form_link_expired"
  | "offer_answered"
  | "confirmation_call_due"
  | "case_assigned"
  /** Sent by the timers (src/jobs/timers.ts), not by an event. */
  | "csm_sla_at_risk"
  | "csm_sla_breached"
  | "offer_expired";

export type OutboxPayload =
  /** The one-time code to the requester's contact details on file. */
  | { kind: "identity_code"; channel: LinkChannel; expiresAt: Instant }
  /** A single-use link to the Cancellation Request Form; supersedes earlier form links. */
  | { kind: "form_link"; channel: LinkChannel; expiresAt: Instant }
  /** A link where the customer can accept or decline a presented offer. */
  | { kind: "offer_link"; channel: LinkChannel; offerCode: string; expiresAt: Instant }
  /** Confirms to the customer the offer they accepted. */
  | { kind: "offer_confirmation"; channel: LinkChannel; offerCode: string }
  /** The cancellation confirmation by email or SMS. */
  | { kind: "cancellation_confirmation"; channel: LinkChannel; effectiveAt: Instant }
  /** Confirms to the customer that their subscription goes on after all. */
  | { kind: "reactivation_confirmation"; channel: LinkChannel }
  /** The feedback survey link. */
  | { kind: "feedback_request"; channel: LinkChannel; expiresAt: Instant }
  /** An in-app/email notice to a staff user. */
  | { kind: "staff_notification"; userId: string; topic: StaffTopic }
  /** Cancel the subscription in the system of record; `idempotencyKey` makes retries harmless. */
  | {
      kind: "billing_cancel_subscription";
      subscriptionId: string;
      mode: "end_of_term" | "immediately";
      effectiveAt: Instant;
      idempotencyKey: string;
    }
  /** Apply an accepted offer to the subscription. */
  | {
      kind: "billing_apply_offer";
      subscriptionId: string;
      offerCode: string;
      idempotencyKey: string;
    }
  /** A signed webhook to subscribed systems. */
  | { kind: "webhook"; topic: WebhookTopic };

export type OutboxMessage = OutboxPayload & {
  caseId: string;
  /** Unique per message: lets the outbox table refuse a duplicate insert. */
  dedupeKey: string;
};

/**
 * The outgoing messages for one event. `after` is the case as the same decision left it (used for
 * the assigned users and the customer's link channel).
 */
export function outboxFor(event: CaseEvent, after: Case): OutboxMessage[] {
  const linkChannel: LinkChannel = after.form?.deliveryChannel ?? "email";
  const staff = (userId: string | null, topic: StaffTopic): OutboxPayload[] =>
    userId ? [{ kind: "staff_notification", userId, topic }] : [];
  const payloads = ((): OutboxPayload[] => {
    switch (event.type) {
      case "case_opened":
        return [{ kind: "webhook", topic: "case.opened" }];
      case "identity_verification_started":
        return [
          { kind: "identity_code", channel: event.deliveryChannel, expiresAt: event.codeExpiresAt },
        ];
      case "form_sent":
      case "form_resent":
        return [{ kind: "form_link", channel: event.deliveryChannel, expiresAt: event.expiresAt }];
      case "form_submitted":
        return [
          ...staff(after.assignedAmId, "form_submitted"),
          { kind: "webhook", topic: "case.form_submitted" },
        ];
      case "identity_verified":
        return [{ kind: "webhook", topic: "case.identity_verified" }];
      case "form_expired":
        return staff(after.assignedAmId, "form_link_expired");
      case "offer_presented":
        return event.sendToCustomer
          ? [
              {
                kind: "offer_link",
                channel: linkChannel,
                offerCode: event.offerCode,
                expiresAt: event.expiresAt,
              },
            ]
          : [];
      case "offer_answered":
        return event.actor.kind === "customer" ? staff(after.assignedAmId, "offer_answered") : [];
      case "offer_accepted":
        return [
          {
            kind: "billing_apply_offer",
            subscriptionId: event.subscriptionId,
            offerCode: event.offer.code,
            idempotencyKey: `${event.caseId}:apply-offer:${event.offer.code}`,
          },
          { kind: "offer_confirmation", channel: linkChannel, offerCode: event.offer.code },
          { kind: "webhook", topic: "case.retained" },
        ];
      case "escalated_to_csm":
        return [
          { kind: "staff_notification", userId: event.csmId, topic: "case_escalated" },
          { kind: "webhook", topic: "case.escalated" },
        ];
      case "csm_outcome_recorded":
        return staff(after.assignedAmId, "csm_outcome_recorded");
      case "cancellation_processed":
        return [
          {
            kind: "billing_cancel_subscription",
            subscriptionId: event.subscriptionId,
            mode: event.mode,
            effectiveAt: event.effectiveAt,
            idempotencyKey: `${event.caseId}:cancel`,
          },
          { kind: "webhook", topic: "cancellation.processed" },
          // A phone confirmation is a call the AM makes and then logs with recordConfirmation.
          ...(event.confirmationChannel === "phone"
            ? staff(after.assignedAmId, "confirmation_call_due")
            : []),
        ];
      case "confirmation_recorded":
        return event.channel === "phone"
          ? []
          : [
              {
                kind: "cancellation_confirmation",
                channel: event.channel,
                effectiveAt: event.effectiveAt,
              },
            ];
      case "feedback_requested":
        return [
          { kind: "feedback_request", channel: event.deliveryChannel, expiresAt: event.expiresAt },
        ];
      case "case_closed":
        return [{ kind: "webhook", topic: "case.closed" }];
      case "case_reassigned":
        return staff(event.toUserId, "case_assigned");
      case "personal_data_erased":
      case "requester_details_changed":
        return [];
      case "subscription_reactivated":
        return [
          { kind: "reactivation_confirmation", channel: linkChannel },
          { kind: "webhook", topic: "subscription.reactivated" },
        ];
      case "identity_verification_failed":
      case "reason_recorded":
      case "no_suitable_offer_recorded":
      case "csm_engaged":
      case "feedback_submitted":
      case "feedback_expired":
      case "case_withdrawn":
      case "note_added":
        return [];
    }
  })();
  return payloads.map((payload, index) => ({
    ...payload,
    caseId: event.caseId,
    dedupeKey: `${event.caseId}:${event.version}:${event.type}:${index}`,
  }));
}

/** All outgoing messages of one accepted decision, in event order. */
export function outboxForDecision(events: readonly CaseEvent[], after: Case): OutboxMessage[] {
  return events.flatMap((event) => outboxFor(event, after));
}

/** The messages that ask the customer to do something with the code or link they carry. */
const ASKS_THE_CUSTOMER = new Set([
  "identity_code",
  "form_link",
  "form_reminder",
  "offer_link",
  "feedback_request",
]);

/** The code or link a message hands over, as it stands when the message is about to go. */
export interface HandedSecret {
  kind: "code" | "link";
  /** Undefined when no such code or link is stored (erased with the contact's data). */
  state?: { usedAt: Date | null; supersededAt: Date | null; expiresAt: Date } | undefined;
}

/**
 * Why a message that asks the customer to act should not go out any more, or null when it should.
 * Messages wait in the outbox for a worker, and meanwhile the customer may have done what it asks
 * (a reminder to fill in a form they just submitted) or the case may have moved past it; such a
 * message would only confuse them with a dead link. Confirmations always go.
 */
export function reasonNotToSend(
  topic: string,
  c: Pick<Case, "state" | "form"> | undefined,
  handed: HandedSecret | undefined,
  now: Date,
): string | null {
  if (!ASKS_THE_CUSTOMER.has(topic)) return null;
  if (c?.state === "closed") return "the case is closed";
  if (topic === "form_reminder" && c?.form?.submission) {
    return "the customer has already submitted the form";
  }
  if (!handed) return null;
  const what = handed.kind === "code" ? "code" : "link";
  if (!handed.state) return `the ${what} it carries no longer exists`;
  if (handed.state.usedAt) return `the ${what} it carries was already used`;
  if (handed.state.supersededAt) return `a newer ${what} replaced the one it carries`;
  if (hasPassed(handed.state.expiresAt, now)) return `the ${what} it carries has expired`;
  return null;
}
