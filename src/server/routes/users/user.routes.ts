import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import {
  getOpenCaseCounts,
  handOverOpenCases,
  type OpenCaseCounts,
} from "../../../app/hand-over-open-cases.ts";
import { openCasesHandOverInput, userCreateInput, userUpdateInput } from "../../../app/inputs.ts";
import { changeUser, createUser, getUser } from "../../../app/manage-users.ts";
import { listUsers } from "../../../db/repositories/users.repository.ts";
import { STAFF_ROLES, type StaffUser } from "../../../domain/staff.ts";
import { ADMIN, principalOf, STAFF } from "../../plugins/auth.ts";
import { locatedUnder } from "../../plugins/location.ts";
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

export const openCaseCountsJson = z
  .object({
    am: z.number().int().describe("open cases the user is the assigned AM of"),
    csm: z.number().int().describe("open cases the user is the assigned CSM of"),
  })
  .meta({ id: "OpenCaseCounts" });

/** A changed user, with the open cases they still hold (what a deactivation leaves behind). */
const changedUserJson = z
  .object({ ...userJson.shape, openCases: openCaseCountsJson })
  .meta({ id: "ChangedUser" });

const slotJson = z.enum(["am", "csm"]);
const handOverReportJson = z
  .object({
    moved: z.array(
      z.object({ caseId: z.string(), reference: z.string(), slot: slotJson, toUserId: z.string() }),
    ),
    notMoved: z
      .array(
        z.object({
          caseId: z.string(),
          reference: z.string(),
          slot: slotJson,
          code: z.string().describe("the rule code (e.g. CSM_IS_CASE_AM) or NO_LONGER_ASSIGNED"),
          message: z.string(),
        }),
      )
      .describe("cases refused one by one: each is left exactly as it was, with the user"),
    left: openCaseCountsJson.describe("the open cases the user still holds afterwards"),
  })
  .meta({ id: "OpenCasesHandOver" });

function presentCounts(counts: OpenCaseCounts): z.infer<typeof openCaseCountsJson> {
  return { am: counts.am, csm: counts.csm };
}

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
      config: { access: { roles: ADMIN }, location: locatedUnder("/api/users") },
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
        description:
          "The answer says how many open cases the user still holds (`openCases`): a deactivated user's cases stay with them until handed over (POST /api/users/{id}/open-cases/hand-over).",
        params: idParams,
        body: userUpdateInput,
        response: { 200: changedUserJson, ...errorResponses },
      },
      handler: async (request) => {
        const user = await changeUser(
          ctx.db,
          principalOf(request),
          request.params.id,
          request.body,
        );
        const openCases = await getOpenCaseCounts(ctx.db, user.id);
        return { ...presentUser(user), openCases: presentCounts(openCases) };
      },
    });
    app.get("/api/users/:id/open-cases", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["users"],
        summary: "How many open cases a user holds, as assigned AM and as assigned CSM",
        params: idParams,
        response: { 200: openCaseCountsJson, ...errorResponses },
      },
      handler: async (request) => presentCounts(await getOpenCaseCounts(ctx.db, request.params.id)),
    });
    app.post("/api/users/:id/open-cases/hand-over", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["users"],
        summary: "Reassign a user's open cases to successors (e.g. when deactivating them)",
        description:
          "Each case is reassigned by the policy's reassign command in its own transaction, with its audit entry and notifications, as a manual reassignment. A successor who is not an active staff member is a 400 naming the field; one without the slot's role a 409 ASSIGNEE_ROLE_MISMATCH, and nothing moves. A case the policy refuses (e.g. CSM_IS_CASE_AM) stays whole with the user and is listed in `notMoved` with the rule code; the others move.",
        params: idParams,
        body: openCasesHandOverInput,
        response: { 200: handOverReportJson, ...errorResponses },
      },
      handler: async (request) => {
        const report = await handOverOpenCases(
          ctx,
          principalOf(request),
          request.params.id,
          request.body,
        );
        return { ...report, left: presentCounts(report.left) };
      },
    });
  };
}
