// Property tests: random command sequences, by random actors at random times, never reach a
// situation the policy forbids. Half the steps are "guided" (the command the case's step expects,
// by its usual actor) so sequences get deep into the policy; the rest are anything at all.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Actor } from "./actor.ts";
import type { Case, CaseOutcome } from "./case.ts";
import { COMMAND_KINDS, type Command, type CommandKind } from "./commands.ts";
import type { DecisionContext } from "./context.ts";
import { decide } from "./decide.ts";
import { canPresentOffer, checkOfferEligibility } from "./offers.ts";
import { findOffer } from "./policy-definition.ts";
import {
  ADMIN,
  ALL_ACTORS,
  AM,
  AM2,
  CSM,
  CSM2,
  commands,
  deepFreeze,
  makeContext,
  minutesAfter,
  REQUESTER,
  SYSTEM,
  T0,
  withSlas,
} from "./test-factories.ts";
import { instantMs } from "./time.ts";

interface Step {
  guided: boolean;
  kindIndex: number;
  actorIndex: number;
  pick: number;
  flag: boolean;
  deltaMinutes: number;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  guided: fc.nat(9).map((n) => n < 8),
  kindIndex: fc.nat(COMMAND_KINDS.length - 1),
  actorIndex: fc.nat(ALL_ACTORS.length - 1),
  pick: fc.nat(1000),
  flag: fc.boolean(),
  deltaMinutes: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 10 }) },
    { weight: 2, arbitrary: fc.integer({ min: 10, max: 60 * 30 }) },
    { weight: 1, arbitrary: fc.integer({ min: 60 * 30, max: 60 * 24 * 20 }) },
  ),
});

interface Scenario {
  timeBox: boolean;
  preferredChannel: "email" | "sms" | "phone";
  planCode: string;
  monthlyValueMinor: number;
  steps: Step[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  timeBox: fc.boolean(),
  preferredChannel: fc.constantFrom("email" as const, "sms" as const, "phone" as const),
  planCode: fc.constantFrom("starter", "growth", "scale"),
  monthlyValueMinor: fc.integer({ min: 0, max: 500_000 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 80, size: "max" }),
});

/** The command a case's evidence calls for next, with some variation among the sensible ones. */
function guidedKind(c: Case, pick: number, now: Date): CommandKind {
  const linkExpired = Boolean(
    c.form && (c.form.linkExpiredAt || instantMs(c.form.expiresAt) <= now.getTime()),
  );
  const formNext: CommandKind = linkExpired ? "resendForm" : "submitForm";
  const formOpen = c.formStatus === "sent";
  switch (c.state) {
    case "intake": {
      const codeUsable =
        c.identity.codeExpiresAt !== null && instantMs(c.identity.codeExpiresAt) > now.getTime();
      if (!codeUsable && pick % 4 !== 0) return "startIdentityVerification";
      return choose(["confirmIdentityCode", "confirmIdentityCode", "verifyBySecurityCheck"], pick);
    }
    case "form":
      return "sendForm";
    case "retention":
      if (c.reasonConversations.length === 0) return "recordReasonConversation";
      if (c.offers.some((o) => o.answer === "pending") && pick % 3 !== 0) return "answerOffer";
      if (formOpen && pick % 3 === 0) return formNext;
      if (c.offers.length === 0 && !c.noSuitableOffer) {
        return choose(["presentOffer", "presentOffer", "recordNoSuitableOffer"], pick);
      }
      return choose(["escalateToCsm", "escalateToCsm", "presentOffer"], pick);
    case "escalated":
      if (formOpen && pick % 2 === 0) return formNext;
      return choose(["recordCsmOutcome", "csmEngage", "processCancellation"], pick);
    case "finalizing":
      if (pick % 10 === 0) return "withdraw";
      return formOpen ? formNext : "processCancellation";
    case "cancelled":
      return c.confirmation ? "requestFeedback" : "recordConfirmation";
    case "feedback":
      return c.feedback?.submission || c.feedback?.expiredAt
        ? "closeCase"
        : choose(["submitFeedback", "expireFeedbackRequest"], pick);
    case "closed":
      return "addNote";
  }
}

const USUAL_ACTOR: Partial<Record<CommandKind, Actor>> = {
  confirmIdentityCode: REQUESTER,
  verifySelfService: REQUESTER,
  submitForm: REQUESTER,
  answerOffer: REQUESTER,
  submitFeedback: REQUESTER,
  withdraw: REQUESTER,
  expireForm: SYSTEM,
  expireFeedbackRequest: SYSTEM,
  csmEngage: CSM,
  recordCsmOutcome: CSM,
};

function choose<T>(items: readonly T[], pick: number): T {
  return items[pick % items.length] as T;
}

