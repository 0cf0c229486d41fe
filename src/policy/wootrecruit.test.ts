// The default policy runs through the engine end to end, and its catalog answers real situations.

import { describe, expect, it } from "vitest";
import type { Case } from "../domain/case.ts";
import { buildChecklist } from "../domain/checklist.ts";
import { decide } from "../domain/decide.ts";
import { eligibleOffers, type OfferSubject } from "../domain/offers.ts";
import { STEP_KEYS, STRIPE_REASON_CODES } from "../domain/policy-definition.ts";
import { CSM, commands, makeContext, nextMinute, run } from "../domain/test-factories.ts";
import { wootrecruitPolicy } from "./wootrecruit.ts";

const context = makeContext({ policy: wootrecruitPolicy });

describe("the WootRecruit policy, version 1", () => {
  it("is the knowledge-base article's seven steps, with guidance and a script for each", () => {
    expect(wootrecruitPolicy.articleTitle).toBe("What do I do if someone wants to cancel?");
    expect(wootrecruitPolicy.steps.map((s) => s.key)).toEqual([...STEP_KEYS]);
    expect(wootrecruitPolicy.steps[0]?.policyText).toMatch(
      /^Upon receiving a cancellation request/,
    );
    expect(wootrecruitPolicy.steps[3]?.policyText).toMatch(
      /• Escalate the case to the Customer Success Manager/,
    );
    for (const step of wootrecruitPolicy.steps) {
      expect(step.guidance.length).toBeGreaterThan(100);
      expect(step.script.length).toBeGreaterThan(50);
    }
    expect(wootrecruitPolicy.note).toMatch(/professionalism, empathy, and respect/);
  });

  it("has Stripe's reasons and recruiting ones", () => {
    const codes = wootrecruitPolicy.reasons.map((r) => r.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        ...STRIPE_REASON_CODES,
        "hiring_freeze",
        "seasonal_hiring",
        "ats_consolidation",
      ]),
    );
  });

  it.each([
    [
      { planCode: "starter", monthlyValueMinor: 9_900, reasonCode: "hiring_freeze" },
      "am",
      ["discount_20_3m", "pause_3m"],
    ],
    [
      { planCode: "growth", monthlyValueMinor: 49_900, reasonCode: "too_expensive" },
      "am",
      ["discount_20_3m", "downgrade_starter"],
    ],
    [
      { planCode: "growth", monthlyValueMinor: 49_900, reasonCode: "too_complex" },
      "am",
      ["downgrade_starter", "training_session", "priority_support_60d"],
    ],
    [
      { planCode: "enterprise", monthlyValueMinor: 250_000, reasonCode: "budget_cut" },
      "csm",
      ["discount_20_3m", "discount_30_6m", "pause_3m", "custom_csm"],
    ],
    [
      { planCode: "scale", monthlyValueMinor: 99_900, reasonCode: "switched_service" },
      "csm",
      ["extension_30d", "custom_csm"],
    ],
  ] as const)("offers %o to the %s: %o", (facts, who, expected) => {
    const subject: OfferSubject = { ...facts, currency: "USD" };
    const actor =
      who === "csm"
        ? CSM
        : { kind: "staff" as const, userId: "u-am", role: "account_manager" as const };
    expect(eligibleOffers(wootrecruitPolicy, subject, actor).map((o) => o.code)).toEqual(expected);
  });

  it("drives a case to a documented cancellation", () => {
    const { case: c } = run(context, [
      (now) => commands.openCase(now),
      (now) => commands.startIdentityVerification(now),
      (now) => commands.confirmIdentityCode(now),
      (now) => commands.sendForm(now),
      (now) => commands.recordReasonConversation(now, { reasonCode: "hiring_freeze" }),
      (now) => commands.presentOffer(now, { offerCode: "pause_3m" }),
      (now) => commands.answerOffer(now, { offerCode: "pause_3m", answer: "declined" }),
      (now) => commands.submitForm(now, { reasonCode: "hiring_freeze" }),
      (now) => commands.escalateToCsm(now),
      (now) => commands.recordCsmOutcome(now),
      (now) => commands.processCancellation(now),
      (now) => commands.recordConfirmation(now),
      (now) => commands.requestFeedback(now),
      (now) => commands.submitFeedback(now, { decisionReason: "hiring_freeze" }),
      (now) => commands.closeCase(now),
    ]);
    expect(c.outcome).toBe("cancelled");
    expect(c.documentation?.reason).toMatchObject({
      code: "hiring_freeze",
      label: "We've paused hiring",
    });
    expect(buildChecklist(c, context, nextMinute(c)).every((item) => item.status === "done")).toBe(
      true,
    );
  });

  it("lets the CSM keep a larger customer with the CSM-only discount", () => {
    const scale = makeContext({
      policy: wootrecruitPolicy,
      subscription: { planCode: "scale", monthlyValueMinor: 149_900 },
    });
    const { case: talked } = run(scale, [
      (now) => commands.openCase(now),
      (now) => commands.verifyBySecurityCheck(now),
      (now) => commands.sendForm(now),
      (now) => commands.recordReasonConversation(now, { reasonCode: "budget_cut" }),
    ]);
    const amTries = decide(
      talked,
      commands.presentOffer(nextMinute(talked), { offerCode: "discount_30_6m" }),
      scale,
    );
    expect(amTries.ok ? "accepted" : amTries.refusal.code).toBe("OFFER_ROLE_NOT_ALLOWED");
    const { case: escalated } = run(
      scale,
      [(now) => commands.recordNoSuitableOffer(now), (now) => commands.escalateToCsm(now)],
      talked,
    );
    const decision = decide(
      escalated,
      commands.recordCsmOutcome(nextMinute(escalated), {
        outcome: "retained",
        offerCode: "discount_30_6m",
      }),
      scale,
    );
    if (!decision.ok) throw new Error(decision.refusal.message);
    const retained: Case = decision.case;
    expect(retained.outcome).toBe("retained");
    expect(decision.events.find((e) => e.type === "offer_accepted")).toMatchObject({
      effect: {
        monthlyValueDuringMinor: 104_930,
        durationMonths: 6,
        monthlyValueAfterMinor: 149_900,
      },
    });
  });
});
