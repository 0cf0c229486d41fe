import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canPresentOffer,
  checkOfferEligibility,
  computeOfferEffect,
  discountReplacedBy,
  divideRoundHalfUp,
  eligibleOffers,
  type OfferSubject,
  percentOfMinor,
  proRataMinor,
  runningDiscountOf,
} from "./offers.ts";
import { findOffer, type OfferDefinition } from "./policy-definition.ts";
import { AM, CSM, REQUESTER, SYSTEM, testPolicy } from "./test-factories.ts";

const offer = (code: string): OfferDefinition => {
  const found = findOffer(testPolicy, code);
  if (!found) throw new Error(code);
  return found;
};

const growth: OfferSubject = {
  planCode: "growth",
  monthlyValueMinor: 49_900,
  currency: "USD",
  reasonCode: "too_expensive",
};

describe("integer money arithmetic, rounding half up", () => {
  it.each([
    [49_900, 20, 9_980],
    [333, 15, 50], // 49.95 -> 50
    [25, 50, 13], // 12.5 -> 13 (half up)
    [50, 1, 1], // 0.5 -> 1
    [49, 1, 0], // 0.49 -> 0
    [0, 20, 0],
    [Number.MAX_SAFE_INTEGER, 100, Number.MAX_SAFE_INTEGER],
  ])("%i x %i%% = %i", (value, percent, expected) => {
    expect(percentOfMinor(value, percent)).toBe(expected);
  });

  it("is exact for any amount: the remainder is within [-0.5, 0.5) of a minor unit", () => {
    fc.assert(
      fc.property(
        fc.nat(Number.MAX_SAFE_INTEGER),
        fc.integer({ min: 0, max: 100 }),
        (value, percent) => {
          const result = BigInt(percentOfMinor(value, percent));
          const diff = BigInt(value) * BigInt(percent) - 100n * result;
          expect(diff >= -50n && diff < 50n).toBe(true);
        },
      ),
    );
  });

  it("pro-rates a month as 30 days", () => {
    expect(proRataMinor(49_900, 30)).toBe(49_900);
    expect(proRataMinor(100, 10)).toBe(33); // 33.33
    expect(proRataMinor(1, 15)).toBe(1); // 0.5 -> 1
    expect(proRataMinor(3, 5)).toBe(1); // 0.5 -> 1
    expect(divideRoundHalfUp(5n, 2n)).toBe(3n);
  });

  it("refuses amounts that are not whole, non-negative minor units", () => {
    expect(() => percentOfMinor(10.5, 10)).toThrow(RangeError);
    expect(() => percentOfMinor(-1, 10)).toThrow(RangeError);
    expect(() => proRataMinor(Number.MAX_SAFE_INTEGER + 2, 1)).toThrow(RangeError);
  });
});

describe("offer effects on the monthly value", () => {
  const input = { monthlyValueMinor: 49_900, currency: "USD" };

  it("discounts for a number of months, then returns to the full price", () => {
    expect(computeOfferEffect(offer("discount_20_3m"), input)).toEqual({
      currency: "USD",
      monthlyValueBeforeMinor: 49_900,
      monthlyValueDuringMinor: 39_920,
      durationMonths: 3,
      monthlyValueAfterMinor: 49_900,
      oneTimeCreditMinor: 0,
    });
  });

  it("pauses billing, downgrades to the target price, credits extension days", () => {
    expect(computeOfferEffect(offer("pause_3m"), input)).toMatchObject({
      monthlyValueDuringMinor: 0,
      durationMonths: 3,
      monthlyValueAfterMinor: 49_900,
    });
    expect(
      computeOfferEffect(offer("downgrade_starter"), {
        ...input,
        targetPlanMonthlyValueMinor: 19_900,
      }),
    ).toMatchObject({
      monthlyValueDuringMinor: 19_900,
      monthlyValueAfterMinor: 19_900,
      durationMonths: null,
    });
    expect(computeOfferEffect(offer("downgrade_starter"), input)).toMatchObject({
      monthlyValueAfterMinor: null,
    });
    const extension: OfferDefinition = {
      ...offer("training_session"),
      code: "extension_30d",
      kind: "extension",
      parameters: { extensionDays: 30 },
    };
    expect(
      computeOfferEffect(extension, { ...input, monthlyValueMinor: 1_001 }).oneTimeCreditMinor,
    ).toBe(1_001);
    expect(computeOfferEffect(offer("training_session"), input)).toMatchObject({
      monthlyValueDuringMinor: 49_900,
      monthlyValueAfterMinor: 49_900,
    });
  });
});

