import { describe, expect, it } from "vitest";
import { apiKeyActor } from "./actor.ts";
import type { Case } from "./case.ts";
import type { Command } from "./commands.ts";
import { type Decision, decide } from "./decide.ts";
import type { CaseEvent } from "./events.ts";
import { outboxForDecision } from "./outbox.ts";
import type { RuleCode } from "./rules.ts";
import {
  ADMIN,
  AM,
  AM2,
  apply,
  CSM,
  CSM2,
  caseIn,
  commands,
  escalatedWithCsmOffer,
  makeContext,
  minutesAfter,
  nextMinute,
  OTHER_CONTACT,
  REQUESTER,
  run,
  runToUnverified,
  SYSTEM,
  T0,
  testPolicy,
  withSlas,
} from "./test-factories.ts";

const context = makeContext();

function refusalCode(decision: Decision): RuleCode | "accepted" {
  return decision.ok ? "accepted" : decision.refusal.code;
}

function accepted(decision: Decision): { case: Case; events: CaseEvent[] } {
  if (!decision.ok)
    throw new Error(`refused: ${decision.refusal.code}: ${decision.refusal.message}`);
  return decision;
}

const types = (events: CaseEvent[]) => events.map((e) => e.type);

/** From a verified case to retention with the reason recorded. */
const toRetention = [
  (now: Date) => commands.openCase(now),
  (now: Date) => commands.startIdentityVerification(now),
  (now: Date) => commands.confirmIdentityCode(now),
  (now: Date) => commands.sendForm(now),
  (now: Date) => commands.recordReasonConversation(now),
];

describe("happy paths, one per outcome", () => {
  it("cancelled at end of term", () => {
    const { case: c, events } = run(context, [
      ...toRetention,
      (now) => commands.presentOffer(now),
      (now) => commands.answerOffer(now, { answer: "declined" }),
      (now) => commands.submitForm(now, { requestedEffective: "end_of_term" }),
      (now) => commands.escalateToCsm(now),
      (now) => commands.csmEngage(now),
      (now) => commands.recordCsmOutcome(now),
      (now) => commands.processCancellation(now),
      (now) => commands.recordConfirmation(now, { channel: "email" }),
      (now) => commands.requestFeedback(now),
      (now) => commands.submitFeedback(now),
      (now) => commands.closeCase(now),
    ]);
    expect(c.state).toBe("closed");
    expect(c.outcome).toBe("cancelled");
    expect(c.version).toBe(16);
    expect(c.processing).toMatchObject({
      mode: "end_of_term",
      effectiveAt: "2025-03-20T00:00:00.000Z",
      timeBoxUsed: false,
    });
    expect(types(events)).toEqual([
      "case_opened",
      "identity_verification_started",
      "identity_verified",
      "form_sent",
      "reason_recorded",
      "offer_presented",
      "offer_answered",
      "form_submitted",
      "escalated_to_csm",
      "csm_engaged",
      "csm_outcome_recorded",
      "cancellation_processed",
      "confirmation_recorded",
      "feedback_requested",
      "feedback_submitted",
      "case_closed",
    ]);
    const doc = c.documentation;
    expect(doc).toMatchObject({
      outcome: "cancelled",
      reason: { code: "too_expensive", label: "too expensive" },
      escalation: { outcome: "proceed", decidedBy: CSM.userId, slaStatus: "met" },
      confirmation: { channel: "email" },
      feedback: { submission: { rating: 4 } },
      summary: "Cancelled at end of term; feedback received.",
    });
    expect(doc?.offers.map((o) => [o.offerCode, o.answer])).toEqual([
      ["discount_20_3m", "declined"],
    ]);
    expect(doc?.trail.length).toBeGreaterThanOrEqual(12);
    // The case is plain JSON: it survives storage unchanged.
    expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  });

  it("cancelled immediately, verified by security check, confirmed by SMS, no suitable offer", () => {
    const smsContext = makeContext({ requester: { preferredChannel: "sms" } });
    const { case: c, events } = run(smsContext, [
      (now) => commands.openCase(now, { channel: "email" }),
      (now) => commands.verifyBySecurityCheck(now),
      (now) => commands.sendForm(now),
      (now) =>
        commands.submitForm(now, {
          reasonCode: "hiring_freeze",
          requestedEffective: "immediately",
          preferredConfirmationChannel: "sms",
        }),
      (now) => commands.recordReasonConversation(now, { reasonCode: "hiring_freeze" }),
      (now) => commands.recordNoSuitableOffer(now),
      (now) => commands.escalateToCsm(now),
      (now) => commands.recordCsmOutcome(now),
      (now) => commands.processCancellation(now),
      (now) => commands.recordConfirmation(now, { channel: "sms" }),
      (now) => commands.requestFeedback(now),
      (now, c) =>
        commands.expireFeedbackRequest(new Date(c.feedback?.expiresAt ?? now), { actor: SYSTEM }),
      (now) => commands.closeCase(now, { actor: SYSTEM, summary: null }),
    ]);
    expect(c.outcome).toBe("cancelled");
    expect(c.identity.method).toBe("security_check");
    expect(c.processing?.mode).toBe("immediately");
    expect(c.processing?.effectiveAt).toBe(c.processing?.processedAt);
    expect(c.form?.deliveryChannel).toBe("sms");
    expect(c.feedback?.expiredAt).toBe(c.feedback?.expiresAt);
    // Recording the outcome without a separate engagement counts as the CSM's engagement.
    expect(types(events)).toContain("csm_engaged");
    expect(c.documentation?.noSuitableOffer?.reason).toMatch(/closing its recruiting team/);
  });

  it("retained by the AM's offer: the offer is applied and the case closes", () => {
    const before = caseIn("retention");
    const { case: c, events } = accepted(
      decide(before, commands.answerOffer(nextMinute(before), { answer: "accepted" }), context),
    );
    expect(c.state).toBe("closed");
    expect(c.outcome).toBe("retained");
    expect(types(events)).toEqual(["offer_answered", "offer_accepted", "case_closed"]);
    const acceptedEvent = events.find((e) => e.type === "offer_accepted");
    expect(acceptedEvent).toMatchObject({
      subscriptionId: "sub-1",
      offer: { code: "discount_20_3m", kind: "discount" },
      effect: {
        monthlyValueBeforeMinor: 49_900,
        monthlyValueDuringMinor: 39_920,
        durationMonths: 3,
        monthlyValueAfterMinor: 49_900,
      },
    });
    expect(c.documentation?.offers[0]?.answer).toBe("accepted");
    const kinds = outboxForDecision(events, c).map((m) => m.kind);
    expect(kinds).toEqual([
      "staff_notification",
      "billing_apply_offer",
      "offer_confirmation",
      "webhook",
      "webhook",
    ]);
  });

  it("retained by the CSM with a custom offer", () => {
    const before = caseIn("escalated");
    const { case: c, events } = accepted(
      decide(
        before,
        commands.recordCsmOutcome(nextMinute(before), {
          outcome: "retained",
          offerCode: "custom_csm",
          customTerms: "Two free seats until the end of the year.",
          notes: "Customer stays for the extra seats.",
        }),
        context,
      ),
    );
    expect(c.outcome).toBe("retained");
    expect(c.escalation).toMatchObject({
      outcome: "retained",
      retainedOfferCode: "custom_csm",
      decidedBy: CSM.userId,
    });
    expect(types(events)).toEqual([
      "csm_engaged",
      "csm_outcome_recorded",
      "offer_presented",
      "offer_answered",
      "offer_accepted",
      "case_closed",
    ]);
    expect(c.offers.at(-1)).toMatchObject({
      offerCode: "custom_csm",
      answer: "accepted",
      presentedBy: CSM,
    });
  });

  it("withdrawn by the customer before processing", () => {
    const before = caseIn("finalizing");
    const { case: c, events } = accepted(
      decide(before, commands.withdraw(nextMinute(before)), context),
    );
    expect(c.outcome).toBe("withdrawn");
    expect(types(events)).toEqual(["case_withdrawn", "case_closed"]);
    expect(c.documentation?.withdrawal).toMatchObject({
      reason: "Decided to stay.",
      withdrawnBy: REQUESTER,
    });
  });

  it("unverified after the attempt limit", () => {
    const { case: c, events } = runToUnverified(context);
    expect(c.state).toBe("closed");
    expect(c.outcome).toBe("unverified");
    expect(c.identity.attempts).toBe(3);
    expect(types(events).slice(-2)).toEqual(["identity_verification_failed", "case_closed"]);
    expect(
      events
        .filter((e) => e.type === "identity_verification_failed")
        .map((e) => "attemptsLeft" in e && e.attemptsLeft),
    ).toEqual([2, 1, 0]);
    expect(c.documentation?.requester).toMatchObject({ failedAttempts: 3, verifiedAt: null });
  });
});

