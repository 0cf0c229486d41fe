import { describe, expect, it } from "vitest";
import { CASE_EVENT_TYPES } from "./events.ts";
import { type HandedSecret, outboxForDecision, reasonNotToSend } from "./outbox.ts";
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

describe("messages that ask the customer to act are checked again just before they go", () => {
  const now = new Date("2026-03-02T10:00:00Z");
  const live: NonNullable<HandedSecret["state"]> = {
    usedAt: null,
    supersededAt: null,
    expiresAt: new Date("2026-03-02T11:00:00Z"),
  };
  const open = { state: "form" as const, form: null };

  it("go while the case is open and what they carry still works", () => {
    expect(reasonNotToSend("form_link", open, { kind: "link", state: live }, now)).toBeNull();
    expect(reasonNotToSend("identity_code", undefined, { kind: "code", state: live }, now)).toBe(
      null,
    );
  });

  it("do not go once the case closed, the link or code was used, replaced or ran out", () => {
    const link = (state: Partial<typeof live>) => ({
      kind: "link" as const,
      state: { ...live, ...state },
    });
    expect(reasonNotToSend("offer_link", { state: "closed", form: null }, undefined, now)).toBe(
      "the case is closed",
    );
    expect(reasonNotToSend("feedback_request", open, link({ usedAt: now }), now)).toBe(
      "the link it carries was already used",
    );
    expect(reasonNotToSend("form_link", open, link({ supersededAt: now }), now)).toBe(
      "a newer link replaced the one it carries",
    );
    expect(
      reasonNotToSend(
        "identity_code",
        open,
        { kind: "code", state: { ...live, expiresAt: now } },
        now,
      ),
    ).toBe("the code it carries has expired");
    expect(reasonNotToSend("form_link", open, { kind: "link", state: undefined }, now)).toBe(
      "the link it carries no longer exists",
    );
  });

  it("skip a form reminder once the form is in", () => {
    const { case: c } = run(makeContext(), [
      (at) => commands.openCase(at),
      (at) => commands.startIdentityVerification(at),
      (at) => commands.confirmIdentityCode(at),
      (at) => commands.sendForm(at),
      (at) => commands.submitForm(at),
    ]);
    expect(reasonNotToSend("form_reminder", c, undefined, now)).toBe(
      "the customer has already submitted the form",
    );
  });

  it("always send confirmations and staff notices, even after the case closed", () => {
    const closed = { state: "closed" as const, form: null };
    for (const topic of [
      "cancellation_confirmation",
      "offer_confirmation",
      "reactivation_confirmation",
      "staff_notification",
    ]) {
      expect(reasonNotToSend(topic, closed, { kind: "link", state: undefined }, now)).toBeNull();
    }
  });
});
