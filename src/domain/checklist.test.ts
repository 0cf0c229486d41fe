import { describe, expect, it } from "vitest";
import type { Case } from "./case.ts";
import { buildChecklist, nextActions } from "./checklist.ts";
import { decide } from "./decide.ts";
import {
  AM,
  apply,
  CSM,
  caseIn,
  commands,
  escalatedWithCsmOffer,
  makeContext,
  nextMinute,
  REQUESTER,
  run,
  SYSTEM,
  testPolicy,
  withSlas,
} from "./test-factories.ts";

const context = makeContext();
const statuses = (c: Case, ctx = context) =>
  buildChecklist(c, ctx, nextMinute(c)).map((item) => item.status);

describe("the seven-step checklist", () => {
  it.each([
    ["intake", ["current", "pending", "pending", "pending", "pending", "pending", "pending"]],
    ["form", ["done", "current", "pending", "pending", "pending", "pending", "pending"]],
    // An offer waits for the customer's answer: escalation waits on them.
    ["retention", ["done", "done", "blocked", "pending", "pending", "pending", "pending"]],
    ["escalated", ["done", "done", "done", "current", "pending", "pending", "pending"]],
    ["finalizing", ["done", "done", "done", "done", "current", "pending", "pending"]],
    ["cancelled", ["done", "done", "done", "done", "current", "pending", "pending"]],
    ["feedback", ["done", "done", "done", "done", "done", "blocked", "pending"]],
    ["closed", ["done", "done", "done", "done", "done", "done", "done"]],
  ] as const)("%s", (state, expected) => {
    expect(statuses(caseIn(state))).toEqual(expected);
  });

  it("carries the policy's words, guidance and the evidence", () => {
    const items = buildChecklist(caseIn("escalated"), context, new Date());
    expect(items.map((i) => i.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(items[0]).toMatchObject({
      key: "initial_contact",
      policyText: "Initial Contact (policy text)",
    });
    expect(items[2]?.evidence.join(" ")).toMatch(/Offered 20% off for 3 months .*: declined/);
    expect(items[3]?.evidence[0]).toMatch(/Escalated to CSM u-csm/);
  });

  it("gives the evidence in parts: instants and staff users apart from the words", () => {
    const items = buildChecklist(caseIn("escalated"), context, new Date());
    const escalation = items[3]!;
    const parts = escalation.evidenceParts[0]!;
    expect(parts).toContainEqual({ userId: "u-csm" });
    expect(parts.filter((p) => "at" in p)).toHaveLength(2);
    // The plain sentence is the parts joined, instants in ISO 8601.
    const text = parts.map((p) => ("text" in p ? p.text : "at" in p ? p.at : p.userId)).join("");
    expect(escalation.evidence[0]).toBe(text);
    expect(text).toMatch(/at \d{4}-\d\d-\d\dT/);
  });

  it("names what blocks the current step", () => {
    const waiting = caseIn("retention");
    const retention = buildChecklist(waiting, context, nextMinute(waiting));
    expect(retention[2]?.blockedBy?.code).toBe("OFFER_ANSWER_PENDING");
    // Once the offer has expired unanswered, escalation is possible again.
    const expired = buildChecklist(waiting, context, new Date(waiting.offers[0]?.expiresAt ?? ""));
    expect(expired[2]).toMatchObject({ status: "current", blockedBy: null });
    const feedback = buildChecklist(caseIn("feedback"), context, new Date());
    expect(feedback[5]?.blockedBy?.code).toBe("FEEDBACK_PENDING");
    const { case: noForm } = run(context, [
      (now) => commands.openCase(now),
      (now) => commands.verifyBySecurityCheck(now),
      (now) => commands.sendForm(now),
      (now) => commands.recordReasonConversation(now),
      (now) => commands.recordNoSuitableOffer(now),
      (now) => commands.escalateToCsm(now),
      (now) => commands.recordCsmOutcome(now),
    ]);
    const finalize = buildChecklist(noForm, context, nextMinute(noForm))[4];
    expect(finalize).toMatchObject({
      status: "blocked",
      blockedBy: { code: "FORM_NOT_SUBMITTED" },
    });
  });

  it("shows the steps a closed case skipped", () => {
    const retention = caseIn("retention");
    const retained = apply(
      retention,
      commands.answerOffer(nextMinute(retention), { answer: "accepted" }),
      context,
    );
    expect(statuses(retained)).toEqual([
      "done",
      "done",
      "done",
      "skipped",
      "skipped",
      "skipped",
      "done",
    ]);
    const escalated = caseIn("escalated");
    const withdrawn = apply(escalated, commands.withdraw(nextMinute(escalated)), context);
    expect(statuses(withdrawn)).toEqual([
      "done",
      "done",
      "done",
      "skipped",
      "skipped",
      "skipped",
      "done",
    ]);
    const { case: unverified } = run(context, [
      (now) => commands.openCase(now),
      (now) => commands.verifyBySecurityCheck(now, { passed: false }),
      (now) => commands.verifyBySecurityCheck(now, { passed: false }),
      (now) => commands.verifyBySecurityCheck(now, { passed: false }),
    ]);
    expect(statuses(unverified)).toEqual([
      "blocked",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
      "done",
    ]);
  });

  it("marks a time-boxed CSM step as skipped", () => {
    const boxed = makeContext({ policy: withSlas({ csmStepTimeBox: true }) });
    const c = caseIn("escalated", boxed);
    const processed = apply(
      c,
      commands.processCancellation(new Date(c.escalation?.slaDueAt ?? "")),
      boxed,
    );
    const items = buildChecklist(processed, boxed, nextMinute(processed));
    expect(items[3]?.status).toBe("skipped");
    expect(items[3]?.evidence.join(" ")).toMatch(/time box/);
    // The work goes on at step 5 (the confirmation), then step 6.
    expect(items.map((i) => i.status)).toEqual([
      "done",
      "done",
      "done",
      "skipped",
      "current",
      "pending",
      "pending",
    ]);
    const confirmed = apply(processed, commands.recordConfirmation(nextMinute(processed)), boxed);
    expect(buildChecklist(confirmed, boxed, nextMinute(confirmed))[5]?.status).toBe("current");
  });

  it("blocks step 1 when the requester is not an authorised contact", () => {
    const c = caseIn("intake");
    const ctx = makeContext({ requester: { authorisedToCancel: false } });
    const first = buildChecklist(c, ctx, nextMinute(c))[0];
    expect(first).toMatchObject({
      status: "blocked",
      blockedBy: { code: "REQUESTER_NOT_AUTHORISED" },
    });
  });

  it("falls back gracefully when a policy lacks a step's text", () => {
    const ctx = makeContext({ policy: { ...testPolicy, steps: [] } });
    expect(buildChecklist(caseIn("form"), ctx, new Date())).toHaveLength(7);
  });
});

describe("next actions", () => {
  const kinds = (c: Case, actor = AM as Parameters<typeof nextActions>[2]) =>
    nextActions(c, context, actor, nextMinute(c));

  it("lists what the AM may do and why escalation is blocked", () => {
    const actions = kinds(caseIn("retention"));
    expect(
      actions.allowed.filter((a) => a.kind === "presentOffer").map((a) => a.offerCode),
    ).toEqual(["downgrade_starter", "training_session"]);
    expect(actions.allowed.map((a) => a.kind)).toEqual(
      expect.arrayContaining([
        "recordReasonConversation",
        "resendForm",
        "recordNoSuitableOffer",
        "withdraw",
        "addNote",
        "reassign",
        "answerOffer",
      ]),
    );
    expect(actions.allowed.map((a) => a.kind)).not.toContain("submitForm");
    expect(actions.blocked).toEqual([
      { kind: "escalateToCsm", refusal: expect.objectContaining({ code: "OFFER_ANSWER_PENDING" }) },
    ]);
  });

  it("lists what the customer may do", () => {
    const actions = kinds(caseIn("retention"), REQUESTER);
    expect(actions.allowed.map((a) => a.kind).sort()).toEqual([
      "answerOffer",
      "submitForm",
      "withdraw",
    ]);
  });

  it("tells the AM that the CSM must decide, and offers the CSM the decision", () => {
    const escalated = caseIn("escalated");
    expect(kinds(escalated).blocked.map((b) => b.refusal.code)).toEqual([
      "CSM_ROLE_REQUIRED",
      "CSM_OUTCOME_MISSING",
    ]);
    expect(kinds(escalated, CSM).allowed.map((a) => a.kind)).toEqual(
      expect.arrayContaining(["csmEngage", "recordCsmOutcome"]),
    );
  });

  it("offers the system only its timers when they are due, and nothing after close", () => {
    const feedback = caseIn("feedback");
    const due = new Date(feedback.feedback?.expiresAt ?? "");
    expect(nextActions(feedback, context, SYSTEM, due).allowed.map((a) => a.kind)).toContain(
      "expireFeedbackRequest",
    );
    expect(kinds(caseIn("closed")).allowed).toEqual([]);
  });

  it("explains why the later steps cannot be done yet, in step order", () => {
    const retention = kinds(caseIn("retention"));
    expect(retention.ahead.map((a) => [a.step, a.kind])).toEqual([
      [5, "processCancellation"],
      [5, "recordConfirmation"],
      [6, "requestFeedback"],
      [7, "closeCase"],
    ]);
    // Processing needs the escalation and the CSM's outcome first, as the engine says it.
    const c = caseIn("retention");
    const engine = decide(c, commands.processCancellation(nextMinute(c)), context);
    expect(engine.ok).toBe(false);
    expect(retention.ahead.find((a) => a.kind === "processCancellation")?.refusal).toEqual(
      engine.ok ? null : engine.refusal,
    );
    // From step 1, the form is the next thing ahead; nothing the actor's role forbids is listed.
    const intake = kinds(caseIn("intake"));
    expect(intake.ahead[0]).toMatchObject({
      kind: "sendForm",
      step: 2,
      refusal: { code: "IDENTITY_NOT_VERIFIED" },
    });
    expect(intake.ahead.map((a) => a.refusal.code)).not.toContain("CSM_ROLE_REQUIRED");
    expect(kinds(caseIn("intake"), CSM).ahead.map((a) => a.kind)).toContain("recordCsmOutcome");
    expect(kinds(caseIn("closed")).ahead).toEqual([]);
  });

  it("never lists a command as allowed and ahead, or ahead of the current step", () => {
    for (const state of [
      "intake",
      "form",
      "retention",
      "escalated",
      "finalizing",
      "cancelled",
      "feedback",
    ] as const) {
      const c = caseIn(state);
      for (const actor of [AM, CSM]) {
        const { allowed, blocked, ahead } = nextActions(c, context, actor, nextMinute(c));
        for (const a of ahead) {
          expect(allowed.some((x) => x.kind === a.kind)).toBe(false);
          expect(blocked.some((x) => x.kind === a.kind)).toBe(false);
        }
        const steps = ahead.map((a) => a.step);
        expect([...steps].sort((x, y) => x - y)).toEqual(steps);
      }
    }
  });

  it("never lists a command as both allowed and blocked", () => {
    for (const state of [
      "intake",
      "form",
      "retention",
      "escalated",
      "finalizing",
      "cancelled",
      "feedback",
    ] as const) {
      const c = caseIn(state);
      for (const actor of [AM, CSM, REQUESTER, SYSTEM]) {
        const { allowed, blocked } = nextActions(c, context, actor, nextMinute(c));
        for (const option of allowed)
          expect(blocked.some((b) => b.kind === option.kind)).toBe(false);
        if (state !== "intake" || actor.kind !== "customer") continue;
        // The customer's code entry is allowed, and really accepted.
        expect(allowed.map((a) => a.kind)).toContain("confirmIdentityCode");
        expect(decide(c, commands.confirmIdentityCode(nextMinute(c)), context).ok).toBe(true);
      }
    }
  });

  it("lets a CSM who is the account's CSM escalate their own AM work to another CSM", () => {
    const c = caseIn("retention");
    const declined = apply(c, commands.answerOffer(nextMinute(c), { answer: "declined" }), context);
    const asCsm = nextActions(declined, context, CSM, nextMinute(declined));
    expect(asCsm.allowed.map((a) => a.kind)).toContain("escalateToCsm");
  });

  it("offers the CSM the outcome while an offer is open: the save, though not yet 'proceed'", () => {
    const offered = escalatedWithCsmOffer(context);
    const asCsm = nextActions(offered, context, CSM, nextMinute(offered));
    expect(asCsm.allowed.map((a) => a.kind)).toContain("recordCsmOutcome");
  });

  it("does not tell staff at intake that only the customer self-verifies, when they can verify", () => {
    const c = caseIn("intake");
    const asAm = nextActions(c, context, AM, nextMinute(c));
    expect(asAm.allowed.map((a) => a.kind)).toContain("verifyBySecurityCheck");
    expect(asAm.blocked.map((b) => b.kind)).not.toContain("verifySelfService");
  });

  it("asks for the reason conversation first when nothing of step 3 is done", () => {
    const c = caseIn("form");
    const sent = apply(c, commands.sendForm(nextMinute(c)), context);
    const asAm = nextActions(sent, context, AM, nextMinute(sent));
    expect(asAm.blocked).toEqual([
      { kind: "escalateToCsm", refusal: expect.objectContaining({ code: "REASON_NOT_RECORDED" }) },
    ]);
  });

  it("lists an open offer's answers the engine takes: only declined once it no longer fits", () => {
    const c = caseIn("retention");
    const fits = nextActions(c, context, AM, nextMinute(c)).allowed.filter(
      (a) => a.kind === "answerOffer",
    );
    expect(fits).toEqual([
      { kind: "answerOffer", offerCode: "discount_20_3m", answers: ["declined", "accepted"] },
    ]);
    const changed = apply(
      c,
      commands.recordReasonConversation(nextMinute(c), { reasonCode: "missing_features" }),
      context,
    );
    const stale = nextActions(changed, context, AM, nextMinute(changed)).allowed.filter(
      (a) => a.kind === "answerOffer",
    );
    expect(stale).toEqual([
      { kind: "answerOffer", offerCode: "discount_20_3m", answers: ["declined"] },
    ]);
  });
});

describe("the steps' evidence", () => {
  it("is in words: reasons by the policy's label, the effective date and channel spelled out", () => {
    const c = caseIn("escalated");
    const checklist = buildChecklist(c, context, nextMinute(c));
    const text = checklist.flatMap((item) => item.evidence).join("\n");
    const label = testPolicy.reasons.find((r) => r.code === "too_expensive")!.label;
    expect(text).toContain(`reason ${label}, effective at the end of the term`);
    expect(text).toContain(`Reason: ${label}.`);
    expect(text).not.toMatch(/too_expensive|end_of_term|on_track/);
  });

  it("names the CSM's save by the offer's label, with a custom offer's agreed terms", () => {
    const ctx = makeContext({ subscription: { monthlyValueMinor: 149_900 } });
    const offered = escalatedWithCsmOffer(ctx, {
      offerCode: "custom_csm",
      customTerms: "Three months at half price, then the list price.",
    });
    const retained = apply(
      offered,
      commands.recordCsmOutcome(nextMinute(offered), {
        outcome: "retained",
        offerCode: "custom_csm",
        customTerms: "Three months at half price, then the list price.",
        notes: "Agreed on the call.",
      }),
      ctx,
    );
    const evidence = (c: Case, step: number) =>
      buildChecklist(c, ctx, nextMinute(c))[step - 1]!.evidence;
    expect(evidence(retained, 3).at(-1)).toMatch(
      /^Offered Custom offer at .* by u-csm: accepted\. Terms: Three months at half price, then the list price\.$/,
    );
    expect(evidence(retained, 4).at(-1)).toBe(
      "CSM outcome: retained with Custom offer, on these terms: Three months at half price, then the list price. — Agreed on the call.",
    );
    const escalated = caseIn("escalated", ctx);
    const discount = apply(
      escalated,
      commands.recordCsmOutcome(nextMinute(escalated), {
        outcome: "retained",
        offerCode: "discount_20_3m",
        notes: "Took the discount.",
      }),
      ctx,
    );
    expect(evidence(discount, 4).at(-1)).toBe(
      "CSM outcome: retained with 20% off for 3 months — Took the discount.",
    );
    const proceed = caseIn("finalizing", ctx);
    expect(evidence(proceed, 4).at(-1)).toMatch(/^CSM outcome: proceed with the cancellation — /);
    const all = [retained, discount, proceed]
      .flatMap((c) => buildChecklist(c, ctx, nextMinute(c)))
      .flatMap((item) => item.evidence)
      .join("\n");
    expect(all).not.toMatch(/custom_csm|discount_20_3m/);
  });

  it("says how identity was verified and how often, in words", () => {
    const { case: checked } = run(context, [
      (now) => commands.openCase(now),
      (now) => commands.startIdentityVerification(now),
      (now) => commands.startIdentityVerification(now),
      (now) => commands.verifyBySecurityCheck(now),
    ]);
    const step1 = buildChecklist(checked, context, nextMinute(checked))[0]!.evidence.join("\n");
    expect(step1).toContain("Verification code sent twice;");
    expect(step1).toContain("Identity verified by a security check at");
    expect(step1).not.toMatch(/security_check|time\(s\)/);
    const retention = caseIn("retention");
    expect(buildChecklist(retention, context, nextMinute(retention))[2]!.evidence).toContain(
      "1 offer waiting for the customer's answer.",
    );
    const feedback = caseIn("feedback");
    const closed = apply(
      feedback,
      commands.submitFeedback(nextMinute(feedback), { decisionReason: "hiring_freeze" }),
      context,
    );
    const text = buildChecklist(closed, context, nextMinute(closed))
      .flatMap((item) => item.evidence)
      .join("\n");
    expect(text).toContain("decided because of Hiring freeze.");
    expect(text).toMatch(/: at the end of the term, effective /);
    expect(text).not.toMatch(/hiring_freeze|end_of_term/);
  });
});
