import { describe, expect, it } from "vitest";
import { CASE_EVENT_TYPES } from "./events.ts";
import { outboxForDecision } from "./outbox.ts";
import { commands, makeContext, run, SYSTEM } from "./test-factories.ts";

describe("outgoing messages derived from events", () => {
  it("asks for each message of a full cancellation once, with unique keys", () => {
    const { case: c, events } = run(makeContext(), [
      (now) => commands.openCase(now),
      (now) => commands.startIdentityVerification(now),
      (now) => commands.confirmIdentityCode(now),
      (now) => commands.sendForm(now),
      (now) => commands.recordReasonConversation(now),
      (now) => commands.presentOffer(now, { sendToCustomer: true }),
      (now) => commands.answerOffer(now),
      (now) => commands.submitForm(now),
      (now) => commands.escalateToCsm(now),
      (now) => commands.recordCsmOutcome(now),
      (now) => commands.processCancellation(now),
      (now) => commands.recordConfirmation(now),
      (now) => commands.requestFeedback(now),
      (now) => commands.submitFeedback(now),
      (now) => commands.closeCase(now, { actor: SYSTEM }),
    ]);
    const messages = outboxForDecision(events, c);
    expect(
      messages.map((m) =>
        m.kind === "webhook"
          ? m.topic
          : m.kind === "staff_notification"
            ? `notify:${m.topic}`
            : m.kind,
      ),
    ).toEqual([
      "case.opened",
      "identity_code",
      "case.identity_verified",
      "form_link",
      "offer_link",
      "notify:offer_answered",
      "notify:form_submitted",
      "case.form_submitted",
      "notify:case_escalated",
      "case.escalated",
      "notify:csm_outcome_recorded",
      "billing_cancel_subscription",
      "cancellation.processed",
      "cancellation_confirmation",
      "feedback_request",
      "case.closed",
    ]);
    expect(new Set(messages.map((m) => m.dedupeKey)).size).toBe(messages.length);
    expect(messages.find((m) => m.kind === "billing_cancel_subscription")).toMatchObject({
      subscriptionId: "sub-1",
      mode: "end_of_term",
      idempotencyKey: "case-1:cancel",
    });
  });

  it("has a closed set of event types", () => {
    expect(CASE_EVENT_TYPES).toHaveLength(28);
  });
});
