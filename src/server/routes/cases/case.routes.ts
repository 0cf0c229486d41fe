// The case API: open, list (queues), read (with checklist and next actions), timeline, and one
// endpoint per policy command. Handlers only translate: rules live in the engine.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { atRiskHoursByVersion } from "../../../app/case-facts.ts";
import type { AppContext } from "../../../app/context.ts";
import { instant } from "../../../app/inputs.ts";
import {
  type AnswerKeeper,
  actorOf,
  type CommandBuilder,
  type CommandResult,
  openCase,
  runCaseCommand,
} from "../../../app/run-case-command.ts";
import { describeCase, getCase, viewCase } from "../../../app/view-case.ts";
import { listAuditEntries } from "../../../db/repositories/audit.repository.ts";
import {
  CASE_SORTS,
  CASE_STATUSES,
  type CaseQueue,
  COUNT_CAP,
  countCasesByQueue,
  countFilteredCases,
  listCases,
  planSearch,
} from "../../../db/repositories/cases.repository.ts";
import { listCaseMessages } from "../../../db/repositories/outbox.repository.ts";
import { CASE_OUTCOMES, CASE_STATES, REQUEST_CHANNELS } from "../../../domain/case.ts";
import { POLICY_CODE_MAX_LENGTH } from "../../../domain/policy-definition.ts";
import {
  feedbackExpiresAt,
  formLinkExpiresAt,
  identityCodeExpiresAt,
} from "../../../domain/sla.ts";
import type { Principal, StaffRole } from "../../../domain/staff.ts";
import { principalOf, STAFF } from "../../plugins/auth.ts";
import { runKeepingAnswer } from "../../plugins/idempotency.ts";
import { locatedUnder } from "../../plugins/location.ts";
import { errorResponses, pageOf, pageQuery } from "../common.ts";
import {
  type CommandAnswer,
  caseAnswerSerializer,
  caseJson,
  caseViewJson,
  commandAnswerJson,
  commandBodies,
  openCaseBody,
  preferHeader,
  prefersMinimal,
  presentCase,
  presentCaseView,
} from "./case.schemas.ts";

const CASE_OPENERS: readonly StaffRole[] = ["account_manager", "csm", "admin"];
const caseParams = z.object({
  id: z.string().min(1).max(100).describe("case id or reference (CD-2026-00042)"),
});
const QUEUES = [
  "mine",
  "unassigned",
  "escalated_to_me",
  "sla_at_risk",
  "sla_breached",
  "all",
] as const;

/** Secrets for delivery never leave the server, even to staff. */
function withoutSecrets(payload: unknown): unknown {
  if (!payload || typeof payload !== "object") return payload;
  const { codeNonce: _c, linkNonce: _l, codeId: _i, ...rest } = payload as Record<string, unknown>;
  return rest;
}

