// Where a case stands on the policy's seven steps, and what each actor may do next. Both are
// computed by asking `decide` about candidate commands, so the rules live in one place only.

import { type Actor, isApiKey } from "./actor.ts";
import {
  type Case,
  caseReasonCode,
  confirmationChannelFor,
  describeOfferAnswer,
  type IdentityMethod,
  pendingOffers,
  savedOffer,
} from "./case.ts";
import type { Command, CommandKind } from "./commands.ts";
import type { DecisionContext } from "./context.ts";
import { decide } from "./decide.ts";
import {
  findOffer,
  findReason,
  type PolicyStep,
  STEP_KEYS,
  type StepKey,
} from "./policy-definition.ts";
import type { Refusal, RuleCode } from "./rules.ts";
import { fillScript, type ScriptPart, scriptValues } from "./script.ts";
import {
  escalationSla,
  feedbackExpiresAt,
  formLinkExpiresAt,
  identityCodeExpiresAt,
} from "./sla.ts";
import { CONFIRMATION_CHANNEL_WORDS, REQUEST_CHANNEL_WORDS, timesWords } from "./words.ts";

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
  /** Plain sentences summarising the recorded evidence of the step (instants ISO, users by id). */
  evidence: string[];
  /** The same sentences in parts, so a reader can show names and local times. */
  evidenceParts: EvidencePart[][];
  /** For the current step: why it cannot be completed yet, as the engine says it. */
  blockedBy: Refusal | null;
  policyText: string;
  guidance: string;
  /** The policy's suggested script, as written. */
  script: string;
  /** The script with the placeholders the case can answer filled in ([CSM], [date]...). */
  scriptParts: ScriptPart[];
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
        {
          kind: "verifySelfService",
          actor: { kind: "customer", contactId: c.requesterContactId },
          now,
        },
      ];
    case "form":
      return [
        { kind: "sendForm", linkExpiresAt: formLinkExpiresAt(context.policy, now), actor: am, now },
      ];
    case "retention":
      return [
        { kind: "escalateToCsm", csmId: escalationCandidate(c, context, am), actor: am, now },
      ];
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

/**
 * The CSM an escalation probe names: the default (null) when there is one the actor may escalate
 * to, else "some CSM" (none assigned, or the default is the actor, who escalates to another).
 */
function escalationCandidate(c: Case, context: DecisionContext, actor: Actor): string | null {
  const byDefault = c.assignedCsmId || context.account.assignedCsmId;
  const isActor = actor.kind === "staff" && actor.userId === byDefault;
  return byDefault && !isActor ? null : PLACEHOLDER_CSM;
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
  // A step skipped on the way (the CSM's, on the time box) is not the one waiting.
  const currentIndex =
    c.state === "closed"
      ? -1
      : STEP_KEYS.findIndex((key) => !stepDone(c, key) && !stepSkipped(c, key));
  const blockedBy = currentIndex >= 0 ? probeRefusal(c, context, now) : null;
  const values = scriptValues(c, context);

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
    const evidence = stepEvidence(c, step.key, context, now);
    return {
      number: step.number,
      key: step.key,
      title: step.title,
      status,
      evidence: evidence.map(evidenceText),
      evidenceParts: evidence,
      blockedBy: itemBlockedBy,
      policyText: step.policyText,
      guidance: step.guidance,
      script: step.script,
      scriptParts: fillScript(step.script, values),
    };
  });
}

function fallbackStep(key: StepKey, number: number): PolicyStep {
  return { number, key, title: key, policyText: "", guidance: "", script: "" };
}

/**
 * A piece of an evidence line: plain text, an instant (a reader shows it in their own locale and
 * time zone) or a staff user (shown by name). The engine knows which is which; readers need not
 * guess from the sentence.
 */
export type EvidencePart = { text: string } | { at: string } | { userId: string };

type Piece = string | number | EvidencePart | null | undefined;

const at = (instant: string | null | undefined): EvidencePart | string =>
  instant ? { at: instant } : "an unknown time";
const userPart = (userId: string | null | undefined): EvidencePart | string =>
  userId ? { userId } : "someone";

/** Who did it, as a part: a staff user by id, else the customer or CancelDesk itself. */
function by(actor: Actor | null | undefined): EvidencePart | string {
  if (!actor) return "someone";
  switch (actor.kind) {
    case "staff":
      return isApiKey(actor) ? "an integration (API key)" : userPart(actor.userId);
    case "customer":
      return "the customer";
    case "system":
      return "CancelDesk";
  }
}

