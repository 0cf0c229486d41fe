// Where a case stands on the policy's seven steps, and what each actor may do next. Both are
// computed by asking `decide` about candidate commands, so the rules live in one place only.

import type { Actor } from "./actor.ts";
import { type Case, caseReasonCode, confirmationChannelFor, pendingOffers } from "./case.ts";
import type { Command, CommandKind } from "./commands.ts";
import type { DecisionContext } from "./context.ts";
import { decide } from "./decide.ts";
import { type PolicyStep, STEP_KEYS, type StepKey } from "./policy-definition.ts";
import type { Refusal, RuleCode } from "./rules.ts";
import {
  escalationSla,
  feedbackExpiresAt,
  formLinkExpiresAt,
  identityCodeExpiresAt,
} from "./sla.ts";

/**
 * - `done`: the step's evidence is recorded;
 * - `current`: the case is on this step and it can be completed now;
 * - `blocked`: the case is on this step and waits for something outside the step's own work
 *   (the customer, the clock, a missing CSM...), named in `blockedBy`; also a failed step 1;
 * - `pending`: a later step;
 * - `skipped`: the case closed without it (retained, withdrawn, unverified) or the CSM step's
 *   time box ran out.
 */
export type StepStatus = "done" | "current" | "blocked" | "pending" | "skipped";

export interface ChecklistItem {
  number: number;
  key: StepKey;
  title: string;
  status: StepStatus;
  /** Plain sentences summarising the recorded evidence of the step. */
  evidence: string[];
  /** For the current step: why it cannot be completed yet, as the engine says it. */
  blockedBy: Refusal | null;
  policyText: string;
  guidance: string;
  script: string;
}

/** Refusals meaning the step waits on someone or something else, not on the AM's own work. */
const WAITING_CODES: ReadonlySet<RuleCode> = new Set<RuleCode>([
  "REQUESTER_NOT_AUTHORISED",
  "SUBSCRIPTION_NOT_ACTIVE",
  "IDENTITY_METHOD_NOT_ALLOWED",
  "FORM_NOT_SUBMITTED",
  "OFFER_ANSWER_PENDING",
  "CSM_NOT_AVAILABLE",
  "CSM_IS_CASE_AM",
  "ASSIGNEE_ROLE_MISMATCH",
  "FEEDBACK_PENDING",
]);

const PLACEHOLDER_AM = "__candidate_am__";
const PLACEHOLDER_CSM = "__candidate_csm__";

function stepDone(c: Case, key: StepKey): boolean {
  switch (key) {
    case "initial_contact":
      return c.identity.verifiedAt !== null;
    case "cancellation_request_form":
      return c.form !== null;
    case "assistance_and_alternatives":
      return c.escalation !== null || c.outcome === "retained";
    case "escalation_to_csm":
      return c.escalation !== null && (c.escalation.outcome !== null || c.outcome === "retained");
    case "finalize_cancellation":
      return c.processing !== null && c.confirmation !== null;
    case "feedback":
      return (
        c.feedback !== null && (c.feedback.submission !== null || c.feedback.expiredAt !== null)
      );
    case "documentation":
      return c.documentation !== null;
  }
}

function stepSkipped(c: Case, key: StepKey): boolean {
  if (key === "escalation_to_csm" && c.processing?.timeBoxUsed && !c.escalation?.outcome)
    return true;
  return c.state === "closed" && !stepDone(c, key);
}

/** A staff actor to probe the AM's steps with: the assigned AM, else the system. */
function amActor(c: Case): Actor {
  return c.assignedAmId
    ? { kind: "staff", userId: c.assignedAmId, role: "account_manager" }
    : { kind: "system" };
}

function csmActor(c: Case): Actor {
  return { kind: "staff", userId: c.assignedCsmId ?? PLACEHOLDER_CSM, role: "csm" };
}

/** The commands that complete the case's current step; the first accepted one means "current". */
function stepProbes(c: Case, context: DecisionContext, now: Date): Command[] {
  const am = amActor(c);
  const system: Actor = { kind: "system" };
  switch (c.state) {
    case "intake":
      return [
        { kind: "verifyBySecurityCheck", passed: true, factsChecked: "probe", actor: am, now },
        { kind: "confirmIdentityCode", codeMatches: true, actor: system, now },
        { kind: "verifySelfService", actor: system, now },
      ];
    case "form":
      return [
        { kind: "sendForm", linkExpiresAt: formLinkExpiresAt(context.policy, now), actor: am, now },
      ];
    case "retention":
      return [{ kind: "escalateToCsm", csmId: escalationCandidate(c, context), actor: am, now }];
    case "escalated":
      return [
        { kind: "recordCsmOutcome", outcome: "proceed", notes: "probe", actor: csmActor(c), now },
        { kind: "processCancellation", actor: am, now },
      ];
    case "finalizing":
      return [{ kind: "processCancellation", actor: am, now }];
    case "cancelled": {
      const channel = confirmationChannelFor(c, context.requester.preferredChannel);
      return c.confirmation
        ? [
            {
              kind: "requestFeedback",
              linkExpiresAt: feedbackExpiresAt(context.policy, now),
              actor: am,
              now,
            },
          ]
        : [
            {
              kind: "recordConfirmation",
              channel,
              callOutcome: channel === "phone" ? "reached" : null,
              actor: am,
              now,
            },
          ];
    }
    case "feedback":
      return [{ kind: "closeCase", actor: am, now }];
    case "closed":
      return [];
  }
}

