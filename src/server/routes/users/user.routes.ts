import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import { userCreateInput, userUpdateInput } from "../../../app/inputs.ts";
import { changeUser, createUser, getUser } from "../../../app/manage-users.ts";
import { listUsers } from "../../../db/repositories/users.repository.ts";
import { STAFF_ROLES, type StaffUser } from "../../../domain/staff.ts";
import { ADMIN, principalOf, STAFF } from "../../plugins/auth.ts";
import { booleanQuery, errorResponses, idParams, iso, pageOf, pageQuery } from "../common.ts";

export const userJson = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(STAFF_ROLES),
    active: z.boolean(),
    lockedUntil: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "User" });

export function presentUser(u: StaffUser): z.infer<typeof userJson> {
  return {
    ...u,
    lockedUntil: iso(u.lockedUntil),
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

export function userRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    // Every staff member may list colleagues (to pick a CSM, to filter a queue by AM).
    app.get("/api/users", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["users"],
        querystring: z.object({
          ...pageQuery,
          role: z.enum(STAFF_ROLES).optional(),
          active: booleanQuery.optional(),
        }),
        response: { 200: pageOf(userJson), ...errorResponses },
      },
      handler: async (request) => {
        const { limit, cursor, ...filter } = request.query;
        const page = await listUsers(ctx.db, filter, { limit, cursor });
        return { ...page, items: page.items.map(presentUser) };
      },
    });
    app.get("/api/users/:id", {
      config: { access: { roles: STAFF } },
      schema: { tags: ["users"], params: idParams, response: { 200: userJson, ...errorResponses } },
      handler: async (request) => presentUser(await getUser(ctx.db, request.params.id)),
    });
    app.post("/api/users", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["users"],
        body: userCreateInput,
        response: { 201: userJson, ...errorResponses },
      },
      handler: async (request, reply) =>
        reply.status(201).send(presentUser(await createUser(ctx.db, request.body))),
    });
    app.patch("/api/users/:id", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["users"],
        summary: "Change a user's name, role, password or deactivate them (their sessions end)",
        params: idParams,
        body: userUpdateInput,
        response: { 200: userJson, ...errorResponses },
      },
      handler: async (request) =>
        presentUser(
          await changeUser(ctx.db, principalOf(request), request.params.id, request.body),
        ),
    });
  };
}
