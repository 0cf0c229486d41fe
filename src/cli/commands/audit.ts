import type { Db } from "../../app/context.ts";
import { loadConfig } from "../../config.ts";
import { migrateToLatest } from "../../db/database.ts";
import { verifyAuditLog } from "../../db/repositories/audit.repository.ts";
import { findCase } from "../../db/repositories/cases.repository.ts";
import { parseCommandArgs } from "../args.ts";
import { type CliCommand, type CliIo, UsageError } from "../cli-io.ts";
import { withDatabase } from "../open-database.ts";

const help = `Usage: canceldesk audit verify [--case REF]

Checks the hash chain of every case's audit log (or of one case, by id or reference such as
CD-2026-00042) and reports each case whose chain is broken: an entry edited, removed or
reordered, with the case's reference and the entry's number. Cases are read in batches, so it
runs in flat memory at any size. Entries whose personal data was erased on request are counted,
not reported as breaks. Exits 1 when a break is found, 2 when the --case is not found.
`;

/** The command's work on an open database (tests call it with their own). */
export async function verifyAudit(db: Db, caseId: string | undefined, io: CliIo) {
  const report = await verifyAuditLog(db, {
    ...(caseId ? { caseId } : {}),
    onProgress: (cases) => {
      if (cases % 10_000 === 0) io.stderr(`checked ${cases.toLocaleString("en-US")} cases\n`);
    },
  });
  for (const b of report.breaks) {
    io.stdout(`BROKEN case ${b.reference} entry ${b.seq}: ${b.problem}\n`);
  }
  const erased =
    report.erasedEntries > 0
      ? ` ${report.erasedEntries.toLocaleString("en-US")} entries have personal data erased (not a break).`
      : "";
  io.stdout(
    `${report.brokenCases === 0 ? "OK" : "FAILED"}: ${report.cases.toLocaleString("en-US")} cases, ${report.entries.toLocaleString("en-US")} audit entries checked, ${report.brokenCases} broken chain(s).${erased}\n`,
  );
  return report.brokenCases === 0 ? 0 : 1;
}

export const auditCommand: CliCommand = {
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { case: { type: "string" } }, help);
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    if (positionals[0] !== "verify" || positionals.length > 1) {
      throw new UsageError(
        positionals[0]
          ? `unknown audit command ${positionals[0]}`
          : "audit needs a command: verify",
        help,
      );
    }
    const config = loadConfig(io.env);
    return withDatabase(config, async (handle) => {
      await migrateToLatest(handle.db);
      let caseId: string | undefined;
      if (typeof values.case === "string") {
        const found = await findCase(handle.db, values.case);
        // Not 1, which means a broken chain: a cron job must not report tampering for a typo.
        if (!found) {
          io.stderr(`case ${values.case} was not found\n`);
          return 2;
        }
        caseId = found.id;
      }
      return verifyAudit(handle.db, caseId, io);
    });
  },
};
