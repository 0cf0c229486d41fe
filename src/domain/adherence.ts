// Policy adherence of a closed case: did it go through every step its policy version asks for, in
// the policy's order, on time, with its evidence? Pure: the case as closed, its audit entries in
// log order and the definition of the version the case followed go in; a verdict comes out. The
// engine already refuses most shortcuts, so misses here are mostly late CSM engagement, imported
// or migrated cases, and cases closed under an older, looser version.

import type { Case, CaseOutcome } from "./case.ts";
import type { CaseEventType } from "./events.ts";
import type { PolicyDefinition, StepKey } from "./policy-definition.ts";
import { type Instant, instantMs } from "./time.ts";

/** The stable codes of what a case can fall short of. */
export const ADHERENCE_RULES = [
  "IDENTITY_NOT_VERIFIED",
  "FORM_NOT_SENT",
  "FORM_NOT_SUBMITTED",
  "REASON_NOT_RECORDED",
  "NO_OFFER_OR_REASON",
  "NOT_ESCALATED",
  "CSM_OUTCOME_MISSING",
  "CSM_SLA_MISSED",
  "NOT_PROCESSED",
  "CONFIRMATION_MISSING",
  "FEEDBACK_NOT_REQUESTED",
  "DOCUMENTATION_MISSING",
  "OUT_OF_ORDER",
  "ATTEMPT_LIMIT_NOT_REACHED",
] as const;
export type AdherenceRule = (typeof ADHERENCE_RULES)[number];

export interface AdherenceMiss {
  step: StepKey;
  rule: AdherenceRule;
  detail: string;
}

export interface AdherenceVerdict {
  adherent: boolean;
  misses: AdherenceMiss[];
}

/** What adherence needs of an audit entry: its type and time, given in log (seq) order. */
export interface AdherenceEvent {
  type: CaseEventType | string;
  at: Instant | Date;
}

/**
 * The events that mark a step's work, for the order check. Events the customer or the CSM may
 * cause at several steps (form submission, offer answers, notes, reassignment) are left out.
 */
const MILESTONES: Partial<Record<string, StepKey>> = {
  identity_verified: "initial_contact",
  form_sent: "cancellation_request_form",
  reason_recorded: "assistance_and_alternatives",
  no_suitable_offer_recorded: "assistance_and_alternatives",
  escalated_to_csm: "escalation_to_csm",
  csm_engaged: "escalation_to_csm",
  csm_outcome_recorded: "escalation_to_csm",
  cancellation_processed: "finalize_cancellation",
  confirmation_recorded: "finalize_cancellation",
  feedback_requested: "feedback",
  case_closed: "documentation",
};

const STEP_ORDER: Record<StepKey, number> = {
  initial_contact: 1,
  cancellation_request_form: 2,
  assistance_and_alternatives: 3,
  escalation_to_csm: 4,
  finalize_cancellation: 5,
  feedback: 6,
  documentation: 7,
};

/** The steps a case with this outcome must have gone through (of those its policy defines). */
function requiredSteps(c: Case): StepKey[] {
  const outcome = c.outcome as CaseOutcome;
  if (outcome === "cancelled") {
    return [
      "initial_contact",
      "cancellation_request_form",
      "assistance_and_alternatives",
      "escalation_to_csm",
      "finalize_cancellation",
      "feedback",
      "documentation",
    ];
  }
  if (outcome === "retained") {
    const steps: StepKey[] = [
      "initial_contact",
      "cancellation_request_form",
      "assistance_and_alternatives",
    ];
    if (c.escalation) steps.push("escalation_to_csm");
    return [...steps, "documentation"];
  }
  // Withdrawn and unverified cases stop where the customer or the check stopped them.
  if (outcome === "unverified") return ["initial_contact", "documentation"];
  return ["documentation"];
}

