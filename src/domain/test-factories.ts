// Test data for the engine: a compact policy, actors, facts, command builders with sensible
// defaults, and representative cases in every state built by running the engine itself.
// Used by tests only; it imports nothing outside src/domain.

import type { Actor, CustomerActor, StaffActor, SystemActor } from "./actor.ts";
import { type Case, type CaseState, stateIndex } from "./case.ts";
import type { Command, CommandOf } from "./commands.ts";
import type { DecisionContext } from "./context.ts";
import { decide } from "./decide.ts";
import type { CaseEvent } from "./events.ts";
import type { PolicyDefinition } from "./policy-definition.ts";
import { STRIPE_REASON_CODES } from "./policy-definition.ts";
import { feedbackExpiresAt, formLinkExpiresAt, identityCodeExpiresAt } from "./sla.ts";

export const T0 = new Date("2025-03-03T09:00:00.000Z");

export function minutesAfter(at: Date | string, minutes: number): Date {
  return new Date((typeof at === "string" ? Date.parse(at) : at.getTime()) + minutes * 60_000);
}

/** One minute after the case's last change: the usual "now" for the next command. */
export function nextMinute(c: Case): Date {
  return minutesAfter(c.updatedAt, 1);
}

export const AM: StaffActor = { kind: "staff", userId: "u-am", role: "account_manager" };
export const AM2: StaffActor = { kind: "staff", userId: "u-am2", role: "account_manager" };
export const CSM: StaffActor = { kind: "staff", userId: "u-csm", role: "csm" };
export const CSM2: StaffActor = { kind: "staff", userId: "u-csm2", role: "csm" };
export const ADMIN: StaffActor = { kind: "staff", userId: "u-admin", role: "admin" };
export const REQUESTER: CustomerActor = { kind: "customer", contactId: "ct-owner" };
export const OTHER_CONTACT: CustomerActor = { kind: "customer", contactId: "ct-user" };
export const SYSTEM: SystemActor = { kind: "system" };
export const ALL_ACTORS: Actor[] = [AM, AM2, CSM, CSM2, ADMIN, REQUESTER, OTHER_CONTACT, SYSTEM];

const step = (number: number, key: PolicyDefinition["steps"][number]["key"], title: string) => ({
  number,
  key,
  title,
  policyText: `${title} (policy text)`,
  guidance: `${title} (guidance)`,
  script: `${title} (script)`,
});

