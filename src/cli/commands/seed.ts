import { backfillCaseMetrics } from "../../app/record-case-metrics.ts";
import { seedDemo } from "../../app/seed-demo.ts";
import { seedVolume } from "../../app/seed-volume.ts";
import { assertSessionSecretMatches } from "../../app/session-secret.ts";
import { loadConfig } from "../../config.ts";
import { migrateToLatest } from "../../db/database.ts";
import { countUsers } from "../../db/repositories/users.repository.ts";
import { parseCommandArgs } from "../args.ts";
import { type CliCommand, UsageError } from "../cli-io.ts";
import { withDatabase } from "../open-database.ts";

const help = `Usage: canceldesk seed --demo
       canceldesk seed --volume N

Fills an empty database with WootRecruit-like demo data: 7 staff (4 account managers, 2 CSMs,
1 admin), 4 plans, about 200 accounts with their contacts and subscriptions, and 11 sample
cases at every step of the policy, open and closed. Prints the demo sign-ins. Refuses a database that already has users, so it never mixes with real data.

--volume N fills an empty database with N cancellation cases over the last two years, closed
and open, with their audit entries, accounts, contacts, subscriptions and staff (about one AM per
5,000 cases and one CSM per 16,000), for benchmarks and analytics. Every case is played through
the policy engine. Prints progress; staff sign in with the demo password.

Options:
  --demo       seed the demo data (named so nobody runs it by accident)
  --volume N   seed N cases of volume data
  -h, --help   show this help
`;

export const seedCommand: CliCommand = {
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { demo: { type: "boolean" }, volume: { type: "string" } },
      help,
    );
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`, help);
    if (!values.demo && values.volume === undefined) {
      throw new UsageError("say --demo to seed demo data, or --volume N for N cases", help);
    }
    if (values.demo && values.volume !== undefined) {
      throw new UsageError("choose one of --demo and --volume", help);
    }
    const volume = values.volume === undefined ? undefined : Number(values.volume);
    if (volume !== undefined && (!Number.isSafeInteger(volume) || volume < 1)) {
      throw new UsageError(`--volume: must be a whole number of cases, got ${values.volume}`, help);
    }
    const config = loadConfig(io.env);
    return withDatabase(
      config,
      async ({ db, kind }) => {
        await migrateToLatest(db);
        const users = await countUsers(db);
        if (users > 0) {
          io.stderr(
            `Refusing to seed ${volume ? "volume" : "demo"} data: the database already has ${users} user${users === 1 ? "" : "s"}. ` +
              `${volume ? "Volume" : "Demo"} data goes into an empty database only.\n`,
          );
          return 1;
        }
        if (volume !== undefined) {
          const result = await seedVolume(db, {
            cases: volume,
            // The CLI's pool has two connections: write one round while the next is generated.
            parallelWrites: kind === "postgres" ? 2 : 1,
            onProgress: ({ cases, events, elapsedMs }) => {
              const seconds = elapsedMs / 1000;
              io.stdout(
                `  ${cases.toLocaleString("en-US")} cases, ${events.toLocaleString("en-US")} events, ${Math.round(cases / seconds).toLocaleString("en-US")} cases/s, ${Math.round(events / seconds).toLocaleString("en-US")} events/s\n`,
              );
            },
          });
          io.stdout(
            `Seeded ${result.cases.toLocaleString("en-US")} cases and ${result.events.toLocaleString("en-US")} events in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
              `(${result.accounts.toLocaleString("en-US")} accounts, ${result.contacts.toLocaleString("en-US")} contacts, ${result.subscriptions.toLocaleString("en-US")} subscriptions, ` +
              `${result.staff.accountManagers} AMs, ${result.staff.csms} CSMs, ${result.staff.admins} admins).\n`,
          );
          io.stdout(
            `Closed: ${JSON.stringify(result.byOutcome)}\nOpen: ${JSON.stringify(result.openByState)}\n`,
          );
          const metricsStarted = Date.now();
          const metrics = await backfillCaseMetrics(db);
          io.stdout(
            `Analytics rows for ${metrics.toLocaleString("en-US")} closed cases in ${((Date.now() - metricsStarted) / 1000).toFixed(1)} s.\n`,
          );
          io.stdout(
            `Sign in as ${result.signIns.accountManager} (AM), ${result.signIns.csm} (CSM) or ${result.signIns.admin} (admin) with ${result.signIns.password}\n`,
          );
          return 0;
        }
        // The sample cases' links are signed for the servers that will open them.
        await assertSessionSecretMatches(db, config.sessionSecret);
        const { signIns } = await seedDemo(db, {
          sessionSecret: config.sessionSecret,
          publicUrl: config.publicUrl,
          // On PostgreSQL a running server or worker would act on them while they are made.
          sampleCases: kind === "pglite",
        });
        io.stdout("Demo data created. Sign in with one of these:\n");
        for (const s of signIns) {
          io.stdout(`  ${s.role.padEnd(16)} ${s.email.padEnd(36)} ${s.password}\n`);
        }
        return 0;
      },
      { create: true },
    );
  },
};
