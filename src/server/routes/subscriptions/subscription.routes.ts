import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import { subscriptionCreateInput, subscriptionUpdateInput } from "../../../app/inputs.ts";
import {
  changeSubscription,
  createSubscription,
  getSubscription,
} from "../../../app/manage-subscriptions.ts";
import { reactivateSubscription } from "../../../app/reactivate-subscription.ts";
import { listSubscriptions } from "../../../db/repositories/subscriptions.repository.ts";
import { SUBSCRIPTION_STATUSES, type Subscription } from "../../../domain/customer.ts";
import { ADMIN, principalOf, STAFF } from "../../plugins/auth.ts";
import { errorResponses, idParams, iso, pageOf, pageQuery } from "../common.ts";

export const subscriptionJson = z
  .object({
    id: z.string(),
    accountId: z.string(),
    planId: z.string(),
    externalRef: z.string().nullable(),
    seats: z.number().int(),
    monthlyValueMinor: z.number().int().describe("value per month in minor units (cents)"),
    currency: z.string(),
    status: z.enum(SUBSCRIPTION_STATUSES),
    currentPeriodStart: z.string(),
    currentPeriodEnd: z.string(),
    cancelAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Subscription" });

export function presentSubscription(s: Subscription): z.infer<typeof subscriptionJson> {
  return {
    ...s,
    currentPeriodStart: s.currentPeriodStart.toISOString(),
    currentPeriodEnd: s.currentPeriodEnd.toISOString(),
    cancelAt: iso(s.cancelAt),
    cancelledAt: iso(s.cancelledAt),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function subscriptionRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get("/api/subscriptions", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["subscriptions"],
        summary: "List subscriptions, oldest first; q searches the external reference",
        querystring: z.object({
          ...pageQuery,
          accountId: z.uuid().optional(),
          planId: z.uuid().optional(),
          status: z.enum(SUBSCRIPTION_STATUSES).optional(),
        }),
        response: { 200: pageOf(subscriptionJson), ...errorResponses },
      },
      handler: async (request) => {
        const { limit, cursor, ...filter } = request.query;
        const page = await listSubscriptions(ctx.db, filter, { limit, cursor });
        return { ...page, items: page.items.map(presentSubscription) };
      },
    });
    app.get("/api/subscriptions/:id", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["subscriptions"],
        params: idParams,
        response: { 200: subscriptionJson, ...errorResponses },
      },
      handler: async (request) =>
        presentSubscription(await getSubscription(ctx.db, request.params.id)),
    });
    // Subscriptions belong to the billing system of record: only admins (and admin API keys, e.g.
    // the billing integration) create or change them directly; cases change them through the policy.
    app.post("/api/subscriptions", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["subscriptions"],
        body: subscriptionCreateInput,
        response: { 201: subscriptionJson, ...errorResponses },
      },
      handler: async (request, reply) =>
        reply.status(201).send(presentSubscription(await createSubscription(ctx.db, request.body))),
    });
    app.patch("/api/subscriptions/:id", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["subscriptions"],
        params: idParams,
        body: subscriptionUpdateInput,
        response: { 200: subscriptionJson, ...errorResponses },
      },
      handler: async (request) =>
        presentSubscription(await changeSubscription(ctx.db, request.params.id, request.body)),
    });
    app.post("/api/subscriptions/:id/reactivate", {
      config: { access: { roles: ["account_manager", "admin"] } },
      schema: {
        tags: ["subscriptions"],
        summary: "Undo a cancellation scheduled for the end of the term, before it takes effect",
        params: idParams,
        response: { 200: subscriptionJson, ...errorResponses },
      },
      handler: async (request) =>
        presentSubscription(
          (await reactivateSubscription(ctx, principalOf(request), request.params.id)).subscription,
        ),
    });
  };
}
