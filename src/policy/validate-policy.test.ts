import { describe, expect, it } from "vitest";
import type { PolicyDefinition } from "../domain/policy-definition.ts";
import { validatePolicyDefinition } from "./validate-policy.ts";
import { WOOTRECRUIT_PLAN_CODES, wootrecruitPolicy } from "./wootrecruit.ts";

const options = { planCodes: WOOTRECRUIT_PLAN_CODES };

/** A deep copy of the default policy, changed by `edit`. */
function broken(edit: (policy: PolicyDefinition) => void): unknown {
  const copy = structuredClone(wootrecruitPolicy);
  edit(copy);
  return copy;
}

function problemsOf(input: unknown) {
  const result = validatePolicyDefinition(input, options);
  return result.ok ? [] : result.problems;
}

function fieldsOf(input: unknown): string[] {
  return problemsOf(input).map((p) => p.field);
}

describe("policy definition validation", () => {
  it("accepts the default WootRecruit policy", () => {
    const result = validatePolicyDefinition(wootrecruitPolicy, options);
    expect(result.ok ? "valid" : result.problems).toBe("valid");
  });

  it("rejects something that is not a policy at all", () => {
    expect(fieldsOf(null)).toEqual(["(policy)"]);
    expect(fieldsOf({})).toEqual(expect.arrayContaining(["version", "steps", "offers", "slas"]));
  });

  it("names the field of a duplicate code", () => {
    expect(
      problemsOf(
        broken((p) => {
          p.offers[3] = { ...p.offers[3]!, code: "discount_20_3m" } as (typeof p.offers)[number];
        }),
      ),
    ).toEqual([{ field: "offers.3.code", message: 'duplicates the offer "discount_20_3m"' }]);
    expect(
      fieldsOf(
        broken((p) => {
          p.reasons.push({ code: "unused", label: "Again", requiresDetails: false });
        }),
      ),
    ).toEqual([`reasons.${wootrecruitPolicy.reasons.length}.code`]);
  });

  it("requires every Stripe reason", () => {
    const withoutOther = broken((p) => {
      p.reasons = p.reasons.filter((r) => r.code !== "other");
    });
    expect(problemsOf(withoutOther)).toEqual([
      { field: "reasons", message: 'must include Stripe\'s reason "other"' },
    ]);
  });

  it("names offers referring to unknown reasons and plans", () => {
    const input = broken((p) => {
      p.offers[0]!.eligibility.reasonCodes = ["too_expensive", "hiring"];
      p.offers[2]!.eligibility.planCodes = ["platinum"];
    });
    expect(problemsOf(input)).toEqual([
      { field: "offers.0.eligibility.reasonCodes.1", message: 'unknown reason "hiring"' },
      { field: "offers.2.eligibility.planCodes.0", message: 'unknown plan "platinum"' },
    ]);
  });

  it("checks a downgrade's target plan", () => {
    const toUnknown = broken((p) => {
      const downgrade = p.offers.find((o) => o.kind === "downgrade");
      if (downgrade?.kind === "downgrade") downgrade.parameters.toPlanCode = "free";
    });
    expect(fieldsOf(toUnknown)).toEqual(["offers.3.parameters.toPlanCode"]);
    const toItself = broken((p) => {
      p.offers[3]!.eligibility.planCodes = ["starter", "growth"];
    });
    expect(fieldsOf(toItself)).toEqual(["offers.3.eligibility.planCodes"]);
  });

  it("wants positive, whole durations and sensible bounds", () => {
    const input = broken((p) => {
      const discount = p.offers[0];
      if (discount?.kind === "discount") discount.parameters = { percentOff: 120, months: 0 };
      p.slas.feedbackExpiryDays = -1;
      p.slas.formLinkExpiryHours = 1.5;
      p.identity.attemptLimit = 0;
      p.identity.maxCodesSent = 50;
    });
    expect(fieldsOf(input).sort()).toEqual(
      [
        "identity.attemptLimit",
        "identity.maxCodesSent",
        "offers.0.parameters.months",
        "offers.0.parameters.percentOff",
        "slas.feedbackExpiryDays",
        "slas.formLinkExpiryHours",
      ].sort(),
    );
  });

  it("checks orderings between settings", () => {
    const input = broken((p) => {
      p.slas.csmEngagementAtRiskHours = 24;
      p.slas.formReminderHours = 72;
      p.offers[1]!.eligibility.maxMonthlyValueMinor = 50_000;
    });
    expect(fieldsOf(input)).toEqual([
      "offers.1.eligibility.maxMonthlyValueMinor",
      "slas.csmEngagementAtRiskHours",
      "slas.formReminderHours",
    ]);
  });

  it("wants the seven steps in the policy's order", () => {
    expect(
      fieldsOf(
        broken((p) => {
          p.steps.pop();
        }),
      ),
    ).toEqual(["steps"]);
    const swapped = broken((p) => {
      const [first, second] = p.steps;
      if (first && second) p.steps.splice(0, 2, { ...second, number: 1 }, { ...first, number: 2 });
    });
    expect(fieldsOf(swapped)).toEqual(["steps.0.key", "steps.1.key"]);
  });

  it("rejects unknown kinds, roles and parameters", () => {
    const input = broken((p) => {
      (p.offers[0] as { kind: string }).kind = "voucher";
      (p.offers[1]!.presentableBy as string[]) = ["intern"];
      const custom = p.offers.find((o) => o.kind === "custom");
      if (custom) (custom.parameters as Record<string, unknown>) = { percentOff: 5 };
    });
    expect(fieldsOf(input)).toEqual([
      "offers.0.kind",
      "offers.1.presentableBy.0",
      "offers.7.parameters",
    ]);
  });

  it("caps every duration, so no date overflows and no time box holds a case for ever", () => {
    const input = broken((p) => {
      p.slas.csmEngagementDueHours = 3e9;
      p.slas.formLinkExpiryHours = 1e8;
      p.slas.offerAnswerExpiryHours = 721;
      p.slas.feedbackExpiryDays = 91;
      const byKind = (kind: string) => p.offers.find((o) => o.kind === kind)!.parameters;
      (byKind("extension") as { extensionDays: number }).extensionDays = 1e12;
      (byKind("pause") as { pauseMonths: number }).pauseMonths = 13;
      (byKind("discount") as { months: number }).months = 25;
    });
    const problems = problemsOf(input);
    expect(problems.map((p) => p.field).sort()).toEqual(
      [
        "offers.0.parameters.months",
        "offers.2.parameters.pauseMonths",
        "offers.4.parameters.extensionDays",
        "slas.csmEngagementDueHours",
        "slas.feedbackExpiryDays",
        "slas.formLinkExpiryHours",
        "slas.offerAnswerExpiryHours",
      ].sort(),
    );
    expect(problems.find((p) => p.field === "slas.csmEngagementDueHours")?.message).toBe(
      "must be at most 720 hours (30 days)",
    );
  });

  it("names a misspelled setting instead of dropping it", () => {
    const input = broken((p) => {
      (p.identity as unknown as Record<string, unknown>).maxCodeSent = 3;
    });
    expect(problemsOf(input)).toEqual([
      { field: "identity", message: expect.stringContaining("maxCodeSent") },
    ]);
  });

  it("needs a way to verify the requester of a case staff open", () => {
    const input = broken((p) => {
      p.identity.methods = ["self_service"];
    });
    expect(problemsOf(input)).toEqual([
      {
        field: "identity.methods",
        message: 'must include "code" or "security_check" for cases staff open',
      },
    ]);
  });

  it("takes plan codes with a hyphen, as the catalog does", () => {
    const input = broken((p) => {
      p.offers[0]!.eligibility.planCodes = ["team-plus"];
      const downgrade = p.offers[3]!;
      if (downgrade.kind === "downgrade") downgrade.parameters.toPlanCode = "team-lite";
    });
    const result = validatePolicyDefinition(input, {
      planCodes: [...WOOTRECRUIT_PLAN_CODES, "team-plus", "team-lite"],
    });
    expect(result.ok ? "valid" : result.problems).toBe("valid");
  });

  it("knows which plans are on sale and in which currency, when publishing", () => {
    const inUsd = (codes: readonly string[]) => codes.map((code) => ({ code, currency: "USD" }));
    const starterRetired = validatePolicyDefinition(wootrecruitPolicy, {
      planCodes: options.planCodes,
      activePlans: inUsd(WOOTRECRUIT_PLAN_CODES.filter((c) => c !== "starter")),
    });
    expect(starterRetired.ok ? [] : starterRetired.problems).toEqual([
      {
        field: "offers.3.parameters.toPlanCode",
        message: 'the plan "starter" is no longer sold',
      },
    ]);
    const inYen = validatePolicyDefinition(
      broken((p) => {
        p.currency = "JPY";
      }),
      { planCodes: options.planCodes, activePlans: inUsd(WOOTRECRUIT_PLAN_CODES) },
    );
    expect(inYen.ok ? [] : inYen.problems).toEqual([
      {
        field: "currency",
        message:
          "no plan on sale is priced in JPY (they use USD), so no offer's value limits would ever match",
      },
    ]);
  });

  it("wants each message's wording to keep its code or link, and only placeholders it can fill", () => {
    const input = broken((p) => {
      p.templates = {
        identity_code: { text: "Hello {{name}}, welcome back." },
        form_link: { sms: "Your form: {{url}} {{code}}", subject: "Hi {{nmae}}" },
        escalation_notice: { text: "Please look at {{reference}}." },
      };
    });
    expect(problemsOf(input)).toEqual([
      { field: "templates.identity_code.text", message: "must include {{code}}" },
      {
        field: "templates.form_link.subject",
        message: "{{nmae}} is not something this message can fill in",
      },
      {
        field: "templates.form_link.sms",
        message: "{{code}} is not something this message can fill in",
      },
      { field: "templates.escalation_notice.text", message: "must include {{caseUrl}}" },
    ]);
  });

  it("knows which placeholders each message fills: the CSM's notice has the requester, not a customer's name", () => {
    const notice = broken((p) => {
      p.templates = {
        escalation_notice: {
          text: "{{requesterName}} ({{requesterPhone}}) wants to cancel: {{caseUrl}}",
          sms: "Hello {{name}}",
        },
        form_link: { text: "Due {{slaDueAt}}: {{url}}" },
      };
    });
    expect(problemsOf(notice)).toEqual([
      {
        field: "templates.escalation_notice.sms",
        message: "{{name}} is not something this message can fill in",
      },
      {
        field: "templates.form_link.text",
        message: "{{slaDueAt}} is not something this message can fill in",
      },
    ]);
  });
});
