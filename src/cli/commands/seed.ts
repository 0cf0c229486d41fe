import { seedDemo } from "../../app/seed-demo.ts";
import { loadConfig } from "../../config.ts";
import { migrateToLatest } from "../../db/database.ts";
import { countUsers } from "../../db/repositories/users.repository.ts";
import { parseCommandArgs } from "../args.ts";
import { type CliCommand, UsageError } from "../cli-io.ts";
import { withDatabase } from "../open-database.ts";

const help = `Usage: canceldesk seed --demo

Fills an empty database with WootRecruit-like demo data: 7 staff (4 account managers, 2 CSMs,
1 admin), 4 plans, about 200 accounts with their contacts and subscriptions. Prints the demo
sign-ins. Refuses a database that already has users, so it never mixes with real data.

Options:
  --demo       seed the demo data (the only kind of seed there is, named so nobody runs it by
               accident)
  -h, --help   show this help
`;

export const seedCommand: CliCommand = {
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { demo: { type: "boolean" } }, help);
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`, help);
    if (!values.demo) throw new UsageError("say --demo to seed demo data", help);
    const config = loadConfig(io.env);
    return withDatabase(config, async ({ db }) => {
      await migrateToLatest(db);
      const users = await countUsers(db);
      if (users > 0) {
        io.stderr(
          `Refusing to seed demo data: the database already has ${users} user${users === 1 ? "" : "s"}. ` +
            "Demo data goes into an empty database only.\n",
        );
        return 1;
      }
      const { signIns } = await seedDemo(db);
      io.stdout("Demo data created. Sign in with one of these:\n");
      for (const s of signIns) {
        io.stdout(`  ${s.role.padEnd(16)} ${s.email.padEnd(36)} ${s.password}\n`);
      }
      return 0;
    });
  },
};