/** A small policy shaped like WootRecruit's; tests change one setting at a time from it. */
export const testPolicy: PolicyDefinition = {
  version: 1,
  name: "Test Subscription Cancellation Policy",
  articleTitle: "What do I do if someone wants to cancel?",
  objective: "Handle cancellation requests consistently.",
  scope: "All account managers.",
  note: "Professionalism, empathy and respect.",
  currency: "USD",
  steps: [
    step(1, "initial_contact", "Initial Contact"),
    step(2, "cancellation_request_form", "Cancellation Request Form"),
    step(3, "assistance_and_alternatives", "Offer Assistance and Alternatives"),
    step(4, "escalation_to_csm", "Escalation to Customer Success Manager (CSM)"),
    step(5, "finalize_cancellation", "Finalize the Cancellation"),
    step(6, "feedback", "Feedback"),
    step(7, "documentation", "Documentation"),
  ],
  reasons: [
    ...STRIPE_REASON_CODES.map((code) => ({
      code,
      label: code.replace(/_/g, " "),
      requiresDetails: code === "other",
    })),
    { code: "hiring_freeze", label: "Hiring freeze", requiresDetails: false },
  ],
  offers: [
    {
      code: "discount_20_3m",
      kind: "discount",
      label: "20% off for 3 months",
      description: "20% off the next three monthly invoices.",
      parameters: { percentOff: 20, months: 3 },
      eligibility: {
        planCodes: null,
        minMonthlyValueMinor: null,
        maxMonthlyValueMinor: null,
        reasonCodes: ["too_expensive", "hiring_freeze", "unused"],
      },
      presentableBy: ["account_manager", "csm"],
    },
    {
      code: "pause_3m",
      kind: "pause",
      label: "Pause for 3 months",
      description: "No invoices for three months; everything is kept.",
      parameters: { pauseMonths: 3 },
      eligibility: {
        planCodes: null,
        minMonthlyValueMinor: null,
        maxMonthlyValueMinor: null,
        reasonCodes: ["hiring_freeze", "unused"],
      },
      presentableBy: ["account_manager", "csm"],
    },
    {
      code: "downgrade_starter",
      kind: "downgrade",
      label: "Move to Starter",
      description: "Keep the essentials on the Starter plan.",
      parameters: { toPlanCode: "starter" },
      eligibility: {
        planCodes: ["growth", "scale"],
        minMonthlyValueMinor: null,
        maxMonthlyValueMinor: null,
        reasonCodes: null,
      },
      presentableBy: ["account_manager", "csm"],
    },
    {
      code: "training_session",
      kind: "training",
      label: "Free training session",
      description: "A one-hour session with a product specialist.",
      parameters: { sessions: 1 },
      eligibility: {
        planCodes: null,
        minMonthlyValueMinor: null,
        maxMonthlyValueMinor: null,
        reasonCodes: null,
      },
      presentableBy: ["account_manager", "csm"],
    },
    {
      code: "custom_csm",
      kind: "custom",
      label: "Custom offer",
      description: "Terms agreed with the CSM.",
      parameters: {},
      eligibility: {
        planCodes: null,
        minMonthlyValueMinor: 30_000,
        maxMonthlyValueMinor: null,
        reasonCodes: null,
      },
      presentableBy: ["csm"],
    },
  ],
  identity: {
    codeLength: 6,
    codeLifetimeMinutes: 15,
    attemptLimit: 3,
    methods: ["code", "security_check", "self_service"],
  },
  form: { detailsMaxLength: 2000 },
  slas: {
    csmEngagementDueHours: 24,
    csmEngagementAtRiskHours: 4,
    formLinkExpiryHours: 72,
    formReminderHours: 24,
    offerAnswerExpiryHours: 72,
    feedbackExpiryDays: 14,
    csmStepTimeBox: false,
  },
};

export function withSlas(overrides: Partial<PolicyDefinition["slas"]>): PolicyDefinition {
  return { ...testPolicy, slas: { ...testPolicy.slas, ...overrides } };
}

type ContextOverrides = {
  policy?: PolicyDefinition;
  requester?: Partial<DecisionContext["requester"]>;
  subscription?: Partial<DecisionContext["subscription"]>;
  account?: Partial<DecisionContext["account"]>;
  staff?: DecisionContext["staff"];
};

export function makeContext(overrides: ContextOverrides = {}): DecisionContext {
  return {
    policy: overrides.policy ?? testPolicy,
    requester: {
      contactId: REQUESTER.contactId,
      role: "owner",
      authorisedToCancel: true,
      preferredChannel: "email",
      hasEmail: true,
      hasPhone: true,
      ...overrides.requester,
    },
    subscription: {
      id: "sub-1",
      planCode: "growth",
      monthlyValueMinor: 49_900,
      currency: "USD",
      status: "active",
      currentPeriodEnd: new Date("2025-03-20T00:00:00.000Z"),
      planMonthlyValuesMinor: { starter: 19_900, growth: 49_900, scale: 99_900 },
      ...overrides.subscription,
    },
    account: { id: "acc-1", assignedCsmId: CSM.userId, ...overrides.account },
    staff: overrides.staff ?? {
      [AM.userId]: { role: "account_manager" },
      [AM2.userId]: { role: "account_manager" },
      [CSM.userId]: { role: "csm" },
      [CSM2.userId]: { role: "csm" },
      [ADMIN.userId]: { role: "admin" },
    },
  };
}