export function caseRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();

    const view = async (principal: Principal, idOrReference: string) =>
      presentCaseView(await viewCase(ctx, idOrReference, actorOf(principal)));
    /**
     * The answer to a command: the case as written with its checklist and next actions (from the
     * facts it was decided with), or with `Prefer: return=minimal` (RFC 7240) the case alone, for
     * integrations that do not show the workspace and would rather not pay for the view.
     */
    const answer = async (
      request: FastifyRequest,
      principal: Principal,
      result: CommandResult,
    ): Promise<CommandAnswer> => {
      if (prefersMinimal(request)) return { case: presentCase(result.case) };
      return presentCaseView(
        await describeCase(ctx, result.case, actorOf(principal), result.facts),
      );
    };
    /**
     * Runs a command whose answer, for a request with an Idempotency-Key, is stored by the
     * command's own write (see runKeepingAnswer), and answers what was stored.
     */
    const answerCommand = async (
      request: FastifyRequest,
      reply: FastifyReply,
      statusCode: number,
      run: (keepAnswer: AnswerKeeper | undefined) => Promise<CommandResult>,
    ): Promise<CommandAnswer> => {
      const principal = principalOf(request);
      const render = (result: CommandResult) => answer(request, principal, result);
      const { result, rendered } = await runKeepingAnswer(request, statusCode, render, run);
      // Said only on the answer itself: a render before a write that then failed says nothing.
      if (prefersMinimal(request)) reply.header("preference-applied", "return=minimal");
      return rendered ? (rendered.body as CommandAnswer) : render(result);
    };

    app.post("/api/cases", {
      config: {
        access: { roles: CASE_OPENERS },
        // Both answers (the view, or with return=minimal the case alone) hold the case.
        location: locatedUnder("/api/cases", (body) => (body.case as { id?: unknown })?.id),
      },
      schema: {
        tags: ["cases"],
        summary: "Log a cancellation request (step 1): opens a case for one subscription",
        body: openCaseBody,
        headers: preferHeader,
        response: { 201: commandAnswerJson, ...errorResponses },
      },
      serializerCompiler: caseAnswerSerializer,
      handler: async (request, reply) => {
        const actor = actorOf(principalOf(request));
        const opened = await answerCommand(request, reply, 201, (keepAnswer) =>
          openCase(ctx, actor, request.body, { keepAnswer }),
        );
        return reply.status(201).send(opened);
      },
    });

    app.get("/api/cases", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["cases"],
        summary:
          "Queues of cases (my open cases, unassigned, escalated to me, SLA at risk or breached, all), filtered, searched, sorted and paged",
        querystring: z.object({
          ...pageQuery,
          queue: z.enum(QUEUES).default("all"),
          sort: z
            .enum(CASE_SORTS)
            .default("opened")
            .describe("opened, updated, sla_due (the CSM's engagement due time) or reference"),
          order: z.enum(["asc", "desc"]).optional().describe("default: desc, asc for sla_due"),
          status: z
            .enum(CASE_STATUSES)
            .optional()
            .describe("open (not closed yet) or closed; both when absent. `mine` is open cases"),
          state: z.enum(CASE_STATES).optional(),
          outcome: z.enum(CASE_OUTCOMES).optional(),
          accountId: z.uuid().optional(),
          assignedAmId: z.uuid().optional(),
          assignedCsmId: z.uuid().optional(),
          planId: z.uuid().optional().describe("the subscription's plan"),
          channel: z.enum(REQUEST_CHANNELS).optional(),
          openedFrom: instant.optional(),
          openedTo: instant.optional(),
        }),
        response: {
          200: pageOf(
            z.object({ case: caseJson, accountName: z.string(), requesterName: z.string() }),
          ).extend({
            total: z
              .number()
              .describe(`cases matching the queue and filters, counted up to ${COUNT_CAP}`),
          }),
          ...errorResponses,
        },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        const { limit, cursor, queue, sort, order, ...filter } = request.query;
        const caseFilter = {
          ...filter,
          queue: queue as CaseQueue,
          userId: principal.kind === "user" ? principal.userId : null,
          now: ctx.now(),
          ...(queue === "sla_at_risk"
            ? { atRiskHoursByVersion: await atRiskHoursByVersion(ctx.db) }
            : {}),
        };
        const direction = order ?? (sort === "sla_due" ? "asc" : "desc");
        // The search plan reads the matching accounts and contacts: once for the page and count.
        const search = await planSearch(ctx.db, caseFilter.q);
        const [page, total] = await Promise.all([
          listCases(ctx.db, caseFilter, { limit, cursor }, { sort, direction }, search),
          countFilteredCases(ctx.db, caseFilter, search),
        ]);
        return {
          ...page,
          total,
          items: page.items.map((item) => ({ ...item, case: presentCase(item.case) })),
        };
      },
    });

    app.get("/api/cases/counts", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["cases"],
        summary: `How many cases each queue holds for the caller (counted up to ${COUNT_CAP}), for the queue tabs`,
        response: {
          200: z.object(
            Object.fromEntries(QUEUES.map((q) => [q, z.number()])) as {
              [K in (typeof QUEUES)[number]]: z.ZodNumber;
            },
          ),
          ...errorResponses,
        },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        return countCasesByQueue(ctx.db, {
          userId: principal.kind === "user" ? principal.userId : null,
          now: ctx.now(),
          atRiskHoursByVersion: await atRiskHoursByVersion(ctx.db),
        });
      },
    });

    app.get("/api/cases/:id", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["cases"],
        summary: "A case with its checklist of the seven steps and the actions open to the caller",
        params: caseParams,
        response: { 200: caseViewJson, ...errorResponses },
      },
      serializerCompiler: caseAnswerSerializer,
      handler: async (request) => view(principalOf(request), request.params.id),
    });

    app.get("/api/cases/:id/timeline", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["cases"],
        summary: "The case's audit entries, in order, with their hash chain",
        params: caseParams,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                seq: z.number(),
                type: z.string(),
                caseVersion: z.number(),
                actor: z.unknown(),
                at: z.string(),
                body: z.unknown(),
                prevHash: z.string(),
                hash: z.string(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async (request) => {
        const c = await getCase(ctx, request.params.id);
        const entries = await listAuditEntries(ctx.db, c.id);
        return { items: entries.map(({ caseId: _c, ...entry }) => entry) };
      },
    });

    app.get("/api/cases/:id/messages", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["cases"],
        summary: "Outgoing messages of the case with their delivery status",
        params: caseParams,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                topic: z.string(),
                channel: z.string(),
                recipient: z.unknown(),
                payload: z.unknown(),
                status: z
                  .enum(["pending", "sending", "sent", "delivered", "failed", "skipped"])
                  .describe(
                    "`skipped`: not sent because what it asked of the customer could no longer be done (see `skippedReason`)",
                  ),
                attempts: z.number(),
                lastError: z.string().nullable(),
                skippedReason: z.string().nullable(),
                createdAt: z.string(),
                sentAt: z.string().nullable(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async (request) => {
        const c = await getCase(ctx, request.params.id);
        const messages = await listCaseMessages(ctx.db, c.id);
        return {
          items: messages.map((m) => ({
            id: m.id,
            topic: m.topic,
            channel: m.channel,
            recipient: m.recipient,
            payload: withoutSecrets(m.payload),
            status: m.status,
            attempts: m.attempts,
            lastError: m.lastError,
            skippedReason: m.skippedReason,
            createdAt: m.createdAt.toISOString(),
            sentAt: m.sentAt?.toISOString() ?? null,
          })),
        };
      },
    });

    /** One route per command: resolve the case, run the command as the caller, answer the view. */
    function command<
      B extends z.ZodObject<{ expectedVersion: typeof commandBodies.empty.shape.expectedVersion }>,
    >(
      path: string,
      summary: string,
      roles: readonly StaffRole[],
      body: B,
      build: (body: z.infer<B>, principal: Principal) => CommandBuilder,
      namedStaff: (body: z.infer<B>) => Record<string, string | null | undefined> = () => ({}),
    ) {
      app.post(`/api/cases/:id/${path}`, {
        config: { access: { roles } },
        schema: {
          tags: ["case commands"],
          summary,
          params: caseParams,
          body,
          headers: preferHeader,
          response: { 200: commandAnswerJson, ...errorResponses },
        },
        serializerCompiler: caseAnswerSerializer,
        handler: async (request, reply) => {
          const principal = principalOf(request);
          const input = request.body as z.infer<B>;
          return answerCommand(request, reply, 200, (keepAnswer) =>
            runCaseCommand(ctx, request.params.id, build(input, principal), {
              expectedVersion: input.expectedVersion,
              namedStaff: namedStaff(input),
              keepAnswer,
            }),
          );
        },
      });
    }

    const as = (principal: Principal) => actorOf(principal);

    command(
      "identity/send-code",
      "Send a one-time code to the requester's contact details on file (step 1)",
      STAFF,
      commandBodies.empty,
      (_b, p) => (_c, facts, now) => ({
        kind: "startIdentityVerification",
        method: "code",
        codeExpiresAt: identityCodeExpiresAt(facts.context.policy, now),
        actor: as(p),
        now,
      }),
    );
    app.post("/api/cases/:id/identity/confirm-code", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["case commands"],
        summary:
          "Check the code the customer reads back; too many wrong codes close the case unverified",
        params: caseParams,
        body: commandBodies.confirmCode,
        headers: preferHeader,
        response: { 200: commandAnswerJson, ...errorResponses },
      },
      serializerCompiler: caseAnswerSerializer,
      handler: async (request, reply) => {
        const principal = principalOf(request);
        // The code is checked against the live code read with the case; the attempt is counted
        // in the same write as the engine's decision.
        return answerCommand(request, reply, 200, (keepAnswer) =>
          runCaseCommand(
            ctx,
            request.params.id,
            (_c, _f, now, checks) => ({
              kind: "confirmIdentityCode",
              codeMatches: checks.identityCodeMatches,
              actor: as(principal),
              now,
            }),
            {
              expectedVersion: request.body.expectedVersion,
              identityCode: request.body.code,
              keepAnswer,
            },
          ),
        );
      },
    });
    command(
      "identity/security-check",
      "Record the security check against account facts",
      STAFF,
      commandBodies.securityCheck,
      (b, p) => (_c, _f, now) => ({
        kind: "verifyBySecurityCheck",
        passed: b.passed,
        factsChecked: b.factsChecked,
        actor: as(p),
        now,
      }),
    );
    command(
      "form/send",
      "Send the Cancellation Request Form link on the customer's preferred channel (step 2)",
      STAFF,
      commandBodies.empty,
      (_b, p) => (_c, facts, now) => ({
        kind: "sendForm",
        linkExpiresAt: formLinkExpiresAt(facts.context.policy, now),
        actor: as(p),
        now,
      }),
    );
    command(
      "form/resend",
      "Send a new form link; the previous one stops working",
      STAFF,
      commandBodies.empty,
      (_b, p) => (_c, facts, now) => ({
        kind: "resendForm",
        linkExpiresAt: formLinkExpiresAt(facts.context.policy, now),
        actor: as(p),
        now,
      }),
    );
    command(
      "reason",
      "Record the conversation about why the customer wants to cancel (step 3)",
      STAFF,
      commandBodies.reason,
      (b, p) => (_c, _f, now) => ({
        kind: "recordReasonConversation",
        reasonCode: b.reasonCode,
        notes: b.notes,
        actor: as(p),
        now,
      }),
    );
    command(
      "offers",
      "Present an eligible offer from the catalog",
      STAFF,
      commandBodies.presentOffer,
      (b, p) => (_c, _f, now) => ({
        kind: "presentOffer",
        offerCode: b.offerCode,
        customTerms: b.customTerms ?? null,
        ...(b.sendToCustomer !== undefined ? { sendToCustomer: b.sendToCustomer } : {}),
        actor: as(p),
        now,
      }),
    );
    app.post("/api/cases/:id/offers/:offerCode/answer", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["case commands"],
        summary:
          "Record the customer's answer to an offer (accepted applies it and closes the case as retained)",
        params: caseParams.extend({ offerCode: z.string().min(1).max(POLICY_CODE_MAX_LENGTH) }),
        body: commandBodies.answerOffer,
        headers: preferHeader,
        response: { 200: commandAnswerJson, ...errorResponses },
      },
      serializerCompiler: caseAnswerSerializer,
      handler: async (request, reply) => {
        const principal = principalOf(request);
        return answerCommand(request, reply, 200, (keepAnswer) =>
          runCaseCommand(
            ctx,
            request.params.id,
            (_c, _f, now) => ({
              kind: "answerOffer",
              offerCode: request.params.offerCode,
              answer: request.body.answer,
              actor: as(principal),
              now,
            }),
            { expectedVersion: request.body.expectedVersion, keepAnswer },
          ),
        );
      },
    });
    command(
      "no-suitable-offer",
      "Record, with a written reason, that no offer suits",
      STAFF,
      commandBodies.noSuitableOffer,
      (b, p) => (_c, _f, now) => ({
        kind: "recordNoSuitableOffer",
        reason: b.reason,
        actor: as(p),
        now,
      }),
    );
    command(
      "escalate",
      "Escalate to a CSM (step 4): the case's or the account's CSM unless one is named",
      STAFF,
      commandBodies.escalate,
      (b, p) => (_c, _f, now) => ({
        kind: "escalateToCsm",
        csmId: b.csmId ?? null,
        notes: b.notes ?? null,
        actor: as(p),
        now,
      }),
      (b) => ({ csmId: b.csmId }),
    );
    command(
      "csm/engage",
      "The CSM starts the final engagement (anyone else: 409 CSM_ROLE_REQUIRED)",
      // The policy's rule, not a route's: the engine refuses anyone but a CSM who is not the
      // case's AM with its rule code and a sentence saying who can.
      STAFF,
      commandBodies.engage,
      (b, p) => (_c, _f, now) => ({
        kind: "csmEngage",
        notes: b.notes ?? null,
        actor: as(p),
        now,
      }),
    );
    command(
      "csm/outcome",
      "The CSM records the outcome: retained (with an offer) or proceed (anyone else: 409 CSM_ROLE_REQUIRED)",
      STAFF,
      commandBodies.csmOutcome,
      (b, p) => (_c, _f, now) => ({
        kind: "recordCsmOutcome",
        outcome: b.outcome,
        offerCode: b.offerCode ?? null,
        customTerms: b.customTerms ?? null,
        notes: b.notes,
        actor: as(p),
        now,
      }),
    );
    command(
      "process",
      "Process the cancellation in the subscription system, as the form asks (step 5); once only",
      STAFF,
      commandBodies.empty,
      (_b, p) => (_c, _f, now) => ({
        kind: "processCancellation",
        actor: as(p),
        now,
      }),
    );
    command(
      "confirmation",
      "Send the confirmation (email, SMS) or log the confirmation call (phone)",
      STAFF,
      commandBodies.confirmation,
      (b, p) => (_c, _f, now) => ({
        kind: "recordConfirmation",
        channel: b.channel,
        callOutcome: b.callOutcome ?? null,
        notes: b.notes ?? null,
        actor: as(p),
        now,
      }),
    );
    command(
      "feedback/request",
      "Send the feedback survey (step 6)",
      STAFF,
      commandBodies.empty,
      (_b, p) => (_c, facts, now) => ({
        kind: "requestFeedback",
        linkExpiresAt: feedbackExpiresAt(facts.context.policy, now),
        actor: as(p),
        now,
      }),
    );
    command(
      "withdraw",
      "The customer withdrew the request (before processing)",
      STAFF,
      commandBodies.withdraw,
      (b, p) => (_c, _f, now) => ({
        kind: "withdraw",
        reason: b.reason ?? null,
        actor: as(p),
        now,
      }),
    );
    command(
      "close",
      "Close a cancelled case and write its documentation (step 7)",
      STAFF,
      commandBodies.close,
      (b, p) => (_c, _f, now) => ({
        kind: "closeCase",
        summary: b.summary ?? null,
        actor: as(p),
        now,
      }),
    );
    command(
      "notes",
      "Add a note to the case",
      STAFF,
      commandBodies.note,
      (b, p) => (_c, _f, now) => ({
        kind: "addNote",
        text: b.text,
        actor: as(p),
        now,
      }),
    );
    command(
      "reassign",
      "Give the case to another AM or CSM",
      STAFF,
      commandBodies.reassign,
      (b, p) => (_c, _f, now) => ({
        kind: "reassign",
        slot: b.slot,
        toUserId: b.toUserId,
        actor: as(p),
        now,
      }),
      (b) => ({ toUserId: b.toUserId }),
    );
  };
}