function escalationCandidate(c: Case, context: DecisionContext): string | null {
  return c.assignedCsmId || context.account.assignedCsmId ? null : PLACEHOLDER_CSM;
}

/** A context in which placeholder users exist, so candidate commands can name "some CSM". */
function probeContext(context: DecisionContext): DecisionContext {
  return {
    ...context,
    staff: {
      ...context.staff,
      [PLACEHOLDER_AM]: { role: "account_manager" },
      [PLACEHOLDER_CSM]: { role: "csm" },
    },
  };
}

/** The first refusal among the probes, or null when one of them is accepted. */
function probeRefusal(c: Case, context: DecisionContext, now: Date): Refusal | null {
  const probes = stepProbes(c, context, now);
  const ctx = probeContext(context);
  let first: Refusal | null = null;
  for (const probe of probes) {
    const decision = decide(c, probe, ctx);
    if (decision.ok) return null;
    first ??= decision.refusal;
  }
  return first;
}

export function buildChecklist(c: Case, context: DecisionContext, now: Date): ChecklistItem[] {
  const steps = STEP_KEYS.map((key, index) => {
    const step = context.policy.steps.find((s) => s.key === key);
    return step ?? fallbackStep(key, index + 1);
  });
  const currentIndex = c.state === "closed" ? -1 : STEP_KEYS.findIndex((key) => !stepDone(c, key));
  const blockedBy = currentIndex >= 0 ? probeRefusal(c, context, now) : null;

  return steps.map((step, index): ChecklistItem => {
    let status: StepStatus;
    let itemBlockedBy: Refusal | null = null;
    if (step.key === "initial_contact" && c.outcome === "unverified") {
      status = "blocked";
    } else if (stepDone(c, step.key)) {
      status = "done";
    } else if (stepSkipped(c, step.key)) {
      status = "skipped";
    } else if (index === currentIndex) {
      itemBlockedBy = blockedBy;
      status = blockedBy && WAITING_CODES.has(blockedBy.code) ? "blocked" : "current";
    } else {
      status = "pending";
    }
    return {
      number: step.number,
      key: step.key,
      title: step.title,
      status,
      evidence: stepEvidence(c, step.key, context, now),
      blockedBy: itemBlockedBy,
      policyText: step.policyText,
      guidance: step.guidance,
      script: step.script,
    };
  });
}

function fallbackStep(key: StepKey, number: number): PolicyStep {
  return { number, key, title: key, policyText: "", guidance: "", script: "" };
}