type Extra<K extends Command["kind"]> = Partial<Omit<CommandOf<K>, "kind">>;

/** Command builders with defaults that follow the happy path; override any field. */
export const commands = {
  openCase: (now: Date, extra: Extra<"openCase"> = {}): CommandOf<"openCase"> => ({
    kind: "openCase",
    caseId: "case-1",
    reference: "CX-2025-0001",
    accountId: "acc-1",
    subscriptionId: "sub-1",
    requesterContactId: REQUESTER.contactId,
    channel: "phone",
    summary: "Wants to cancel at the end of the term.",
    actor: AM,
    now,
    ...extra,
  }),
  startIdentityVerification: (now: Date, extra: Extra<"startIdentityVerification"> = {}) =>
    ({
      kind: "startIdentityVerification",
      method: "code",
      codeExpiresAt: identityCodeExpiresAt(testPolicy, now),
      actor: AM,
      now,
      ...extra,
    }) satisfies Command,
  confirmIdentityCode: (now: Date, extra: Extra<"confirmIdentityCode"> = {}) =>
    ({
      kind: "confirmIdentityCode",
      codeMatches: true,
      actor: REQUESTER,
      now,
      ...extra,
    }) satisfies Command,
  verifyBySecurityCheck: (now: Date, extra: Extra<"verifyBySecurityCheck"> = {}) =>
    ({
      kind: "verifyBySecurityCheck",
      passed: true,
      factsChecked: "billing postcode and last invoice amount",
      actor: AM,
      now,
      ...extra,
    }) satisfies Command,
  verifySelfService: (now: Date, extra: Extra<"verifySelfService"> = {}) =>
    ({ kind: "verifySelfService", actor: REQUESTER, now, ...extra }) satisfies Command,
  sendForm: (now: Date, extra: Extra<"sendForm"> = {}) =>
    ({
      kind: "sendForm",
      linkExpiresAt: formLinkExpiresAt(testPolicy, now),
      actor: AM,
      now,
      ...extra,
    }) satisfies Command,
  resendForm: (now: Date, extra: Extra<"resendForm"> = {}) =>
    ({
      kind: "resendForm",
      linkExpiresAt: formLinkExpiresAt(testPolicy, now),
      actor: AM,
      now,
      ...extra,
    }) satisfies Command,
  submitForm: (
    now: Date,
    submission: Partial<CommandOf<"submitForm">["submission"]> = {},
    extra: Extra<"submitForm"> = {},
  ) =>
    ({
      kind: "submitForm",
      submission: {
        reasonCode: "too_expensive",
        details: "Budget cut for the next two quarters.",
        requestedEffective: "end_of_term",
        preferredConfirmationChannel: "email",
        authorityConfirmed: true,
        ...submission,
      },
      actor: REQUESTER,
      now,
      ...extra,
    }) satisfies Command,
  expireForm: (now: Date, extra: Extra<"expireForm"> = {}) =>
    ({ kind: "expireForm", actor: SYSTEM, now, ...extra }) satisfies Command,
  recordReasonConversation: (now: Date, extra: Extra<"recordReasonConversation"> = {}) =>
    ({
      kind: "recordReasonConversation",
      reasonCode: "too_expensive",
      notes: "Budget cut; hiring slowed down this year.",
      actor: AM,
      now,
      ...extra,
    }) satisfies Command,
  presentOffer: (now: Date, extra: Extra<"presentOffer"> = {}) =>
    ({
      kind: "presentOffer",
      offerCode: "discount_20_3m",
      actor: AM,
      now,
      ...extra,
    }) satisfies Command,
  answerOffer: (now: Date, extra: Extra<"answerOffer"> = {}) =>
    ({
      kind: "answerOffer",
      offerCode: "discount_20_3m",
      answer: "declined",
      actor: REQUESTER,
      now,
      ...extra,
    }) satisfies Command,
  recordNoSuitableOffer: (now: Date, extra: Extra<"recordNoSuitableOffer"> = {}) =>
    ({
      kind: "recordNoSuitableOffer",
      reason: "The company is closing its recruiting team entirely.",
      actor: AM,
      now,
      ...extra,
    }) satisfies Command,
  escalateToCsm: (now: Date, extra: Extra<"escalateToCsm"> = {}) =>
    ({ kind: "escalateToCsm", actor: AM, now, ...extra }) satisfies Command,
  csmEngage: (now: Date, extra: Extra<"csmEngage"> = {}) =>
    ({
      kind: "csmEngage",
      notes: "Called the customer.",
      actor: CSM,
      now,
      ...extra,
    }) satisfies Command,
  recordCsmOutcome: (now: Date, extra: Extra<"recordCsmOutcome"> = {}) =>
    ({
      kind: "recordCsmOutcome",
      outcome: "proceed",
      notes: "Customer's decision is final; budget is gone.",
      actor: CSM,
      now,
      ...extra,
    }) satisfies Command,
  processCancellation: (now: Date, extra: Extra<"processCancellation"> = {}) =>
    ({ kind: "processCancellation", actor: AM, now, ...extra }) satisfies Command,
  recordConfirmation: (now: Date, extra: Extra<"recordConfirmation"> = {}) =>
    ({ kind: "recordConfirmation", channel: "email", actor: AM, now, ...extra }) satisfies Command,
  requestFeedback: (now: Date, extra: Extra<"requestFeedback"> = {}) =>
    ({
      kind: "requestFeedback",
      linkExpiresAt: feedbackExpiresAt(testPolicy, now),
      actor: AM,
      now,
      ...extra,
    }) satisfies Command,
  submitFeedback: (now: Date, extra: Extra<"submitFeedback"> = {}) =>
    ({
      kind: "submitFeedback",
      rating: 4,
      decisionReason: "too_expensive",
      comments: "Good product, no budget.",
      actor: REQUESTER,
      now,
      ...extra,
    }) satisfies Command,
  expireFeedbackRequest: (now: Date, extra: Extra<"expireFeedbackRequest"> = {}) =>
    ({ kind: "expireFeedbackRequest", actor: SYSTEM, now, ...extra }) satisfies Command,
  withdraw: (now: Date, extra: Extra<"withdraw"> = {}) =>
    ({
      kind: "withdraw",
      reason: "Decided to stay.",
      actor: REQUESTER,
      now,
      ...extra,
    }) satisfies Command,
  closeCase: (now: Date, extra: Extra<"closeCase"> = {}) =>
    ({
      kind: "closeCase",
      summary: "Cancelled at end of term; feedback received.",
      actor: AM,
      now,
      ...extra,
    }) satisfies Command,
  addNote: (now: Date, extra: Extra<"addNote"> = {}) =>
    ({
      kind: "addNote",
      text: "Customer prefers calls after 2pm.",
      actor: AM,
      now,
      ...extra,
    }) satisfies Command,
  reassign: (now: Date, extra: Extra<"reassign"> = {}) =>
    ({
      kind: "reassign",
      slot: "am",
      toUserId: AM2.userId,
      actor: ADMIN,
      now,
      ...extra,
    }) satisfies Command,
};

