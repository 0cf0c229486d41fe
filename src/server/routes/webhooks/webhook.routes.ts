// Admins register webhook endpoints, read the delivery log and replay a delivery.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import {
  changeWebhookEndpoint,
  createWebhookEndpoint,
  getWebhookEndpoint,
  removeWebhookEndpoint,
  replayWebhookDelivery,
  rotateWebhookSecret,
} from "../../../app/manage-webhooks.ts";
import {
  findWebhookDelivery,
  listWebhookDeliveries,
  listWebhookEndpoints,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "../../../db/repositories/webhooks.repository.ts";
import { notFound } from "../../../domain/errors.ts";
import { WEBHOOK_TOPICS } from "../../../domain/outbox.ts";
import { ADMIN, principalOf } from "../../plugins/auth.ts";
import { locatedUnder } from "../../plugins/location.ts";
import { cursorQuery, errorResponses, idParams, iso, pageOf } from "../common.ts";

const endpointJson = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    secretHint: z.string().describe("the last 4 characters of the signing secret"),
    active: z.boolean(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "WebhookEndpoint" });

const deliveryJson = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    caseId: z.string().nullable(),
    eventId: z.string(),
    topic: z.string(),
    status: z.enum(["pending", "sending", "delivered", "failed"]),
    attempts: z.number(),
    lastStatusCode: z.number().nullable(),
    lastError: z.string().nullable(),
    replayOf: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
  })
  .meta({ id: "WebhookDelivery" });

const url = z
  .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
  .max(2000, "must be at most 2000 characters");
const events = z
  .array(z.enum(WEBHOOK_TOPICS, { error: `must be one of: ${WEBHOOK_TOPICS.join(", ")}` }))
  .min(1, "pick at least one event");
const description = z.string().trim().max(500).nullable().optional();

const createBody = z.object({ url, events, description, active: z.boolean().optional() });
const updateBody = z.object({
  url: url.optional(),
  events: events.optional(),
  description,
  active: z.boolean().optional(),
});

function presentEndpoint(e: WebhookEndpoint): z.infer<typeof endpointJson> {
  return { ...e, createdAt: e.createdAt.toISOString(), updatedAt: e.updatedAt.toISOString() };
}

function presentDelivery(d: WebhookDelivery): z.infer<typeof deliveryJson> {
  return {
    ...d,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: iso(d.deliveredAt),
    nextAttemptAt: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
  };
}

export function webhookRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const access = { access: { roles: ADMIN } };
    const tags = ["webhooks"];

    app.get("/api/webhooks/endpoints", {
      config: access,
      schema: {
        tags,
        summary: "Registered webhook endpoints",
        response: { 200: z.object({ items: z.array(endpointJson) }), ...errorResponses },
      },
      handler: async () => ({ items: (await listWebhookEndpoints(ctx.db)).map(presentEndpoint) }),
    });
    app.post("/api/webhooks/endpoints", {
      config: {
        ...access,
        location: locatedUnder("/api/webhooks/endpoints"),
        idempotency: {
          secretAnswer:
            "The endpoint it registered has a signing secret shown only once: rotate the secret if that answer was lost.",
        },
      },
      schema: {
        tags,
        summary: "Register an endpoint; the signing secret is in this answer only",
        body: createBody,
        response: { 201: endpointJson.extend({ secret: z.string() }), ...errorResponses },
      },
      handler: async (request, reply) => {
        const { endpoint, secret } = await createWebhookEndpoint(
          ctx,
          principalOf(request),
          request.body,
        );
        return reply.status(201).send({ ...presentEndpoint(endpoint), secret });
      },
    });
    app.get("/api/webhooks/endpoints/:id", {
      config: access,
      schema: { tags, params: idParams, response: { 200: endpointJson, ...errorResponses } },
      handler: async (request) => presentEndpoint(await getWebhookEndpoint(ctx, request.params.id)),
    });
    app.patch("/api/webhooks/endpoints/:id", {
      config: access,
      schema: {
        tags,
        params: idParams,
        body: updateBody,
        response: { 200: endpointJson, ...errorResponses },
      },
      handler: async (request) =>
        presentEndpoint(await changeWebhookEndpoint(ctx, request.params.id, request.body)),
    });
    app.delete("/api/webhooks/endpoints/:id", {
      config: access,
      schema: {
        tags,
        summary: "Delete an endpoint (its delivery log is kept)",
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
      handler: async (request, reply) => {
        await removeWebhookEndpoint(ctx, request.params.id);
        return reply.status(204).send(null);
      },
    });
    app.post("/api/webhooks/endpoints/:id/rotate-secret", {
      config: {
        ...access,
        idempotency: {
          secretAnswer:
            "The new signing secret is shown only once: rotate it again if that answer was lost.",
        },
      },
      schema: {
        tags,
        summary: "Replace the signing secret; the new one is in this answer only",
        params: idParams,
        response: { 200: endpointJson.extend({ secret: z.string() }), ...errorResponses },
      },
      handler: async (request) => {
        const { endpoint, secret } = await rotateWebhookSecret(ctx, request.params.id);
        return { ...presentEndpoint(endpoint), secret };
      },
    });
    app.get("/api/webhooks/deliveries", {
      config: access,
      schema: {
        tags,
        summary: "The delivery log, newest first",
        querystring: z.object({
          endpointId: z.uuid({ error: "must be an id (UUID)" }).optional(),
          caseId: z.uuid({ error: "must be an id (UUID)" }).optional(),
          status: z.enum(["pending", "sending", "delivered", "failed"]).optional(),
          ...cursorQuery,
        }),
        response: { 200: pageOf(deliveryJson), ...errorResponses },
      },
      handler: async (request) => {
        const page = await listWebhookDeliveries(ctx.db, request.query);
        return { ...page, items: page.items.map(presentDelivery) };
      },
    });
    app.get("/api/webhooks/deliveries/:id", {
      config: access,
      schema: {
        tags,
        summary: "One delivery with its body and every attempt's response",
        params: idParams,
        response: {
          200: deliveryJson.extend({
            body: z.string(),
            attemptLog: z.array(
              z.object({
                attempt: z.number(),
                at: z.string(),
                statusCode: z.number().nullable(),
                error: z.string().nullable(),
                responseExcerpt: z.string().nullable(),
                durationMs: z.number(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async (request) => {
        const delivery = await findWebhookDelivery(ctx.db, request.params.id);
        if (!delivery) throw notFound("Webhook delivery", request.params.id);
        return {
          ...presentDelivery(delivery),
          body: delivery.body,
          attemptLog: delivery.attemptLog.map((a) => ({ ...a, at: a.at.toISOString() })),
        };
      },
    });
    app.post("/api/webhooks/deliveries/:id/replay", {
      config: access,
      schema: {
        tags,
        summary: "Send the same event again to the endpoint, as a new delivery",
        params: idParams,
        response: { 202: z.object({ deliveryId: z.string() }), ...errorResponses },
      },
      handler: async (request, reply) =>
        reply.status(202).send({ deliveryId: await replayWebhookDelivery(ctx, request.params.id) }),
    });
  };
}
