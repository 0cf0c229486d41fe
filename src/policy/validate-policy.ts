// Validates a policy definition (the default one, or one an admin publishes) and names every
// problem by its field, e.g. `offers.2.eligibility.reasonCodes.0: unknown reason "hiring"`.

import { z } from "zod";
import { IDENTITY_METHODS } from "../domain/case.ts";
import { PLAN_CODE } from "../domain/customer.ts";
import type { FieldProblem } from "../domain/errors.ts";
import {
  MESSAGE_TEMPLATE_KEYS,
  OFFER_PRESENTERS,
  POLICY_CODE_MAX_LENGTH,
  type PolicyDefinition,
  STEP_KEYS,
  STRIPE_REASON_CODES,
} from "../domain/policy-definition.ts";
import { templatePlaceholderProblems } from "../jobs/message-templates.ts";

const code = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, "must be lower_snake_case, starting with a letter")
  .max(POLICY_CODE_MAX_LENGTH);
// Plans come from the catalog, whose codes may have a hyphen.
const planCode = z
  .string()
  .regex(PLAN_CODE, "must be a plan's code: 2-40 lowercase letters, digits, - or _");
const text = (max: number) => z.string().trim().min(1, "is required").max(max);
const positiveInt = z.number().int("must be a whole number").positive("must be positive");
// Every duration has a ceiling: past it, dates overflow (a case's SLA date became invalid and
// its page a 500), and a time box that never runs out would hold a cancellation for ever.
const atMost = (max: number, unit: string) =>
  positiveInt.max(max, `must be at most ${max} ${unit}`);
const HOURS_IN_30_DAYS = 720;
const minor = z.number().int("must be whole minor units").nonnegative("must not be negative");

const stepSchema = z.strictObject({
  number: positiveInt,
  key: z.enum(STEP_KEYS),
  title: text(200),
  policyText: text(5000),
  guidance: text(5000),
  script: text(5000),
});

const reasonSchema = z.strictObject({
  code,
  label: text(200),
  requiresDetails: z.boolean(),
});

const eligibilitySchema = z.strictObject({
  planCodes: z
    .array(planCode)
    .min(1, "list at least one plan, or use null for every plan")
    .nullable(),
  minMonthlyValueMinor: minor.nullable(),
  maxMonthlyValueMinor: minor.nullable(),
  reasonCodes: z
    .array(code)
    .min(1, "list at least one reason, or use null for any reason")
    .nullable(),
});

const offerBase = z.strictObject({
  code,
  label: text(200),
  description: text(2000),
  eligibility: eligibilitySchema,
  presentableBy: z
    .array(z.enum(OFFER_PRESENTERS))
    .min(1, "someone must be able to present the offer"),
});

const offerSchema = z.discriminatedUnion("kind", [
  offerBase.extend({
    kind: z.literal("discount"),
    parameters: z.strictObject({
      percentOff: positiveInt.max(100, "must be at most 100"),
      months: atMost(24, "months"),
    }),
  }),
  offerBase.extend({
    kind: z.literal("pause"),
    parameters: z.strictObject({ pauseMonths: atMost(12, "months") }),
  }),
  offerBase.extend({
    kind: z.literal("downgrade"),
    parameters: z.strictObject({ toPlanCode: planCode }),
  }),
  offerBase.extend({
    kind: z.literal("extension"),
    parameters: z.strictObject({ extensionDays: atMost(365, "days") }),
  }),
  offerBase.extend({
    kind: z.literal("training"),
    parameters: z.strictObject({ sessions: atMost(20, "sessions") }),
  }),
  offerBase.extend({
    kind: z.literal("support"),
    parameters: z.strictObject({ days: atMost(365, "days") }),
  }),
  offerBase.extend({ kind: z.literal("custom"), parameters: z.strictObject({}) }),
]);

const policySchema = z.strictObject({
  version: positiveInt,
  name: text(200),
  articleTitle: text(200),
  objective: text(5000),
  scope: text(5000),
  note: text(5000),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD"),
  steps: z.array(stepSchema),
  reasons: z.array(reasonSchema).min(1),
  offers: z.array(offerSchema),
  identity: z.strictObject({
    codeLength: z.number().int().min(4, "must be at least 4").max(10, "must be at most 10"),
    codeLifetimeMinutes: positiveInt.max(24 * 60, "must be at most a day"),
    attemptLimit: positiveInt.max(10, "must be at most 10"),
    maxCodesSent: positiveInt.max(20, "must be at most 20").optional(),
    methods: z.array(z.enum(IDENTITY_METHODS)).min(1, "allow at least one method"),
  }),
  form: z.strictObject({ detailsMaxLength: positiveInt.max(20_000) }),
  slas: z.strictObject({
    csmEngagementDueHours: atMost(HOURS_IN_30_DAYS, "hours (30 days)"),
    csmEngagementAtRiskHours: positiveInt,
    formLinkExpiryHours: atMost(HOURS_IN_30_DAYS, "hours (30 days)"),
    formReminderHours: positiveInt,
    offerAnswerExpiryHours: atMost(HOURS_IN_30_DAYS, "hours (30 days)"),
    feedbackExpiryDays: atMost(90, "days"),
    csmStepTimeBox: z.boolean(),
  }),
  templates: z
    .partialRecord(
      z.enum(MESSAGE_TEMPLATE_KEYS),
      z.strictObject({
        subject: text(300).optional(),
        text: text(10_000).optional(),
        sms: text(480).optional(),
      }),
    )
    .optional(),
});