export class RefusedInTest extends Error {}

/** Applies one command and insists it is accepted (test setup must not silently fail). */
export function apply(c: Case | undefined, command: Command, context: DecisionContext): Case {
  return applyWithEvents(c, command, context).case;
}

export function applyWithEvents(
  c: Case | undefined,
  command: Command,
  context: DecisionContext,
): { case: Case; events: CaseEvent[] } {
  const decision = decide(c, command, context);
  if (!decision.ok) {
    throw new RefusedInTest(
      `${command.kind} refused: ${decision.refusal.code}: ${decision.refusal.message}`,
    );
  }
  return decision;
}

/** Applies a list of command builders, each given "one minute after the last change". */
export function run(
  context: DecisionContext,
  steps: ((now: Date, c: Case) => Command)[],
  start?: Case,
): { case: Case; events: CaseEvent[] } {
  let c = start;
  const events: CaseEvent[] = [];
  for (const build of steps) {
    const now = c ? nextMinute(c) : T0;
    const result = applyWithEvents(c, build(now, c as Case), context);
    c = result.case;
    events.push(...result.events);
  }
  if (!c) throw new Error("run needs at least one step");
  return { case: c, events };
}

/** The happy path in order; `caseIn(state)` runs it until the case reaches that state. */
const HAPPY_PATH: { reaches: CaseState; build: (now: Date) => Command }[] = [
  { reaches: "intake", build: (now) => commands.openCase(now) },
  { reaches: "intake", build: (now) => commands.startIdentityVerification(now) },
  { reaches: "form", build: (now) => commands.confirmIdentityCode(now) },
  { reaches: "retention", build: (now) => commands.sendForm(now) },
  { reaches: "retention", build: (now) => commands.recordReasonConversation(now) },
  { reaches: "retention", build: (now) => commands.presentOffer(now) },
  { reaches: "escalated", build: (now) => commands.submitForm(now) },
  { reaches: "escalated", build: (now) => commands.answerOffer(now, { answer: "declined" }) },
  { reaches: "escalated", build: (now) => commands.escalateToCsm(now) },
  { reaches: "finalizing", build: (now) => commands.csmEngage(now) },
  { reaches: "finalizing", build: (now) => commands.recordCsmOutcome(now) },
  { reaches: "cancelled", build: (now) => commands.processCancellation(now) },
  { reaches: "feedback", build: (now) => commands.recordConfirmation(now) },
  { reaches: "feedback", build: (now) => commands.requestFeedback(now) },
  { reaches: "closed", build: (now) => commands.submitFeedback(now) },
  { reaches: "closed", build: (now) => commands.closeCase(now) },
];