/** A command of `kind` with input drawn from small pools, valid or not. */
function buildCommand(
  kind: CommandKind,
  actor: Actor,
  step: Step,
  now: Date,
  c: Case | undefined,
  ctx: DecisionContext,
): Command {
  const { pick, flag } = step;
  const policy = ctx.policy;
  const reasons = [...policy.reasons.map((r) => r.code), "bogus"];
  const offers = [...policy.offers.map((o) => o.code), "free_lunch"];
  const lateOrOk = (minutes: number) =>
    minutesAfter(now, flag || pick % 7 !== 0 ? minutes : minutes * 3);
  const base = { actor, now };
  switch (kind) {
    case "openCase":
      return commands.openCase(now, { actor });
    case "startIdentityVerification":
      return {
        ...base,
        kind,
        method: "code",
        codeExpiresAt: lateOrOk(policy.identity.codeLifetimeMinutes),
      };
    case "confirmIdentityCode":
      return { ...base, kind, codeMatches: pick % 4 !== 0 };
    case "verifyBySecurityCheck":
      return { ...base, kind, passed: pick % 4 !== 0, factsChecked: "postcode" };
    case "verifySelfService":
      return { ...base, kind };
    case "sendForm":
    case "resendForm":
      return { ...base, kind, linkExpiresAt: lateOrOk(policy.slas.formLinkExpiryHours * 60) };
    case "submitForm":
      return {
        ...base,
        kind,
        submission: {
          reasonCode: choose(reasons, pick),
          details: pick % 3 === 0 ? "" : "Some details.",
          requestedEffective: flag ? "end_of_term" : "immediately",
          preferredConfirmationChannel: choose(["email", "sms", "phone"] as const, pick >> 2),
          authorityConfirmed: pick % 9 !== 0,
        },
      };
    case "expireForm":
    case "expireFeedbackRequest":
    case "processCancellation":
    case "csmEngage":
      return { ...base, kind } as Command;
    case "recordReasonConversation":
      return { ...base, kind, reasonCode: choose(reasons, pick), notes: "Talked it through." };
    case "presentOffer":
      return {
        ...base,
        kind,
        offerCode: choose(offers, pick),
        customTerms: flag ? "Two free seats for the year." : null,
      };
    case "answerOffer": {
      const presented = c?.offers.map((o) => o.offerCode) ?? [];
      return {
        ...base,
        kind,
        offerCode: choose([...presented, ...offers], pick),
        answer: flag ? "declined" : "accepted",
      };
    }
    case "recordNoSuitableOffer":
      return { ...base, kind, reason: flag ? "Nothing in the catalog answers this." : "no" };
    case "escalateToCsm":
      return {
        ...base,
        kind,
        csmId: choose([null, CSM.userId, CSM2.userId, AM.userId, AM2.userId], pick),
      };
    case "recordCsmOutcome":
      return {
        ...base,
        kind,
        outcome: pick % 3 === 0 ? "retained" : "proceed",
        offerCode: choose(offers, pick >> 1),
        customTerms: flag ? "Two free seats for the year." : null,
        notes: pick % 11 === 0 ? "" : "Decided with the customer.",
      };
    case "recordConfirmation":
      return {
        ...base,
        kind,
        channel: choose(["email", "sms", "phone"] as const, pick),
        callOutcome: flag ? "reached" : null,
      };
    case "requestFeedback":
      return { ...base, kind, linkExpiresAt: lateOrOk(policy.slas.feedbackExpiryDays * 24 * 60) };
    case "submitFeedback":
      return {
        ...base,
        kind,
        rating: pick % 7,
        decisionReason: choose(reasons, pick >> 3),
        comments: "",
      };
    case "withdraw":
      return { ...base, kind, reason: null };
    case "closeCase":
      return { ...base, kind, summary: null };
    case "addNote":
      return { ...base, kind, text: flag ? "A note." : "" };
    case "reassign":
      return {
        ...base,
        kind,
        slot: flag ? "am" : "csm",
        toUserId: choose([AM.userId, AM2.userId, CSM.userId, CSM2.userId, ADMIN.userId], pick),
      };
  }
}

