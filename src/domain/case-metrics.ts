// The figures analytics keep for each closed case (one narrow row per case, so reports aggregate
// in the database without reading case documents), and the rule that decides whether a save held.
// Pure: computed from the case as closed, its audit entries and its policy version.

import { type AdherenceEvent, type AdherenceMiss, judgeAdherence } from "./adherence.ts";
import { type Case, caseReasonCode } from "./case.ts";
import { findOffer, type PolicyDefinition, type StepKey } from "./policy-definition.ts";
import { addDays, addMonths, type Instant, instantMs } from "./time.ts";

/** Seconds spent in each of the policy's steps; null when the case never went through it. */
export type StepDurations = Record<StepKey, number | null>;

function seconds(from: Instant | null | undefined, to: Instant | null | undefined): number | null {
  if (!from || !to) return null;
  return Math.max(0, Math.round((instantMs(to) - instantMs(from)) / 1000));
}

/**
 * Time in each step, from when the case entered it to when it left it (the case's states):
 * 1 opened -> identity verified; 2 verified -> form sent; 3 form sent -> escalated (or closed
 * when retained or withdrawn there); 4 escalated -> CSM outcome (or processing when time-boxed);
 * 5 CSM outcome -> feedback requested (processing and confirmation); 6 feedback requested ->
 * answered or expired; 7 that -> closed.
 */
export function stepDurations(c: Case): StepDurations {
  const end = c.closedAt;
  const verified = c.identity.verifiedAt;
  const formSent = c.form?.firstSentAt ?? null;
  const escalated = c.escalation?.escalatedAt ?? null;
  const decided = c.escalation?.decidedAt ?? null;
  const processed = c.processing?.processedAt ?? null;
  const feedbackAsked = c.feedback?.requestedAt ?? null;
  const feedbackDone = c.feedback?.submission?.submittedAt ?? c.feedback?.expiredAt ?? null;
  return {
    initial_contact: seconds(c.openedAt, verified ?? (c.outcome === "unverified" ? end : null)),
    cancellation_request_form: seconds(verified, formSent),
    assistance_and_alternatives: seconds(formSent, escalated ?? end),
    escalation_to_csm: seconds(escalated, decided ?? processed ?? end),
    finalize_cancellation: processed
      ? seconds(decided ?? c.escalation?.slaDueAt, feedbackAsked ?? end)
      : null,
    feedback: seconds(feedbackAsked, feedbackDone),
    documentation: seconds(feedbackDone, end),
  };
}

/** What one closed case contributes to the figures. */
export interface CaseMetrics {
  caseId: string;
  reference: string;
  accountId: string;
  subscriptionId: string;
  policyVersion: number;
  channel: string;
  outcome: string;
  amId: string | null;
  /** The CSM the case was escalated to; null when it was not escalated. */
  csmId: string | null;
  /** The plan the customer was on before any offer (a downgrade save counts under its old plan). */
  planCode: string | null;
  segment: string | null;
  reasonCode: string | null;
  /** Offers presented (by the AM, or agreed with the CSM), in order, without repeats. */
  offersPresented: string[];
  /** The offer whose acceptance retained the customer; null unless retained. */
  savedOfferCode: string | null;
  currency: string;
  /** The subscription's monthly value when the case closed (before any offer). */
  monthlyValueMinor: number;
  /** Retained: what the customer pays per month once the offer has run. */
  valueKeptMinor: number;
  /** Cancelled: the monthly value that goes away. */
  valueLostMinor: number;
  openedAt: Instant;
  closedAt: Instant;
  escalated: boolean;
  slaDueAt: Instant | null;
  csmEngagedAt: Instant | null;
  /** Escalated cases: the CSM engaged by the SLA's due time. */
  slaMet: boolean | null;
  formSent: boolean;
  formSubmitted: boolean;
  feedbackRating: number | null;
  feedbackReason: string | null;
  durations: StepDurations;
  adherent: boolean;
  misses: AdherenceMiss[];
  /** Retained: when the save was first lost (see saveLostAt); null while it holds. */
  lostAt: Instant | null;
  /** Retained: when the offer stops holding the customer by itself (see saveHoldsFrom). */
  holdsFrom: Instant | null;
  /**
   * Cancelled at the end of the term and reactivated before it took effect: no customer lost,
   * so no value lost, and counted apart from cancellations.
   */
  reactivatedAt: Instant | null;
}

