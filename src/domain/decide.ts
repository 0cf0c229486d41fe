// The policy engine: given a case (or none), a command and the facts, answer with the new case
// and its events, or a refusal naming the rule. Pure: no I/O, no clock, no randomness, no throws
// for business outcomes. Every rule of the policy lives here and nowhere else.
//
// Order of checks for every command: the case exists and follows the loaded policy version, it is
// not closed, the actor may issue the command, the step rules in the policy's order, and last the
// command's own fields. So a refusal always names the first thing to do.

import { type Actor, isStaffPerson } from "./actor.ts";
import {
  CALL_OUTCOMES,
  type Case,
  type CaseOutcome,
  CONFIRMATION_CHANNELS,
  caseReasonCode,
  confirmationChannelFor,
  EFFECTIVE_CHOICES,
  type FormEvidence,
  type IdentityMethod,
  isBeforeState,
  linkChannelFor,
  type OfferPresentation,
  pendingOffers,
  processingModeAt,
  REQUEST_CHANNELS,
} from "./case.ts";
import type {
  AddNote,
  AnswerOffer,
  CloseCase,
  Command,
  ConfirmIdentityCode,
  CsmEngage,
  EscalateToCsm,
  ExpireFeedbackRequest,
  ExpireForm,
  OpenCase,
  PresentOffer,
  ProcessCancellation,
  Reassign,
  RecordConfirmation,
  RecordCsmOutcome,
  RecordNoSuitableOffer,
  RecordReasonConversation,
  RequestFeedback,
  ResendForm,
  SendForm,
  StartIdentityVerification,
  SubmitFeedback,
  SubmitForm,
  VerifyBySecurityCheck,
  VerifySelfService,
  Withdraw,
} from "./commands.ts";
import {
  type DecisionContext,
  isAuthorisedRequester,
  isCancellable,
  type RequesterFacts,
  reachableConfirmationChannels,
} from "./context.ts";
import { buildDocumentation } from "./documentation.ts";
import type { FieldProblem } from "./errors.ts";
import type { CaseEvent, CaseEventBody } from "./events.ts";
import { checkActor, isEscalator, missingStep } from "./guards.ts";
import { checkChoice, checkDeadline, checkText, problems } from "./input-checks.ts";
import {
  canPresentOffer,
  checkOfferEligibility,
  computeOfferEffect,
  type OfferSubject,
} from "./offers.ts";
import {
  allowsIdentityMethod,
  DEFAULT_MAX_CODES_SENT,
  findOffer,
  findReason,
  type OfferDefinition,
} from "./policy-definition.ts";
import { invalidInput, type Refusal, refusal } from "./rules.ts";
import { csmEngagementDueAt, isCsmTimeBoxOver, offerAnswerExpiresAt } from "./sla.ts";
import { type CaseSlot, mayHoldCaseSlot, type StaffRole } from "./staff.ts";
import { hasPassed, toInstant } from "./time.ts";

export type Decision =
  | { ok: true; case: Case; events: CaseEvent[] }
  | { ok: false; refusal: Refusal };

/** A handler's answer: the changed case (version not yet bumped) and the events' bodies. */
type Change = { ok: true; case: Case; events: CaseEventBody[] } | { ok: false; refusal: Refusal };

const refuse = (r: Refusal): Change => ({ ok: false, refusal: r });
const accept = (c: Case, ...events: CaseEventBody[]): Change => ({ ok: true, case: c, events });
const invalid = (fields: FieldProblem[]): Change => refuse(invalidInput(fields));

export function decide(
  current: Case | undefined,
  command: Command,
  context: DecisionContext,
): Decision {
  const change = decideChange(current, command, context);
  if (!change.ok) return change;
  const at = toInstant(command.now);
  const version = (current?.version ?? 0) + 1;
  const next: Case = { ...change.case, version, updatedAt: at };
  const events = change.events.map(
    (body): CaseEvent => ({ caseId: next.id, version, at, actor: command.actor, ...body }),
  );
  return { ok: true, case: next, events };
}

/** The form's confirmation channel must be one the requester can be reached on. */
function checkConfirmationChannel(value: unknown, requester: RequesterFacts): FieldProblem | null {
  const field = "submission.preferredConfirmationChannel";
  const reachable: readonly string[] = reachableConfirmationChannels(requester);
  if (typeof value === "string" && reachable.includes(value)) return null;
  if (typeof value === "string" && (CONFIRMATION_CHANNELS as readonly string[]).includes(value)) {
    const missing = value === "email" ? "email address" : "phone number";
    return {
      field,
      message: `cannot be ${value}: we have no ${missing} on file for you; choose ${reachable.join(" or ")}`,
    };
  }
  return checkChoice(field, value, reachable);
}

function decideChange(current: Case | undefined, command: Command, ctx: DecisionContext): Change {
  if (!(command.now instanceof Date) || Number.isNaN(command.now.getTime())) {
    return invalid([{ field: "now", message: "must be a valid date and time" }]);
  }
  if (command.kind === "openCase") return openCase(current, command, ctx);
  if (!current) return refuse(refusal("CASE_NOT_OPEN"));
  if (current.policyVersion !== ctx.policy.version) {
    return refuse(
      refusal(
        "POLICY_VERSION_MISMATCH",
        `This case follows policy version ${current.policyVersion}; act on it with that version, not ${ctx.policy.version}.`,
      ),
    );
  }
  if (current.state === "closed") return refuse(refusal("CASE_CLOSED"));
  const actorRefusal = checkActor(current, command);
  if (actorRefusal) return refuse(actorRefusal);

  const c = current;
  switch (command.kind) {
    case "startIdentityVerification":
      return startIdentityVerification(c, command, ctx);
    case "confirmIdentityCode":
      return confirmIdentityCode(c, command, ctx);
    case "verifyBySecurityCheck":
      return verifyBySecurityCheck(c, command, ctx);
    case "verifySelfService":
      return verifySelfService(c, command, ctx);
    case "sendForm":
      return sendForm(c, command, ctx);
    case "resendForm":
      return resendForm(c, command, ctx);
    case "submitForm":
      return submitForm(c, command, ctx);
    case "expireForm":
      return expireForm(c, command, ctx);
    case "recordReasonConversation":
      return recordReasonConversation(c, command, ctx);
    case "presentOffer":
      return presentOffer(c, command, ctx);
    case "answerOffer":
      return answerOffer(c, command, ctx);
    case "recordNoSuitableOffer":
      return recordNoSuitableOffer(c, command, ctx);
    case "escalateToCsm":
      return escalateToCsm(c, command, ctx);
    case "csmEngage":
      return csmEngage(c, command, ctx);
    case "recordCsmOutcome":
      return recordCsmOutcome(c, command, ctx);
    case "processCancellation":
      return processCancellation(c, command, ctx);
    case "recordConfirmation":
      return recordConfirmation(c, command, ctx);
    case "requestFeedback":
      return requestFeedback(c, command, ctx);
    case "submitFeedback":
      return submitFeedback(c, command, ctx);
    case "expireFeedbackRequest":
      return expireFeedbackRequest(c, command, ctx);
    case "withdraw":
      return withdraw(c, command, ctx);
    case "closeCase":
      return closeCase(c, command, ctx);
    case "addNote":
      return addNote(c, command);
    case "reassign":
      return reassign(c, command, ctx);
  }
}

