import { assertSessionSecretMatches } from "../../app/session-secret.ts";
import { loadConfig } from "../../config.ts";
import { migrateToLatest } from "../../db/database.ts";
import { parseCommandArgs } from "../args.ts";
import { type CliCommand, UsageError } from "../cli-io.ts";
import { withDatabase } from "../open-database.ts";

const help = `Usage: canceldesk migrate [--new-session-secret]

Applies the database migrations that have not run yet, and lists them. The server also does
this at start; run it on its own before starting several servers on one PostgreSQL database.
Uses DATABASE_URL, or the embedded database in DATA_DIR.

Options:
  --new-session-secret   the SESSION_SECRET given now is the database's from now on. Servers and
                         workers refuse to start with a secret other than the one the database
                         was set up with; change it only with every process stopped: customers'
                         links and codes sent before, and every session, stop working.
  -h, --help             show this help
`;

export const migrateCommand: CliCommand = {
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { "new-session-secret": { type: "boolean" } },
      help,
    );
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`, help);
    const config = loadConfig(io.env);
    const applied = await withDatabase(
      config,
      async (handle) => {
        const names = await migrateToLatest(handle.db);
        if (values["new-session-secret"]) {
          await assertSessionSecretMatches(handle.db, config.sessionSecret, { acceptNew: true });
        }
        return names;
      },
      { create: true },
    );
    if (applied.length === 0) io.stdout("The database is up to date: no migrations to apply.\n");
    else for (const name of applied) io.stdout(`applied ${name}\n`);
    if (values["new-session-secret"]) {
      io.stdout(
        "Recorded the new SESSION_SECRET: start every server and worker with it. Links, codes and sessions made with the old one no longer work.\n",
      );
    }
    return 0;
  },
};
