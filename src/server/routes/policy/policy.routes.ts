// The policy definition: the current version, earlier versions, the offer catalog, and
// publishing a new version (admins).
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { getCurrentPolicy, getPolicy } from "../../../app/case-facts.ts";
import type { AppContext } from "../../../app/context.ts";
import { publishPolicy } from "../../../app/publish-policy.ts";
import type { PublishedPolicy } from "../../../db/repositories/policy-versions.repository.ts";
import { listPolicyVersions } from "../../../db/repositories/policy-versions.repository.ts";
import { ADMIN, principalOf, STAFF } from "../../plugins/auth.ts";
import { locatedUnder } from "../../plugins/location.ts";
import { cursorQuery, errorResponses, iso, pageOf } from "../common.ts";

const policyJson = z
  .object({
    version: z.number(),
    publishedAt: z.string(),
    publishedBy: z.string().nullable(),
    notes: z.string().nullable(),
    definition: z.looseObject({ version: z.number(), name: z.string(), articleTitle: z.string() }),
  })
  .meta({ id: "PolicyVersion" });

function presentPolicy(p: PublishedPolicy): z.infer<typeof policyJson> {
  return {
    version: p.version,
    publishedAt: iso(p.publishedAt)!,
    publishedBy: p.publishedBy,
    notes: p.notes,
    definition: p.definition as unknown as z.infer<typeof policyJson>["definition"],
  };
}

export function policyRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get("/api/policy", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["policy"],
        summary: "The policy new cases start under",
        response: { 200: policyJson, ...errorResponses },
      },
      handler: async () => presentPolicy(await getCurrentPolicy(ctx.db)),
    });
    app.get("/api/policy/versions", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["policy"],
        summary:
          "The versions newest first, without their definitions (GET /api/policy/versions/:version has one)",
        querystring: z.object(cursorQuery),
        response: {
          200: pageOf(
            z
              .object({
                version: z.number(),
                name: z.string(),
                publishedAt: z.string(),
                publishedBy: z.string().nullable(),
                notes: z.string().nullable(),
              })
              .meta({ id: "PolicyVersionSummary" }),
          ),
          ...errorResponses,
        },
      },
      handler: async (request) => {
        // The first read publishes the default policy on a fresh database.
        await getCurrentPolicy(ctx.db);
        const page = await listPolicyVersions(ctx.db, request.query);
        return {
          ...page,
          items: page.items.map((v) => ({ ...v, publishedAt: v.publishedAt.toISOString() })),
        };
      },
    });
    app.get("/api/policy/versions/:version", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["policy"],
        params: z.object({
          version: z.coerce
            .number({ error: "must be a version number" })
            .int("must be a version number")
            .min(1, "must be at least 1")
            .max(2_147_483_647, "is not a version number"),
        }),
        response: { 200: policyJson, ...errorResponses },
      },
      handler: async (request) => presentPolicy(await getPolicy(ctx.db, request.params.version)),
    });
    app.post("/api/policy/versions", {
      config: {
        access: { roles: ADMIN },
        location: locatedUnder("/api/policy/versions", (body) => body.version),
      },
      schema: {
        tags: ["policy"],
        summary: "Publish a new version (the version number is assigned); open cases keep theirs",
        body: z.object({
          definition: z.record(z.string(), z.unknown()),
          notes: z.string().max(2000).nullish(),
          basedOnVersion: z
            .number()
            .int()
            .min(1)
            .nullish()
            .describe(
              "the version the changes start from: 409 POLICY_CHANGED if another was published since",
            ),
        }),
        response: { 201: policyJson, ...errorResponses },
      },
      handler: async (request, reply) =>
        reply
          .status(201)
          .send(presentPolicy(await publishPolicy(ctx.db, principalOf(request), request.body))),
    });
    app.get("/api/offers", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["policy"],
        summary: "The offer catalog of the current policy, with eligibility",
        response: {
          200: z.object({
            items: z.array(
              z.looseObject({ code: z.string(), kind: z.string(), label: z.string() }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async () => ({ items: (await getCurrentPolicy(ctx.db)).definition.offers as never }),
    });
  };
}