export interface SubscriptionAtClose {
  /** The subscription's plan when the case closed. */
  planCode: string | null;
  /** The plan when the offer was accepted (from its `offer_accepted` entry), if one was. */
  planCodeBeforeOffer?: string | null;
  segment: string | null;
  monthlyValueMinor: number;
  currency: string;
  /** The accepted offer's effect on the monthly value (from its `offer_accepted` entry). */
  offerEffect: { monthlyValueBeforeMinor: number; monthlyValueAfterMinor: number | null } | null;
  /** When the subscription was cancelled or is scheduled to end, if it is. */
  subscriptionEndedAt: Instant | null;
  /** When the next case for the same subscription was opened, if one was. */
  nextCaseOpenedAt: Instant | null;
}

export function computeCaseMetrics(
  c: Case,
  events: readonly AdherenceEvent[],
  policy: PolicyDefinition,
  subscription: SubscriptionAtClose,
): CaseMetrics {
  if (!c.closedAt || !c.outcome) throw new Error(`case ${c.reference} is not closed`);
  const offersPresented = [...new Set(c.offers.map((o) => o.offerCode))];
  const accepted = c.offers.find((o) => o.answer === "accepted");
  const savedOfferCode =
    c.outcome === "retained"
      ? (c.escalation?.retainedOfferCode ?? accepted?.offerCode ?? null)
      : null;
  // What the customer pays once the offer has run is the value kept; unknown means all of it.
  const effect = c.outcome === "retained" ? subscription.offerEffect : null;
  const before = effect?.monthlyValueBeforeMinor ?? subscription.monthlyValueMinor;
  const after = effect?.monthlyValueAfterMinor ?? before;
  const escalation = c.escalation;
  const engagedAt = escalation?.engagedAt ?? escalation?.decidedAt ?? null;
  const reactivated =
    c.outcome === "cancelled" ? events.find((e) => e.type === "subscription_reactivated") : null;
  const reactivatedAt = reactivated ? new Date(reactivated.at).toISOString() : null;
  const verdict = judgeAdherence(c, events, policy);
  return {
    caseId: c.id,
    reference: c.reference,
    accountId: c.accountId,
    subscriptionId: c.subscriptionId,
    policyVersion: c.policyVersion,
    channel: c.channel,
    outcome: c.outcome,
    amId: c.assignedAmId,
    csmId: escalation?.csmId ?? null,
    planCode:
      (c.outcome === "retained" ? subscription.planCodeBeforeOffer : null) ?? subscription.planCode,
    segment: subscription.segment,
    reasonCode: caseReasonCode(c),
    offersPresented,
    savedOfferCode,
    currency: subscription.currency,
    monthlyValueMinor: before,
    valueKeptMinor: c.outcome === "retained" ? after : 0,
    valueLostMinor: c.outcome === "cancelled" && !reactivatedAt ? before : 0,
    openedAt: c.openedAt,
    closedAt: c.closedAt,
    escalated: escalation !== null,
    slaDueAt: escalation?.slaDueAt ?? null,
    csmEngagedAt: engagedAt,
    slaMet: escalation
      ? engagedAt !== null && instantMs(engagedAt) <= instantMs(escalation.slaDueAt)
      : null,
    formSent: c.form !== null,
    formSubmitted: c.form?.submission != null,
    feedbackRating: c.feedback?.submission?.rating ?? null,
    feedbackReason: c.feedback?.submission?.decisionReason ?? null,
    durations: stepDurations(c),
    adherent: verdict.adherent,
    misses: verdict.misses,
    holdsFrom: c.outcome === "retained" ? saveHoldsFrom(c, policy) : null,
    reactivatedAt,
    lostAt:
      c.outcome === "retained"
        ? saveLostAt({
            savedAt: c.closedAt,
            subscriptionEndedAt: subscription.subscriptionEndedAt,
            nextCaseOpenedAt: subscription.nextCaseOpenedAt,
          })
        : null,
  };
}