describe("step 1: initial contact and identity", () => {
  it("refuses a requester who is not an authorised contact", () => {
    for (const requester of [
      { role: "user" as const, authorisedToCancel: true },
      { role: "owner" as const, authorisedToCancel: false },
    ]) {
      const ctx = makeContext({ requester });
      expect(refusalCode(decide(undefined, commands.openCase(T0), ctx))).toBe(
        "REQUESTER_NOT_AUTHORISED",
      );
    }
    expect(
      refusalCode(
        decide(
          undefined,
          commands.openCase(T0),
          makeContext({ requester: { role: "billing_admin" } }),
        ),
      ),
    ).toBe("accepted");
  });

  it("re-checks authorisation at verification (the contact may have changed since)", () => {
    const c = caseIn("intake");
    const ctx = makeContext({ requester: { authorisedToCancel: false } });
    expect(refusalCode(decide(c, commands.confirmIdentityCode(nextMinute(c)), ctx))).toBe(
      "REQUESTER_NOT_AUTHORISED",
    );
  });

  it("refuses a subscription that is already cancelled or scheduled to cancel", () => {
    for (const status of ["cancelled", "cancellation_scheduled"] as const) {
      const ctx = makeContext({ subscription: { status } });
      expect(refusalCode(decide(undefined, commands.openCase(T0), ctx))).toBe(
        "SUBSCRIPTION_NOT_ACTIVE",
      );
    }
  });

  it("lets customers open only their own request, and defaults the AM to the acting AM", () => {
    expect(
      refusalCode(decide(undefined, commands.openCase(T0, { actor: OTHER_CONTACT }), context)),
    ).toBe("NOT_THE_REQUESTER");
    const byCustomer = accepted(
      decide(undefined, commands.openCase(T0, { actor: REQUESTER, channel: "portal" }), context),
    );
    expect(byCustomer.case.assignedAmId).toBeNull();
    expect(byCustomer.case.assignedCsmId).toBe(CSM.userId);
    const byAm = accepted(decide(undefined, commands.openCase(T0), context));
    expect(byAm.case.assignedAmId).toBe(AM.userId);
    // A self-service case goes to the account's own AM.
    const withAm = makeContext({ account: { accountManagerId: AM2.userId } });
    const selfService = accepted(
      decide(undefined, commands.openCase(T0, { actor: REQUESTER }), withAm),
    );
    expect(selfService.case.assignedAmId).toBe(AM2.userId);
  });

  it("gives a new case to the account's own AM and CSM only while they are active staff", () => {
    // The context names the active staff; AM2 and CSM have left (deactivated).
    const { [AM2.userId]: _am, [CSM.userId]: _csm, ...stillHere } = context.staff;
    const leftAccount = makeContext({
      account: { accountManagerId: AM2.userId, assignedCsmId: CSM.userId },
      staff: stillHere,
    });
    const opened = accepted(
      decide(undefined, commands.openCase(T0, { actor: REQUESTER }), leftAccount),
    );
    // Unassigned, so the Unassigned queue shows it, rather than in a deactivated user's queue.
    expect(opened.case.assignedAmId).toBeNull();
    expect(opened.case.assignedCsmId).toBeNull();
  });

  it("needs a code before confirming it, and refuses an expired code", () => {
    const opened = apply(undefined, commands.openCase(T0), context);
    expect(
      refusalCode(decide(opened, commands.confirmIdentityCode(nextMinute(opened)), context)),
    ).toBe("IDENTITY_CODE_NOT_SENT");
    const sent = apply(opened, commands.startIdentityVerification(nextMinute(opened)), context);
    const late = minutesAfter(sent.identity.codeExpiresAt ?? "", 0);
    expect(refusalCode(decide(sent, commands.confirmIdentityCode(late), context))).toBe(
      "IDENTITY_CODE_EXPIRED",
    );
    // A new code replaces the expired one.
    const resent = apply(sent, commands.startIdentityVerification(late), context);
    expect(resent.identity.codesSent).toBe(2);
    expect(
      refusalCode(decide(resent, commands.confirmIdentityCode(minutesAfter(late, 1)), context)),
    ).toBe("accepted");
  });

  it("refuses a code lifetime longer than the policy's", () => {
    const opened = apply(undefined, commands.openCase(T0), context);
    const now = nextMinute(opened);
    const decision = decide(
      opened,
      commands.startIdentityVerification(now, { codeExpiresAt: minutesAfter(now, 16) }),
      context,
    );
    expect(decision.ok ? [] : decision.refusal.fields?.map((f) => f.field)).toEqual([
      "codeExpiresAt",
    ]);
  });

  it("allows only the methods the policy lists", () => {
    const ctx = makeContext({
      policy: { ...testPolicy, identity: { ...testPolicy.identity, methods: ["code"] } },
    });
    const c = caseIn("intake", ctx);
    expect(refusalCode(decide(c, commands.verifySelfService(nextMinute(c)), ctx))).toBe(
      "IDENTITY_METHOD_NOT_ALLOWED",
    );
  });

  it("lets only the requester confirm their code, and only customers or the system self-verify", () => {
    const c = caseIn("intake");
    expect(
      refusalCode(
        decide(c, commands.confirmIdentityCode(nextMinute(c), { actor: OTHER_CONTACT }), context),
      ),
    ).toBe("NOT_THE_REQUESTER");
    expect(
      refusalCode(decide(c, commands.verifySelfService(nextMinute(c), { actor: AM }), context)),
    ).toBe("CUSTOMER_ONLY");
    expect(
      refusalCode(
        decide(c, commands.verifyBySecurityCheck(nextMinute(c), { actor: SYSTEM }), context),
      ),
    ).toBe("STAFF_ONLY");
  });
});

