// Offer eligibility (by plan, monthly value and reason) and an offer's effect on the monthly value.
// Money is integer minor units throughout; divisions round half up (x.5 goes up), computed with
// BigInt so no floating-point rounding can creep in however large the value.

import type { Actor } from "./actor.ts";
import type { SubscriptionFacts } from "./context.ts";
import type { Subscription } from "./customer.ts";
import type { OfferDefinition, PolicyDefinition } from "./policy-definition.ts";

/** What an offer's eligibility is judged against. */
export interface OfferSubject {
  planCode: string;
  monthlyValueMinor: number;
  currency: string;
  /** The case's reason (see caseReasonCode); null when none is recorded yet. */
  reasonCode: string | null;
}

export type EligibilityRule = "plan" | "currency" | "monthly_value" | "reason";

export interface EligibilityProblem {
  rule: EligibilityRule;
  message: string;
}

export type EligibilityResult =
  | { eligible: true; problems: [] }
  | { eligible: false; problems: EligibilityProblem[] };

/** `a / b` rounded half up, for a >= 0 and b > 0. */
export function divideRoundHalfUp(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b);
}

/** `percent`% of a minor-unit amount, rounded half up to a whole minor unit. */
export function percentOfMinor(valueMinor: number, percent: number): number {
  assertMinor(valueMinor, "valueMinor");
  return Number(divideRoundHalfUp(BigInt(valueMinor) * BigInt(percent), 100n));
}

/** The value of `days` of a monthly amount, counting a month as 30 days, rounded half up. */
export function proRataMinor(monthlyValueMinor: number, days: number): number {
  assertMinor(monthlyValueMinor, "monthlyValueMinor");
  return Number(divideRoundHalfUp(BigInt(monthlyValueMinor) * BigInt(days), 30n));
}

/** 123456 USD -> "USD 1234.56"; for messages only (assumes two decimals). */
export function formatMinor(valueMinor: number, currency: string): string {
  const whole = Math.trunc(valueMinor / 100);
  const cents = String(Math.abs(valueMinor % 100)).padStart(2, "0");
  return `${currency} ${whole}.${cents}`;
}

function assertMinor(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer of minor units, got ${value}`);
  }
}

export function checkOfferEligibility(
  policy: PolicyDefinition,
  offer: OfferDefinition,
  subject: OfferSubject,
): EligibilityResult {
  const problems: EligibilityProblem[] = [];
  const { planCodes, minMonthlyValueMinor, maxMonthlyValueMinor, reasonCodes } = offer.eligibility;

  if (planCodes && !planCodes.includes(subject.planCode)) {
    problems.push({
      rule: "plan",
      message: `${offer.label} is only for the ${planCodes.join(", ")} plans, not ${subject.planCode}.`,
    });
  }

  const hasValueBounds = minMonthlyValueMinor !== null || maxMonthlyValueMinor !== null;
  if (hasValueBounds && subject.currency !== policy.currency) {
    // Comparing amounts in different currencies would be meaningless; a CSM can use a custom offer.
    problems.push({
      rule: "currency",
      message: `${offer.label} has value limits in ${policy.currency}; this subscription is billed in ${subject.currency}.`,
    });
  } else {
    if (minMonthlyValueMinor !== null && subject.monthlyValueMinor < minMonthlyValueMinor) {
      problems.push({
        rule: "monthly_value",
        message: `${offer.label} is only for subscriptions worth at least ${formatMinor(minMonthlyValueMinor, policy.currency)} a month.`,
      });
    }
    if (maxMonthlyValueMinor !== null && subject.monthlyValueMinor > maxMonthlyValueMinor) {
      problems.push({
        rule: "monthly_value",
        message: `${offer.label} is only for subscriptions worth at most ${formatMinor(maxMonthlyValueMinor, policy.currency)} a month.`,
      });
    }
  }

  if (reasonCodes) {
    if (subject.reasonCode === null) {
      problems.push({
        rule: "reason",
        message: `${offer.label} answers particular reasons; record the customer's reason first.`,
      });
    } else if (!reasonCodes.includes(subject.reasonCode)) {
      problems.push({
        rule: "reason",
        message: `${offer.label} does not answer the reason "${subject.reasonCode}".`,
      });
    }
  }

  return problems.length === 0 ? { eligible: true, problems: [] } : { eligible: false, problems };
}

/** Whether this actor may present this offer: admins any, the system as an AM, customers none. */
export function canPresentOffer(offer: OfferDefinition, actor: Actor): boolean {
  if (actor.kind === "customer") return false;
  if (actor.kind === "system") return offer.presentableBy.includes("account_manager");
  if (actor.role === "admin") return true;
  return offer.presentableBy.includes(actor.role);
}