function stepEvidence(c: Case, key: StepKey, context: DecisionContext, now: Date): string[] {
  const lines: string[] = [];
  switch (key) {
    case "initial_contact": {
      lines.push(`Request received by ${c.channel} at ${c.openedAt}.`);
      const { identity } = c;
      if (identity.codesSent > 0) {
        lines.push(
          `Verification code sent ${identity.codesSent} time(s); the latest expires at ${identity.codeExpiresAt}.`,
        );
      }
      if (identity.attempts > 0) {
        lines.push(
          `Failed verification attempts: ${identity.attempts} of ${context.policy.identity.attemptLimit}.`,
        );
      }
      if (identity.verifiedAt)
        lines.push(`Identity verified by ${identity.method} at ${identity.verifiedAt}.`);
      if (c.outcome === "unverified")
        lines.push("Verification failed; the case closed as unverified.");
      break;
    }
    case "cancellation_request_form": {
      const { form } = c;
      if (!form) break;
      lines.push(
        `Form sent by ${form.deliveryChannel} at ${form.firstSentAt}${form.sendCount > 1 ? `, ${form.sendCount} sends in all` : ""}; the latest link expires at ${form.expiresAt}.`,
      );
      if (form.linkExpiredAt)
        lines.push(`The latest link expired unused at ${form.linkExpiredAt}; resend the form.`);
      const s = form.submission;
      lines.push(
        s
          ? `Submitted by the customer at ${s.submittedAt}: reason ${s.reasonCode}, effective ${s.requestedEffective}, confirmation by ${s.preferredConfirmationChannel}.`
          : "Not submitted yet; the customer's submission is needed before processing.",
      );
      break;
    }
    case "assistance_and_alternatives": {
      const reason = caseReasonCode(c);
      if (reason) lines.push(`Reason: ${reason}.`);
      for (const conversation of c.reasonConversations) {
        lines.push(`Conversation at ${conversation.recordedAt}: ${conversation.notes}`);
      }
      for (const offer of c.offers) {
        lines.push(`Offered ${offer.label} at ${offer.presentedAt}: ${offer.answer}.`);
      }
      const open = pendingOffers(c, now).length;
      if (open > 0) lines.push(`${open} offer(s) waiting for the customer's answer.`);
      if (c.noSuitableOffer) lines.push(`No suitable offer: ${c.noSuitableOffer.reason}`);
      break;
    }
    case "escalation_to_csm": {
      const e = c.escalation;
      if (!e) break;
      const sla = escalationSla(c, context.policy, now);
      lines.push(
        `Escalated to CSM ${e.csmId} at ${e.escalatedAt}; engagement due by ${e.slaDueAt} (${sla?.status}).`,
      );
      if (e.engagedAt) lines.push(`CSM ${e.engagedBy} engaged at ${e.engagedAt}.`);
      if (e.outcome)
        lines.push(
          `CSM outcome: ${e.outcome}${e.retainedOfferCode ? ` with ${e.retainedOfferCode}` : ""} — ${e.outcomeNotes}`,
        );
      if (c.processing?.timeBoxUsed && !e.outcome) {
        lines.push(
          "No CSM outcome before the SLA ran out; the policy's time box let the cancellation go ahead.",
        );
      }
      break;
    }
    case "finalize_cancellation": {
      const p = c.processing;
      if (p)
        lines.push(
          `Cancellation processed at ${p.processedAt}: ${p.mode}, effective ${p.effectiveAt}.`,
        );
      const conf = c.confirmation;
      if (conf) {
        lines.push(
          `Confirmed by ${conf.channel} at ${conf.recordedAt}${conf.callOutcome ? ` (${conf.callOutcome})` : ""}.`,
        );
      } else if (p) {
        lines.push(
          `Confirmation due by ${confirmationChannelFor(c, context.requester.preferredChannel)}.`,
        );
      }
      break;
    }
    case "feedback": {
      const f = c.feedback;
      if (!f) break;
      lines.push(`Feedback requested at ${f.requestedAt}; the request expires at ${f.expiresAt}.`);
      if (f.submission) {
        lines.push(
          `Feedback: rated ${f.submission.rating}/5, decided because of ${f.submission.decisionReason}.`,
        );
      }
      if (f.expiredAt) lines.push("The feedback request expired unanswered.");
      break;
    }
    case "documentation":
      if (c.documentation) {
        lines.push(
          `Closed as ${c.outcome} at ${c.closedAt}; documentation written to the account.`,
        );
      }
      break;
  }
  return lines;
}

export interface ActionOption {
  kind: CommandKind;
  /** For offer commands: which offer. */
  offerCode?: string;
  /** For reassign: which slot. */
  slot?: "am" | "csm";
}

export interface BlockedAction {
  kind: CommandKind;
  refusal: Refusal;
}

export interface NextActions {
  allowed: ActionOption[];
  /** The step-completing commands of the current step that are refused, with the reason. */
  blocked: BlockedAction[];
}