describe("offer eligibility", () => {
  it("checks plan, value, currency and reason, naming every problem", () => {
    expect(checkOfferEligibility(testPolicy, offer("discount_20_3m"), growth).eligible).toBe(true);
    const starter = { ...growth, planCode: "starter" };
    expect(
      checkOfferEligibility(testPolicy, offer("downgrade_starter"), starter).problems.map(
        (p) => p.rule,
      ),
    ).toEqual(["plan"]);
    const small = { ...growth, monthlyValueMinor: 29_999, reasonCode: null };
    expect(
      checkOfferEligibility(testPolicy, offer("custom_csm"), small).problems.map((p) => p.rule),
    ).toEqual(["monthly_value"]);
    expect(
      checkOfferEligibility(testPolicy, offer("custom_csm"), {
        ...growth,
        monthlyValueMinor: 30_000,
      }).eligible,
    ).toBe(true);
    const euro = { ...growth, currency: "EUR" };
    expect(
      checkOfferEligibility(testPolicy, offer("custom_csm"), euro).problems.map((p) => p.rule),
    ).toEqual(["currency"]);
    // Offers without value bounds do not care about the currency.
    expect(checkOfferEligibility(testPolicy, offer("training_session"), euro).eligible).toBe(true);
    const noReason = checkOfferEligibility(testPolicy, offer("pause_3m"), {
      ...growth,
      reasonCode: null,
    });
    expect(noReason.problems[0]?.message).toMatch(/record the customer's reason first/);
    expect(
      checkOfferEligibility(testPolicy, offer("pause_3m"), growth).problems.map((p) => p.rule),
    ).toEqual(["reason"]);
  });

  it("applies an upper value bound", () => {
    const capped: OfferDefinition = {
      ...offer("training_session"),
      eligibility: { ...offer("training_session").eligibility, maxMonthlyValueMinor: 10_000 },
    };
    expect(checkOfferEligibility(testPolicy, capped, growth).problems.map((p) => p.rule)).toEqual([
      "monthly_value",
    ]);
  });

  it("knows who may present which offer", () => {
    expect(canPresentOffer(offer("custom_csm"), AM)).toBe(false);
    expect(canPresentOffer(offer("custom_csm"), CSM)).toBe(true);
    expect(
      canPresentOffer(offer("custom_csm"), { kind: "staff", userId: "a", role: "admin" }),
    ).toBe(true);
    expect(canPresentOffer(offer("custom_csm"), SYSTEM)).toBe(false);
    expect(canPresentOffer(offer("training_session"), SYSTEM)).toBe(true);
    expect(canPresentOffer(offer("training_session"), REQUESTER)).toBe(false);
  });

  it("lists the eligible offers, optionally for one actor", () => {
    expect(eligibleOffers(testPolicy, growth).map((o) => o.code)).toEqual([
      "discount_20_3m",
      "downgrade_starter",
      "training_session",
      "custom_csm",
    ]);
    expect(eligibleOffers(testPolicy, growth, AM).map((o) => o.code)).not.toContain("custom_csm");
  });
});

describe("a subscription's running discount", () => {
  const endsAt = new Date("2027-03-03T10:00:00.000Z");
  const discounted = {
    status: "active" as const,
    monthlyValueMinor: 651_035,
    discountPercent: 20,
    discountEndsAt: endsAt,
  };

  it("runs until its end, at the list value less its percent (rounded half up)", () => {
    expect(runningDiscountOf(discounted, new Date("2026-12-03T10:00:00.000Z"))).toEqual({
      percent: 20,
      endsAt,
      monthlyValueMinor: 520_828, // 651,035 less 130,207 (20% is 130,207.0)
    });
  });

  it("is over at its end, for a cancelled subscription, and when billing applied none", () => {
    expect(runningDiscountOf(discounted, endsAt)).toBeNull();
    expect(runningDiscountOf({ ...discounted, status: "cancelled" }, new Date(0))).toBeNull();
    expect(
      runningDiscountOf(
        { ...discounted, discountPercent: null, discountEndsAt: null },
        new Date(0),
      ),
    ).toBeNull();
  });

  it("is replaced by a discount offer, and by no other kind of offer", () => {
    const running = runningDiscountOf(discounted, new Date("2026-12-03T10:00:00.000Z"));
    expect(discountReplacedBy(offer("discount_20_3m"), running)).toEqual({
      percent: 20,
      endsAt,
      monthlyValueMinor: 520_828,
    });
    for (const code of ["pause_3m", "downgrade_starter", "training_session", "custom_csm"]) {
      expect(discountReplacedBy(offer(code), running)).toBeNull();
    }
    expect(discountReplacedBy(offer("discount_20_3m"), null)).toBeNull();
  });
});
