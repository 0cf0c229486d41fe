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
import { runningDiscountOf } from "../../../domain/offers.ts";
import { ADMIN, principalOf, STAFF } from "../../plugins/auth.ts";
import { locatedUnder } from "../../plugins/location.ts";
import { errorResponses, idParams, iso, pageOf, pageQuery } from "../common.ts";

/** A discount that runs now, as the subscription's answers carry it. */
export const runningDiscountJson = z
  .object({
    percent: z.number().int().describe("percent off the monthly value"),
    endsAt: z.string().describe("when the discount ends and the list value is billed again"),
    monthlyValueMinor: z
      .number()
      .int()
      .describe(
        "what the customer pays a month while it runs, in minor units (the list value less the percent)",
      ),
  })
  .meta({ id: "RunningDiscount" });

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
    discount: runningDiscountJson
      .nullable()
      .describe("the discount billing applied that runs now; null when none runs (or it ended)"),
    pausedUntil: z
      .string()
      .nullable()
      .describe("while the status is paused: when billing resumes; null otherwise"),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Subscription" });

/** What billing applies now, as of `now` (the server's clock): a discount that ended is not shown. */
export function presentSubscription(s: Subscription, now: Date): z.infer<typeof subscriptionJson> {
  const discount = runningDiscountOf(s, now);
  return {
    id: s.id,
    accountId: s.accountId,
    planId: s.planId,
    externalRef: s.externalRef,
    seats: s.seats,
    monthlyValueMinor: s.monthlyValueMinor,
    currency: s.currency,
    status: s.status,
    currentPeriodStart: s.currentPeriodStart.toISOString(),
    currentPeriodEnd: s.currentPeriodEnd.toISOString(),
    cancelAt: iso(s.cancelAt),
    cancelledAt: iso(s.cancelledAt),
    discount: discount && { ...discount, endsAt: discount.endsAt.toISOString() },
    pausedUntil: s.status === "paused" ? iso(s.pausedUntil) : null,
    version: s.version,
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
        const now = ctx.now();
        return { ...page, items: page.items.map((s) => presentSubscription(s, now)) };
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
        presentSubscription(await getSubscription(ctx.db, request.params.id), ctx.now()),
    });
    // Subscriptions belong to the billing system of record: only admins (and admin API keys, e.g.
    // the billing integration) create or change them directly; cases change them through the policy.
    app.post("/api/subscriptions", {
      config: { access: { roles: ADMIN }, location: locatedUnder("/api/subscriptions") },
      schema: {
        tags: ["subscriptions"],
        body: subscriptionCreateInput,
        response: { 201: subscriptionJson, ...errorResponses },
      },
      handler: async (request, reply) =>
        reply
          .status(201)
          .send(presentSubscription(await createSubscription(ctx.db, request.body), ctx.now())),
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
        presentSubscription(
          await changeSubscription(ctx.db, request.params.id, request.body),
          ctx.now(),
        ),
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
          ctx.now(),
        ),
    });
  };
}