/** The command the case's step expects, with mostly valid input and some variation. */
function guidedCommand(
  kind: CommandKind,
  step: Step,
  now: Date,
  c: Case,
  ctx: DecisionContext,
): Command {
  const actor = USUAL_ACTOR[kind] ?? AM;
  const { pick, flag } = step;
  switch (kind) {
    case "recordReasonConversation":
      return commands.recordReasonConversation(now, {
        reasonCode: choose(["too_expensive", "hiring_freeze", "unused", "other"], pick),
      });
    case "presentOffer":
      return commands.presentOffer(now, {
        offerCode: choose(
          ["discount_20_3m", "pause_3m", "training_session", "downgrade_starter"],
          pick,
        ),
      });
    case "answerOffer": {
      const pending = c.offers.filter((o) => o.answer === "pending").map((o) => o.offerCode);
      return commands.answerOffer(now, {
        offerCode: choose([...pending, "discount_20_3m"], pick),
        answer: pick % 4 === 0 ? "accepted" : "declined",
      });
    }
    case "submitForm":
      return commands.submitForm(now, {
        requestedEffective: flag ? "end_of_term" : "immediately",
        preferredConfirmationChannel: choose(["email", "sms", "phone"] as const, pick),
      });
    case "recordCsmOutcome":
      return pick % 4 === 0
        ? commands.recordCsmOutcome(now, { outcome: "retained", offerCode: "training_session" })
        : commands.recordCsmOutcome(now);
    case "recordConfirmation": {
      const channel =
        c.form?.submission?.preferredConfirmationChannel ?? ctx.requester.preferredChannel;
      return commands.recordConfirmation(now, {
        channel,
        callOutcome: channel === "phone" ? "reached" : null,
      });
    }
    case "confirmIdentityCode":
      return commands.confirmIdentityCode(now, { codeMatches: pick % 5 !== 0 });
    case "verifyBySecurityCheck":
      return commands.verifyBySecurityCheck(now, { passed: pick % 5 !== 0 });
    default:
      return buildCommand(kind, actor, { ...step, flag: true, pick: 1 }, now, c, ctx);
  }
}

interface RunResult {
  finalCase: Case | undefined;
  outcomes: CaseOutcome[];
}

/** Runs a scenario, checking every invariant after every command; returns where it ended. */
function runScenario(scenario: Scenario): RunResult {
  const ctx = makeContext({
    policy: withSlas({ csmStepTimeBox: scenario.timeBox }),
    requester: { preferredChannel: scenario.preferredChannel },
    subscription: { planCode: scenario.planCode, monthlyValueMinor: scenario.monthlyValueMinor },
  });
  let c: Case = deepFreeze(decideOrThrow(undefined, commands.openCase(T0), ctx));
  let now = T0;
  let processedEvents = 0;
  for (const step of scenario.steps) {
    now = minutesAfter(now, step.deltaMinutes);
    const command = step.guided
      ? guidedCommand(guidedKind(c, step.pick, now), step, now, c, ctx)
      : buildCommand(
          choose(COMMAND_KINDS, step.kindIndex),
          choose(ALL_ACTORS, step.actorIndex),
          step,
          now,
          c,
          ctx,
        );
    const before: Case = c;
    const decision = decide(before, command, ctx);

    if (!decision.ok) {
      // Refused: nothing changes (the case object is untouched: it is frozen).
      expect(decision.refusal.code).toMatch(/^[A-Z_]+$/);
      expect(decision.refusal.message.length).toBeGreaterThan(0);
      continue;
    }
    const after = decision.case;
    // Nothing changes after close.
    expect(before.state).not.toBe("closed");
    // Version +1 per accepted command, events non-empty and stamped with it.
    expect(after.version).toBe(before.version + 1);
    expect(decision.events.length).toBeGreaterThan(0);
    for (const event of decision.events) expect(event.version).toBe(after.version);
    processedEvents += decision.events.filter((e) => e.type === "cancellation_processed").length;
    // Cancelled at most once.
    expect(processedEvents).toBeLessThanOrEqual(1);
    if (before.processing) expect(after.processing).toEqual(before.processing);
    // The CSM's decision is made by a CSM who is not the case's AM.
    for (const event of decision.events) {
      if (event.type === "csm_outcome_recorded") {
        expect(event.actor).toMatchObject({ kind: "staff", role: "csm" });
        expect(event.actor.kind === "staff" && event.actor.userId).not.toBe(before.assignedAmId);
      }
    }
    checkCaseInvariants(after, ctx);
    c = deepFreeze(after);
  }
  return { finalCase: c, outcomes: c.outcome ? [c.outcome] : [] };
}

function decideOrThrow(c: Case | undefined, command: Command, ctx: DecisionContext): Case {
  const decision = decide(c, command, ctx);
  if (!decision.ok) throw new Error(decision.refusal.code);
  return decision.case;
}