describe("step 2: the Cancellation Request Form", () => {
  it("counts only the customer's own, valid submission", () => {
    const c = caseIn("retention");
    const now = nextMinute(c);
    expect(refusalCode(decide(c, commands.submitForm(now, {}, { actor: AM }), context))).toBe(
      "CUSTOMER_ONLY",
    );
    const bad = decide(
      c,
      commands.submitForm(now, {
        reasonCode: "nope",
        details: "x".repeat(2001),
        requestedEffective: "tomorrow" as never,
        preferredConfirmationChannel: "fax" as never,
        authorityConfirmed: false,
      }),
      context,
    );
    expect(bad.ok ? [] : bad.refusal.fields?.map((f) => f.field)).toEqual([
      "submission.reasonCode",
      "submission.details",
      "submission.requestedEffective",
      "submission.preferredConfirmationChannel",
      "submission.authorityConfirmed",
    ]);
    const other = decide(
      c,
      commands.submitForm(now, { reasonCode: "other", details: "  " }),
      context,
    );
    expect(other.ok ? [] : other.refusal.fields).toEqual([
      { field: "submission.details", message: "is required" },
    ]);
  });

  it("takes only a confirmation channel the requester can be reached on", () => {
    const noPhone = makeContext({ requester: { hasPhone: false } });
    const c = caseIn("retention", noPhone);
    const now = nextMinute(c);
    for (const channel of ["sms", "phone"] as const) {
      const refused = decide(
        c,
        commands.submitForm(now, { preferredConfirmationChannel: channel }),
        noPhone,
      );
      expect(refused.ok ? [] : refused.refusal.fields).toEqual([
        {
          field: "submission.preferredConfirmationChannel",
          message: `cannot be ${channel}: we have no phone number on file for you; choose email`,
        },
      ]);
    }
    expect(
      decide(c, commands.submitForm(now, { preferredConfirmationChannel: "email" }), noPhone).ok,
    ).toBe(true);
    const noEmail = makeContext({ requester: { hasEmail: false } });
    const byText = decide(
      caseIn("retention", noEmail),
      commands.submitForm(now, { preferredConfirmationChannel: "email" }),
      noEmail,
    );
    expect(byText.ok ? [] : byText.refusal.fields?.map((f) => f.message)).toEqual([
      "cannot be email: we have no email address on file for you; choose sms or phone",
    ]);
  });

  it("lets an expired link go and waits for a resend; the case stays where it is", () => {
    const c = caseIn("retention");
    const expiresAt = new Date(c.form?.expiresAt ?? "");
    expect(refusalCode(decide(c, commands.expireForm(minutesAfter(expiresAt, -1)), context))).toBe(
      "FORM_LINK_STILL_VALID",
    );
    expect(refusalCode(decide(c, commands.expireForm(expiresAt, { actor: AM }), context))).toBe(
      "SYSTEM_ONLY",
    );
    const expired = accepted(decide(c, commands.expireForm(expiresAt), context));
    expect(expired.case.state).toBe("retention");
    expect(expired.case.formStatus).toBe("sent");
    expect(expired.case.form?.linkExpiredAt).toBe(c.form?.expiresAt);
    expect(
      refusalCode(decide(expired.case, commands.expireForm(minutesAfter(expiresAt, 5)), context)),
    ).toBe("FORM_LINK_EXPIRED");
    expect(
      refusalCode(decide(expired.case, commands.submitForm(minutesAfter(expiresAt, 5)), context)),
    ).toBe("FORM_LINK_EXPIRED");
    const resent = apply(expired.case, commands.resendForm(minutesAfter(expiresAt, 10)), context);
    expect(resent.form).toMatchObject({ sendCount: 2, linkExpiredAt: null });
    expect(
      refusalCode(decide(resent, commands.submitForm(minutesAfter(expiresAt, 11)), context)),
    ).toBe("accepted");
  });

  it("refuses a submission after the link's expiry even before the timer marked it", () => {
    const c = caseIn("retention");
    expect(
      refusalCode(decide(c, commands.submitForm(new Date(c.form?.expiresAt ?? "")), context)),
    ).toBe("FORM_LINK_EXPIRED");
  });
});

