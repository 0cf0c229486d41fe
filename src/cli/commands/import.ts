import { createReadStream } from "node:fs";
import { access, constants } from "node:fs/promises";
import {
  IMPORT_COLUMNS,
  IMPORT_KINDS,
  ImportFailedError,
  type ImportKind,
  type ImportProgress,
  type ImportReport,
  importCsv,
} from "../../app/import-csv.ts";
import { loadConfig } from "../../config.ts";
import { migrateToLatest } from "../../db/database.ts";
import { parseCommandArgs } from "../args.ts";
import { type CliCommand, type CliIo, UsageError } from "../cli-io.ts";
import { withDatabase } from "../open-database.ts";

/** "accounts: a, b; optional: c" wrapped to the help's width, continuation lines indented. */
function columns(kind: ImportKind): string {
  const { required, optional } = IMPORT_COLUMNS[kind];
  const words = `${kind}: ${required.join(", ")}; optional: ${optional.join(", ")}`.split(" ");
  const lines = ["  "];
  for (const word of words) {
    if (lines.at(-1)!.length + word.length > 96) lines.push("    ");
    lines[lines.length - 1] += `${word} `;
  }
  return lines.map((l) => l.trimEnd()).join("\n");
}

const help = `Usage: canceldesk import accounts|contacts|subscriptions FILE.csv [--skip-invalid] [--dry-run]

Imports records from a CSV file with a header line. Every row is checked with the rules the API
applies, plus its references: staff emails name active users of the right role, accounts are
named by external_ref and must exist (import accounts first), plan codes must exist, and every
external_ref must be new. Each bad row is reported as "line N: column: problem", counting the
header as line 1.

A file with any bad row imports nothing (exit code 1) unless --skip-invalid is given. The rows
imported go in one transaction: if the database refuses one, none of them stay.

Columns (any order; optional columns may be left out):
${IMPORT_KINDS.map(columns).join("\n")}
  Dates are ISO 8601 (2026-03-01 or 2026-03-01T09:30:00Z); money in minor units (cents);
  authorised_to_cancel is true/false, yes/no or 1/0.

Options:
  --skip-invalid   import the valid rows and report the others
  --dry-run        check everything, the database's own constraints included, then import nothing
  -h, --help       show this help
`;

function progressPrinter(io: CliIo) {
  let shown = false;
  const format = (n: number) => n.toLocaleString("en-US");
  return {
    update({ validated, imported }: ImportProgress) {
      const text = `validated ${format(validated)} / imported ${format(imported)} rows`;
      // A terminal gets one line redrawn in place; a log file or a test gets a line per step.
      io.stderr(io.stderrIsTTY ? `\r${text}` : `${text}\n`);
      shown = true;
    },
    finish() {
      if (shown && io.stderrIsTTY) io.stderr("\n");
    },
    get shown() {
      return shown;
    },
  };
}

export const importCommand: CliCommand = {
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { "skip-invalid": { type: "boolean" }, "dry-run": { type: "boolean" } },
      help,
    );
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    const [kind, file, ...extra] = positionals;
    if (!IMPORT_KINDS.includes(kind as ImportKind)) {
      throw new UsageError(
        kind
          ? `cannot import "${kind}": say accounts, contacts or subscriptions`
          : "say what to import",
        help,
      );
    }
    if (!file) throw new UsageError("say which CSV file to import", help);
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`, help);
    try {
      await access(file, constants.R_OK);
    } catch {
      io.stderr(`cannot read ${file}: no such file, or no permission to read it\n`);
      return 1;
    }

    const config = loadConfig(io.env);
    const progress = progressPrinter(io);
    let report: ImportReport;
    try {
      report = await withDatabase(config, async ({ db }) => {
        await migrateToLatest(db);
        return importCsv(db, kind as ImportKind, createReadStream(file), {
          skipInvalid: values["skip-invalid"] === true,
          dryRun: values["dry-run"] === true,
          onProgress: (p) => {
            if (progress.shown || p.validated >= 10_000) progress.update(p);
          },
        });
      });
    } catch (error) {
      if (!(error instanceof ImportFailedError)) throw error;
      io.stderr(`import failed: ${error.message}\n`);
      return 1;
    } finally {
      progress.finish();
    }

    for (const p of report.invalid) io.stdout(`line ${p.line}: ${p.field}: ${p.message}\n`);
    const count = (n: number) => n.toLocaleString("en-US");
    const rows = (n: number) => `${count(n)} row${n === 1 ? "" : "s"}`;
    if (report.refused) {
      io.stdout(
        report.invalidRows > 0
          ? `Nothing was imported: ${count(report.invalidRows)} of ${rows(report.total)} ` +
              `${report.invalidRows === 1 ? "has" : "have"} problems. Fix them, or use ` +
              `--skip-invalid to import the other ${rows(report.valid)}.\n`
          : `Nothing was imported: the file cannot be read as ${kind}.\n`,
      );
      return 1;
    }
    const skipped =
      report.invalidRows > 0 ? `; skipped ${rows(report.invalidRows)} with problems` : "";
    io.stdout(
      report.dryRun
        ? `Dry run: ${count(report.valid)} of ${rows(report.total)} would be imported${skipped}. ` +
            "Nothing was changed.\n"
        : `Imported ${count(report.imported)} of ${rows(report.total)} into ${kind}${skipped}.\n`,
    );
    return 0;
  },
};