// ---- Closing (step 7): every path to `closed` goes through here, so documentation is written.

function close(
  c: Case,
  outcome: CaseOutcome,
  command: Command,
  ctx: DecisionContext,
  summary: string | null,
): { case: Case; event: CaseEventBody } {
  const closedAt = toInstant(command.now);
  const closing: Case = {
    ...c,
    offers: settleOpenOffers(c.offers, command.now),
    state: "closed",
    outcome,
    closedAt,
  };
  const documentation = buildDocumentation(
    closing,
    ctx.policy,
    outcome,
    closedAt,
    command.actor,
    summary,
  );
  return {
    case: { ...closing, documentation },
    event: { type: "case_closed", outcome, documentation },
  };
}

/**
 * A closed case waits for no answer: an offer still pending when it closes either ran out
 * (`expired`) or was overtaken by the close (`unanswered`: withdrawn, or another offer saved the
 * customer), so the record never shows a closed case with an offer "pending".
 */
function settleOpenOffers(
  offers: readonly OfferPresentation[],
  now: Date,
): readonly OfferPresentation[] {
  return offers.map((offer) =>
    offer.answer !== "pending"
      ? offer
      : { ...offer, answer: hasPassed(offer.expiresAt, now) ? "expired" : "unanswered" },
  );
}

// ---- Step 1: initial contact and identity verification

function openCase(current: Case | undefined, cmd: OpenCase, ctx: DecisionContext): Change {
  if (current) return refuse(refusal("CASE_ALREADY_EXISTS"));
  const { actor } = cmd;
  if (actor.kind === "customer" && actor.contactId !== cmd.requesterContactId) {
    return refuse(refusal("NOT_THE_REQUESTER"));
  }
  if (!isAuthorisedRequester(ctx.requester)) return refuse(refusal("REQUESTER_NOT_AUTHORISED"));
  if (!isCancellable(ctx.subscription)) return refuse(refusal("SUBSCRIPTION_NOT_ACTIVE"));

  // The account's own AM and CSM stand in only while they are active staff (the context names the
  // active ones): a new case given to someone deactivated would sit in nobody's queue, so it opens
  // without them and the Unassigned queue shows it.
  const active = (id: string | null | undefined) => (id && ctx.staff[id] ? id : null);
  const assignedAmId =
    cmd.assignedAmId ||
    (isStaffPerson(actor) && actor.role === "account_manager" ? actor.userId : null) ||
    active(ctx.account.accountManagerId);
  const fields = problems(
    checkText("caseId", cmd.caseId, { required: true, max: 200 }),
    checkText("reference", cmd.reference, { required: true, max: 100 }),
    checkText("accountId", cmd.accountId, { required: true, max: 200 }),
    checkText("subscriptionId", cmd.subscriptionId, { required: true, max: 200 }),
    checkText("requesterContactId", cmd.requesterContactId, { required: true, max: 200 }),
    checkChoice("channel", cmd.channel, REQUEST_CHANNELS),
    checkText("summary", cmd.summary, { required: false }),
  );
  if (fields.length > 0) return invalid(fields);
  if (cmd.assignedAmId) {
    const role = ctx.staff[cmd.assignedAmId]?.role;
    if (role !== "account_manager" && role !== "admin") {
      return refuse(
        refusal(
          "ASSIGNEE_ROLE_MISMATCH",
          "Assign the case to a user with the account manager role.",
        ),
      );
    }
  }
  // The account's CSM follows the case unless they are also its AM: the two must be two people.
  const accountCsm = active(ctx.account.assignedCsmId);
  const assignedCsmId = accountCsm && accountCsm !== assignedAmId ? accountCsm : null;
  const at = toInstant(cmd.now);

  const opened: Case = {
    id: cmd.caseId,
    reference: cmd.reference,
    accountId: cmd.accountId,
    subscriptionId: cmd.subscriptionId,
    requesterContactId: cmd.requesterContactId,
    channel: cmd.channel,
    state: "intake",
    formStatus: "not_sent",
    outcome: null,
    assignedAmId,
    assignedCsmId,
    policyVersion: ctx.policy.version,
    version: 0,
    openedAt: at,
    openedBy: actor,
    summary: cmd.summary?.trim() || null,
    updatedAt: at,
    closedAt: null,
    identity: {
      method: null,
      attempts: 0,
      codesSent: 0,
      codeSentAt: null,
      codeExpiresAt: null,
      securityCheckFacts: null,
      verifiedAt: null,
      verifiedBy: null,
    },
    form: null,
    reasonConversations: [],
    offers: [],
    noSuitableOffer: null,
    escalation: null,
    processing: null,
    confirmation: null,
    feedback: null,
    withdrawal: null,
    documentation: null,
    notes: [],
  };
  return accept(opened, {
    type: "case_opened",
    reference: opened.reference,
    accountId: opened.accountId,
    subscriptionId: opened.subscriptionId,
    requesterContactId: opened.requesterContactId,
    channel: opened.channel,
    assignedAmId,
    assignedCsmId,
    policyVersion: opened.policyVersion,
  });
}

/** The rules every identity verification command shares, in order. */
function identityStepRefusal(
  c: Case,
  method: IdentityMethod,
  ctx: DecisionContext,
): Refusal | null {
  if (c.state !== "intake") return refusal("IDENTITY_ALREADY_VERIFIED");
  if (!allowsIdentityMethod(ctx.policy, method)) {
    return refusal(
      "IDENTITY_METHOD_NOT_ALLOWED",
      `The policy does not allow verification by ${method}; use ${ctx.policy.identity.methods.join(" or ")}.`,
    );
  }
  if (!isAuthorisedRequester(ctx.requester)) return refusal("REQUESTER_NOT_AUTHORISED");
  return null;
}

function startIdentityVerification(
  c: Case,
  cmd: StartIdentityVerification,
  ctx: DecisionContext,
): Change {
  const blocked = identityStepRefusal(c, "code", ctx);
  if (blocked) return refuse(blocked);
  const fields = problems(
    checkChoice("method", cmd.method, ["code"]),
    checkDeadline(
      "codeExpiresAt",
      cmd.codeExpiresAt,
      cmd.now,
      ctx.policy.identity.codeLifetimeMinutes,
    ),
  );
  if (fields.length > 0) return invalid(fields);

  const maxCodes = ctx.policy.identity.maxCodesSent ?? DEFAULT_MAX_CODES_SENT;
  if (c.identity.codesSent >= maxCodes) {
    return refuse(
      refusal(
        "IDENTITY_CODES_EXHAUSTED",
        `${c.identity.codesSent} codes were sent for this case, as many as the policy allows; ${
          ctx.policy.identity.methods.includes("security_check")
            ? "verify by the security check instead."
            : "ask the customer to use the last code sent."
        }`,
      ),
    );
  }
  const codeExpiresAt = toInstant(cmd.codeExpiresAt);
  const codesSent = c.identity.codesSent + 1;
  return accept(
    {
      ...c,
      identity: {
        ...c.identity,
        method: "code",
        codesSent,
        codeSentAt: toInstant(cmd.now),
        codeExpiresAt,
      },
    },
    {
      type: "identity_verification_started",
      method: "code",
      deliveryChannel: linkChannelFor(ctx.requester.preferredChannel),
      codeExpiresAt,
      codesSent,
    },
  );
}