describe("step 3: assistance and alternatives", () => {
  const verified = () =>
    run(context, [
      (now) => commands.openCase(now),
      (now) => commands.verifyBySecurityCheck(now),
      (now) => commands.sendForm(now),
    ]).case;

  it("asks for the reason conversation before any offer, even when the form gives a reason", () => {
    const c = verified();
    expect(refusalCode(decide(c, commands.presentOffer(nextMinute(c)), context))).toBe(
      "REASON_NOT_RECORDED",
    );
    expect(refusalCode(decide(c, commands.recordNoSuitableOffer(nextMinute(c)), context))).toBe(
      "REASON_NOT_RECORDED",
    );
    const submitted = apply(
      c,
      commands.submitForm(nextMinute(c), { reasonCode: "too_expensive" }),
      context,
    );
    expect(
      refusalCode(decide(submitted, commands.presentOffer(nextMinute(submitted)), context)),
    ).toBe("REASON_NOT_RECORDED");
    const talked = apply(
      submitted,
      commands.recordReasonConversation(nextMinute(submitted)),
      context,
    );
    expect(refusalCode(decide(talked, commands.presentOffer(nextMinute(talked)), context))).toBe(
      "accepted",
    );
  });

  it("offers only the catalog's eligible offers, by the roles allowed", () => {
    const c = caseIn("retention"); // reason too_expensive, growth plan at 499.00
    const now = nextMinute(c);
    const code = (offerCode: string, extra: Partial<Command> = {}) =>
      refusalCode(
        decide(c, { ...commands.presentOffer(now, { offerCode }), ...extra } as Command, context),
      );
    expect(code("free_lunch")).toBe("OFFER_UNKNOWN");
    expect(code("pause_3m")).toBe("OFFER_NOT_ELIGIBLE"); // not for too_expensive
    expect(code("custom_csm")).toBe("OFFER_ROLE_NOT_ALLOWED");
    expect(code("discount_20_3m")).toBe("OFFER_ALREADY_PRESENTED");
    expect(code("downgrade_starter")).toBe("accepted");
    const starter = makeContext({
      subscription: { planCode: "starter", monthlyValueMinor: 19_900 },
    });
    const onStarter = caseIn("retention", starter);
    expect(
      refusalCode(
        decide(
          onStarter,
          commands.presentOffer(nextMinute(onStarter), { offerCode: "downgrade_starter" }),
          starter,
        ),
      ),
    ).toBe("OFFER_NOT_ELIGIBLE");
  });

  it("needs custom terms for a custom offer, and a written reason for no suitable offer", () => {
    const c = caseIn("escalated");
    const custom = decide(
      c,
      commands.presentOffer(nextMinute(c), { offerCode: "custom_csm", actor: CSM }),
      context,
    );
    expect(custom.ok ? [] : custom.refusal.fields?.map((f) => f.field)).toEqual(["customTerms"]);
    const r = caseIn("retention");
    const noReason = decide(
      r,
      commands.recordNoSuitableOffer(nextMinute(r), { reason: "no" }),
      context,
    );
    expect(noReason.ok ? "" : noReason.refusal.code).toBe("INVALID_INPUT");
  });

  it("refuses an answer to an offer never presented, already answered or expired", () => {
    const c = caseIn("retention");
    expect(
      refusalCode(
        decide(c, commands.answerOffer(nextMinute(c), { offerCode: "training_session" }), context),
      ),
    ).toBe("OFFER_NOT_PRESENTED");
    const expiresAt = new Date(c.offers[0]?.expiresAt ?? "");
    expect(
      refusalCode(decide(c, commands.answerOffer(expiresAt, { answer: "accepted" }), context)),
    ).toBe("OFFER_EXPIRED");
    // An expired offer no longer holds up the escalation.
    expect(refusalCode(decide(c, commands.escalateToCsm(expiresAt), context))).toBe("accepted");
  });
});

