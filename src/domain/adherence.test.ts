import { describe, expect, it } from "vitest";
import { judgeAdherence } from "./adherence.ts";
import type { Case } from "./case.ts";
import { classifySave, computeCaseMetrics, saveHoldsFrom, stepDurations } from "./case-metrics.ts";
import type { Command } from "./commands.ts";
import type { CaseEvent } from "./events.ts";
import {
  apply,
  CSM,
  caseIn,
  commands as cmd,
  makeContext,
  minutesAfter,
  nextMinute,
  run,
  testPolicy,
  withSlas,
} from "./test-factories.ts";

type Step = (now: Date, c: Case) => Command;

const UP_TO_ESCALATION: Step[] = [
  (now) => cmd.openCase(now),
  (now) => cmd.startIdentityVerification(now),
  (now) => cmd.confirmIdentityCode(now),
  (now) => cmd.sendForm(now),
  (now) => cmd.recordReasonConversation(now),
  (now) => cmd.presentOffer(now),
  (now) => cmd.submitForm(now),
  (now) => cmd.answerOffer(now, { answer: "declined" }),
  (now) => cmd.escalateToCsm(now),
];

const AFTER_CSM: Step[] = [
  (now) => cmd.processCancellation(now),
  (now) => cmd.recordConfirmation(now),
  (now) => cmd.requestFeedback(now),
  (now) => cmd.submitFeedback(now),
  (now) => cmd.closeCase(now),
];

function cancelledCase(csmDelayMinutes = 1): { case: Case; events: CaseEvent[] } {
  return run(makeContext(), [
    ...UP_TO_ESCALATION,
    (now) => cmd.csmEngage(minutesAfter(now, csmDelayMinutes - 1)),
    (now) => cmd.recordCsmOutcome(now),
    ...AFTER_CSM,
  ]);
}

describe("judgeAdherence", () => {
  it("finds a case that went through all seven steps in order and on time adherent", () => {
    const { case: c, events } = cancelledCase();
    expect(c.outcome).toBe("cancelled");
    expect(judgeAdherence(c, events, testPolicy)).toEqual({ adherent: true, misses: [] });
  });

  it("names the CSM step when the CSM engaged after the SLA", () => {
    const { case: c, events } = cancelledCase(25 * 60);
    const verdict = judgeAdherence(c, events, testPolicy);
    expect(verdict.adherent).toBe(false);
    expect(verdict.misses).toEqual([
      expect.objectContaining({ step: "escalation_to_csm", rule: "CSM_SLA_MISSED" }),
    ]);
  });

  it("names a step recorded out of the policy's order", () => {
    const { case: c, events } = cancelledCase();
    const reordered = [...events];
    const escalated = reordered.findIndex((e) => e.type === "escalated_to_csm");
    const [moved] = reordered.splice(escalated, 1);
    reordered.splice(1, 0, moved!);
    const verdict = judgeAdherence(c, reordered, testPolicy);
    expect(verdict.misses.map((m) => [m.step, m.rule])).toContainEqual([
      "initial_contact",
      "OUT_OF_ORDER",
    ]);
  });

  it("asks a case saved by an offer at step 3 for steps 1-3 only", () => {
    const { case: c, events } = run(makeContext(), [
      (now) => cmd.openCase(now),
      (now) => cmd.startIdentityVerification(now),
      (now) => cmd.confirmIdentityCode(now),
      (now) => cmd.sendForm(now),
      (now) => cmd.recordReasonConversation(now),
      (now) => cmd.presentOffer(now),
      (now) => cmd.answerOffer(now, { answer: "accepted" }),
    ]);
    expect(c.outcome).toBe("retained");
    expect(judgeAdherence(c, events, testPolicy).adherent).toBe(true);
  });

  it("judges a case by its own policy version: a step the version lacks is not required", () => {
    const { case: closed, events } = cancelledCase();
    const withoutFeedback: Case = { ...closed, feedback: null };
    expect(judgeAdherence(withoutFeedback, events, testPolicy).misses).toEqual([
      expect.objectContaining({ step: "feedback", rule: "FEEDBACK_NOT_REQUESTED" }),
    ]);
    const olderVersion = {
      ...testPolicy,
      version: 0,
      steps: testPolicy.steps.filter((s) => s.key !== "feedback"),
    };
    expect(judgeAdherence(withoutFeedback, events, olderVersion).adherent).toBe(true);
  });

  it("accepts a case closed unverified only once the attempt limit was reached", () => {
    const { case: c, events } = cancelledCase();
    const unverified: Case = {
      ...c,
      outcome: "unverified",
      identity: { ...c.identity, verifiedAt: null, attempts: 1 },
    };
    expect(judgeAdherence(unverified, events.slice(0, 1), testPolicy).misses).toEqual([
      expect.objectContaining({ step: "initial_contact", rule: "ATTEMPT_LIMIT_NOT_REACHED" }),
    ]);
    const atLimit: Case = {
      ...unverified,
      identity: { ...unverified.identity, attempts: testPolicy.identity.attemptLimit },
    };
    expect(judgeAdherence(atLimit, events.slice(0, 1), testPolicy).adherent).toBe(true);
  });

  it("counts a time-boxed CSM step as an SLA miss but not as a missing outcome", () => {
    const policy = withSlas({ csmStepTimeBox: true });
    const { case: c, events } = run(makeContext({ policy }), [
      ...UP_TO_ESCALATION,
      (now) => cmd.processCancellation(minutesAfter(now, 25 * 60)),
      ...AFTER_CSM.slice(1),
    ]);
    expect(c.processing?.timeBoxUsed).toBe(true);
    expect(judgeAdherence(c, events, policy).misses.map((m) => m.rule)).toEqual(["CSM_SLA_MISSED"]);
  });
});