function verified(
  c: Case,
  method: IdentityMethod,
  cmd: Command,
  extra: Partial<Case["identity"]> = {},
): Change {
  return accept(
    {
      ...c,
      state: "form",
      identity: {
        ...c.identity,
        ...extra,
        method,
        verifiedAt: toInstant(cmd.now),
        verifiedBy: cmd.actor,
      },
    },
    { type: "identity_verified", method },
  );
}

/** A failed attempt; reaching the policy's limit closes the case as unverified. */
function failedAttempt(
  c: Case,
  method: "code" | "security_check",
  cmd: Command,
  ctx: DecisionContext,
  extra: Partial<Case["identity"]> = {},
): Change {
  const attempts = c.identity.attempts + 1;
  const attemptsLeft = Math.max(0, ctx.policy.identity.attemptLimit - attempts);
  const failed: Case = { ...c, identity: { ...c.identity, ...extra, attempts } };
  const event: CaseEventBody = {
    type: "identity_verification_failed",
    method,
    attempts,
    attemptsLeft,
  };
  if (attemptsLeft > 0) return accept(failed, event);
  const closed = close(failed, "unverified", cmd, ctx, null);
  return accept(closed.case, event, closed.event);
}

function confirmIdentityCode(c: Case, cmd: ConfirmIdentityCode, ctx: DecisionContext): Change {
  if (c.state !== "intake") return refuse(refusal("IDENTITY_ALREADY_VERIFIED"));
  const { codeExpiresAt } = c.identity;
  if (codeExpiresAt === null) return refuse(refusal("IDENTITY_CODE_NOT_SENT"));
  if (hasPassed(codeExpiresAt, cmd.now)) return refuse(refusal("IDENTITY_CODE_EXPIRED"));
  const blocked = identityStepRefusal(c, "code", ctx);
  if (blocked) return refuse(blocked);
  if (typeof cmd.codeMatches !== "boolean") {
    return invalid([{ field: "codeMatches", message: "must be true or false" }]);
  }
  return cmd.codeMatches ? verified(c, "code", cmd) : failedAttempt(c, "code", cmd, ctx);
}

function verifyBySecurityCheck(c: Case, cmd: VerifyBySecurityCheck, ctx: DecisionContext): Change {
  const blocked = identityStepRefusal(c, "security_check", ctx);
  if (blocked) return refuse(blocked);
  const fields = problems(
    checkText("factsChecked", cmd.factsChecked, { required: true, max: 1000 }),
    typeof cmd.passed === "boolean" ? null : { field: "passed", message: "must be true or false" },
  );
  if (fields.length > 0) return invalid(fields);
  const extra = { securityCheckFacts: cmd.factsChecked.trim() };
  return cmd.passed
    ? verified(c, "security_check", cmd, extra)
    : failedAttempt(c, "security_check", cmd, ctx, extra);
}

function verifySelfService(c: Case, cmd: VerifySelfService, ctx: DecisionContext): Change {
  const blocked = identityStepRefusal(c, "self_service", ctx);
  if (blocked) return refuse(blocked);
  // The self-service start is the customer's own verified request: it cannot verify a request
  // logged by staff on another channel.
  if (c.channel !== "portal" || c.openedBy.kind !== "customer") {
    return refuse(
      refusal(
        "IDENTITY_METHOD_NOT_ALLOWED",
        "Self-service verification is only for a request the customer started on the self-service page; verify by code or security check.",
      ),
    );
  }
  return verified(c, "self_service", cmd);
}

// ---- Step 2: the Cancellation Request Form

function formLinkDeadline(cmd: SendForm | ResendForm, ctx: DecisionContext): FieldProblem[] {
  return problems(
    checkDeadline(
      "linkExpiresAt",
      cmd.linkExpiresAt,
      cmd.now,
      ctx.policy.slas.formLinkExpiryHours * 60,
    ),
  );
}

function sendForm(c: Case, cmd: SendForm, ctx: DecisionContext): Change {
  if (isBeforeState(c, "form")) return refuse(missingStep(c, cmd.kind, ctx.policy));
  if (c.formStatus !== "not_sent") return refuse(refusal("FORM_ALREADY_SENT"));
  const fields = formLinkDeadline(cmd, ctx);
  if (fields.length > 0) return invalid(fields);

  const at = toInstant(cmd.now);
  const form: FormEvidence = {
    firstSentAt: at,
    firstSentBy: cmd.actor,
    sentAt: at,
    sentBy: cmd.actor,
    expiresAt: toInstant(cmd.linkExpiresAt),
    sendCount: 1,
    deliveryChannel: linkChannelFor(ctx.requester.preferredChannel),
    linkExpiredAt: null,
    submission: null,
  };
  // Sending the form completes step 2: the policy asks for it provided here, submitted by step 5.
  return accept(
    { ...c, state: "retention", formStatus: "sent", form },
    {
      type: "form_sent",
      deliveryChannel: form.deliveryChannel,
      expiresAt: form.expiresAt,
      sendCount: 1,
    },
  );
}

/** The form was sent and is still waiting for the customer's submission. */
function openFormRefusal(c: Case, cmd: Command, ctx: DecisionContext): Refusal | null {
  if (isBeforeState(c, "form")) return missingStep(c, cmd.kind, ctx.policy);
  if (c.formStatus === "not_sent" || !c.form) return refusal("FORM_NOT_SENT");
  if (c.formStatus === "submitted") return refusal("FORM_ALREADY_SUBMITTED");
  return null;
}

function resendForm(c: Case, cmd: ResendForm, ctx: DecisionContext): Change {
  const blocked = openFormRefusal(c, cmd, ctx);
  if (blocked || !c.form) return refuse(blocked ?? refusal("FORM_NOT_SENT"));
  const fields = formLinkDeadline(cmd, ctx);
  if (fields.length > 0) return invalid(fields);

  const form: FormEvidence = {
    ...c.form,
    sentAt: toInstant(cmd.now),
    sentBy: cmd.actor,
    expiresAt: toInstant(cmd.linkExpiresAt),
    sendCount: c.form.sendCount + 1,
    deliveryChannel: linkChannelFor(ctx.requester.preferredChannel),
    linkExpiredAt: null,
  };
  return accept(
    { ...c, form },
    {
      type: "form_resent",
      deliveryChannel: form.deliveryChannel,
      expiresAt: form.expiresAt,
      sendCount: form.sendCount,
    },
  );
}