type ParsedPolicy = z.infer<typeof policySchema>;

export interface PolicyValidationOptions {
  /** The plan codes of the subscription catalog that offers may refer to. */
  planCodes: readonly string[];
  /**
   * The catalog's active plans, when known (publishing): a downgrade must lead to one of them,
   * and the policy's currency, in which offers' value limits are set, must be one they use.
   */
  activePlans?: readonly { code: string; currency: string }[];
}

export type PolicyValidation =
  | { ok: true; policy: PolicyDefinition }
  | { ok: false; problems: FieldProblem[] };

export function validatePolicyDefinition(
  input: unknown,
  options: PolicyValidationOptions,
): PolicyValidation {
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        field: issue.path.map(String).join(".") || "(policy)",
        message: issue.message,
      })),
    };
  }
  const problems = crossFieldProblems(parsed.data, options);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, policy: parsed.data };
}

function duplicates(values: readonly string[]): Set<number> {
  const seen = new Set<string>();
  const indexes = new Set<number>();
  values.forEach((value, index) => {
    if (seen.has(value)) indexes.add(index);
    seen.add(value);
  });
  return indexes;
}

/** The rules a schema cannot express: uniqueness, references and orderings. */
function crossFieldProblems(
  policy: ParsedPolicy,
  options: PolicyValidationOptions,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });

  if (policy.steps.length !== STEP_KEYS.length) {
    problem(
      "steps",
      `must list the policy's ${STEP_KEYS.length} steps, found ${policy.steps.length}`,
    );
  }
  policy.steps.forEach((step, index) => {
    if (step.number !== index + 1) problem(`steps.${index}.number`, `must be ${index + 1}`);
    const key = STEP_KEYS[index];
    if (key && step.key !== key) problem(`steps.${index}.key`, `must be ${key}`);
  });

  const reasonCodes = policy.reasons.map((r) => r.code);
  for (const index of duplicates(reasonCodes)) {
    problem(`reasons.${index}.code`, `duplicates the reason "${reasonCodes[index]}"`);
  }
  for (const stripe of STRIPE_REASON_CODES) {
    if (!reasonCodes.includes(stripe))
      problem("reasons", `must include Stripe's reason "${stripe}"`);
  }

  const plans = new Set(options.planCodes);
  const offerCodes = policy.offers.map((o) => o.code);
  for (const index of duplicates(offerCodes)) {
    problem(`offers.${index}.code`, `duplicates the offer "${offerCodes[index]}"`);
  }
  policy.offers.forEach((offer, index) => {
    const at = `offers.${index}`;
    const { eligibility } = offer;
    eligibility.planCodes?.forEach((plan, i) => {
      if (!plans.has(plan)) problem(`${at}.eligibility.planCodes.${i}`, `unknown plan "${plan}"`);
    });
    eligibility.reasonCodes?.forEach((reason, i) => {
      if (!reasonCodes.includes(reason)) {
        problem(`${at}.eligibility.reasonCodes.${i}`, `unknown reason "${reason}"`);
      }
    });
    const { minMonthlyValueMinor: min, maxMonthlyValueMinor: max } = eligibility;
    if (min !== null && max !== null && min > max) {
      problem(`${at}.eligibility.maxMonthlyValueMinor`, "must not be below minMonthlyValueMinor");
    }
    if (duplicates(offer.presentableBy).size > 0) {
      problem(`${at}.presentableBy`, "must not repeat a role");
    }
    if (offer.kind === "downgrade") {
      const target = offer.parameters.toPlanCode;
      if (!plans.has(target)) {
        problem(`${at}.parameters.toPlanCode`, `unknown plan "${target}"`);
      } else if (options.activePlans && !options.activePlans.some((p) => p.code === target)) {
        problem(`${at}.parameters.toPlanCode`, `the plan "${target}" is no longer sold`);
      } else if (eligibility.planCodes === null || eligibility.planCodes.includes(target)) {
        problem(`${at}.eligibility.planCodes`, `must not include the target plan "${target}"`);
      }
    }
  });

  if (duplicates(policy.identity.methods).size > 0) {
    problem("identity.methods", "must not repeat a method");
  }
  // Self-service verifies only customers who start on the page; a case opened by staff needs a
  // code or the security check, or it could never get past step 1.
  if (!policy.identity.methods.some((m) => m === "code" || m === "security_check")) {
    problem("identity.methods", 'must include "code" or "security_check" for cases staff open');
  }
  const currencies = new Set(options.activePlans?.map((p) => p.currency));
  if (options.activePlans?.length && !currencies.has(policy.currency)) {
    problem(
      "currency",
      `no plan on sale is priced in ${policy.currency} (they use ${[...currencies].join(", ")}), so no offer's value limits would ever match`,
    );
  }
  for (const [key, template] of Object.entries(policy.templates ?? {})) {
    for (const p of templatePlaceholderProblems(
      key as keyof typeof policy.templates & string,
      template,
    )) {
      problem(`templates.${key}.${p.part}`, p.message);
    }
  }
  const { slas } = policy;
  if (slas.csmEngagementAtRiskHours >= slas.csmEngagementDueHours) {
    problem("slas.csmEngagementAtRiskHours", "must be less than csmEngagementDueHours");
  }
  if (slas.formReminderHours >= slas.formLinkExpiryHours) {
    problem("slas.formReminderHours", "must be less than formLinkExpiryHours");
  }
  return problems;
}
