import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import { accountCreateInput, accountUpdateInput } from "../../../app/inputs.ts";
import { changeAccount, createAccount, getAccount } from "../../../app/manage-accounts.ts";
import { listAccounts } from "../../../db/repositories/accounts.repository.ts";
import { SEGMENTS } from "../../../domain/customer.ts";
import { STAFF } from "../../plugins/auth.ts";
import { locatedUnder } from "../../plugins/location.ts";
import { errorResponses, idParams, pageOf, pageQuery } from "../common.ts";
import { accountJson, presentAccount } from "./account.presenter.ts";

const ACCOUNT_WRITERS = ["account_manager", "admin"] as const;

export function accountRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get("/api/accounts", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["accounts"],
        summary: "List accounts, by name, with search and filters",
        querystring: z.object({
          ...pageQuery,
          segment: z.enum(SEGMENTS).optional(),
          country: z.string().length(2).toUpperCase().optional(),
          accountManagerId: z.uuid().optional(),
          csmId: z.uuid().optional(),
        }),
        response: { 200: pageOf(accountJson), ...errorResponses },
      },
      handler: async (request) => {
        const { limit, cursor, ...filter } = request.query;
        const page = await listAccounts(ctx.db, filter, { limit, cursor });
        return { ...page, items: page.items.map(presentAccount) };
      },
    });
    app.get("/api/accounts/:id", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["accounts"],
        params: idParams,
        response: { 200: accountJson, ...errorResponses },
      },
      handler: async (request) => presentAccount(await getAccount(ctx.db, request.params.id)),
    });
    app.post("/api/accounts", {
      config: { access: { roles: ACCOUNT_WRITERS }, location: locatedUnder("/api/accounts") },
      schema: {
        tags: ["accounts"],
        body: accountCreateInput,
        response: { 201: accountJson, ...errorResponses },
      },
      handler: async (request, reply) =>
        reply.status(201).send(presentAccount(await createAccount(ctx.db, request.body))),
    });
    app.patch("/api/accounts/:id", {
      config: { access: { roles: ACCOUNT_WRITERS } },
      schema: {
        tags: ["accounts"],
        params: idParams,
        body: accountUpdateInput,
        response: { 200: accountJson, ...errorResponses },
      },
      handler: async (request) =>
        presentAccount(await changeAccount(ctx.db, request.params.id, request.body)),
    });
  };
}