function submitForm(c: Case, cmd: SubmitForm, ctx: DecisionContext): Change {
  const blocked = openFormRefusal(c, cmd, ctx);
  if (blocked || !c.form) return refuse(blocked ?? refusal("FORM_NOT_SENT"));
  if (c.form.linkExpiredAt || hasPassed(c.form.expiresAt, cmd.now)) {
    return refuse(refusal("FORM_LINK_EXPIRED"));
  }
  const input = cmd.submission;
  const reason = findReason(ctx.policy, input?.reasonCode);
  const fields = problems(
    reason
      ? null
      : {
          field: "submission.reasonCode",
          message: input?.reasonCode
            ? `must be one of: ${ctx.policy.reasons.map((r) => r.code).join(", ")}`
            : "choose a reason",
        },
    checkText("submission.details", input?.details, {
      required: reason?.requiresDetails ?? false,
      max: ctx.policy.form.detailsMaxLength,
    }),
    checkChoice("submission.requestedEffective", input?.requestedEffective, EFFECTIVE_CHOICES),
    checkConfirmationChannel(input?.preferredConfirmationChannel, ctx.requester),
    input?.authorityConfirmed === true
      ? null
      : {
          field: "submission.authorityConfirmed",
          message: "must confirm you are authorised to cancel this subscription",
        },
  );
  if (fields.length > 0) return invalid(fields);

  const submission = {
    reasonCode: input.reasonCode,
    details: (input.details ?? "").trim(),
    requestedEffective: input.requestedEffective,
    preferredConfirmationChannel: input.preferredConfirmationChannel,
    authorityConfirmed: true as const,
    submittedAt: toInstant(cmd.now),
    submittedBy: cmd.actor,
  };
  return accept(
    { ...c, formStatus: "submitted", form: { ...c.form, submission } },
    {
      type: "form_submitted",
      reasonCode: submission.reasonCode,
      requestedEffective: submission.requestedEffective,
      preferredConfirmationChannel: submission.preferredConfirmationChannel,
    },
  );
}

/**
 * The latest form link ran out unused. The case stays where it is and the form stays `sent`:
 * the retention and escalation steps may go on, since the policy needs the form only at step 5,
 * where processing waits for a submission. The AM resends the form (or records a withdrawal);
 * the case is never closed on the customer's behalf because a link expired.
 */
function expireForm(c: Case, cmd: ExpireForm, ctx: DecisionContext): Change {
  const blocked = openFormRefusal(c, cmd, ctx);
  if (blocked || !c.form) return refuse(blocked ?? refusal("FORM_NOT_SENT"));
  if (c.form.linkExpiredAt) return refuse(refusal("FORM_LINK_EXPIRED"));
  if (!hasPassed(c.form.expiresAt, cmd.now)) return refuse(refusal("FORM_LINK_STILL_VALID"));
  return accept(
    { ...c, form: { ...c.form, linkExpiredAt: c.form.expiresAt } },
    { type: "form_expired", linkExpiresAt: c.form.expiresAt },
  );
}

// ---- Step 3: assistance and alternatives

/** Retention work happens in `retention` and, with the CSM, in `escalated`. */
function retentionRefusal(c: Case, cmd: Command, ctx: DecisionContext): Refusal | null {
  if (isBeforeState(c, "retention")) return missingStep(c, cmd.kind, ctx.policy);
  if (c.state !== "retention" && c.state !== "escalated") return refusal("RETENTION_STEP_OVER");
  return null;
}

function recordReasonConversation(
  c: Case,
  cmd: RecordReasonConversation,
  ctx: DecisionContext,
): Change {
  const blocked = retentionRefusal(c, cmd, ctx);
  if (blocked) return refuse(blocked);
  const fields = problems(
    findReason(ctx.policy, cmd.reasonCode)
      ? null
      : {
          field: "reasonCode",
          message: `must be one of: ${ctx.policy.reasons.map((r) => r.code).join(", ")}`,
        },
    checkText("notes", cmd.notes, { required: true }),
  );
  if (fields.length > 0) return invalid(fields);
  const conversation = {
    reasonCode: cmd.reasonCode,
    notes: cmd.notes.trim(),
    recordedAt: toInstant(cmd.now),
    recordedBy: cmd.actor,
  };
  return accept(
    { ...c, reasonConversations: [...c.reasonConversations, conversation] },
    { type: "reason_recorded", reasonCode: conversation.reasonCode, notes: conversation.notes },
  );
}

function offerSubject(c: Case, ctx: DecisionContext): OfferSubject {
  return {
    planCode: ctx.subscription.planCode,
    monthlyValueMinor: ctx.subscription.monthlyValueMinor,
    currency: ctx.subscription.currency,
    reasonCode: caseReasonCode(c),
  };
}

/** The catalog rules for offering `offerCode` as this actor: exists, role, eligibility. */
function offerRefusal(
  c: Case,
  offerCode: string,
  actor: Actor,
  ctx: DecisionContext,
): { offer: OfferDefinition; refusal: null } | { offer: null; refusal: Refusal } {
  const offer = typeof offerCode === "string" ? findOffer(ctx.policy, offerCode) : undefined;
  if (!offer) {
    return {
      offer: null,
      refusal: refusal(
        "OFFER_UNKNOWN",
        `There is no offer "${offerCode}" in the catalog; choose one from the catalog.`,
      ),
    };
  }
  if (!canPresentOffer(offer, actor)) {
    const who = offer.presentableBy.map((p) => (p === "csm" ? "a CSM" : "an account manager"));
    return {
      offer: null,
      refusal: refusal(
        "OFFER_ROLE_NOT_ALLOWED",
        `${offer.label} may be offered only by ${who.join(" or ")}; ask them, or choose another offer.`,
      ),
    };
  }
  const eligibility = checkOfferEligibility(ctx.policy, offer, offerSubject(c, ctx));
  if (!eligibility.eligible) {
    const why = eligibility.problems.map((p) => p.message).join(" ");
    return {
      offer: null,
      refusal: refusal("OFFER_NOT_ELIGIBLE", `${why} Choose an eligible offer.`),
    };
  }
  return { offer, refusal: null };
}

function customTermsProblem(offer: OfferDefinition, customTerms: unknown): FieldProblem | null {
  if (offer.kind === "custom")
    return checkText("customTerms", customTerms, { required: true, min: 10 });
  return customTerms ? { field: "customTerms", message: "is only for custom offers" } : null;
}

