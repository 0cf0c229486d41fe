// The documentation record's trail: who did what and when, for every way a case can close.
import { describe, expect, it } from "vitest";
import type { Case } from "./case.ts";
import { decide } from "./decide.ts";
import { buildTrail } from "./documentation.ts";
import {
  AM,
  AM2,
  apply,
  caseIn,
  commands,
  escalatedWithCsmOffer,
  makeContext,
  minutesAfter,
  nextMinute,
  REQUESTER,
  run,
  runToUnverified,
  SYSTEM,
} from "./test-factories.ts";

const context = makeContext();

const whats = (c: Case) => (c.documentation?.trail ?? buildTrail(c)).map((entry) => entry.what);

function closedBy(c: Case, command: Parameters<typeof decide>[1]): Case {
  const decision = decide(c, command, context);
  if (!decision.ok) throw new Error(`refused: ${decision.refusal.code}`);
  return decision.case;
}

describe("the documentation trail", () => {
  it("ends with the close, and for an unverified case says what was tried", () => {
    expect(whats(caseIn("closed", context)).at(-1)).toBe("Closed the case: cancelled");
    const { case: unverified } = runToUnverified(context);
    expect(whats(unverified)).toEqual([
      "Opened the case (phone)",
      "Sent a verification code",
      "Closed the case: unverified after 3 failed identity attempts",
    ]);
  });

  it("credits the first form to whoever sent it, and the resend to whoever resent it", () => {
    const retention = caseIn("retention", context);
    const expiresAt = retention.form!.expiresAt;
    const expired = apply(
      retention,
      commands.expireForm(new Date(expiresAt), { actor: SYSTEM }),
      context,
    );
    const resent = apply(
      expired,
      commands.resendForm(minutesAfter(expiresAt, 10), { actor: AM2 }),
      context,
    );
    const trail = buildTrail(resent);
    expect(trail.find((e) => e.what === "Sent the Cancellation Request Form")?.by).toEqual(AM);
    expect(trail.find((e) => e.what.startsWith("Resent the form"))?.by).toEqual(AM2);
  });

  it("orders a CSM's save as it happened: engaged, offer, answer, then the outcome", () => {
    const presented = escalatedWithCsmOffer(context);
    const saved = closedBy(
      presented,
      commands.answerOffer(nextMinute(presented), {
        offerCode: "training_session",
        answer: "accepted",
        actor: REQUESTER,
      }),
    );
    expect(whats(saved).slice(-5)).toEqual([
      "CSM engaged",
      "Presented the offer training_session",
      "Answered training_session: accepted",
      "CSM outcome: retained",
      "Closed the case: retained",
    ]);
  });

  it("says an offer expired, and that the feedback request did", () => {
    const retention = caseIn("retention", context);
    const late = minutesAfter(retention.offers[0]!.expiresAt, 5);
    const withdrawn = closedBy(retention, commands.withdraw(late));
    expect(whats(withdrawn)).toContain("The offer discount_20_3m expired without an answer");

    const feedback = caseIn("feedback", context);
    const expiresAt = new Date(feedback.feedback!.expiresAt);
    const expired = apply(
      feedback,
      commands.expireFeedbackRequest(expiresAt, { actor: SYSTEM }),
      context,
    );
    const closed = closedBy(
      expired,
      commands.closeCase(minutesAfter(expiresAt, 1), { actor: SYSTEM }),
    );
    expect(whats(closed).slice(-2)).toEqual([
      "The feedback request expired unanswered",
      "Closed the case: cancelled",
    ]);
  });

  it("tells a voicemail from a confirmation given to the customer", () => {
    const steps = (callOutcome: "reached" | "left_voicemail") =>
      run(context, [
        (now) => commands.openCase(now),
        (now) => commands.startIdentityVerification(now),
        (now) => commands.confirmIdentityCode(now),
        (now) => commands.sendForm(now),
        (now) => commands.submitForm(now, { preferredConfirmationChannel: "phone" }),
        (now) => commands.recordReasonConversation(now),
        (now) => commands.recordNoSuitableOffer(now),
        (now) => commands.escalateToCsm(now),
        (now) => commands.recordCsmOutcome(now),
        (now) => commands.processCancellation(now),
        (now) => commands.recordConfirmation(now, { channel: "phone", callOutcome }),
      ]).case;
    expect(whats(steps("left_voicemail")).at(-1)).toBe(
      "Left a voicemail confirming the cancellation (phone)",
    );
    expect(whats(steps("reached")).at(-1)).toBe(
      "Confirmed the cancellation by phone, speaking with the customer",
    );
  });
});
