import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import { apiKeyCreateInput } from "../../../app/inputs.ts";
import { createApiKey, revokeApiKeyById } from "../../../app/manage-api-keys.ts";
import { listApiKeys } from "../../../db/repositories/api-keys.repository.ts";
import { type ApiKey, STAFF_ROLES } from "../../../domain/staff.ts";
import { ADMIN, principalOf } from "../../plugins/auth.ts";
import { errorResponses, idParams, iso } from "../common.ts";

const apiKeyJson = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe("the visible part of the key, to tell keys apart"),
    role: z.enum(STAFF_ROLES),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: "ApiKey" });

function presentApiKey(k: ApiKey): z.infer<typeof apiKeyJson> {
  return {
    ...k,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: iso(k.lastUsedAt),
    revokedAt: iso(k.revokedAt),
  };
}

export function apiKeyRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get("/api/api-keys", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["api keys"],
        response: { 200: z.object({ items: z.array(apiKeyJson) }), ...errorResponses },
      },
      handler: async () => ({ items: (await listApiKeys(ctx.db)).map(presentApiKey) }),
    });
    app.post("/api/api-keys", {
      config: {
        access: { roles: ADMIN },
        idempotency: {
          secretAnswer:
            "The API key it created is shown only once: revoke it and create another if that answer was lost.",
        },
      },
      schema: {
        tags: ["api keys"],
        summary: "Create an API key; the key itself is in this answer only",
        body: apiKeyCreateInput,
        response: { 201: apiKeyJson.extend({ key: z.string() }), ...errorResponses },
      },
      handler: async (request, reply) => {
        const { apiKey, key } = await createApiKey(ctx.db, principalOf(request), request.body);
        return reply.status(201).send({ ...presentApiKey(apiKey), key });
      },
    });
    app.post("/api/api-keys/:id/revoke", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["api keys"],
        params: idParams,
        response: { 200: apiKeyJson, ...errorResponses },
      },
      handler: async (request) => presentApiKey(await revokeApiKeyById(ctx.db, request.params.id)),
    });
  };
}
