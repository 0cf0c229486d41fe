import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import { contactCreateInput, contactUpdateInput } from "../../../app/inputs.ts";
import { changeContact, createContact, getContact } from "../../../app/manage-contacts.ts";
import { listContacts } from "../../../db/repositories/contacts.repository.ts";
import { CONTACT_CHANNELS, CONTACT_ROLES, type Contact } from "../../../domain/customer.ts";
import { principalOf, STAFF } from "../../plugins/auth.ts";
import { locatedUnder } from "../../plugins/location.ts";
import { booleanQuery, errorResponses, idParams, pageOf, pageQuery } from "../common.ts";

export const contactJson = z
  .object({
    id: z.string(),
    accountId: z.string(),
    externalRef: z.string().nullable(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    role: z.enum(CONTACT_ROLES),
    authorisedToCancel: z.boolean(),
    preferredChannel: z.enum(CONTACT_CHANNELS),
    version: z.number().int().describe("bumped by every change; send it back as expectedVersion"),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Contact" });

export function presentContact(c: Contact): z.infer<typeof contactJson> {
  return { ...c, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() };
}

const CONTACT_WRITERS = ["account_manager", "admin"] as const;

export function contactRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get("/api/contacts", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["contacts"],
        summary: "List contacts, by name, with search (name, email, phone) and filters",
        querystring: z.object({
          ...pageQuery,
          accountId: z.uuid().optional(),
          role: z.enum(CONTACT_ROLES).optional(),
          authorisedToCancel: booleanQuery.optional(),
        }),
        response: { 200: pageOf(contactJson), ...errorResponses },
      },
      handler: async (request) => {
        const { limit, cursor, ...filter } = request.query;
        const page = await listContacts(ctx.db, filter, { limit, cursor });
        return { ...page, items: page.items.map(presentContact) };
      },
    });
    app.get("/api/contacts/:id", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["contacts"],
        params: idParams,
        response: { 200: contactJson, ...errorResponses },
      },
      handler: async (request) => presentContact(await getContact(ctx.db, request.params.id)),
    });
    app.post("/api/contacts", {
      config: { access: { roles: CONTACT_WRITERS }, location: locatedUnder("/api/contacts") },
      schema: {
        tags: ["contacts"],
        body: contactCreateInput,
        response: { 201: contactJson, ...errorResponses },
      },
      handler: async (request, reply) =>
        reply.status(201).send(presentContact(await createContact(ctx.db, request.body))),
    });
    app.patch("/api/contacts/:id", {
      config: { access: { roles: CONTACT_WRITERS } },
      schema: {
        tags: ["contacts"],
        params: idParams,
        body: contactUpdateInput,
        response: { 200: contactJson, ...errorResponses },
      },
      handler: async (request) =>
        presentContact(
          await changeContact(ctx, principalOf(request), request.params.id, request.body),
        ),
    });
  };
}