describe("step 4: escalation to the CSM", () => {
  it("needs an offer presented or no suitable offer recorded first", () => {
    const c = run(context, toRetention).case;
    expect(refusalCode(decide(c, commands.escalateToCsm(nextMinute(c)), context))).toBe(
      "NO_OFFER_PRESENTED",
    );
    const noOffer = apply(c, commands.recordNoSuitableOffer(nextMinute(c)), context);
    expect(refusalCode(decide(noOffer, commands.escalateToCsm(nextMinute(noOffer)), context))).toBe(
      "accepted",
    );
  });

  it("escalates to a CSM who holds the role and is not the AM, with an SLA", () => {
    const c = caseIn("retention");
    const later = new Date(c.offers[0]?.expiresAt ?? "");
    const noCsm = makeContext({ account: { assignedCsmId: null } });
    const bare = { ...c, assignedCsmId: null };
    expect(refusalCode(decide(bare, commands.escalateToCsm(later), noCsm))).toBe(
      "CSM_NOT_AVAILABLE",
    );
    expect(
      refusalCode(decide(bare, commands.escalateToCsm(later, { csmId: AM.userId }), noCsm)),
    ).toBe("CSM_IS_CASE_AM");
    expect(
      refusalCode(decide(bare, commands.escalateToCsm(later, { csmId: AM2.userId }), noCsm)),
    ).toBe("ASSIGNEE_ROLE_MISMATCH");
    const escalated = accepted(
      decide(bare, commands.escalateToCsm(later, { csmId: CSM2.userId }), noCsm),
    );
    expect(escalated.case.assignedCsmId).toBe(CSM2.userId);
    expect(escalated.case.escalation?.slaDueAt).toBe(
      new Date(later.getTime() + 24 * 3600_000).toISOString(),
    );
  });

  it("says so when the CSM the case would go to was deactivated", () => {
    const c = caseIn("retention");
    const later = new Date(c.offers[0]?.expiresAt ?? "");
    // Active staff only: the account's CSM is missing once deactivated.
    const withoutCsm = makeContext({
      account: { assignedCsmId: CSM.userId },
      staff: { [AM.userId]: { role: "account_manager" }, [CSM2.userId]: { role: "csm" } },
    });
    const bare = { ...c, assignedCsmId: null };
    expect(refusalCode(decide(bare, commands.escalateToCsm(later), withoutCsm))).toBe(
      "CSM_INACTIVE",
    );
    expect(
      accepted(decide(bare, commands.escalateToCsm(later, { csmId: CSM2.userId }), withoutCsm)).case
        .assignedCsmId,
    ).toBe(CSM2.userId);
  });

  it("lets only a CSM who is not the case's AM engage and decide", () => {
    const c = caseIn("escalated");
    const now = nextMinute(c);
    expect(refusalCode(decide(c, commands.recordCsmOutcome(now, { actor: AM }), context))).toBe(
      "CSM_ROLE_REQUIRED",
    );
    expect(refusalCode(decide(c, commands.recordCsmOutcome(now, { actor: ADMIN }), context))).toBe(
      "CSM_ROLE_REQUIRED",
    );
    expect(refusalCode(decide(c, commands.csmEngage(now, { actor: SYSTEM }), context))).toBe(
      "CSM_ROLE_REQUIRED",
    );
    const csmIsAm = { ...c, assignedAmId: CSM2.userId };
    expect(
      refusalCode(decide(csmIsAm, commands.recordCsmOutcome(now, { actor: CSM2 }), context)),
    ).toBe("CSM_IS_CASE_AM");
    const engagedByOther = accepted(decide(c, commands.csmEngage(now, { actor: CSM2 }), context));
    expect(types(engagedByOther.events)).toEqual(["csm_engaged", "case_reassigned"]);
    expect(engagedByOther.case.assignedCsmId).toBe(CSM2.userId);
    expect(
      refusalCode(
        decide(
          engagedByOther.case,
          commands.csmEngage(nextMinute(engagedByOther.case), { actor: CSM2 }),
          context,
        ),
      ),
    ).toBe("CSM_ALREADY_ENGAGED");
  });

  it("needs notes, and an offer when retained", () => {
    const c = caseIn("escalated");
    const now = nextMinute(c);
    const noOffer = decide(c, commands.recordCsmOutcome(now, { outcome: "retained" }), context);
    expect(noOffer.ok ? [] : noOffer.refusal.fields?.map((f) => f.field)).toEqual(["offerCode"]);
    const noNotes = decide(c, commands.recordCsmOutcome(now, { notes: " " }), context);
    expect(noNotes.ok ? [] : noNotes.refusal.fields?.map((f) => f.field)).toEqual(["notes"]);
    expect(
      refusalCode(
        decide(
          c,
          commands.recordCsmOutcome(now, { outcome: "retained", offerCode: "pause_3m" }),
          context,
        ),
      ),
    ).toBe("OFFER_NOT_ELIGIBLE");
  });

  it("waits for open offers before the CSM decides to proceed", () => {
    const offered = escalatedWithCsmOffer(context);
    expect(
      refusalCode(decide(offered, commands.recordCsmOutcome(nextMinute(offered)), context)),
    ).toBe("OFFER_ANSWER_PENDING");
    const answered = apply(
      offered,
      commands.answerOffer(nextMinute(offered), {
        offerCode: "training_session",
        answer: "accepted",
      }),
      context,
    );
    expect(answered.outcome).toBe("retained");
  });
});

describe("step 5: finalize", () => {
  it("needs the customer's submitted form", () => {
    const { case: c } = run(context, [
      ...toRetention,
      (now) => commands.recordNoSuitableOffer(now),
      (now) => commands.escalateToCsm(now),
      (now) => commands.recordCsmOutcome(now),
    ]);
    expect(c.state).toBe("finalizing");
    expect(refusalCode(decide(c, commands.processCancellation(nextMinute(c)), context))).toBe(
      "FORM_NOT_SUBMITTED",
    );
  });

  it("is time-boxed only when the policy says so, and records the time box", () => {
    const boxed = makeContext({ policy: withSlas({ csmStepTimeBox: true }) });
    const c = caseIn("escalated", boxed);
    const due = new Date(c.escalation?.slaDueAt ?? "");
    const early = decide(c, commands.processCancellation(minutesAfter(due, -1)), boxed);
    expect(refusalCode(early)).toBe("CSM_OUTCOME_MISSING");
    expect(early.ok ? "" : early.refusal.message).toMatch(/time-boxed/);
    const processed = accepted(decide(c, commands.processCancellation(due), boxed));
    expect(processed.case.processing?.timeBoxUsed).toBe(true);
    expect(processed.events[0]).toMatchObject({
      type: "cancellation_processed",
      timeBoxUsed: true,
    });
    // Without the time box, an overdue CSM still holds up processing.
    const strict = caseIn("escalated");
    expect(
      refusalCode(
        decide(strict, commands.processCancellation(minutesAfter(due, 60 * 24 * 30)), context),
      ),
    ).toBe("CSM_OUTCOME_MISSING");
  });

  it("takes effect now when the period end has already passed", () => {
    const c = caseIn("finalizing");
    const ctx = makeContext({ subscription: { currentPeriodEnd: T0 } });
    const processed = accepted(decide(c, commands.processCancellation(nextMinute(c)), ctx));
    expect(processed.case.processing?.effectiveAt).toBe(nextMinute(c).toISOString());
    // It is an immediate cancellation (the ledger ends it, the confirmation says so), while
    // the form keeps what the customer asked for.
    expect(processed.case.processing?.mode).toBe("immediately");
    expect(processed.events.at(-1)).toMatchObject({ mode: "immediately" });
    expect(processed.case.form?.submission?.requestedEffective).toBe("end_of_term");
  });

  it("confirms only on the customer's preferred channel, with the call's outcome for phone", () => {
    const byPhone = run(context, [
      ...toRetention.slice(0, 4),
      (now) => commands.submitForm(now, { preferredConfirmationChannel: "phone" }),
      (now) => commands.recordReasonConversation(now),
      (now) => commands.recordNoSuitableOffer(now),
      (now) => commands.escalateToCsm(now),
      (now) => commands.recordCsmOutcome(now),
      (now) => commands.processCancellation(now),
    ]);
    const c = byPhone.case;
    const callTask = outboxForDecision(byPhone.events.slice(-1), c).map(
      (m) => m.kind === "staff_notification" && m.topic,
    );
    expect(callTask).toContain("confirmation_call_due");
    const now = nextMinute(c);
    const wrong = decide(c, commands.recordConfirmation(now, { channel: "email" }), context);
    expect(refusalCode(wrong)).toBe("CONFIRMATION_CHANNEL_MISMATCH");
    expect(wrong.ok ? "" : wrong.refusal.message).toMatch(/by phone/);
    const noOutcome = decide(c, commands.recordConfirmation(now, { channel: "phone" }), context);
    expect(noOutcome.ok ? [] : noOutcome.refusal.fields?.map((f) => f.field)).toEqual([
      "callOutcome",
    ]);
    const done = accepted(
      decide(
        c,
        commands.recordConfirmation(now, { channel: "phone", callOutcome: "reached" }),
        context,
      ),
    );
    expect(done.case.confirmation?.callOutcome).toBe("reached");
    expect(outboxForDecision(done.events, done.case)).toEqual([]);
  });
});