function presentOffer(c: Case, cmd: PresentOffer, ctx: DecisionContext): Change {
  const blocked = retentionRefusal(c, cmd, ctx);
  if (blocked) return refuse(blocked);
  // Once escalated the CSM holds the case: an AM's new offer would hold up the CSM's decision,
  // and the person who escalated cannot be the CSM who saves the customer either.
  if (c.state === "escalated") {
    if (!(isStaffPerson(cmd.actor) && cmd.actor.role === "csm")) {
      return refuse(
        refusal(
          "ALREADY_ESCALATED",
          "The case is with the CSM now: the CSM presents any further offer.",
        ),
      );
    }
    if (isEscalator(c, cmd.actor.userId)) return refuse(refusal("CSM_ESCALATED_THE_CASE"));
  }
  // Step 3 starts with understanding the reason: the form's category alone is not the
  // conversation the policy asks for (and adherence would count the case as a miss).
  if (c.reasonConversations.length === 0) return refuse(refusal("REASON_NOT_RECORDED"));
  const found = offerRefusal(c, cmd.offerCode, cmd.actor, ctx);
  if (!found.offer) return refuse(found.refusal);
  const { offer } = found;
  if (pendingOffers(c, cmd.now).some((p) => p.offerCode === offer.code)) {
    return refuse(refusal("OFFER_ALREADY_PRESENTED"));
  }
  const fields = problems(customTermsProblem(offer, cmd.customTerms));
  if (fields.length > 0) return invalid(fields);

  const presentation: OfferPresentation = {
    offerCode: offer.code,
    kind: offer.kind,
    label: offer.label,
    customTerms: cmd.customTerms?.trim() || null,
    presentedAt: toInstant(cmd.now),
    presentedBy: cmd.actor,
    expiresAt: offerAnswerExpiresAt(ctx.policy, cmd.now),
    answer: "pending",
    answeredAt: null,
    answeredBy: null,
  };
  // A CSM's offer on an escalated case is the CSM engaging, if they had not yet.
  const engaged =
    c.state === "escalated" && cmd.actor.kind === "staff" && !c.escalation?.engagedAt
      ? engage(c, cmd.actor.userId, cmd, null)
      : { case: c, events: [] as CaseEventBody[] };
  return accept(
    { ...engaged.case, offers: [...engaged.case.offers, presentation] },
    ...engaged.events,
    {
      type: "offer_presented",
      offerCode: offer.code,
      kind: offer.kind,
      customTerms: presentation.customTerms,
      expiresAt: presentation.expiresAt,
      sendToCustomer: cmd.sendToCustomer ?? true,
    },
  );
}

function offerAccepted(
  c: Case,
  offer: OfferDefinition,
  customTerms: string | null,
  ctx: DecisionContext,
): CaseEventBody {
  const target =
    offer.kind === "downgrade"
      ? ctx.subscription.planMonthlyValuesMinor?.[offer.parameters.toPlanCode]
      : undefined;
  return {
    type: "offer_accepted",
    subscriptionId: c.subscriptionId,
    offer,
    customTerms,
    planCodeBefore: ctx.subscription.planCode,
    effect: computeOfferEffect(offer, {
      monthlyValueMinor: ctx.subscription.monthlyValueMinor,
      currency: ctx.subscription.currency,
      targetPlanMonthlyValueMinor: target ?? null,
    }),
  };
}

function answerOffer(c: Case, cmd: AnswerOffer, ctx: DecisionContext): Change {
  const blocked = retentionRefusal(c, cmd, ctx);
  if (blocked) return refuse(blocked);
  const index = c.offers.findLastIndex((p) => p.offerCode === cmd.offerCode);
  const presented = c.offers[index];
  if (!presented) return refuse(refusal("OFFER_NOT_PRESENTED"));
  if (presented.answer !== "pending") return refuse(refusal("OFFER_ALREADY_ANSWERED"));
  if (hasPassed(presented.expiresAt, cmd.now)) return refuse(refusal("OFFER_EXPIRED"));
  const fields = problems(checkChoice("answer", cmd.answer, ["accepted", "declined"]));
  if (fields.length > 0) return invalid(fields);

  const answered: OfferPresentation = {
    ...presented,
    answer: cmd.answer,
    answeredAt: toInstant(cmd.now),
    answeredBy: cmd.actor,
  };
  const offers = c.offers.map((p, i) => (i === index ? answered : p));
  const answeredEvent: CaseEventBody = {
    type: "offer_answered",
    offerCode: presented.offerCode,
    answer: cmd.answer,
  };
  if (cmd.answer === "declined") return accept({ ...c, offers }, answeredEvent);

  const offer = findOffer(ctx.policy, presented.offerCode);
  if (!offer) return refuse(refusal("OFFER_UNKNOWN"));
  // Eligibility is checked again: the reason or the subscription may have changed since.
  const eligibility = checkOfferEligibility(ctx.policy, offer, offerSubject(c, ctx));
  if (!eligibility.eligible) {
    const why = eligibility.problems.map((p) => p.message).join(" ");
    return refuse(
      refusal(
        "OFFER_NOT_ELIGIBLE",
        `${offer.label} no longer applies: ${why} Record the answer as declined and choose an eligible offer.`,
      ),
    );
  }
  // Accepting a CSM's offer on an escalated case is the CSM's outcome: retained with it.
  const decided = csmSaveByAcceptance(c, presented, cmd.now);
  const closed = close({ ...decided.case, offers }, "retained", cmd, ctx, null);
  return accept(
    closed.case,
    answeredEvent,
    ...decided.events,
    offerAccepted(c, offer, presented.customTerms, ctx),
    closed.event,
  );
}

/** The CSM's outcome on the escalation, and the event that records it. */
function withCsmOutcome(
  c: Case & { escalation: NonNullable<Case["escalation"]> },
  decision: { outcome: "retained" | "proceed"; offerCode: string | null; notes: string },
  decidedBy: string,
  now: Date,
): { case: Case; event: CaseEventBody } {
  return {
    case: {
      ...c,
      escalation: {
        ...c.escalation,
        outcome: decision.outcome,
        retainedOfferCode: decision.offerCode,
        outcomeNotes: decision.notes,
        decidedBy,
        decidedAt: toInstant(now),
      },
    },
    event: { type: "csm_outcome_recorded", ...decision },
  };
}

/**
 * The CSM's outcome recorded when the customer accepts, on an escalated case, an offer the CSM
 * presented: the escalation ends retained, decided by that CSM.
 */
function csmSaveByAcceptance(
  c: Case,
  presented: OfferPresentation,
  now: Date,
): { case: Case; events: CaseEventBody[] } {
  const by = presented.presentedBy;
  const { escalation } = c;
  if (c.state !== "escalated" || !escalation || by.kind !== "staff" || by.role !== "csm") {
    return { case: c, events: [] };
  }
  const notes = `The customer accepted ${presented.label}, presented by the CSM.`;
  const saved = withCsmOutcome(
    { ...c, escalation },
    { outcome: "retained", offerCode: presented.offerCode, notes },
    by.userId,
    now,
  );
  return { case: saved.case, events: [saved.event] };
}

function recordNoSuitableOffer(c: Case, cmd: RecordNoSuitableOffer, ctx: DecisionContext): Change {
  const blocked = retentionRefusal(c, cmd, ctx);
  if (blocked) return refuse(blocked);
  // "No suitable offer" is the AM's alternative to presenting one; after escalation the CSM decides.
  if (c.state === "escalated") return refuse(refusal("ALREADY_ESCALATED"));
  if (c.reasonConversations.length === 0) return refuse(refusal("REASON_NOT_RECORDED"));
  const fields = problems(checkText("reason", cmd.reason, { required: true, min: 10 }));
  if (fields.length > 0) return invalid(fields);
  const reason = cmd.reason.trim();
  return accept(
    { ...c, noSuitableOffer: { reason, recordedAt: toInstant(cmd.now), recordedBy: cmd.actor } },
    { type: "no_suitable_offer_recorded", reason },
  );
}