/**
 * When a save's offer stops keeping the customer by itself: a pause or a discount runs out, an
 * extension's free days end. Until then the customer has not chosen to stay at full price, so the
 * validation window starts there ("offers that only delay a cancellation do not flatter the
 * numbers"). Lasting changes (a downgrade, training, support, custom terms) hold from the save.
 */
export function saveHoldsFrom(c: Case, policy: PolicyDefinition): Instant {
  const savedAt = c.closedAt!;
  const code =
    c.escalation?.retainedOfferCode ?? c.offers.find((o) => o.answer === "accepted")?.offerCode;
  const offer = code ? findOffer(policy, code) : undefined;
  const acceptedAt =
    c.offers.find((o) => o.offerCode === code && o.answer === "accepted")?.answeredAt ??
    c.escalation?.decidedAt ??
    savedAt;
  const endsAt =
    offer?.kind === "pause"
      ? addMonths(acceptedAt, offer.parameters.pauseMonths)
      : offer?.kind === "discount"
        ? addMonths(acceptedAt, offer.parameters.months)
        : offer?.kind === "extension"
          ? addDays(acceptedAt, offer.parameters.extensionDays)
          : null;
  return endsAt && instantMs(endsAt) > instantMs(savedAt) ? endsAt : savedAt;
}

export const SAVE_STATUSES = ["validated", "pending", "lost"] as const;
export type SaveStatus = (typeof SAVE_STATUSES)[number];

export interface SaveFacts {
  /** When the case closed as retained. */
  savedAt: Instant;
  /** When the offer stops holding the customer by itself (saveHoldsFrom); the save by default. */
  holdsFrom?: Instant | null;
  /** When the subscription was cancelled or its cancellation scheduled, if it was; else null. */
  subscriptionEndedAt: Instant | null;
  /** When the next cancellation case for the same subscription was opened, if one was. */
  nextCaseOpenedAt: Instant | null;
}

/** The first thing after the save that undid it: the subscription ending or a new case. */
export function saveLostAt(facts: SaveFacts): Instant | null {
  const savedAt = instantMs(facts.savedAt);
  const after = [facts.subscriptionEndedAt, facts.nextCaseOpenedAt]
    .filter((at): at is Instant => at !== null && instantMs(at) >= savedAt)
    .sort((a, b) => instantMs(a) - instantMs(b));
  return after[0] ?? null;
}

/**
 * A save counts (`validated`) only when the customer is still subscribed `validationDays` after
 * its offer stopped holding them by itself (a pause or discount ran out; for a lasting change,
 * the save): the subscription was not cancelled and no new cancellation case was opened from the
 * save to the window's end, which runs in whole UTC days (that day and the N days after it, so a
 * daily rollup can apply the rule). Until the window is over it is `pending`; either event before
 * its end makes it `lost`.
 * The analytics SQL (analytics.repository.ts) applies the same rule to the stored `lost_at`.
 */
export function classifySave(facts: SaveFacts, validationDays: number, now: Date): SaveStatus {
  const startDay = new Date((facts.holdsFrom ?? facts.savedAt).slice(0, 10)).toISOString();
  const windowEnd = instantMs(addDays(startDay, validationDays + 1));
  const lostAt = saveLostAt(facts);
  if (lostAt !== null && instantMs(lostAt) < windowEnd) return "lost";
  return now.getTime() < windowEnd ? "pending" : "validated";
}
