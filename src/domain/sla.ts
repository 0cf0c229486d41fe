// SLA and expiry arithmetic from the policy's settings. Calendar time, not business hours: a
// customer waiting over a weekend is still waiting. Timers (src/jobs) use these due times.

import type { Case } from "./case.ts";
import type { PolicyDefinition } from "./policy-definition.ts";
import { addDays, addHours, addMinutes, hasPassed, type Instant, instantMs } from "./time.ts";

/**
 * - `on_track`: not done, due later than the at-risk window;
 * - `at_risk`: not done, fewer than the at-risk hours remain;
 * - `breached`: not done and the due time has passed;
 * - `met` / `met_late`: done, on time or after the due time.
 */
export type SlaStatus = "on_track" | "at_risk" | "breached" | "met" | "met_late";

export interface SlaInput {
  dueAt: Instant;
  atRiskHours: number;
  completedAt: Instant | null;
  now: Date | Instant;
}

export function atRiskFrom(dueAt: Instant, atRiskHours: number): Instant {
  return addHours(dueAt, -atRiskHours);
}

export function slaStatus({ dueAt, atRiskHours, completedAt, now }: SlaInput): SlaStatus {
  if (completedAt !== null) {
    return instantMs(completedAt) <= instantMs(dueAt) ? "met" : "met_late";
  }
  if (hasPassed(dueAt, now)) return "breached";
  if (hasPassed(atRiskFrom(dueAt, atRiskHours), now)) return "at_risk";
  return "on_track";
}

export function csmEngagementDueAt(policy: PolicyDefinition, escalatedAt: Date | Instant): Instant {
  return addHours(escalatedAt, policy.slas.csmEngagementDueHours);
}

export interface EscalationSla {
  dueAt: Instant;
  atRiskFrom: Instant;
  status: SlaStatus;
}

/** The CSM engagement SLA of an escalated case; null before escalation. */
export function escalationSla(
  c: Case,
  policy: PolicyDefinition,
  now: Date | Instant,
): EscalationSla | null {
  if (!c.escalation) return null;
  const { slaDueAt, engagedAt } = c.escalation;
  const atRiskHours = policy.slas.csmEngagementAtRiskHours;
  return {
    dueAt: slaDueAt,
    atRiskFrom: atRiskFrom(slaDueAt, atRiskHours),
    status: slaStatus({ dueAt: slaDueAt, atRiskHours, completedAt: engagedAt, now }),
  };
}

/**
 * The CSM step's time box is over: the policy enables it, the case is escalated, no CSM outcome
 * was recorded, and the escalation's SLA due time has passed. Processing may then go ahead.
 */
export function isCsmTimeBoxOver(c: Case, policy: PolicyDefinition, now: Date | Instant): boolean {
  return (
    policy.slas.csmStepTimeBox &&
    c.state === "escalated" &&
    c.escalation !== null &&
    c.escalation.outcome === null &&
    hasPassed(c.escalation.slaDueAt, now)
  );
}

// Expiries for the links and codes the use-case layer creates; the engine refuses longer ones.

export function identityCodeExpiresAt(policy: PolicyDefinition, now: Date): Date {
  return new Date(addMinutes(now, policy.identity.codeLifetimeMinutes));
}

export function formLinkExpiresAt(policy: PolicyDefinition, now: Date): Date {
  return new Date(addHours(now, policy.slas.formLinkExpiryHours));
}

export function feedbackExpiresAt(policy: PolicyDefinition, now: Date): Date {
  return new Date(addDays(now, policy.slas.feedbackExpiryDays));
}

export function offerAnswerExpiresAt(
  policy: PolicyDefinition,
  presentedAt: Date | Instant,
): Instant {
  return addHours(presentedAt, policy.slas.offerAnswerExpiryHours);
}

/** When to remind the customer about an unsubmitted form; null when no reminder is due. */
export function formReminderDueAt(c: Case, policy: PolicyDefinition): Instant | null {
  if (c.state === "closed" || !c.form || c.form.submission || c.form.linkExpiredAt) return null;
  const dueAt = addHours(c.form.sentAt, policy.slas.formReminderHours);
  return instantMs(dueAt) < instantMs(c.form.expiresAt) ? dueAt : null;
}