/** `line\`Verified at ${at(x)}\`` -> parts, merging adjacent text. */
function line(strings: TemplateStringsArray, ...values: Piece[]): EvidencePart[] {
  const parts: EvidencePart[] = [];
  const push = (part: EvidencePart) => {
    const last = parts[parts.length - 1];
    if ("text" in part && last && "text" in last)
      parts[parts.length - 1] = { text: last.text + part.text };
    else if (!("text" in part) || part.text !== "") parts.push(part);
  };
  strings.forEach((text, index) => {
    push({ text });
    if (index < values.length) {
      const value = values[index];
      push(typeof value === "object" && value !== null ? value : { text: String(value ?? "") });
    }
  });
  return parts;
}

/** The plain-text form of an evidence line: instants in ISO 8601, users by id. */
export function evidenceText(parts: EvidencePart[]): string {
  return parts.map((p) => ("text" in p ? p.text : "at" in p ? p.at : p.userId)).join("");
}

/** How the requester's identity was verified, as a sentence says it ("by a security check"). */
export const IDENTITY_METHOD_WORDS: Record<IdentityMethod, string> = {
  code: "a one-time code",
  security_check: "a security check",
  self_service: "the customer's own start on the self-service page",
};

function stepEvidence(
  c: Case,
  key: StepKey,
  context: DecisionContext,
  now: Date,
): EvidencePart[][] {
  const lines: EvidencePart[][] = [];
  // Evidence is read by people: reasons by the policy's label, not their code.
  const reasonLabel = (code: string) => findReason(context.policy, code)?.label ?? code;
  // Offers by the catalog's label; one gone from it by the label it was presented with.
  const offerLabel = (code: string, presented?: string) =>
    findOffer(context.policy, code)?.label ?? presented ?? code;
  switch (key) {
    case "initial_contact": {
      lines.push(
        line`Request received by ${REQUEST_CHANNEL_WORDS[c.channel]} at ${at(c.openedAt)}.`,
      );
      const { identity } = c;
      if (identity.codesSent > 0) {
        lines.push(
          line`Verification code sent ${timesWords(identity.codesSent)}; the latest expires at ${at(identity.codeExpiresAt)}.`,
        );
      }
      if (identity.attempts > 0) {
        lines.push(
          line`Failed verification attempts: ${identity.attempts} of ${context.policy.identity.attemptLimit}.`,
        );
      }
      if (identity.verifiedAt)
        lines.push(
          line`Identity verified by ${identity.method ? IDENTITY_METHOD_WORDS[identity.method] : "an unrecorded method"} at ${at(identity.verifiedAt)}, recorded by ${by(identity.verifiedBy)}.`,
        );
      if (c.outcome === "unverified")
        lines.push(line`Verification failed; the case closed as unverified.`);
      break;
    }
    case "cancellation_request_form": {
      const { form } = c;
      if (!form) break;
      lines.push(
        line`Form sent by ${CONFIRMATION_CHANNEL_WORDS[form.deliveryChannel]} at ${at(form.firstSentAt)}${form.sendCount > 1 ? `, ${form.sendCount} sends in all` : ""} by ${by(form.sentBy)}; the latest link expires at ${at(form.expiresAt)}.`,
      );
      if (form.linkExpiredAt)
        lines.push(
          line`The latest link expired unused at ${at(form.linkExpiredAt)}; resend the form.`,
        );
      const s = form.submission;
      lines.push(
        s
          ? line`Submitted by the customer at ${at(s.submittedAt)}: reason ${reasonLabel(s.reasonCode)}, effective ${s.requestedEffective === "immediately" ? "immediately" : "at the end of the term"}, confirmation by ${CONFIRMATION_CHANNEL_WORDS[s.preferredConfirmationChannel]}.`
          : line`Not submitted yet; the customer's submission is needed before processing.`,
      );
      break;
    }
    case "assistance_and_alternatives": {
      const reason = caseReasonCode(c);
      if (reason) lines.push(line`Reason: ${reasonLabel(reason)}.`);
      for (const conversation of c.reasonConversations) {
        lines.push(
          line`Conversation at ${at(conversation.recordedAt)} (${by(conversation.recordedBy)}): ${conversation.notes}`,
        );
      }
      for (const offer of c.offers) {
        // A custom offer is only its terms: the AM who honours them reads them here.
        lines.push(
          line`Offered ${offerLabel(offer.offerCode, offer.label)} at ${at(offer.presentedAt)} by ${by(offer.presentedBy)}: ${describeOfferAnswer(offer, now)}.${offer.customTerms ? ` Terms: ${offer.customTerms}` : ""}`,
        );
      }
      const open = pendingOffers(c, now).length;
      if (open > 0)
        lines.push(
          line`${open === 1 ? "1 offer" : `${open} offers`} waiting for the customer's answer.`,
        );
      if (c.noSuitableOffer) lines.push(line`No suitable offer: ${c.noSuitableOffer.reason}`);
      break;
    }
    case "escalation_to_csm": {
      const e = c.escalation;
      if (!e) break;
      const sla = escalationSla(c, context.policy, now);
      lines.push(
        line`Escalated to CSM ${userPart(e.csmId)} at ${at(e.escalatedAt)} by ${by(e.escalatedBy)}; engagement due by ${at(e.slaDueAt)} (${sla?.status.replaceAll("_", " ")}).`,
      );
      // What the AM handed over is what the CSM needs first: it goes with the escalation.
      if (e.notes) lines.push(line`Hand-over notes: ${e.notes}`);
      if (e.engagedAt)
        lines.push(line`CSM ${userPart(e.engagedBy)} engaged at ${at(e.engagedAt)}.`);
      if (e.engagementNotes) lines.push(line`Engagement notes: ${e.engagementNotes}`);
      if (e.outcome === "proceed")
        lines.push(line`CSM outcome: proceed with the cancellation — ${e.outcomeNotes}`);
      if (e.outcome === "retained") {
        // The save as the customer accepted it: the offer by its label, with the agreed terms.
        const code = e.retainedOfferCode;
        const saved = savedOffer(c);
        const offer = code ? offerLabel(code, saved?.label) : "an offer";
        lines.push(
          line`CSM outcome: retained with ${offer}${saved?.customTerms ? `, on these terms: ${saved.customTerms}` : ""} — ${e.outcomeNotes}`,
        );
      }
      if (c.processing?.timeBoxUsed && !e.outcome) {
        lines.push(
          line`No CSM outcome before the SLA ran out; the policy's time box let the cancellation go ahead.`,
        );
      }
      break;
    }
    case "finalize_cancellation": {
      const p = c.processing;
      if (p)
        lines.push(
          line`Cancellation processed at ${at(p.processedAt)} by ${by(p.processedBy)}: ${p.mode === "immediately" ? "immediately" : "at the end of the term"}, effective ${at(p.effectiveAt)}.`,
        );
      const conf = c.confirmation;
      if (conf) {
        lines.push(
          line`Confirmed by ${CONFIRMATION_CHANNEL_WORDS[conf.channel]} at ${at(conf.recordedAt)}${conf.callOutcome ? ` (${conf.callOutcome === "reached" ? "reached the customer" : "left a voicemail"})` : ""}, recorded by ${by(conf.recordedBy)}.`,
        );
      } else if (p) {
        lines.push(
          line`Confirmation due by ${CONFIRMATION_CHANNEL_WORDS[confirmationChannelFor(c, context.requester.preferredChannel)]}.`,
        );
      }
      break;
    }
    case "feedback": {
      const f = c.feedback;
      if (!f) break;
      lines.push(
        line`Feedback requested at ${at(f.requestedAt)} by ${by(f.requestedBy)}; the request expires at ${at(f.expiresAt)}.`,
      );
      if (f.submission) {
        lines.push(
          line`Feedback: rated ${f.submission.rating}/5, decided because of ${reasonLabel(f.submission.decisionReason)}.`,
        );
      }
      if (f.expiredAt) lines.push(line`The feedback request expired unanswered.`);
      break;
    }
    case "documentation":
      if (c.documentation) {
        lines.push(
          line`Closed as ${c.outcome} at ${at(c.closedAt)}; documentation written to the account.`,
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
  /** For an offer's answer: the answers the engine takes now (accepted needs it still eligible). */
  answers?: ("accepted" | "declined")[];
}

export interface BlockedAction {
  kind: CommandKind;
  refusal: Refusal;
}

/** A later step's main command and why it cannot be done yet, so nobody tries to jump ahead. */
export interface AheadAction extends BlockedAction {
  /** The policy step (1-7) the command belongs to. */
  step: number;
}

export interface NextActions {
  allowed: ActionOption[];
  /** The step-completing commands of the current step that are refused, with the reason. */
  blocked: BlockedAction[];
  /** The main commands of the later steps, in step order, each with what it needs first. */
  ahead: AheadAction[];
}

/** Candidate commands with harmless placeholder input: `decide` judges the rules, not the input. */
function candidates(
  c: Case,
  context: DecisionContext,
  actor: Actor,
  now: Date,
): { option: ActionOption; command: Command }[] {
  const { policy } = context;
  const firstReason = policy.reasons[0]?.code ?? "other";
  const channel = confirmationChannelFor(c, context.requester.preferredChannel);
  const list: { option: ActionOption; command: Command }[] = [];
  const add = (option: ActionOption, command: Command) => list.push({ option, command });

  add(
    { kind: "startIdentityVerification" },
    {
      actor,
      now,
      kind: "startIdentityVerification",
      method: "code",
      codeExpiresAt: identityCodeExpiresAt(policy, now),
    },
  );
  add(
    { kind: "confirmIdentityCode" },
    { actor, now, kind: "confirmIdentityCode", codeMatches: true },
  );
  add(
    { kind: "verifyBySecurityCheck" },
    { actor, now, kind: "verifyBySecurityCheck", passed: true, factsChecked: "account facts" },
  );
  add({ kind: "verifySelfService" }, { actor, now, kind: "verifySelfService" });
  add(
    { kind: "sendForm" },
    { actor, now, kind: "sendForm", linkExpiresAt: formLinkExpiresAt(policy, now) },
  );
  add(
    { kind: "resendForm" },
    { actor, now, kind: "resendForm", linkExpiresAt: formLinkExpiresAt(policy, now) },
  );
  add(
    { kind: "submitForm" },
    {
      actor,
      now,
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
  add({ kind: "expireForm" }, { actor, now, kind: "expireForm" });
  add(
    { kind: "recordReasonConversation" },
    { actor, now, kind: "recordReasonConversation", reasonCode: firstReason, notes: "notes" },
  );
  for (const offer of policy.offers) {
    add(
      { kind: "presentOffer", offerCode: offer.code },
      {
        actor,
        now,
        kind: "presentOffer",
        offerCode: offer.code,
        customTerms: offer.kind === "custom" ? "terms to be agreed" : null,
      },
    );
  }
  for (const offer of pendingOffers(c, now)) {
    for (const answer of ["declined", "accepted"] as const) {
      add(
        { kind: "answerOffer", offerCode: offer.offerCode, answers: [answer] },
        { actor, now, kind: "answerOffer", offerCode: offer.offerCode, answer },
      );
    }
  }
  add(
    { kind: "recordNoSuitableOffer" },
    { actor, now, kind: "recordNoSuitableOffer", reason: "no offer answers the customer's need" },
  );
  add(
    { kind: "escalateToCsm" },
    { actor, now, kind: "escalateToCsm", csmId: escalationCandidate(c, context, actor) },
  );
  add({ kind: "csmEngage" }, { actor, now, kind: "csmEngage" });
  // While an offer is open "proceed" waits for its answer, but the CSM may record the save.
  const open = pendingOffers(c, now).at(-1);
  add(
    { kind: "recordCsmOutcome" },
    open
      ? {
          actor,
          now,
          kind: "recordCsmOutcome",
          outcome: "retained",
          offerCode: open.offerCode,
          customTerms: open.customTerms,
          notes: "notes",
        }
      : { actor, now, kind: "recordCsmOutcome", outcome: "proceed", notes: "notes" },
  );
  add({ kind: "processCancellation" }, { actor, now, kind: "processCancellation" });
  add(
    { kind: "recordConfirmation" },
    {
      actor,
      now,
      kind: "recordConfirmation",
      channel,
      callOutcome: channel === "phone" ? "reached" : null,
    },
  );
  add(
    { kind: "requestFeedback" },
    { actor, now, kind: "requestFeedback", linkExpiresAt: feedbackExpiresAt(policy, now) },
  );
  add(
    { kind: "submitFeedback" },
    { actor, now, kind: "submitFeedback", rating: 5, decisionReason: firstReason, comments: "" },
  );
  add({ kind: "expireFeedbackRequest" }, { actor, now, kind: "expireFeedbackRequest" });
  add(
    { kind: "withdraw" },
    { actor, now, kind: "withdraw", reason: "the customer changed their mind" },
  );
  add({ kind: "closeCase" }, { actor, now, kind: "closeCase" });
  add({ kind: "addNote" }, { actor, now, kind: "addNote", text: "note" });
  add(
    { kind: "reassign", slot: "am" },
    { actor, now, kind: "reassign", slot: "am", toUserId: PLACEHOLDER_AM },
  );
  add(
    { kind: "reassign", slot: "csm" },
    { actor, now, kind: "reassign", slot: "csm", toUserId: PLACEHOLDER_CSM },
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

/** The step each state works on (the cancelled state's confirmation belongs to step 5). */
const STATE_STEP: Record<Case["state"], number> = {
  intake: 1,
  form: 2,
  retention: 3,
  escalated: 4,
  finalizing: 5,
  cancelled: 5,
  feedback: 6,
  closed: 8,
};

/** The command that completes each step after the first, in the policy's order. */
const STEP_MILESTONES: { kind: CommandKind; step: number }[] = [
  { kind: "sendForm", step: 2 },
  { kind: "escalateToCsm", step: 4 },
  { kind: "recordCsmOutcome", step: 4 },
  { kind: "processCancellation", step: 5 },
  { kind: "recordConfirmation", step: 5 },
  { kind: "requestFeedback", step: 6 },
  { kind: "closeCase", step: 7 },
];

/**
 * Refusals that say who may act rather than what must happen first: they explain nothing
 * about the order of the steps, so a later step refused only for them is left out.
 */
const ROLE_CODES: ReadonlySet<RuleCode> = new Set<RuleCode>([
  "STAFF_ONLY",
  "CUSTOMER_ONLY",
  "NOT_THE_REQUESTER",
  "SYSTEM_ONLY",
  "CSM_ROLE_REQUIRED",
]);

/** What `actor` may do on the case now, and why the current step's main commands are refused. */
export function nextActions(
  c: Case,
  context: DecisionContext,
  actor: Actor,
  now: Date,
): NextActions {
  const ctx = probeContext(context);
  const allowed: ActionOption[] = [];
  const refusals = new Map<CommandKind, Refusal>();
  for (const { option, command } of candidates(c, context, actor, now)) {
    const decision = decide(c, command, ctx);
    // One entry per offer answered, listing the answers taken.
    const answered =
      decision.ok && option.kind === "answerOffer"
        ? allowed.find((a) => a.kind === "answerOffer" && a.offerCode === option.offerCode)
        : undefined;
    if (answered) answered.answers = [...(answered.answers ?? []), ...(option.answers ?? [])];
    else if (decision.ok) allowed.push(option);
    else if (!refusals.has(option.kind)) refusals.set(option.kind, decision.refusal);
  }
  // A command refused for one candidate but allowed for another (an offer) is not blocked.
  const refused = (kind: CommandKind) =>
    !allowed.some((a) => a.kind === kind) ? refusals.get(kind) : undefined;
  // When the step can be done another way (identity by security check rather than self-service),
  // a way closed only to this actor or this case's channel is no news.
  const stepOpen = STEP_COMMANDS[c.state].some((kind) => allowed.some((a) => a.kind === kind));
  const closedToThisWay = (r: Refusal) =>
    ROLE_CODES.has(r.code) || r.code === "IDENTITY_METHOD_NOT_ALLOWED";
  const blocked: BlockedAction[] = [];
  for (const kind of STEP_COMMANDS[c.state]) {
    const refusal = refused(kind);
    if (refusal && !(stepOpen && closedToThisWay(refusal))) blocked.push({ kind, refusal });
  }
  const ahead: AheadAction[] = [];
  for (const { kind, step } of STEP_MILESTONES) {
    if (step <= STATE_STEP[c.state] || STEP_COMMANDS[c.state].includes(kind)) continue;
    const refusal = refused(kind);
    if (refusal && !ROLE_CODES.has(refusal.code)) ahead.push({ kind, step, refusal });
  }
  return { allowed, blocked, ahead };
}
