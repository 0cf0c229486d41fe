// Documentation and proof: a case's documentation as JSON or Markdown, the audit chain's
// verification over every case (admins), and a contact's data export and erasure on request
// (admins). Handlers only translate; the work is in the app use cases.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import { eraseContactData } from "../../../app/erase-contact.ts";
import {
  documentationFileName,
  exportCaseDocumentation,
  renderCaseDocumentationMarkdown,
} from "../../../app/export-case-documentation.ts";
import { exportContactData } from "../../../app/export-contact-data.ts";
import { actorOf } from "../../../app/run-case-command.ts";
import { verifyAuditLog } from "../../../db/repositories/audit.repository.ts";
import { countAllCases } from "../../../db/repositories/cases.repository.ts";
import { ADMIN, principalOf, STAFF } from "../../plugins/auth.ts";
import { errorResponses, idParams } from "../common.ts";

const MAX_BREAKS_LISTED = 1000;
/**
 * A slice of the audit log per request: at a million cases (12 million entries) the whole check
 * takes about 8 minutes, longer than a browser or a proxy waits, so the admin page walks it in
 * slices of about five seconds' work each (measured there), showing its progress.
 * `canceldesk audit verify` checks everything at once.
 */
const DEFAULT_CASES_PER_SLICE = 10_000;
const MAX_CASES_PER_SLICE = 50_000;

export function documentationRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();

    app.get("/api/cases/:id/documentation", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["cases"],
        summary:
          "A case's documentation: the request, the seven steps with their evidence, offers, CSM outcome, processing, confirmation, feedback, notes and the audit entries with their hashes. JSON, or Markdown (text/markdown, as a download)",
        params: z.object({
          id: z.string().min(1).max(100).describe("case id or reference (CD-2026-00042)"),
        }),
        querystring: z.object({ format: z.enum(["json", "markdown"]).default("json") }),
        response: {
          200: z.unknown().describe("the documentation (JSON), or its Markdown text"),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        const doc = await exportCaseDocumentation(ctx, request.params.id);
        if (request.query.format === "json") return reply.send(doc);
        return (
          reply
            .type("text/markdown; charset=utf-8")
            // Markdown goes out as written, not as a JSON string.
            .serializer((payload) => payload as string)
            .header(
              "content-disposition",
              `attachment; filename="${documentationFileName(doc, "markdown")}"`,
            )
            .send(renderCaseDocumentationMarkdown(doc))
        );
      },
    });

    app.get("/api/audit/verify", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["audit"],
        summary:
          "Verifies the audit hash chains of a slice of the cases (in case id order) and lists each broken chain with the case and entry; continue with `after=nextCursor` until it is null",
        querystring: z.object({
          after: z
            .uuid({ error: "must be a case id (the nextCursor of the previous slice)" })
            .optional(),
          limit: z.coerce
            .number({ error: "must be a number" })
            .int({ error: "must be a whole number" })
            .min(1, { error: "must be at least 1" })
            .max(MAX_CASES_PER_SLICE, { error: `must be at most ${MAX_CASES_PER_SLICE}` })
            .default(DEFAULT_CASES_PER_SLICE),
        }),
        response: {
          200: z.object({
            ok: z.boolean().describe("no broken chain in this slice"),
            cases: z.number(),
            entries: z.number(),
            erasedEntries: z.number(),
            brokenCases: z.number(),
            breaks: z.array(
              z.object({
                caseId: z.string(),
                reference: z.string(),
                seq: z.number(),
                problem: z.string(),
              }),
            ),
            nextCursor: z.string().nullable().describe("null when every case has been checked"),
            totalCases: z
              .number()
              .nullable()
              .describe("how many cases there are, on the first slice (without `after`)"),
            checkedAt: z.string(),
          }),
          ...errorResponses,
        },
      },
      handler: async (request) => {
        const { after, limit } = request.query;
        const report = await verifyAuditLog(ctx.db, {
          maxBreaks: MAX_BREAKS_LISTED,
          maxCases: limit,
          ...(after ? { after } : {}),
        });
        return {
          ok: report.brokenCases === 0,
          ...report,
          totalCases: after ? null : await countAllCases(ctx.db),
          checkedAt: ctx.now().toISOString(),
        };
      },
    });

    app.get("/api/contacts/:id/export", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["contacts"],
        summary:
          "Everything held about a contact (data subject access): the contact, their cases, form answers, feedback, messages sent to them and the cases' audit entries",
        params: idParams,
        response: {
          200: z.unknown().describe("the contact's data as one JSON document"),
          ...errorResponses,
        },
      },
      handler: async (request, reply) => {
        const data = await exportContactData(ctx, request.params.id);
        return reply
          .header("content-disposition", `attachment; filename="contact-${request.params.id}.json"`)
          .send(data);
      },
    });

    app.post("/api/contacts/:id/erase", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["contacts"],
        summary:
          "Erases the contact's personal data on request (name, email, phone, free text of their cases and messages); figures and the audit chain stay intact",
        params: idParams,
        body: z.object({
          confirm: z.literal(true, { error: "must be true: erasure cannot be undone" }),
        }),
        response: {
          200: z.object({
            contactId: z.string(),
            erasedAt: z.string(),
            alreadyErased: z.boolean(),
            cases: z.number(),
            auditEntriesRedacted: z.number(),
            messagesRedacted: z.number(),
          }),
          ...errorResponses,
        },
      },
      handler: async (request) =>
        eraseContactData(ctx, actorOf(principalOf(request)), request.params.id),
    });
  };
}