/** Candidate commands with harmless placeholder input: `decide` judges the rules, not the input. */
function candidates(
  c: Case,
  context: DecisionContext,
  actor: Actor,
  now: Date,
): { option: ActionOption; command: Command }[] {
  const { policy } = context;
  const base = { actor, now };
  const firstReason = policy.reasons[0]?.code ?? "other";
  const channel = confirmationChannelFor(c, context.requester.preferredChannel);
  const list: { option: ActionOption; command: Command }[] = [];
  const add = (option: ActionOption, command: Command) => list.push({ option, command });

  add(
    { kind: "startIdentityVerification" },
    {
      ...base,
      kind: "startIdentityVerification",
      method: "code",
      codeExpiresAt: identityCodeExpiresAt(policy, now),
    },
  );
  add({ kind: "confirmIdentityCode" }, { ...base, kind: "confirmIdentityCode", codeMatches: true });
  add(
    { kind: "verifyBySecurityCheck" },
    { ...base, kind: "verifyBySecurityCheck", passed: true, factsChecked: "account facts" },
  );
  add({ kind: "verifySelfService" }, { ...base, kind: "verifySelfService" });
  add(
    { kind: "sendForm" },
    { ...base, kind: "sendForm", linkExpiresAt: formLinkExpiresAt(policy, now) },
  );
  add(
    { kind: "resendForm" },
    { ...base, kind: "resendForm", linkExpiresAt: formLinkExpiresAt(policy, now) },
  );
  add(
    { kind: "submitForm" },
    {
      ...base,
      kind: "submitForm",
      submission: {
        reasonCode: firstReason,
        details: "details",
        requestedEffective: "end_of_term",
        preferredConfirmationChannel: "email",
        authorityConfirmed: true,
      },
    },
  );
  add({ kind: "expireForm" }, { ...base, kind: "expireForm" });
  add(
    { kind: "recordReasonConversation" },
    { ...base, kind: "recordReasonConversation", reasonCode: firstReason, notes: "notes" },
  );
  for (const offer of policy.offers) {
    add(
      { kind: "presentOffer", offerCode: offer.code },
      {
        ...base,
        kind: "presentOffer",
        offerCode: offer.code,
        customTerms: offer.kind === "custom" ? "terms to be agreed" : null,
      },
    );
  }
  for (const offer of pendingOffers(c, now)) {
    add(
      { kind: "answerOffer", offerCode: offer.offerCode },
      { ...base, kind: "answerOffer", offerCode: offer.offerCode, answer: "declined" },
    );
  }
  add(
    { kind: "recordNoSuitableOffer" },
    { ...base, kind: "recordNoSuitableOffer", reason: "no offer answers the customer's need" },
  );
  add(
    { kind: "escalateToCsm" },
    { ...base, kind: "escalateToCsm", csmId: escalationCandidate(c, context) },
  );
  add({ kind: "csmEngage" }, { ...base, kind: "csmEngage" });
  add(
    { kind: "recordCsmOutcome" },
    { ...base, kind: "recordCsmOutcome", outcome: "proceed", notes: "notes" },
  );
  add({ kind: "processCancellation" }, { ...base, kind: "processCancellation" });
  add(
    { kind: "recordConfirmation" },
    {
      ...base,
      kind: "recordConfirmation",
      channel,
      callOutcome: channel === "phone" ? "reached" : null,
    },
  );
  add(
    { kind: "requestFeedback" },
    { ...base, kind: "requestFeedback", linkExpiresAt: feedbackExpiresAt(policy, now) },
  );
  add(
    { kind: "submitFeedback" },
    { ...base, kind: "submitFeedback", rating: 5, decisionReason: firstReason, comments: "" },
  );
  add({ kind: "expireFeedbackRequest" }, { ...base, kind: "expireFeedbackRequest" });
  add({ kind: "withdraw" }, { ...base, kind: "withdraw" });
  add({ kind: "closeCase" }, { ...base, kind: "closeCase" });
  add({ kind: "addNote" }, { ...base, kind: "addNote", text: "note" });
  add(
    { kind: "reassign", slot: "am" },
    { ...base, kind: "reassign", slot: "am", toUserId: PLACEHOLDER_AM },
  );
  add(
    { kind: "reassign", slot: "csm" },
    { ...base, kind: "reassign", slot: "csm", toUserId: PLACEHOLDER_CSM },
  );
  return list;
}

/** The commands that complete each state's step: reported as blocked when refused. */
const STEP_COMMANDS: Record<Case["state"], CommandKind[]> = {
  intake: ["confirmIdentityCode", "verifyBySecurityCheck", "verifySelfService"],
  form: ["sendForm"],
  retention: ["escalateToCsm"],
  escalated: ["recordCsmOutcome", "processCancellation"],
  finalizing: ["processCancellation"],
  cancelled: ["recordConfirmation", "requestFeedback"],
  feedback: ["closeCase"],
  closed: [],
};

/** What `actor` may do on the case now, and why the current step's main commands are refused. */
export function nextActions(
  c: Case,
  context: DecisionContext,
  actor: Actor,
  now: Date,
): NextActions {
  const ctx = probeContext(context);
  const allowed: ActionOption[] = [];
  const blocked: BlockedAction[] = [];
  const stepKinds = STEP_COMMANDS[c.state];
  for (const { option, command } of candidates(c, context, actor, now)) {
    const decision = decide(c, command, ctx);
    if (decision.ok) {
      allowed.push(option);
    } else if (stepKinds.includes(option.kind) && !blocked.some((b) => b.kind === option.kind)) {
      blocked.push({ kind: option.kind, refusal: decision.refusal });
    }
  }
  // A step-completing command refused for one candidate but allowed for another is not blocked.
  return { allowed, blocked: blocked.filter((b) => !allowed.some((a) => a.kind === b.kind)) };
}
