// Validates a policy definition (the default one, or one an admin publishes) and names every
// problem by its field, e.g. `offers.2.eligibility.reasonCodes.0: unknown reason "hiring"`.

import { z } from "zod";
import { IDENTITY_METHODS } from "../domain/case.ts";
import type { FieldProblem } from "../domain/errors.ts";
import {
  MESSAGE_TEMPLATE_KEYS,
  OFFER_PRESENTERS,
  type PolicyDefinition,
  STEP_KEYS,
  STRIPE_REASON_CODES,
} from "../domain/policy-definition.ts";

const code = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, "must be lower_snake_case, starting with a letter")
  .max(64);
const text = (max: number) => z.string().trim().min(1, "is required").max(max);
const positiveInt = z.number().int("must be a whole number").positive("must be positive");
const minor = z.number().int("must be whole minor units").nonnegative("must not be negative");

const stepSchema = z.object({
  number: positiveInt,
  key: z.enum(STEP_KEYS),
  title: text(200),
  policyText: text(5000),
  guidance: text(5000),
  script: text(5000),
});

const reasonSchema = z.object({
  code,
  label: text(200),
  requiresDetails: z.boolean(),
});

const eligibilitySchema = z.object({
  planCodes: z.array(code).min(1, "list at least one plan, or use null for every plan").nullable(),
  minMonthlyValueMinor: minor.nullable(),
  maxMonthlyValueMinor: minor.nullable(),
  reasonCodes: z
    .array(code)
    .min(1, "list at least one reason, or use null for any reason")
    .nullable(),
});

const offerBase = z.object({
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
    parameters: z.object({
      percentOff: positiveInt.max(100, "must be at most 100"),
      months: positiveInt,
    }),
  }),
  offerBase.extend({
    kind: z.literal("pause"),
    parameters: z.object({ pauseMonths: positiveInt }),
  }),
  offerBase.extend({ kind: z.literal("downgrade"), parameters: z.object({ toPlanCode: code }) }),
  offerBase.extend({
    kind: z.literal("extension"),
    parameters: z.object({ extensionDays: positiveInt }),
  }),
  offerBase.extend({
    kind: z.literal("training"),
    parameters: z.object({ sessions: positiveInt }),
  }),
  offerBase.extend({ kind: z.literal("support"), parameters: z.object({ days: positiveInt }) }),
  offerBase.extend({ kind: z.literal("custom"), parameters: z.strictObject({}) }),
]);

const policySchema = z.object({
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
  identity: z.object({
    codeLength: z.number().int().min(4, "must be at least 4").max(10, "must be at most 10"),
    codeLifetimeMinutes: positiveInt.max(24 * 60, "must be at most a day"),
    attemptLimit: positiveInt.max(10, "must be at most 10"),
    maxCodesSent: positiveInt.max(20, "must be at most 20").optional(),
    methods: z.array(z.enum(IDENTITY_METHODS)).min(1, "allow at least one method"),
  }),
  form: z.object({ detailsMaxLength: positiveInt.max(20_000) }),
  slas: z.object({
    csmEngagementDueHours: positiveInt,
    csmEngagementAtRiskHours: positiveInt,
    formLinkExpiryHours: positiveInt,
    formReminderHours: positiveInt,
    offerAnswerExpiryHours: positiveInt,
    feedbackExpiryDays: positiveInt,
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
      } else if (eligibility.planCodes === null || eligibility.planCodes.includes(target)) {
        problem(`${at}.eligibility.planCodes`, `must not include the target plan "${target}"`);
      }
    }
  });

  if (duplicates(policy.identity.methods).size > 0) {
    problem("identity.methods", "must not repeat a method");
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