/**
 * A representative case in `state`, reached through the engine:
 * - intake: opened by phone, a code sent;
 * - form: identity verified by code;
 * - retention: form sent (not submitted), reason recorded, a discount offer waiting for an answer;
 * - escalated: form submitted, the offer declined, escalated to the account's CSM (not engaged);
 * - finalizing: the CSM engaged and recorded "proceed";
 * - cancelled: processed at end of term, no confirmation yet;
 * - feedback: confirmed by email, feedback requested and waiting;
 * - closed: feedback given, closed as cancelled.
 */
export function caseIn(state: CaseState, context: DecisionContext = makeContext()): Case {
  let c: Case | undefined;
  for (const step of HAPPY_PATH) {
    // Stop before the first command that belongs to a later state than the one asked for.
    if (c && stateIndex(step.reaches) > stateIndex(state)) break;
    c = apply(c, step.build(c ? nextMinute(c) : T0), context);
  }
  if (!c || c.state !== state) throw new Error(`caseIn(${state}) reached ${c?.state}`);
  return c;
}

/** An escalated case on which the account's CSM presented an offer (the training session). */
export function escalatedWithCsmOffer(
  context: DecisionContext = makeContext(),
  offer: { offerCode: string; customTerms?: string } = { offerCode: "training_session" },
): Case {
  const escalated = caseIn("escalated", context);
  return apply(
    escalated,
    commands.presentOffer(nextMinute(escalated), { ...offer, actor: CSM }),
    context,
  );
}

/** A requester who fails a code, the security check and a code again: closed unverified. */
export function runToUnverified(context: DecisionContext = makeContext()) {
  return run(context, [
    (now) => commands.openCase(now),
    (now) => commands.startIdentityVerification(now),
    (now) => commands.confirmIdentityCode(now, { codeMatches: false }),
    (now) => commands.verifyBySecurityCheck(now, { passed: false }),
    (now) => commands.confirmIdentityCode(now, { codeMatches: false }),
  ]);
}

/** Recursively freezes a value, so a test fails if the engine mutates its input. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