describe("step 6 and 7: feedback and closing", () => {
  it("settles the offers still waiting when the case closes: expired, or overtaken by the close", () => {
    const retention = caseIn("retention");
    const [open] = retention.offers;
    expect(open?.answer).toBe("pending");
    const withdrawnNow = accepted(
      decide(retention, commands.withdraw(nextMinute(retention)), context),
    );
    expect(withdrawnNow.case.offers.map((o) => o.answer)).toEqual(["unanswered"]);
    expect(withdrawnNow.case.documentation?.offers.map((o) => o.answer)).toEqual(["unanswered"]);
    const late = minutesAfter(open!.expiresAt, 1);
    const withdrawnLate = accepted(decide(retention, commands.withdraw(late), context));
    expect(withdrawnLate.case.offers.map((o) => o.answer)).toEqual(["expired"]);

    // Another offer accepted while the first still waits: the first was never answered.
    const second = apply(
      retention,
      commands.presentOffer(nextMinute(retention), { offerCode: "training_session" }),
      context,
    );
    const saved = accepted(
      decide(
        second,
        commands.answerOffer(nextMinute(second), {
          offerCode: "training_session",
          answer: "accepted",
        }),
        context,
      ),
    );
    expect(saved.case.outcome).toBe("retained");
    expect(saved.case.offers.map((o) => [o.offerCode, o.answer])).toEqual([
      ["discount_20_3m", "unanswered"],
      ["training_session", "accepted"],
    ]);
  });

  it("expires the feedback request only once it ran out, then lets the case close", () => {
    const c = caseIn("feedback");
    const expiresAt = new Date(c.feedback?.expiresAt ?? "");
    expect(
      refusalCode(decide(c, commands.expireFeedbackRequest(minutesAfter(expiresAt, -1)), context)),
    ).toBe("FEEDBACK_REQUEST_STILL_OPEN");
    expect(refusalCode(decide(c, commands.submitFeedback(expiresAt), context))).toBe(
      "FEEDBACK_REQUEST_EXPIRED",
    );
    const expired = apply(c, commands.expireFeedbackRequest(expiresAt), context);
    expect(
      refusalCode(decide(expired, commands.submitFeedback(nextMinute(expired)), context)),
    ).toBe("FEEDBACK_REQUEST_EXPIRED");
    const closed = apply(expired, commands.closeCase(nextMinute(expired)), context);
    expect(closed.outcome).toBe("cancelled");
    expect(closed.documentation?.feedback?.expiredAt).toBe(c.feedback?.expiresAt);
  });

  it("validates the survey answers", () => {
    const c = caseIn("feedback");
    const bad = decide(
      c,
      commands.submitFeedback(nextMinute(c), { rating: 6, decisionReason: "moon" }),
      context,
    );
    expect(bad.ok ? [] : bad.refusal.fields?.map((f) => f.field)).toEqual([
      "rating",
      "decisionReason",
    ]);
  });

  it("changes nothing after close, whoever asks", () => {
    const c = caseIn("closed");
    for (const actor of [AM, ADMIN, CSM, REQUESTER, SYSTEM]) {
      expect(refusalCode(decide(c, commands.addNote(nextMinute(c), { actor }), context))).toBe(
        "CASE_CLOSED",
      );
    }
  });
});

describe("any step", () => {
  it("reassigns only to users with the right role", () => {
    const c = caseIn("retention");
    const now = nextMinute(c);
    expect(refusalCode(decide(c, commands.reassign(now, { toUserId: AM.userId }), context))).toBe(
      "ALREADY_ASSIGNED",
    );
    expect(refusalCode(decide(c, commands.reassign(now, { toUserId: CSM2.userId }), context))).toBe(
      "ASSIGNEE_ROLE_MISMATCH",
    );
    expect(refusalCode(decide(c, commands.reassign(now, { toUserId: "u-ghost" }), context))).toBe(
      "ASSIGNEE_ROLE_MISMATCH",
    );
    expect(
      refusalCode(
        decide(c, commands.reassign(now, { slot: "csm", toUserId: CSM2.userId }), context),
      ),
    ).toBe("accepted");
    expect(refusalCode(decide(c, commands.reassign(now, { actor: REQUESTER }), context))).toBe(
      "STAFF_ONLY",
    );
  });

  it("numbers notes and refuses empty ones", () => {
    const c = caseIn("form");
    const one = apply(c, commands.addNote(nextMinute(c)), context);
    const two = apply(one, commands.addNote(nextMinute(one), { text: "Second." }), context);
    expect(two.notes.map((n) => n.number)).toEqual([1, 2]);
    expect(refusalCode(decide(two, commands.addNote(nextMinute(two), { text: "" }), context))).toBe(
      "INVALID_INPUT",
    );
  });

  it("acts only with the policy version the case was opened under", () => {
    const c = caseIn("form");
    const v2 = makeContext({ policy: { ...testPolicy, version: 2 } });
    expect(refusalCode(decide(c, commands.addNote(nextMinute(c)), v2))).toBe(
      "POLICY_VERSION_MISMATCH",
    );
  });

  it("refuses an invalid clock reading", () => {
    const c = caseIn("form");
    expect(refusalCode(decide(c, commands.addNote(new Date("nope")), context))).toBe(
      "INVALID_INPUT",
    );
  });

  it("stamps every event with the case, the new version, the time and the actor", () => {
    const c = caseIn("retention");
    const now = nextMinute(c);
    const { case: next, events } = accepted(
      decide(c, commands.answerOffer(now, { answer: "accepted" }), context),
    );
    for (const event of events) {
      expect(event).toMatchObject({
        caseId: c.id,
        version: next.version,
        at: now.toISOString(),
        actor: REQUESTER,
      });
    }
  });
});

