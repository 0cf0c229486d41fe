// Outgoing messages for staff: failed messages (admins retry them), open phone-confirmation call
// tasks, and the dev mailbox that keeps email and SMS when no provider is configured.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { listOpenCallTasks } from "../../../app/call-tasks.ts";
import type { AppContext } from "../../../app/context.ts";
import { retryFailedMessage } from "../../../app/manage-webhooks.ts";
import { findDevMail, listDevMail } from "../../../db/repositories/dev-mailbox.repository.ts";
import { listFailedMessages } from "../../../db/repositories/outbox-delivery.repository.ts";
import { notFound } from "../../../domain/errors.ts";
import { ADMIN, STAFF } from "../../plugins/auth.ts";
import { cursorQuery, errorResponses, idParams, iso, pageOf } from "../common.ts";

const pagedQuery = z.object(cursorQuery);

const devMailJson = z.object({
  id: z.string(),
  outboxId: z.string().nullable(),
  channel: z.string(),
  recipient: z.string(),
  subject: z.string().nullable(),
  text: z.string(),
  html: z.string().nullable(),
  createdAt: z.string(),
});

export function messageRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();

    app.get("/api/messages/failed", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["messages"],
        summary: "Messages that failed after their last attempt (without their secrets)",
        querystring: pagedQuery,
        response: {
          200: pageOf(
            z.object({
              id: z.string(),
              caseId: z.string().nullable(),
              caseReference: z.string().nullable(),
              topic: z.string(),
              channel: z.string(),
              recipient: z.unknown(),
              attempts: z.number(),
              lastError: z.string().nullable(),
              createdAt: z.string(),
              failedAt: z.string().nullable(),
            }),
          ),
          ...errorResponses,
        },
      },
      handler: async (request) => {
        const page = await listFailedMessages(ctx.db, request.query);
        return {
          ...page,
          items: page.items.map((m) => ({
            ...m,
            createdAt: m.createdAt.toISOString(),
            failedAt: iso(m.failedAt),
          })),
        };
      },
    });
    app.post("/api/messages/:id/retry", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["messages"],
        summary: "Queue a failed message again, with a fresh set of attempts",
        params: idParams,
        response: {
          202: z.object({ id: z.string(), status: z.literal("pending") }),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        await retryFailedMessage(ctx, request.params.id);
        return reply.status(202).send({ id: request.params.id, status: "pending" as const });
      },
    });

    app.get("/api/call-tasks", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["messages"],
        summary:
          "Open phone confirmations: call the customer, then record the call with POST /api/cases/:id/confirmation",
        querystring: z.object({ assignedAmId: z.uuid().optional() }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                caseId: z.string(),
                reference: z.string(),
                accountName: z.string(),
                contactName: z.string(),
                phone: z.string().nullable(),
                assignedAmId: z.string().nullable(),
                dueSince: z.string(),
                effectiveAt: z.string().nullable(),
                script: z.string(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async (request) => ({
        items: (await listOpenCallTasks(ctx.db, request.query)).map((t) => ({
          ...t,
          dueSince: t.dueSince.toISOString(),
        })),
      }),
    });

    app.get("/api/dev/mailbox", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["dev mailbox"],
        summary: "Email and SMS kept because no SMTP server or SMS provider is configured",
        querystring: pagedQuery.extend({ recipient: z.string().trim().max(200).optional() }),
        response: { 200: pageOf(devMailJson), ...errorResponses },
      },
      handler: async (request) => {
        const page = await listDevMail(ctx.db, request.query);
        return {
          ...page,
          items: page.items.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
        };
      },
    });
    app.get("/api/dev/mailbox/:id", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["dev mailbox"],
        params: idParams,
        response: { 200: devMailJson, ...errorResponses },
      },
      handler: async (request) => {
        const mail = await findDevMail(ctx.db, request.params.id);
        if (!mail) throw notFound("Dev mailbox message", request.params.id);
        return { ...mail, createdAt: mail.createdAt.toISOString() };
      },
    });
  };
}