/** The catalog's offers open to this subject, optionally only those this actor may present. */
export function eligibleOffers(
  policy: PolicyDefinition,
  subject: OfferSubject,
  actor?: Actor,
): OfferDefinition[] {
  return policy.offers.filter(
    (offer) =>
      checkOfferEligibility(policy, offer, subject).eligible &&
      (actor === undefined || canPresentOffer(offer, actor)),
  );
}

export interface OfferEffect {
  currency: string;
  monthlyValueBeforeMinor: number;
  /** What the customer pays per month while the offer runs; null when the target price is unknown. */
  monthlyValueDuringMinor: number | null;
  /** How long the offer runs; null when it is permanent or has no duration. */
  durationMonths: number | null;
  /** What the customer pays per month once the offer has run; this is the revenue kept. */
  monthlyValueAfterMinor: number | null;
  /** Value given away once (extension days), not a change to the monthly price. */
  oneTimeCreditMinor: number;
}

export interface OfferEffectInput {
  monthlyValueMinor: number;
  currency: string;
  /** The target plan's monthly price, for downgrades; unknown prices give null values. */
  targetPlanMonthlyValueMinor?: number | null;
}

export function computeOfferEffect(offer: OfferDefinition, input: OfferEffectInput): OfferEffect {
  const value = input.monthlyValueMinor;
  assertMinor(value, "monthlyValueMinor");
  const unchanged: OfferEffect = {
    currency: input.currency,
    monthlyValueBeforeMinor: value,
    monthlyValueDuringMinor: value,
    durationMonths: null,
    monthlyValueAfterMinor: value,
    oneTimeCreditMinor: 0,
  };
  switch (offer.kind) {
    case "discount":
      return {
        ...unchanged,
        monthlyValueDuringMinor: value - percentOfMinor(value, offer.parameters.percentOff),
        durationMonths: offer.parameters.months,
      };
    case "pause":
      return {
        ...unchanged,
        monthlyValueDuringMinor: 0,
        durationMonths: offer.parameters.pauseMonths,
      };
    case "downgrade": {
      const target = input.targetPlanMonthlyValueMinor ?? null;
      if (target !== null) assertMinor(target, "targetPlanMonthlyValueMinor");
      return { ...unchanged, monthlyValueDuringMinor: target, monthlyValueAfterMinor: target };
    }
    case "extension":
      return {
        ...unchanged,
        oneTimeCreditMinor: proRataMinor(value, offer.parameters.extensionDays),
      };
    case "training":
    case "support":
    case "custom":
      return unchanged;
  }
}

/**
 * The offer's effect on this subscription: a downgrade is valued at the target plan's price for
 * the subscription (unknown when the plan has no price for it). The staff's offer picker and the
 * customer's offer page both show this, so they cannot disagree.
 */
export function computeOfferEffectOn(
  offer: OfferDefinition,
  subscription: Pick<
    SubscriptionFacts,
    "monthlyValueMinor" | "currency" | "planMonthlyValuesMinor"
  >,
): OfferEffect {
  const target =
    offer.kind === "downgrade"
      ? subscription.planMonthlyValuesMinor?.[offer.parameters.toPlanCode]
      : undefined;
  return computeOfferEffect(offer, {
    monthlyValueMinor: subscription.monthlyValueMinor,
    currency: subscription.currency,
    targetPlanMonthlyValueMinor: target ?? null,
  });
}

/** A discount billing applied that runs now, and what the customer pays a month while it runs. */
export interface RunningDiscount {
  percent: number;
  endsAt: Date;
  monthlyValueMinor: number;
}

/**
 * The subscription's discount if it runs at `now`: the ledger keeps a discount's percent and end
 * after the end passes (nothing clears them), so only this tells a current discount from an old
 * one. A cancelled subscription is billed nothing, so no discount of it runs.
 */
export function runningDiscountOf(
  subscription: Pick<
    Subscription,
    "status" | "monthlyValueMinor" | "discountPercent" | "discountEndsAt"
  >,
  now: Date,
): RunningDiscount | null {
  const { discountPercent: percent, discountEndsAt: endsAt } = subscription;
  if (percent === null || endsAt === null || subscription.status === "cancelled") return null;
  if (endsAt.getTime() <= now.getTime()) return null;
  const value = subscription.monthlyValueMinor;
  return { percent, endsAt, monthlyValueMinor: value - percentOfMinor(value, percent) };
}

/**
 * The running discount that accepting `offer` would replace, or null when it replaces none:
 * billing keeps one discount per subscription, so a discount offer replaces the one running (the
 * two do not add up) and no other kind of offer touches it. `running` is `runningDiscountOf` the
 * subscription (or its JSON), so the staff's pickers, the customer's page and the offer email
 * warn alike.
 */
export function discountReplacedBy<D>(
  offer: Pick<OfferDefinition, "kind">,
  running: D | null,
): D | null {
  return offer.kind === "discount" ? running : null;
}