describe("who may do what, and with what, after the policy review", () => {
  /** A case whose retention steps CSM2 covered and which CSM2 escalated to the account's CSM. */
  const escalatedByCsm2 = () => {
    const retention = caseIn("retention");
    const answered = apply(
      retention,
      commands.answerOffer(nextMinute(retention), { answer: "declined" }),
      context,
    );
    const submitted = apply(answered, commands.submitForm(nextMinute(answered)), context);
    return apply(
      submitted,
      commands.escalateToCsm(nextMinute(submitted), { actor: CSM2, csmId: CSM.userId }),
      context,
    );
  };

  it("keeps the CSM's final engagement with a second person: not the one who escalated", () => {
    // A CSM working the retention steps of a case whose AM is someone else.
    const c = caseIn("retention");
    const answered = apply(c, commands.answerOffer(nextMinute(c), { answer: "declined" }), context);
    const submitted = apply(answered, commands.submitForm(nextMinute(answered)), context);
    expect(
      refusalCode(
        decide(
          submitted,
          commands.escalateToCsm(nextMinute(submitted), { actor: CSM, csmId: CSM.userId }),
          context,
        ),
      ),
    ).toBe("CSM_ESCALATED_THE_CASE");
    const byCsm2 = apply(
      submitted,
      commands.escalateToCsm(nextMinute(submitted), { actor: CSM2, csmId: CSM.userId }),
      context,
    );
    for (const command of [
      commands.csmEngage(nextMinute(byCsm2), { actor: CSM2 }),
      commands.recordCsmOutcome(nextMinute(byCsm2), { actor: CSM2 }),
    ]) {
      expect(refusalCode(decide(byCsm2, command, context)), command.kind).toBe(
        "CSM_ESCALATED_THE_CASE",
      );
    }
    expect(
      refusalCode(decide(byCsm2, commands.recordCsmOutcome(nextMinute(byCsm2)), context)),
    ).toBe("accepted");
  });

  it("never takes an integration's API key for a person: not the case's AM, not its CSM", () => {
    const helpDesk = apiKeyActor("key-1", "account_manager");
    const withAm = makeContext({ account: { accountManagerId: AM.userId } });
    const opened = decide(undefined, commands.openCase(T0, { actor: helpDesk }), withAm);
    expect(opened.ok && opened.case.assignedAmId).toBe(AM.userId);
    const c = caseIn("escalated");
    const csmKey = apiKeyActor("key-2", "csm");
    for (const command of [
      commands.csmEngage(nextMinute(c), { actor: csmKey }),
      commands.recordCsmOutcome(nextMinute(c), { actor: csmKey }),
    ]) {
      expect(refusalCode(decide(c, command, context)), command.kind).toBe("CSM_ROLE_REQUIRED");
    }
    expect(
      refusalCode(decide(c, commands.presentOffer(nextMinute(c), { actor: csmKey }), context)),
    ).toBe("ALREADY_ESCALATED");
  });

  it("has staff write down what the customer said when they record a withdrawal", () => {
    const c = caseIn("escalated");
    for (const actor of [AM, SYSTEM]) {
      const decision = decide(
        c,
        commands.withdraw(nextMinute(c), { actor, reason: null }),
        context,
      );
      expect(decision.ok ? [] : decision.refusal.fields?.map((f) => f.field)).toEqual(["reason"]);
    }
    const byCustomer = accepted(
      decide(c, commands.withdraw(nextMinute(c), { actor: REQUESTER, reason: null }), context),
    );
    expect(byCustomer.case.outcome).toBe("withdrawn");
    const byAm = accepted(
      decide(
        c,
        commands.withdraw(nextMinute(c), { actor: AM, reason: "Budget found after all." }),
        context,
      ),
    );
    expect(byAm.case.withdrawal?.reason).toBe("Budget found after all.");
  });

  it("checks an offer's eligibility again when the customer accepts it", () => {
    // The discount was presented for "too expensive"; the reason is now "missing features".
    const c = caseIn("retention");
    const changed = apply(
      c,
      commands.recordReasonConversation(nextMinute(c), { reasonCode: "missing_features" }),
      context,
    );
    const decision = decide(
      changed,
      commands.answerOffer(nextMinute(changed), { answer: "accepted" }),
      context,
    );
    expect(refusalCode(decision)).toBe("OFFER_NOT_ELIGIBLE");
    expect(
      refusalCode(
        decide(changed, commands.answerOffer(nextMinute(changed), { answer: "declined" }), context),
      ),
    ).toBe("accepted");
  });

  it("records a CSM's save on the open presentation when the terms are those presented, else as a new one", () => {
    const scale = makeContext({ subscription: { monthlyValueMinor: 149_900 } });
    const presented = escalatedWithCsmOffer(scale, {
      offerCode: "custom_csm",
      customTerms: "Three months at half price.",
    });
    const save = (at: Date, customTerms: string) =>
      accepted(
        decide(
          presented,
          commands.recordCsmOutcome(at, {
            outcome: "retained",
            offerCode: "custom_csm",
            customTerms,
          }),
          scale,
        ),
      );
    const types = (events: CaseEvent[]) => events.map((e) => e.type);

    const same = save(nextMinute(presented), "Three months at half price.");
    expect(same.case.offers).toHaveLength(presented.offers.length);
    expect(same.case.offers.at(-1)).toMatchObject({
      answer: "accepted",
      customTerms: "Three months at half price.",
    });
    expect(types(same.events)).not.toContain("offer_presented");
    expect(types(same.events)).toContain("offer_answered");

    // Other terms: what was presented stays as presented (declined), the agreed terms are new.
    const other = save(nextMinute(presented), "Four months at half price.");
    expect(other.case.offers.slice(-2)).toMatchObject([
      { answer: "declined", customTerms: "Three months at half price." },
      { answer: "accepted", customTerms: "Four months at half price." },
    ]);
    expect(other.events.find((e) => e.type === "offer_accepted")).toMatchObject({
      customTerms: "Four months at half price.",
    });
    expect(types(other.events)).toEqual(
      expect.arrayContaining(["offer_answered", "offer_presented", "offer_accepted"]),
    );

    // Once the presentation has expired, the save is a new presentation, accepted.
    const expiredAt = new Date(presented.offers.at(-1)?.expiresAt ?? "");
    const late = save(minutesAfter(expiredAt, 1), "Three months at half price.");
    expect(late.case.offers).toHaveLength(presented.offers.length + 1);
    expect(types(late.events)).toEqual(
      expect.arrayContaining(["offer_presented", "offer_answered", "offer_accepted"]),
    );
  });

  it("counts a CSM's offer as engaging, and its acceptance as the CSM's outcome; not from whoever escalated", () => {
    const escalated = caseIn("escalated");
    const offered = accepted(
      decide(
        escalated,
        commands.presentOffer(nextMinute(escalated), { offerCode: "training_session", actor: CSM }),
        context,
      ),
    );
    expect(offered.case.escalation).toMatchObject({ engagedBy: CSM.userId });
    const saved = accepted(
      decide(
        offered.case,
        commands.answerOffer(nextMinute(offered.case), {
          offerCode: "training_session",
          answer: "accepted",
        }),
        context,
      ),
    );
    expect(saved.case.outcome).toBe("retained");
    expect(saved.case.escalation).toMatchObject({
      outcome: "retained",
      retainedOfferCode: "training_session",
      decidedBy: CSM.userId,
    });
    expect(saved.events.map((e) => e.type)).toContain("csm_outcome_recorded");

    // Escalated by CSM2 (covering the retention steps): CSM2 cannot present the saving offer.
    const byCsm2 = escalatedByCsm2();
    expect(
      refusalCode(
        decide(
          byCsm2,
          commands.presentOffer(nextMinute(byCsm2), { offerCode: "training_session", actor: CSM2 }),
          context,
        ),
      ),
    ).toBe("CSM_ESCALATED_THE_CASE");
  });

  it("does not process on the CSM's time box while the customer is still answering an offer", () => {
    const boxed = makeContext({ policy: withSlas({ csmStepTimeBox: true }) });
    const offered = escalatedWithCsmOffer(boxed);
    const afterSla = minutesAfter(offered.escalation?.slaDueAt ?? "", 1);
    expect(refusalCode(decide(offered, commands.processCancellation(afterSla), boxed))).toBe(
      "OFFER_ANSWER_PENDING",
    );
    const declined = apply(
      offered,
      commands.answerOffer(afterSla, { offerCode: "training_session", answer: "declined" }),
      boxed,
    );
    expect(
      refusalCode(decide(declined, commands.processCancellation(minutesAfter(afterSla, 1)), boxed)),
    ).toBe("accepted");
  });

  it("self-verifies only a request the customer started on the self-service page", () => {
    const byAm = apply(undefined, commands.openCase(T0), context);
    expect(refusalCode(decide(byAm, commands.verifySelfService(nextMinute(byAm)), context))).toBe(
      "IDENTITY_METHOD_NOT_ALLOWED",
    );
    const onPortal = apply(
      undefined,
      commands.openCase(T0, { actor: REQUESTER, channel: "portal" }),
      context,
    );
    expect(
      accepted(decide(onPortal, commands.verifySelfService(nextMinute(onPortal)), context)).case
        .state,
    ).toBe("form");
  });

  it("hands a waiting escalation to the CSM it is reassigned to, never to the one who escalated", () => {
    const c = caseIn("escalated");
    const moved = accepted(
      decide(
        c,
        commands.reassign(nextMinute(c), { slot: "csm", toUserId: CSM2.userId, actor: ADMIN }),
        context,
      ),
    );
    // The record keeps whom it was escalated to; the case now waits for CSM2.
    expect(moved.case.escalation?.csmId).toBe(CSM.userId);
    expect(moved.case.assignedCsmId).toBe(CSM2.userId);
    // Escalated by a CSM (covering the retention steps): the case cannot be handed back to them.
    const byCsm2 = escalatedByCsm2();
    expect(
      refusalCode(
        decide(
          byCsm2,
          commands.reassign(nextMinute(byCsm2), { slot: "csm", toUserId: CSM2.userId }),
          context,
        ),
      ),
    ).toBe("CSM_ESCALATED_THE_CASE");
  });

  it("leaves further offers to the CSM once the case is escalated", () => {
    const c = caseIn("escalated");
    const offer = (actor: typeof AM | typeof CSM) =>
      refusalCode(
        decide(
          c,
          commands.presentOffer(nextMinute(c), { offerCode: "training_session", actor }),
          context,
        ),
      );
    expect(offer(AM)).toBe("ALREADY_ESCALATED");
    expect(offer(CSM)).toBe("accepted");
  });

  it("takes the form, the survey answer and the self-service start from the customer alone, not the system", () => {
    const retention = caseIn("retention");
    const feedback = caseIn("feedback");
    const onPortal = apply(
      undefined,
      commands.openCase(T0, { actor: REQUESTER, channel: "portal" }),
      context,
    );
    expect(
      refusalCode(
        decide(
          retention,
          commands.submitForm(nextMinute(retention), {}, { actor: SYSTEM }),
          context,
        ),
      ),
    ).toBe("CUSTOMER_ONLY");
    expect(
      refusalCode(
        decide(feedback, commands.submitFeedback(nextMinute(feedback), { actor: SYSTEM }), context),
      ),
    ).toBe("CUSTOMER_ONLY");
    expect(
      refusalCode(
        decide(
          onPortal,
          commands.verifySelfService(nextMinute(onPortal), { actor: SYSTEM }),
          context,
        ),
      ),
    ).toBe("CUSTOMER_ONLY");
  });

  it("stops sending codes at the policy's cap (5 where a version sets none), pointing to the security check", () => {
    const send = (ctx: typeof context, times: number) => {
      let c = apply(undefined, commands.openCase(T0), ctx);
      for (let i = 0; i < times; i++) {
        c = apply(c, commands.startIdentityVerification(nextMinute(c)), ctx);
      }
      return decide(c, commands.startIdentityVerification(nextMinute(c)), ctx);
    };
    expect(refusalCode(send(context, 4))).toBe("accepted");
    const capped = send(context, 5);
    expect(refusalCode(capped)).toBe("IDENTITY_CODES_EXHAUSTED");
    expect(capped.ok ? "" : capped.refusal.message).toMatch(/security check/);
    const two = makeContext({
      policy: { ...testPolicy, identity: { ...testPolicy.identity, maxCodesSent: 2 } },
    });
    expect(refusalCode(send(two, 1))).toBe("accepted");
    expect(refusalCode(send(two, 2))).toBe("IDENTITY_CODES_EXHAUSTED");
  });
});
