import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import { planCreateInput, planUpdateInput } from "../../../app/inputs.ts";
import { changePlan, createPlan, getPlan } from "../../../app/manage-plans.ts";
import { listPlans } from "../../../db/repositories/plans.repository.ts";
import type { Plan } from "../../../domain/customer.ts";
import { ADMIN, STAFF } from "../../plugins/auth.ts";
import { locatedUnder } from "../../plugins/location.ts";
import { booleanQuery, errorResponses, idParams, pageOf, pageQuery } from "../common.ts";

export const planJson = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    monthlyPriceMinor: z.number().int().describe("price per month in minor units (cents)"),
    currency: z.string(),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Plan" });

export function presentPlan(p: Plan): z.infer<typeof planJson> {
  return { ...p, createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString() };
}

export function planRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get("/api/plans", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["plans"],
        querystring: z.object({ ...pageQuery, active: booleanQuery.optional() }),
        response: { 200: pageOf(planJson), ...errorResponses },
      },
      handler: async (request) => {
        const { limit, cursor, ...filter } = request.query;
        const page = await listPlans(ctx.db, filter, { limit, cursor });
        return { ...page, items: page.items.map(presentPlan) };
      },
    });
    app.get("/api/plans/:id", {
      config: { access: { roles: STAFF } },
      schema: { tags: ["plans"], params: idParams, response: { 200: planJson, ...errorResponses } },
      handler: async (request) => presentPlan(await getPlan(ctx.db, request.params.id)),
    });
    app.post("/api/plans", {
      config: { access: { roles: ADMIN }, location: locatedUnder("/api/plans") },
      schema: {
        tags: ["plans"],
        body: planCreateInput,
        response: { 201: planJson, ...errorResponses },
      },
      handler: async (request, reply) =>
        reply.status(201).send(presentPlan(await createPlan(ctx.db, request.body))),
    });
    app.patch("/api/plans/:id", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["plans"],
        params: idParams,
        body: planUpdateInput,
        response: { 200: planJson, ...errorResponses },
      },
      handler: async (request) =>
        presentPlan(await changePlan(ctx.db, request.params.id, request.body)),
    });
  };
}