export function judgeAdherence(
  c: Case,
  events: readonly AdherenceEvent[],
  policy: PolicyDefinition,
): AdherenceVerdict {
  const misses: AdherenceMiss[] = [];
  const defined = new Set(policy.steps.map((s) => s.key));
  const required = requiredSteps(c).filter((step) => defined.has(step));
  const miss = (step: StepKey, rule: AdherenceRule, detail: string) => {
    if (defined.has(step)) misses.push({ step, rule, detail });
  };
  const needs = (step: StepKey) => required.includes(step);

  if (c.outcome === "unverified") {
    if (c.identity.attempts < policy.identity.attemptLimit) {
      miss(
        "initial_contact",
        "ATTEMPT_LIMIT_NOT_REACHED",
        `Closed as unverified after ${c.identity.attempts} of ${policy.identity.attemptLimit} attempts.`,
      );
    }
  } else if (needs("initial_contact") && !c.identity.verifiedAt) {
    miss("initial_contact", "IDENTITY_NOT_VERIFIED", "The requester's identity was not verified.");
  }

  if (needs("cancellation_request_form")) {
    if (!c.form) {
      miss("cancellation_request_form", "FORM_NOT_SENT", "The form was never sent.");
    } else if (c.outcome === "cancelled" && !c.form.submission) {
      miss(
        "cancellation_request_form",
        "FORM_NOT_SUBMITTED",
        "The cancellation was processed without the customer's submitted form.",
      );
    } else if (
      c.outcome === "cancelled" &&
      c.form.submission &&
      c.processing &&
      instantMs(c.form.submission.submittedAt) > instantMs(c.processing.processedAt)
    ) {
      miss(
        "cancellation_request_form",
        "FORM_NOT_SUBMITTED",
        "The form was submitted only after the cancellation was processed.",
      );
    }
  }

  if (needs("assistance_and_alternatives")) {
    if (c.reasonConversations.length === 0) {
      miss(
        "assistance_and_alternatives",
        "REASON_NOT_RECORDED",
        "No reason conversation was recorded.",
      );
    }
    if (c.offers.length === 0 && !c.noSuitableOffer && !c.escalation?.retainedOfferCode) {
      miss(
        "assistance_and_alternatives",
        "NO_OFFER_OR_REASON",
        "No offer was presented and no written reason says why none suits.",
      );
    }
  }

  if (needs("escalation_to_csm")) {
    const escalation = c.escalation;
    if (!escalation) {
      miss("escalation_to_csm", "NOT_ESCALATED", "The case never went to a CSM.");
    } else {
      const timeBoxed = c.processing?.timeBoxUsed === true && policy.slas.csmStepTimeBox;
      if (!escalation.outcome && !timeBoxed) {
        miss("escalation_to_csm", "CSM_OUTCOME_MISSING", "No CSM outcome was recorded.");
      }
      const engagedAt = escalation.engagedAt ?? escalation.decidedAt;
      if (!engagedAt || instantMs(engagedAt) > instantMs(escalation.slaDueAt)) {
        miss(
          "escalation_to_csm",
          "CSM_SLA_MISSED",
          engagedAt
            ? `The CSM engaged at ${engagedAt}, after the SLA due at ${escalation.slaDueAt}.`
            : `The CSM never engaged; the SLA was due at ${escalation.slaDueAt}.`,
        );
      }
    }
  }

  if (needs("finalize_cancellation")) {
    if (!c.processing) {
      miss("finalize_cancellation", "NOT_PROCESSED", "The cancellation was never processed.");
    } else if (!c.confirmation) {
      miss("finalize_cancellation", "CONFIRMATION_MISSING", "No confirmation was sent or logged.");
    } else if (c.confirmation.channel === "phone" && !c.confirmation.callOutcome) {
      miss(
        "finalize_cancellation",
        "CONFIRMATION_MISSING",
        "The confirmation call has no recorded outcome.",
      );
    }
  }

  if (needs("feedback") && !c.feedback) {
    miss("feedback", "FEEDBACK_NOT_REQUESTED", "Feedback was never requested.");
  }

  if (needs("documentation") && (!c.documentation || !c.closedAt)) {
    miss("documentation", "DOCUMENTATION_MISSING", "No documentation record was written.");
  }

  // Order: each step's first milestone comes no earlier (in the log) than an earlier step's.
  let reached: { step: StepKey; type: string } | null = null;
  const seen = new Set<StepKey>();
  for (const event of events) {
    const step = MILESTONES[event.type];
    if (!step || seen.has(step)) continue;
    seen.add(step);
    if (reached && STEP_ORDER[step] < STEP_ORDER[reached.step]) {
      miss(
        step,
        "OUT_OF_ORDER",
        `${event.type} was recorded after ${reached.type} (step ${STEP_ORDER[reached.step]}).`,
      );
      continue;
    }
    reached = { step, type: event.type };
  }

  return { adherent: misses.length === 0, misses };
}