// ---- Step 4: escalation to the CSM

function escalateToCsm(c: Case, cmd: EscalateToCsm, ctx: DecisionContext): Change {
  if (isBeforeState(c, "retention")) return refuse(missingStep(c, cmd.kind, ctx.policy));
  if (c.state !== "retention") return refuse(refusal("ALREADY_ESCALATED"));
  // Named in the order the step goes: the reason conversation, then an offer or why none suits.
  if (c.reasonConversations.length === 0) return refuse(refusal("REASON_NOT_RECORDED"));
  if (c.offers.length === 0 && !c.noSuitableOffer) return refuse(refusal("NO_OFFER_PRESENTED"));
  if (pendingOffers(c, cmd.now).length > 0) {
    return refuse(
      refusal(
        "OFFER_ANSWER_PENDING",
        "Record the customer's answer to the offers still open before escalating to the CSM.",
      ),
    );
  }
  const csmId = cmd.csmId || c.assignedCsmId || ctx.account.assignedCsmId;
  if (!csmId) return refuse(refusal("CSM_NOT_AVAILABLE"));
  if (csmId === c.assignedAmId) return refuse(refusal("CSM_IS_CASE_AM"));
  if (cmd.actor.kind === "staff" && cmd.actor.userId === csmId) {
    return refuse(
      refusal(
        "CSM_ESCALATED_THE_CASE",
        "Escalate to another CSM: the final engagement must come from someone other than the person escalating.",
      ),
    );
  }
  // The facts hold active staff only: the case's or the account's CSM missing from them was
  // deactivated (a CSM named by the request is checked before the engine runs).
  if (!ctx.staff[csmId]) return refuse(refusal("CSM_INACTIVE"));
  if (ctx.staff[csmId].role !== "csm") {
    return refuse(refusal("ASSIGNEE_ROLE_MISMATCH", "Escalate to a user who holds the CSM role."));
  }
  const fields = problems(checkText("notes", cmd.notes, { required: false }));
  if (fields.length > 0) return invalid(fields);

  const slaDueAt = csmEngagementDueAt(ctx.policy, cmd.now);
  return accept(
    {
      ...c,
      state: "escalated",
      assignedCsmId: csmId,
      escalation: {
        csmId,
        escalatedAt: toInstant(cmd.now),
        escalatedBy: cmd.actor,
        notes: cmd.notes?.trim() || null,
        slaDueAt,
        engagedAt: null,
        engagedBy: null,
        engagementNotes: null,
        outcome: null,
        retainedOfferCode: null,
        outcomeNotes: null,
        decidedBy: null,
        decidedAt: null,
      },
    },
    { type: "escalated_to_csm", csmId, slaDueAt },
  );
}

/** The CSM's commands need an escalated case still waiting for the CSM's outcome. */
function csmStepRefusal(c: Case, cmd: Command, ctx: DecisionContext): Refusal | null {
  if (isBeforeState(c, "escalated")) return missingStep(c, cmd.kind, ctx.policy);
  if (c.state === "finalizing") return refusal("CSM_OUTCOME_ALREADY_RECORDED");
  if (c.state !== "escalated") return refusal("CANCELLATION_ALREADY_PROCESSED");
  return null;
}

/** The CSM taking the case: engagement time (for the SLA) and, if another CSM, reassignment. */
function engage(
  c: Case,
  csmId: string,
  cmd: Command,
  notes: string | null,
): { case: Case; events: CaseEventBody[] } {
  if (!c.escalation) return { case: c, events: [] };
  const events: CaseEventBody[] = [{ type: "csm_engaged", csmId }];
  if (c.assignedCsmId !== csmId) {
    events.push({
      type: "case_reassigned",
      slot: "csm",
      fromUserId: c.assignedCsmId,
      toUserId: csmId,
    });
  }
  return {
    case: {
      ...c,
      assignedCsmId: csmId,
      escalation: {
        ...c.escalation,
        engagedAt: toInstant(cmd.now),
        engagedBy: csmId,
        engagementNotes: notes,
      },
    },
    events,
  };
}

function csmEngage(c: Case, cmd: CsmEngage, ctx: DecisionContext): Change {
  const blocked = csmStepRefusal(c, cmd, ctx);
  if (blocked) return refuse(blocked);
  if (c.escalation?.engagedAt) return refuse(refusal("CSM_ALREADY_ENGAGED"));
  if (cmd.actor.kind !== "staff") return refuse(refusal("CSM_ROLE_REQUIRED"));
  const fields = problems(checkText("notes", cmd.notes, { required: false }));
  if (fields.length > 0) return invalid(fields);
  const engaged = engage(c, cmd.actor.userId, cmd, cmd.notes?.trim() || null);
  return accept(engaged.case, ...engaged.events);
}

function recordCsmOutcome(c: Case, cmd: RecordCsmOutcome, ctx: DecisionContext): Change {
  const blocked = csmStepRefusal(c, cmd, ctx);
  if (blocked) return refuse(blocked);
  if (cmd.actor.kind !== "staff" || !c.escalation) return refuse(refusal("CSM_ROLE_REQUIRED"));
  const csmId = cmd.actor.userId;
  const outcomeProblem = checkChoice("outcome", cmd.outcome, ["retained", "proceed"]);
  if (outcomeProblem) return invalid([outcomeProblem]);

  let offer: OfferDefinition | null = null;
  if (cmd.outcome === "retained") {
    if (!cmd.offerCode) {
      return invalid([
        { field: "offerCode", message: "is required when the customer is retained" },
      ]);
    }
    const found = offerRefusal(c, cmd.offerCode, cmd.actor, ctx);
    if (!found.offer) return refuse(found.refusal);
    offer = found.offer;
  } else if (pendingOffers(c, cmd.now).length > 0) {
    return refuse(
      refusal(
        "OFFER_ANSWER_PENDING",
        "Record the customer's answer to the offers still open before deciding to proceed.",
      ),
    );
  }
  const fields = problems(
    checkText("notes", cmd.notes, { required: true }),
    offer ? customTermsProblem(offer, cmd.customTerms) : null,
  );
  if (fields.length > 0) return invalid(fields);

  // Recording an outcome is itself the CSM's engagement when none was recorded before.
  const engaged = c.escalation.engagedAt
    ? { case: c, events: [] as CaseEventBody[] }
    : engage(c, csmId, cmd, null);
  const base = engaged.case;
  if (!base.escalation) return refuse(refusal("NOT_ESCALATED"));
  const at = toInstant(cmd.now);
  const outcome = withCsmOutcome(
    { ...base, escalation: base.escalation, assignedCsmId: csmId },
    { outcome: cmd.outcome, offerCode: offer?.code ?? null, notes: cmd.notes.trim() },
    csmId,
    cmd.now,
  );
  const decided = outcome.case;
  const outcomeEvent = outcome.event;
  if (!offer) return accept({ ...decided, state: "finalizing" }, ...engaged.events, outcomeEvent);

  // Retained: the agreed offer is recorded as accepted by the customer. On its open presentation
  // when the terms are the ones presented; otherwise as a new presentation by the CSM with the
  // agreed terms, and an open one with other terms as declined (the customer took the new
  // terms instead). The events say each step, so the audit log tells what the case holds.
  const customTerms = cmd.customTerms?.trim() || null;
  const openIndex = decided.offers.findLastIndex(
    (p) => p.offerCode === offer.code && p.answer === "pending" && !hasPassed(p.expiresAt, cmd.now),
  );
  const sameTerms = openIndex >= 0 && decided.offers[openIndex]?.customTerms === customTerms;
  const answer = (kind: "accepted" | "declined") => ({
    answer: kind,
    answeredAt: at,
    answeredBy: cmd.actor,
  });
  const answered: OfferPresentation[] = decided.offers.map((p, i) =>
    i !== openIndex ? p : { ...p, ...answer(sameTerms ? "accepted" : "declined") },
  );
  const offerEvents: CaseEventBody[] = [];
  if (openIndex >= 0 && !sameTerms) {
    offerEvents.push({ type: "offer_answered", offerCode: offer.code, answer: "declined" });
  }
  let offers = answered;
  if (!sameTerms) {
    const presentation: OfferPresentation = {
      offerCode: offer.code,
      kind: offer.kind,
      label: offer.label,
      customTerms,
      presentedAt: at,
      presentedBy: cmd.actor,
      expiresAt: offerAnswerExpiresAt(ctx.policy, cmd.now),
      ...answer("accepted"),
    };
    offers = [...answered, presentation];
    offerEvents.push({
      type: "offer_presented",
      offerCode: offer.code,
      kind: offer.kind,
      customTerms,
      expiresAt: presentation.expiresAt,
      // Agreed with the customer in the CSM's conversation: there is nothing to send.
      sendToCustomer: false,
    });
  }
  offerEvents.push({ type: "offer_answered", offerCode: offer.code, answer: "accepted" });
  const closed = close({ ...decided, offers }, "retained", cmd, ctx, null);
  return accept(
    closed.case,
    ...engaged.events,
    outcomeEvent,
    ...offerEvents,
    offerAccepted(c, offer, customTerms, ctx),
    closed.event,
  );
}

