import { assertDeliveryConfigured, assertPublicUrlConfigured, loadConfig } from "../../config.ts";
import { logSafeError } from "../../server/logging.ts";
import { parseCommandArgs } from "../args.ts";
import type { CliCommand } from "../cli-io.ts";
import { UsageError } from "../cli-io.ts";

const help = `Usage: canceldesk worker

Delivers outgoing messages (email, SMS, webhooks) and runs the timers (SLA notices, form
reminders and expiries, feedback expiry) without serving HTTP, until SIGINT or SIGTERM. Run as
many as you like against one PostgreSQL database: each message goes out once. Run "serve" with
WORKER=off when the work is left to separate workers.

Configuration: DATABASE_URL, DATA_DIR, SESSION_SECRET, PUBLIC_URL (for the links in messages;
required with DATABASE_URL), SMTP_URL, MAIL_FROM, SMS_PROVIDER_URL, SMS_PROVIDER_TOKEN,
DEV_MAILBOX, WEBHOOK_PRIVATE_ADDRESSES, LOG_LEVEL.
`;

export const workerCommand: CliCommand = {
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {}, help);
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`, help);
    const config = loadConfig(io.env);
    assertPublicUrlConfigured(config);
    assertDeliveryConfigured(config);
    const { migrateToLatest, openConfiguredDatabase } = await import("../../db/database.ts");
    const { subscriptionLedger } = await import(
      "../../integrations/billing/subscription-ledger.ts"
    );
    const { startBackgroundWork } = await import("../../jobs/background.ts");
    const handle = await openConfiguredDatabase(config, { poolSize: 4 });
    try {
      await migrateToLatest(handle.db);
      const { assertSessionSecretMatches } = await import("../../app/session-secret.ts");
      await assertSessionSecretMatches(handle.db, config.sessionSecret);
      const ctx = {
        db: handle.db,
        now: () => new Date(),
        sessionSecret: config.sessionSecret,
        billing: subscriptionLedger,
      };
      const log = jsonLog(io, config.logLevel);
      const background = startBackgroundWork(ctx, config, log);
      io.stderr("CancelDesk worker running: delivering messages and running timers.\n");
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      io.stderr("Stopping: finishing deliveries in flight...\n");
      await background.stop();
      return 0;
    } finally {
      await handle.close();
    }
  },
};

/** JSON lines on stderr, like the server's log. */
function jsonLog(io: { stderr(text: string): void }, level: string) {
  const quiet = level === "silent" || level === "fatal" || level === "error";
  const write = (lvl: string, details: object, msg: string) =>
    io.stderr(
      `${JSON.stringify({
        level: lvl,
        time: Date.now(),
        msg,
        ...Object.fromEntries(
          Object.entries(details).map(([k, v]) => [k, v instanceof Error ? logSafeError(v) : v]),
        ),
      })}\n`,
    );
  return {
    info: (details: object, msg: string) => {
      if (!quiet && level !== "warn") write("info", details, msg);
    },
    warn: (details: object, msg: string) => {
      if (!quiet) write("warn", details, msg);
    },
    error: (details: object, msg: string) => {
      if (level !== "silent") write("error", details, msg);
    },
  };
}
