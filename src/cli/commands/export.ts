// canceldesk export case REF: a case's documentation as Markdown (default) or JSON, to stdout or a
// file, built by the same use case as GET /api/cases/:id/documentation.
import { writeFile } from "node:fs/promises";
import type { AppContext } from "../../app/context.ts";
import {
  exportCaseDocumentation,
  renderCaseDocumentationMarkdown,
} from "../../app/export-case-documentation.ts";
import { loadConfig } from "../../config.ts";
import { migrateToLatest } from "../../db/database.ts";
import { subscriptionLedger } from "../../integrations/billing/subscription-ledger.ts";
import { parseCommandArgs } from "../args.ts";
import { type CliCommand, type CliIo, UsageError } from "../cli-io.ts";
import { withDatabase } from "../open-database.ts";

const help = `Usage: canceldesk export case REF [--format markdown|json] [--out FILE]

Writes a case's documentation (by id or reference such as CD-2026-00042): the account, the
request, each of the seven steps with its evidence, offers, CSM outcome, processing,
confirmation, feedback, notes, and the audit entries with their hashes and whether the chain
verifies. Markdown by default; to stdout unless --out names a file.
`;

export interface ExportCaseOptions {
  reference: string;
  format: "markdown" | "json";
  out?: string;
}

/** The command's work on an open database (tests call it with their own context). */
export async function exportCase(ctx: AppContext, options: ExportCaseOptions, io: CliIo) {
  const doc = await exportCaseDocumentation(ctx, options.reference);
  const text =
    options.format === "json"
      ? `${JSON.stringify(doc, null, 2)}\n`
      : renderCaseDocumentationMarkdown(doc);
  if (options.out) {
    await writeFile(options.out, text);
    io.stderr(`wrote the documentation of ${doc.reference} to ${options.out}\n`);
  } else io.stdout(text);
  return 0;
}

export const exportCommand: CliCommand = {
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { format: { type: "string" }, out: { type: "string" } },
      help,
    );
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    if (positionals[0] !== "case")
      throw new UsageError(
        positionals[0] ? `unknown export ${positionals[0]}` : "export needs: case REF",
        help,
      );
    if (positionals.length !== 2)
      throw new UsageError("export case needs one case reference", help);
    const format = values.format ?? "markdown";
    if (format !== "markdown" && format !== "json")
      throw new UsageError(`--format must be markdown or json, not ${format}`, help);
    const config = loadConfig(io.env);
    return withDatabase(config, async (handle) => {
      await migrateToLatest(handle.db);
      const ctx: AppContext = {
        db: handle.db,
        now: () => new Date(),
        sessionSecret: config.sessionSecret,
        billing: subscriptionLedger,
      };
      return exportCase(
        ctx,
        {
          reference: positionals[1]!,
          format,
          ...(typeof values.out === "string" ? { out: values.out } : {}),
        },
        io,
      );
    });
  },
};