/** What must hold of any case the engine ever produces. */
function checkCaseInvariants(c: Case, ctx: DecisionContext): void {
  // Closed <=> outcome <=> documentation <=> closedAt.
  const closed = c.state === "closed";
  expect(c.outcome !== null).toBe(closed);
  expect(c.documentation !== null).toBe(closed);
  expect(c.closedAt !== null).toBe(closed);
  if (c.documentation) expect(c.documentation.outcome).toBe(c.outcome);

  // Identity verified before anything else.
  const didAnything =
    c.form || c.reasonConversations.length || c.offers.length || c.escalation || c.processing;
  if (
    didAnything ||
    (c.state !== "intake" && c.outcome !== "unverified" && c.outcome !== "withdrawn")
  ) {
    expect(c.identity.verifiedAt).not.toBeNull();
  }
  if (c.outcome === "unverified") {
    expect(c.identity.attempts).toBeGreaterThanOrEqual(ctx.policy.identity.attemptLimit);
  }

  // The form's status runs beside the state and matches its evidence.
  expect(c.formStatus === "not_sent").toBe(c.form === null);
  expect(c.formStatus === "submitted").toBe(Boolean(c.form?.submission));
  // Form sent before retention; an offer or "no suitable offer" before escalation.
  if (c.reasonConversations.length || c.offers.length || c.noSuitableOffer)
    expect(c.form).not.toBeNull();
  if (c.escalation) expect(c.offers.length > 0 || c.noSuitableOffer !== null).toBe(true);
  // Only catalog offers open to this plan and value, presented by a role allowed to (the facts
  // do not change during a run; the reason may have been re-recorded since, so it is not checked).
  for (const presented of c.offers) {
    const offer = findOffer(ctx.policy, presented.offerCode);
    if (!offer) throw new Error(`unknown offer ${presented.offerCode} was presented`);
    expect(canPresentOffer(offer, presented.presentedBy)).toBe(true);
    const subject = { ...ctx.subscription, reasonCode: null };
    const problems = checkOfferEligibility(ctx.policy, offer, subject).problems;
    expect(problems.filter((problem) => problem.rule !== "reason")).toEqual([]);
  }

  // Processing needs the customer's form and the CSM's "proceed", or the time box.
  const p = c.processing;
  if (p) {
    const submission = c.form?.submission;
    expect(submission).toBeTruthy();
    expect(instantMs(submission?.submittedAt ?? "")).toBeLessThanOrEqual(instantMs(p.processedAt));
    const e = c.escalation;
    expect(e).not.toBeNull();
    if (p.timeBoxUsed) {
      expect(ctx.policy.slas.csmStepTimeBox).toBe(true);
      expect(e?.outcome).toBeNull();
      expect(instantMs(p.processedAt)).toBeGreaterThanOrEqual(instantMs(e?.slaDueAt ?? ""));
    } else {
      expect(e?.outcome).toBe("proceed");
      expect(instantMs(e?.decidedAt ?? "")).toBeLessThanOrEqual(instantMs(p.processedAt));
    }
    // As the form asks, except that a term already over ends now.
    const termOver = ctx.subscription.currentPeriodEnd.getTime() < instantMs(p.processedAt);
    expect(p.mode).toBe(termOver ? "immediately" : submission?.requestedEffective);
    expect(p.effectiveAt).toBe(
      p.mode === "immediately" ? p.processedAt : ctx.subscription.currentPeriodEnd.toISOString(),
    );
  }
  // Confirmation after processing, on the preferred channel; feedback after confirmation.
  if (c.confirmation) {
    expect(p).not.toBeNull();
    expect(c.confirmation.channel).toBe(
      c.form?.submission?.preferredConfirmationChannel ?? ctx.requester.preferredChannel,
    );
  }
  if (c.feedback) expect(c.confirmation).not.toBeNull();
  // A cancelled case closed with the whole story.
  if (c.outcome === "cancelled") {
    expect(p && c.confirmation && c.feedback).toBeTruthy();
    expect(Boolean(c.feedback?.submission || c.feedback?.expiredAt)).toBe(true);
  }
  // A closed case waits for no answer.
  if (c.state === "closed") expect(c.offers.map((o) => o.answer)).not.toContain("pending");
  if (c.outcome === "retained") {
    expect(c.processing).toBeNull();
    expect(c.offers.filter((o) => o.answer === "accepted")).toHaveLength(1);
  }
  if (c.outcome === "withdrawn") expect(c.processing).toBeNull();
  if (c.escalation?.outcome) expect(c.escalation.decidedBy).not.toBe(c.assignedAmId);
  // Plain JSON all the way down.
  expect(JSON.parse(JSON.stringify(c))).toEqual(c);
}

describe("random command sequences", () => {
  it("never reach a situation the policy forbids", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        runScenario(scenario);
      }),
      { numRuns: 400 },
    );
  });

  it("reach every outcome and both processing paths, so the property above means something", () => {
    const seen = new Set<string>();
    for (const scenario of fc.sample(scenarioArb, { numRuns: 500, seed: 42 })) {
      const { finalCase } = runScenario(scenario);
      if (finalCase?.outcome) seen.add(finalCase.outcome);
      if (finalCase?.processing)
        seen.add(finalCase.processing.timeBoxUsed ? "time-boxed" : "csm-proceed");
    }
    expect([...seen].sort()).toEqual(
      ["cancelled", "csm-proceed", "retained", "time-boxed", "unverified", "withdrawn"].sort(),
    );
  });
});
