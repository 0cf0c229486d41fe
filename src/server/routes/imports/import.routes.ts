// CSV imports from the admin screens: the same use case as `canceldesk import` (import-csv.ts),
// with the file as the request's body. On the embedded database the CLI cannot run beside the
// server (the folder takes one process), so this is how an admin imports while the desk is up.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import {
  IMPORT_COLUMNS,
  IMPORT_KINDS,
  ImportFailedError,
  type ImportReport,
  importCsv,
} from "../../../app/import-csv.ts";
import { AppError } from "../../../domain/errors.ts";
import { ADMIN } from "../../plugins/auth.ts";
import { booleanQuery, errorBody, errorResponses } from "../common.ts";

/** A file of a few tens of thousands of rows; larger ones go through `canceldesk import`. */
export const IMPORT_BODY_LIMIT = 5 * 1024 * 1024;
/** Problems listed in an answer; the counts cover them all. */
export const PROBLEMS_LISTED = 1000;
const CSV = "text/csv";

const kindParams = z.object({
  kind: z.enum(IMPORT_KINDS, { error: `must be one of ${IMPORT_KINDS.join(", ")}` }),
});

const importReportJson = z
  .object({
    kind: z.enum(IMPORT_KINDS),
    dryRun: z.boolean().describe("true when nothing was meant to be written (dryRun=true)"),
    refused: z.boolean().describe("nothing was imported because of the problems listed"),
    total: z.number().describe("data rows read (blank lines are not rows)"),
    valid: z.number().describe("rows that passed every check"),
    imported: z.number().describe("rows stored: 0 when refused or on a dry run"),
    invalidRows: z.number().describe("rows with at least one problem"),
    problemCount: z.number().describe("all problems found; `problems` lists the first 1,000"),
    problems: z.array(
      z.object({
        line: z.number().describe("the line in the file, the header being line 1"),
        field: z.string().describe("the column, or (row) / (file)"),
        message: z.string(),
      }),
    ),
  })
  .meta({ id: "ImportReport" });

type ImportReportJson = z.infer<typeof importReportJson>;

function presentReport(report: ImportReport): ImportReportJson {
  return {
    kind: report.kind,
    dryRun: report.dryRun,
    refused: report.refused,
    total: report.total,
    valid: report.valid,
    imported: report.imported,
    invalidRows: report.invalidRows,
    problemCount: report.invalid.length,
    problems: report.invalid.slice(0, PROBLEMS_LISTED),
  };
}

const rows = (n: number) => `${n.toLocaleString("en-US")} row${n === 1 ? "" : "s"}`;

/** The sentence of a refused file: how many rows, and the first problem by line and column. */
function refusal(report: ImportReport): string {
  const first = report.invalid[0];
  const where = first ? ` Line ${first.line}, ${first.field}: ${first.message}.` : "";
  if (report.invalidRows === 0) {
    return `Nothing was imported: the file cannot be read as ${report.kind}.${where}`;
  }
  return (
    `Nothing was imported: ${report.invalidRows.toLocaleString("en-US")} of ${rows(report.total)} ` +
    `${report.invalidRows === 1 ? "has" : "have"} problems.${where} Fix them and send the file ` +
    `again, or send it with skipInvalid=true to import the other ${rows(report.valid)}.`
  );
}

/** The SQLSTATE of a database error (PostgreSQL's and PGlite's both carry `code`). */
function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

export function importRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    // Only this plugin's routes read CSV, and they read nothing else: JSON is refused with 415,
    // so a file cannot arrive as a JSON string by another path.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser(
      CSV,
      { parseAs: "string", bodyLimit: IMPORT_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    const app = fastify.withTypeProvider<ZodTypeProvider>();

    app.get("/api/imports", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["imports"],
        summary: "The kinds of CSV file an import takes, with their columns",
        response: {
          200: z.object({
            maxBytes: z.number().describe("the largest file a request may carry"),
            kinds: z.array(
              z.object({
                kind: z.enum(IMPORT_KINDS),
                required: z.array(z.string()),
                optional: z.array(z.string()),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
      handler: async () => ({
        maxBytes: IMPORT_BODY_LIMIT,
        kinds: IMPORT_KINDS.map((kind) => ({
          kind,
          required: [...IMPORT_COLUMNS[kind].required],
          optional: [...IMPORT_COLUMNS[kind].optional],
        })),
      }),
    });

    app.post("/api/imports/:kind", {
      config: { access: { roles: ADMIN } },
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ["imports"],
        summary: "Import accounts, contacts or subscriptions from a CSV file (the body)",
        description:
          "The body is the file itself, `Content-Type: text/csv`, UTF-8, at most 5 MiB, with a " +
          "header line. Every row is held to the API's rules plus its references (staff by email, " +
          "accounts by external_ref, plans by code, external_ref new). A file with any bad row " +
          "imports nothing (400 IMPORT_REFUSED, the report in `details.report`) unless " +
          "skipInvalid=true; the rows imported go in one transaction. dryRun=true checks " +
          "everything, the database's own constraints included, and writes nothing.",
        consumes: [CSV],
        params: kindParams,
        querystring: z.object({
          dryRun: booleanQuery.default(false).describe("check the file and write nothing"),
          skipInvalid: booleanQuery
            .default(false)
            .describe("import the valid rows of a file that has bad ones"),
        }),
        body: z.string({ error: "must be the CSV file, sent as text/csv" }),
        response: {
          200: importReportJson,
          ...errorResponses,
          400: errorBody
            .extend({ details: z.object({ report: importReportJson }).optional() })
            .describe(
              "VALIDATION_FAILED for a bad parameter; IMPORT_REFUSED for a file with problems, nothing written, the report in details.report",
            ),
        },
      },
      handler: async (request) => {
        const { kind } = request.params;
        let report: ImportReport;
        try {
          report = await importCsv(ctx.db, kind, [request.body], {
            dryRun: request.query.dryRun,
            skipInvalid: request.query.skipInvalid,
          });
        } catch (error) {
          if (!(error instanceof ImportFailedError)) throw error;
          // The database's own message may quote other customers' data: the lines say enough.
          // So the log keeps the lines and the SQLSTATE, never the database's message.
          request.log.warn(
            { lines: error.lines, sqlState: sqlStateOf(error.cause) },
            "the database refused an import",
          );
          throw new AppError(
            "CONFLICT",
            `The database refused the ${kind} on lines ${error.lines.first}-${error.lines.last}, ` +
              "so nothing was imported: another import or edit may have taken an external_ref " +
              "meanwhile. Check the file again.",
            { code: "IMPORT_FAILED" },
          );
        }
        if (report.refused) {
          throw new AppError("VALIDATION_FAILED", refusal(report), {
            code: "IMPORT_REFUSED",
            details: { report: presentReport(report) },
          });
        }
        return presentReport(report);
      },
    });
  };
}
