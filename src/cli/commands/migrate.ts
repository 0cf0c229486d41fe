import { loadConfig } from "../../config.ts";
import { migrateToLatest } from "../../db/database.ts";
import { parseCommandArgs } from "../args.ts";
import { type CliCommand, UsageError } from "../cli-io.ts";
import { withDatabase } from "../open-database.ts";

const help = `Usage: canceldesk migrate

Applies the database migrations that have not run yet, and lists them. The server also does
this at start; run it on its own before starting several servers on one PostgreSQL database.
Uses DATABASE_URL, or the embedded database in DATA_DIR.
`;

export const migrateCommand: CliCommand = {
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {}, help);
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`, help);
    const config = loadConfig(io.env);
    const applied = await withDatabase(config, (handle) => migrateToLatest(handle.db), {
      create: true,
    });
    if (applied.length === 0) io.stdout("The database is up to date: no migrations to apply.\n");
    else for (const name of applied) io.stdout(`applied ${name}\n`);
    return 0;
  },
};
