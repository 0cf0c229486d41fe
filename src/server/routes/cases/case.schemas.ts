// Request bodies of the case commands and the shape of a case in responses.
import { z } from "zod";
import type { CaseView } from "../../../app/view-case.ts";
import {
  CALL_OUTCOMES,
  type Case,
  CONFIRMATION_CHANNELS,
  REQUEST_CHANNELS,
} from "../../../domain/case.ts";
import { POLICY_CODE_MAX_LENGTH } from "../../../domain/policy-definition.ts";

const text = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);
const optionalText = (max: number) =>
  z.string().trim().max(max, `must be at most ${max} characters`).nullish();

/** Every command may say which version of the case the user saw; a stale one gets CASE_CHANGED. */
export const expectedVersion = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe(
    "the case version the user acted on; the command is refused with CASE_CHANGED if the case moved on",
  );

export const openCaseBody = z.object({
  accountId: z.uuid({ error: "must be an id (UUID)" }),
  subscriptionId: z.uuid({ error: "must be an id (UUID)" }),
  requesterContactId: z.uuid({ error: "must be an id (UUID)" }),
  channel: z.enum(REQUEST_CHANNELS),
  summary: optionalText(2000),
  assignedAmId: z.uuid().nullish(),
});

export const commandBodies = {
  empty: z.object({ expectedVersion }),
  confirmCode: z.object({
    expectedVersion,
    code: z
      .string()
      .trim()
      .regex(/^\d{4,10}$/, "must be the digits of the code"),
  }),
  securityCheck: z.object({ expectedVersion, passed: z.boolean(), factsChecked: text(500) }),
  reason: z.object({
    expectedVersion,
    reasonCode: text(POLICY_CODE_MAX_LENGTH),
    notes: text(5000),
  }),
  presentOffer: z.object({
    expectedVersion,
    offerCode: text(POLICY_CODE_MAX_LENGTH),
    customTerms: optionalText(2000),
    sendToCustomer: z.boolean().optional(),
  }),
  answerOffer: z.object({ expectedVersion, answer: z.enum(["accepted", "declined"]) }),
  noSuitableOffer: z.object({ expectedVersion, reason: text(2000) }),
  escalate: z.object({ expectedVersion, csmId: z.uuid().nullish(), notes: optionalText(2000) }),
  engage: z.object({ expectedVersion, notes: optionalText(2000) }),
  csmOutcome: z.object({
    expectedVersion,
    outcome: z.enum(["retained", "proceed"]),
    offerCode: z.string().trim().max(POLICY_CODE_MAX_LENGTH).nullish(),
    customTerms: optionalText(2000),
    notes: text(5000),
  }),
  confirmation: z.object({
    expectedVersion,
    channel: z.enum(CONFIRMATION_CHANNELS),
    callOutcome: z.enum(CALL_OUTCOMES).nullish(),
    notes: optionalText(2000),
  }),
  withdraw: z.object({ expectedVersion, reason: optionalText(2000) }),
  close: z.object({ expectedVersion, summary: optionalText(5000) }),
  note: z.object({ expectedVersion, text: text(5000) }),
  reassign: z.object({
    expectedVersion,
    slot: z.enum(["am", "csm"]),
    toUserId: z.uuid({ error: "must be an id (UUID)" }),
  }),
};

/** A case is the engine's JSON document; its full shape is documented in src/domain/case.ts. */
export const caseJson = z
  .looseObject({
    id: z.string(),
    reference: z.string(),
    accountId: z.string(),
    subscriptionId: z.string(),
    requesterContactId: z.string(),
    channel: z.string(),
    state: z.string(),
    formStatus: z.string(),
    outcome: z.string().nullable(),
    assignedAmId: z.string().nullable(),
    assignedCsmId: z.string().nullable(),
    policyVersion: z.number(),
    version: z.number(),
    openedAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .meta({ id: "Case" });

export const caseViewJson = z
  .object({
    case: caseJson,
    checklist: z.array(
      z.looseObject({ number: z.number(), key: z.string(), title: z.string(), status: z.string() }),
    ),
    nextActions: z.object({
      allowed: z.array(z.looseObject({ kind: z.string() })),
      blocked: z.array(
        z.object({
          kind: z.string(),
          refusal: z.looseObject({ code: z.string(), message: z.string() }),
        }),
      ),
      ahead: z
        .array(
          z.object({
            kind: z.string(),
            step: z.number(),
            refusal: z.looseObject({ code: z.string(), message: z.string() }),
          }),
        )
        .describe("the later steps' main commands, each with what it needs first"),
    }),
  })
  .meta({ id: "CaseView" });

/** The case document is already the API's JSON (instants as ISO strings); only the type widens. */
export function presentCase(c: Case): z.infer<typeof caseJson> {
  return c as unknown as z.infer<typeof caseJson>;
}

export function presentCaseView(view: CaseView): z.infer<typeof caseViewJson> {
  return { ...view, case: presentCase(view.case) } as unknown as z.infer<typeof caseViewJson>;
}

/** `Prefer: return=minimal` asks a command to answer with the case alone (RFC 7240). */
export const preferHeader = z.looseObject({
  prefer: z
    .string()
    .max(200)
    .optional()
    .describe("`return=minimal` answers with the case alone, without checklist and next actions"),
});

export function prefersMinimal(request: { headers: Record<string, unknown> }): boolean {
  const prefer = request.headers.prefer;
  return typeof prefer === "string" && /(^|[,;\s])return=minimal($|[,;\s])/.test(prefer);
}

/**
 * How the case routes write their answers: JSON.stringify alone. Their schemas document the
 * answer (OpenAPI) but are loose by design (the case is the engine's own document), so zod's
 * check of a 10-17 KB view on every answer passed it through unchanged while costing a tenth of
 * the server's CPU per command. The handlers' TypeScript types keep the shape.
 */
export const caseAnswerSerializer = () => (data: unknown) => JSON.stringify(data);

/** What a command answers: the case view, or the case alone when the caller prefers minimal. */
export const commandAnswerJson = z.union([caseViewJson, z.strictObject({ case: caseJson })]);
export type CommandAnswer = z.infer<typeof commandAnswerJson>;