// ---- Step 5: finalize the cancellation

function processCancellation(c: Case, cmd: ProcessCancellation, ctx: DecisionContext): Change {
  if (c.state === "cancelled" || c.state === "feedback") {
    return refuse(refusal("CANCELLATION_ALREADY_PROCESSED"));
  }
  const timeBoxUsed = isCsmTimeBoxOver(c, ctx.policy, cmd.now);
  if (c.state !== "finalizing" && !timeBoxUsed) return refuse(missingStep(c, cmd.kind, ctx.policy));
  // As when the CSM decides to proceed: an offer the customer is still answering is answered first.
  if (timeBoxUsed && pendingOffers(c, cmd.now).length > 0) {
    return refuse(
      refusal(
        "OFFER_ANSWER_PENDING",
        "Record the customer's answer to the offers still open before processing the cancellation.",
      ),
    );
  }
  const submission = c.form?.submission;
  if (c.formStatus !== "submitted" || !submission) return refuse(refusal("FORM_NOT_SUBMITTED"));
  if (!isCancellable(ctx.subscription)) return refuse(refusal("SUBSCRIPTION_NOT_ACTIVE"));

  const now = cmd.now;
  const periodEnd = ctx.subscription.currentPeriodEnd;
  // The form keeps what the customer asked; a term already over is processed as immediate, so
  // the ledger ends the subscription instead of scheduling it, and the confirmation says so.
  const mode = processingModeAt(submission.requestedEffective, periodEnd, now);
  const effectiveAt = mode === "immediately" ? toInstant(now) : toInstant(periodEnd);
  return accept(
    {
      ...c,
      state: "cancelled",
      processing: {
        mode,
        effectiveAt,
        processedAt: toInstant(now),
        processedBy: cmd.actor,
        timeBoxUsed,
      },
    },
    {
      type: "cancellation_processed",
      subscriptionId: c.subscriptionId,
      mode,
      effectiveAt,
      timeBoxUsed,
      confirmationChannel: confirmationChannelFor(c, ctx.requester.preferredChannel),
    },
  );
}

function recordConfirmation(c: Case, cmd: RecordConfirmation, ctx: DecisionContext): Change {
  if (isBeforeState(c, "cancelled")) return refuse(missingStep(c, cmd.kind, ctx.policy));
  if (c.confirmation || !c.processing) return refuse(refusal("CONFIRMATION_ALREADY_RECORDED"));
  const preferred = confirmationChannelFor(c, ctx.requester.preferredChannel);
  if (cmd.channel !== preferred) {
    return refuse(
      refusal(
        "CONFIRMATION_CHANNEL_MISMATCH",
        `The customer asked to be confirmed by ${preferred}; confirm the cancellation by ${preferred}.`,
      ),
    );
  }
  const fields = problems(
    cmd.channel === "phone"
      ? checkChoice("callOutcome", cmd.callOutcome, CALL_OUTCOMES)
      : cmd.callOutcome
        ? { field: "callOutcome", message: "is only for phone confirmations" }
        : null,
    checkText("notes", cmd.notes, { required: false }),
  );
  if (fields.length > 0) return invalid(fields);
  const callOutcome = cmd.channel === "phone" ? (cmd.callOutcome ?? null) : null;
  return accept(
    {
      ...c,
      confirmation: {
        channel: cmd.channel,
        recordedAt: toInstant(cmd.now),
        recordedBy: cmd.actor,
        callOutcome,
        notes: cmd.notes?.trim() || null,
      },
    },
    {
      type: "confirmation_recorded",
      channel: cmd.channel,
      callOutcome,
      effectiveAt: c.processing.effectiveAt,
    },
  );
}

// ---- Step 6: feedback

function requestFeedback(c: Case, cmd: RequestFeedback, ctx: DecisionContext): Change {
  if (c.state === "feedback") return refuse(refusal("FEEDBACK_ALREADY_REQUESTED"));
  if (c.state !== "cancelled" || !c.confirmation)
    return refuse(missingStep(c, cmd.kind, ctx.policy));
  const fields = problems(
    checkDeadline(
      "linkExpiresAt",
      cmd.linkExpiresAt,
      cmd.now,
      ctx.policy.slas.feedbackExpiryDays * 24 * 60,
    ),
  );
  if (fields.length > 0) return invalid(fields);
  const deliveryChannel = linkChannelFor(confirmationChannelFor(c, ctx.requester.preferredChannel));
  const expiresAt = toInstant(cmd.linkExpiresAt);
  return accept(
    {
      ...c,
      state: "feedback",
      feedback: {
        requestedAt: toInstant(cmd.now),
        requestedBy: cmd.actor,
        expiresAt,
        deliveryChannel,
        submission: null,
        expiredAt: null,
      },
    },
    { type: "feedback_requested", deliveryChannel, expiresAt },
  );
}

