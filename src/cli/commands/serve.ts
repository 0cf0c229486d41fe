import { loadConfig } from "../../config.ts";
import { parseCommandArgs } from "../args.ts";
import type { CliCommand } from "../cli-io.ts";
import { UsageError } from "../cli-io.ts";

const help = `Usage: canceldesk serve

Starts CancelDesk: applies migrations, seeds demo data on the first start of an empty embedded
database (SEED_DEMO=true for PostgreSQL too), and serves the API and the web app until SIGINT or
SIGTERM.

Configuration comes from the environment: PORT (3000), HOST (127.0.0.1), DATABASE_URL
(PostgreSQL; embedded PGlite when absent), DATA_DIR (./data), PUBLIC_URL and SESSION_SECRET
(both required with DATABASE_URL), LOG_LEVEL (info), SEED_DEMO (true on the embedded database),
SMTP_URL, MAIL_FROM, SMS_PROVIDER_URL, SMS_PROVIDER_TOKEN, SMS_CALLBACK_SECRET, DEV_MAILBOX,
WEBHOOK_PRIVATE_ADDRESSES, TRUST_PROXY, WORKER (on: deliver messages and run the timers in this
process).
`;

export const serveCommand: CliCommand = {
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {}, help);
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`, help);
    const config = loadConfig(io.env);
    // Loaded here only: the server's modules (Fastify and its plugins) take most of a second.
    const { startServer } = await import("../../server/main.ts");
    const server = await startServer(config);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
    io.stderr("Stopping: finishing requests in flight and closing the database...\n");
    await server.stop();
    return 0;
  },
};
