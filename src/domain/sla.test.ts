import { describe, expect, it } from "vitest";
import {
  atRiskFrom,
  escalationSla,
  feedbackExpiresAt,
  formLinkExpiresAt,
  formReminderDueAt,
  identityCodeExpiresAt,
  isCsmTimeBoxOver,
  offerAnswerExpiresAt,
  slaStatus,
} from "./sla.ts";
import { caseIn, makeContext, T0, testPolicy, withSlas } from "./test-factories.ts";

const due = "2025-03-04T09:00:00.000Z";
const at = (iso: string) => new Date(iso);

describe("SLA status", () => {
  it.each([
    ["2025-03-04T04:59:59.999Z", "on_track"],
    ["2025-03-04T05:00:00.000Z", "at_risk"], // exactly 4 hours before the due time
    ["2025-03-04T08:59:59.999Z", "at_risk"],
    ["2025-03-04T09:00:00.000Z", "breached"], // a deadline is over at its exact instant
  ] as const)("at %s it is %s", (now, expected) => {
    expect(slaStatus({ dueAt: due, atRiskHours: 4, completedAt: null, now: at(now) })).toBe(
      expected,
    );
  });

  it("is met or met late once completed, whatever the time now", () => {
    const later = at("2025-04-01T00:00:00.000Z");
    expect(slaStatus({ dueAt: due, atRiskHours: 4, completedAt: due, now: later })).toBe("met");
    expect(
      slaStatus({
        dueAt: due,
        atRiskHours: 4,
        completedAt: "2025-03-04T09:00:00.001Z",
        now: later,
      }),
    ).toBe("met_late");
    expect(atRiskFrom(due, 4)).toBe("2025-03-04T05:00:00.000Z");
  });

  it("follows an escalated case's CSM engagement", () => {
    const c = caseIn("escalated");
    const policy = testPolicy;
    expect(escalationSla(caseIn("retention"), policy, T0)).toBeNull();
    const sla = escalationSla(c, policy, at(c.updatedAt));
    expect(sla).toMatchObject({ dueAt: c.escalation?.slaDueAt, status: "on_track" });
    expect(escalationSla(c, policy, at(c.escalation?.slaDueAt ?? ""))?.status).toBe("breached");
    expect(escalationSla(caseIn("finalizing"), policy, at("2030-01-01T00:00:00Z"))?.status).toBe(
      "met",
    );
  });
});

describe("the CSM step's time box", () => {
  it("is over only when enabled, escalated without outcome, and past the SLA", () => {
    const boxed = withSlas({ csmStepTimeBox: true });
    const c = caseIn("escalated", makeContext({ policy: boxed }));
    const dueAt = at(c.escalation?.slaDueAt ?? "");
    expect(isCsmTimeBoxOver(c, boxed, new Date(dueAt.getTime() - 1))).toBe(false);
    expect(isCsmTimeBoxOver(c, boxed, dueAt)).toBe(true);
    expect(isCsmTimeBoxOver(c, testPolicy, dueAt)).toBe(false);
    expect(isCsmTimeBoxOver(caseIn("finalizing"), boxed, at("2030-01-01T00:00:00Z"))).toBe(false);
  });
});

describe("expiries from the policy", () => {
  it("computes code, link, offer and feedback expiries", () => {
    expect(identityCodeExpiresAt(testPolicy, T0).toISOString()).toBe("2025-03-03T09:15:00.000Z");
    expect(formLinkExpiresAt(testPolicy, T0).toISOString()).toBe("2025-03-06T09:00:00.000Z");
    expect(offerAnswerExpiresAt(testPolicy, T0)).toBe("2025-03-06T09:00:00.000Z");
    expect(feedbackExpiresAt(testPolicy, T0).toISOString()).toBe("2025-03-17T09:00:00.000Z");
  });

  it("schedules a form reminder only while the form waits and the link is still valid", () => {
    const waiting = caseIn("retention");
    const sentAt = Date.parse(waiting.form?.sentAt ?? "");
    expect(formReminderDueAt(waiting, testPolicy)).toBe(
      new Date(sentAt + 24 * 3600_000).toISOString(),
    );
    expect(formReminderDueAt(caseIn("escalated"), testPolicy)).toBeNull(); // submitted
    expect(formReminderDueAt(waiting, withSlas({ formReminderHours: 80 }))).toBeNull(); // after expiry
    expect(formReminderDueAt(caseIn("form"), testPolicy)).toBeNull(); // not sent
  });
});