/** The feedback request is out and still open. */
function openFeedbackRefusal(c: Case, cmd: Command, ctx: DecisionContext): Refusal | null {
  if (c.state !== "feedback" || !c.feedback) return missingStep(c, cmd.kind, ctx.policy);
  if (c.feedback.submission) return refusal("FEEDBACK_ALREADY_SUBMITTED");
  if (c.feedback.expiredAt) return refusal("FEEDBACK_REQUEST_EXPIRED");
  return null;
}

function submitFeedback(c: Case, cmd: SubmitFeedback, ctx: DecisionContext): Change {
  const blocked = openFeedbackRefusal(c, cmd, ctx);
  if (blocked || !c.feedback) return refuse(blocked ?? refusal("FEEDBACK_NOT_REQUESTED"));
  if (hasPassed(c.feedback.expiresAt, cmd.now)) return refuse(refusal("FEEDBACK_REQUEST_EXPIRED"));
  const fields = problems(
    Number.isInteger(cmd.rating) && cmd.rating >= 1 && cmd.rating <= 5
      ? null
      : { field: "rating", message: "must be a whole number from 1 to 5" },
    findReason(ctx.policy, cmd.decisionReason)
      ? null
      : {
          field: "decisionReason",
          message: `must be one of: ${ctx.policy.reasons.map((r) => r.code).join(", ")}`,
        },
    checkText("comments", cmd.comments, { required: false }),
  );
  if (fields.length > 0) return invalid(fields);
  const submission = {
    rating: cmd.rating,
    decisionReason: cmd.decisionReason,
    comments: (cmd.comments ?? "").trim(),
    submittedAt: toInstant(cmd.now),
    submittedBy: cmd.actor,
  };
  return accept(
    { ...c, feedback: { ...c.feedback, submission } },
    {
      type: "feedback_submitted",
      rating: submission.rating,
      decisionReason: submission.decisionReason,
      comments: submission.comments,
    },
  );
}

function expireFeedbackRequest(c: Case, cmd: ExpireFeedbackRequest, ctx: DecisionContext): Change {
  const blocked = openFeedbackRefusal(c, cmd, ctx);
  if (blocked || !c.feedback) return refuse(blocked ?? refusal("FEEDBACK_NOT_REQUESTED"));
  if (!hasPassed(c.feedback.expiresAt, cmd.now))
    return refuse(refusal("FEEDBACK_REQUEST_STILL_OPEN"));
  return accept(
    { ...c, feedback: { ...c.feedback, expiredAt: c.feedback.expiresAt } },
    { type: "feedback_expired", requestExpiresAt: c.feedback.expiresAt },
  );
}

// ---- Closing paths: withdrawal, and closing a cancelled case (step 7)

function withdraw(c: Case, cmd: Withdraw, ctx: DecisionContext): Change {
  if (c.processing) return refuse(refusal("WITHDRAWAL_TOO_LATE"));
  // Only the customer withdraws: staff recording it write down what the customer said, so the
  // documentation shows the request was theirs (step 7: document the reason).
  const fields = problems(
    checkText("reason", cmd.reason, { required: cmd.actor.kind !== "customer" }),
  );
  if (fields.length > 0) return invalid(fields);
  const reason = cmd.reason?.trim() || null;
  const withdrawn: Case = {
    ...c,
    withdrawal: { withdrawnAt: toInstant(cmd.now), withdrawnBy: cmd.actor, reason },
  };
  const closed = close(withdrawn, "withdrawn", cmd, ctx, null);
  return accept(closed.case, { type: "case_withdrawn", reason }, closed.event);
}

function closeCase(c: Case, cmd: CloseCase, ctx: DecisionContext): Change {
  if (isBeforeState(c, "cancelled")) {
    return refuse(
      refusal(
        "CANCELLATION_NOT_PROCESSED",
        "Process the cancellation before closing the case; a case closes by itself when the customer accepts an offer, withdraws, or fails identity verification.",
      ),
    );
  }
  if (c.state !== "feedback" || !c.feedback) return refuse(missingStep(c, cmd.kind, ctx.policy));
  if (!c.feedback.submission && !c.feedback.expiredAt) {
    return refuse(
      refusal(
        "FEEDBACK_PENDING",
        `Wait for the customer's feedback, or for the request to expire at ${c.feedback.expiresAt}, before closing.`,
      ),
    );
  }
  const fields = problems(checkText("summary", cmd.summary, { required: false }));
  if (fields.length > 0) return invalid(fields);
  const closed = close(c, "cancelled", cmd, ctx, cmd.summary?.trim() || null);
  return accept(closed.case, closed.event);
}

// ---- Any step: notes and assignment

function addNote(c: Case, cmd: AddNote): Change {
  const fields = problems(checkText("text", cmd.text, { required: true, max: 10_000 }));
  if (fields.length > 0) return invalid(fields);
  const note = {
    number: c.notes.length + 1,
    text: cmd.text.trim(),
    writtenAt: toInstant(cmd.now),
    writtenBy: cmd.actor,
  };
  return accept(
    { ...c, notes: [...c.notes, note] },
    { type: "note_added", noteNumber: note.number, text: note.text },
  );
}

/**
 * Whether a user with `role` may hold the case's AM or CSM slot (an admin may be the AM): the
 * reassign command's rule, also asked before a deactivated user's open cases are handed over.
 */
export function checkAssigneeRole(slot: CaseSlot, role: StaffRole | undefined): Refusal | null {
  if (mayHoldCaseSlot(slot, role)) return null;
  const needed = slot === "csm" ? "the CSM role" : "the account manager or admin role";
  return refusal("ASSIGNEE_ROLE_MISMATCH", `Choose a user who holds ${needed}.`);
}

function reassign(c: Case, cmd: Reassign, ctx: DecisionContext): Change {
  const fields = problems(
    checkChoice("slot", cmd.slot, ["am", "csm"]),
    checkText("toUserId", cmd.toUserId, { required: true, max: 200 }),
  );
  if (fields.length > 0) return invalid(fields);
  const roleRefusal = checkAssigneeRole(cmd.slot, ctx.staff[cmd.toUserId]?.role);
  if (roleRefusal) return refuse(roleRefusal);
  const current = cmd.slot === "am" ? c.assignedAmId : c.assignedCsmId;
  if (current === cmd.toUserId) return refuse(refusal("ALREADY_ASSIGNED"));
  const other = cmd.slot === "am" ? c.assignedCsmId : c.assignedAmId;
  if (other === cmd.toUserId) return refuse(refusal("CSM_IS_CASE_AM"));
  // An escalation still waiting for the CSM's outcome waits for the newly assigned CSM (the
  // record keeps whom it was escalated to), who must not be the one who escalated.
  const waiting = c.escalation !== null && c.escalation.outcome === null;
  if (cmd.slot === "csm" && waiting && isEscalator(c, cmd.toUserId)) {
    return refuse(refusal("CSM_ESCALATED_THE_CASE"));
  }
  const assigned: Case =
    cmd.slot === "am"
      ? { ...c, assignedAmId: cmd.toUserId }
      : { ...c, assignedCsmId: cmd.toUserId };
  return accept(assigned, {
    type: "case_reassigned",
    slot: cmd.slot,
    fromUserId: current,
    toUserId: cmd.toUserId,
  });
}