describe("stepDurations and computeCaseMetrics", () => {
  it("measures each step from entering it to leaving it", () => {
    const { case: c } = cancelledCase(60);
    const d = stepDurations(c);
    expect(d.initial_contact).toBe(120); // opened, code sent, verified: two minutes
    expect(d.cancellation_request_form).toBe(60);
    expect(d.escalation_to_csm).toBe(60 * 60 + 60); // engaged after an hour, outcome a minute later
    expect(d.feedback).toBe(60);
    expect(d.documentation).toBe(60);
  });

  it("keeps the value the offer leaves and loses the whole value on cancellation", () => {
    const { case: c, events } = cancelledCase();
    const subscription = {
      planCode: "growth",
      segment: "smb",
      monthlyValueMinor: 49_900,
      currency: "USD",
      offerEffect: null,
      subscriptionEndedAt: null,
      nextCaseOpenedAt: null,
    };
    const m = computeCaseMetrics(c, events, testPolicy, subscription);
    expect(m).toMatchObject({
      outcome: "cancelled",
      valueLostMinor: 49_900,
      valueKeptMinor: 0,
      reasonCode: "too_expensive",
      offersPresented: ["discount_20_3m"],
      savedOfferCode: null,
      slaMet: true,
      formSubmitted: true,
      feedbackRating: 4,
      adherent: true,
    });
  });
});

describe("classifySave", () => {
  const savedAt = "2026-01-01T00:00:00.000Z";
  const at = (iso: string) => new Date(iso);
  const facts = { savedAt, subscriptionEndedAt: null, nextCaseOpenedAt: null };

  it("is pending until the window (the save's day and 30 more, UTC) is over, then validated", () => {
    const late = { ...facts, savedAt: "2026-01-01T23:00:00.000Z" };
    expect(classifySave(late, 30, at("2026-01-31T23:59:59.000Z"))).toBe("pending");
    expect(classifySave(late, 30, at("2026-02-01T00:00:00.000Z"))).toBe("validated");
  });

  it("is lost when the subscription ends or a new case opens inside the window", () => {
    const later = at("2026-06-01T00:00:00.000Z");
    expect(
      classifySave({ ...facts, subscriptionEndedAt: "2026-01-31T23:00:00.000Z" }, 30, later),
    ).toBe("lost");
    expect(
      classifySave({ ...facts, nextCaseOpenedAt: "2026-01-05T00:00:00.000Z" }, 30, later),
    ).toBe("lost");
    // Pending saves can already be lost.
    expect(
      classifySave(
        { ...facts, nextCaseOpenedAt: "2026-01-05T00:00:00.000Z" },
        30,
        at("2026-01-06T00:00:00.000Z"),
      ),
    ).toBe("lost");
  });

  it("starts the window when a discount or pause runs out, not at the save", () => {
    const context = makeContext();
    const before = caseIn("retention", context);
    const c = apply(before, cmd.answerOffer(nextMinute(before), { answer: "accepted" }), context);
    // 20% off for 3 months, accepted when the case closed.
    const holdsFrom = saveHoldsFrom(c, testPolicy);
    const acceptedAt = new Date(c.closedAt!);
    const threeMonths = new Date(acceptedAt);
    threeMonths.setUTCMonth(threeMonths.getUTCMonth() + 3);
    expect(holdsFrom).toBe(threeMonths.toISOString());
    const saved = {
      savedAt: c.closedAt!,
      holdsFrom,
      subscriptionEndedAt: null,
      nextCaseOpenedAt: null,
    };
    expect(classifySave(saved, 30, new Date(acceptedAt.getTime() + 40 * 86_400_000))).toBe(
      "pending",
    );
    expect(classifySave(saved, 30, new Date(threeMonths.getTime() + 32 * 86_400_000))).toBe(
      "validated",
    );
    // Cancelling when the discount ends is a lost save, whenever the window would have ended.
    expect(
      classifySave(
        { ...saved, subscriptionEndedAt: threeMonths.toISOString() },
        30,
        new Date(threeMonths.getTime() + 100 * 86_400_000),
      ),
    ).toBe("lost");
  });

  it("still counts a save whose subscription ends after the window", () => {
    expect(
      classifySave(
        { ...facts, subscriptionEndedAt: "2026-02-01T00:00:00.000Z" },
        30,
        at("2026-06-01T00:00:00.000Z"),
      ),
    ).toBe("validated");
  });

  it("finds a save by the CSM's own offer, accepted by the customer, adherent", () => {
    const context = makeContext();
    const { case: c, events } = run(context, [
      ...UP_TO_ESCALATION,
      (now) => cmd.presentOffer(now, { offerCode: "training_session", actor: CSM }),
      (now) => cmd.answerOffer(now, { offerCode: "training_session", answer: "accepted" }),
    ]);
    expect(c.outcome).toBe("retained");
    expect(judgeAdherence(c, events, testPolicy)).toMatchObject({ adherent: true, misses: [] });
  });
});
