// The canceldesk command line: picks the command, runs it, and turns the errors people can fix
// (bad configuration, bad arguments, invalid input) into one-line messages and exit codes.
import { ConfigError } from "../config.ts";
import { isDatabaseSetupError } from "../db/db-errors.ts";
import { AppError } from "../domain/errors.ts";
import { type CliCommand, type CliIo, UsageError } from "./cli-io.ts";

// Each command's module is loaded when it runs: `--help` and a mistyped command stay quick, and a
// command pays only for what it uses (the server's modules alone take most of a second).
const COMMANDS: { name: string; summary: string; load: () => Promise<CliCommand> }[] = [
  {
    name: "serve",
    summary: "start the server",
    load: async () => (await import("./commands/serve.ts")).serveCommand,
  },
  {
    name: "worker",
    summary: "deliver messages and run the timers, without serving HTTP",
    load: async () => (await import("./commands/worker.ts")).workerCommand,
  },
  {
    name: "migrate",
    summary: "apply database migrations",
    load: async () => (await import("./commands/migrate.ts")).migrateCommand,
  },
  {
    name: "seed",
    summary: "fill an empty database with demo data (--demo)",
    load: async () => (await import("./commands/seed.ts")).seedCommand,
  },
  {
    name: "user",
    summary: "manage staff users (user create)",
    load: async () => (await import("./commands/user.ts")).userCommand,
  },
  {
    name: "audit",
    summary: "verify the hash chain of the audit log (audit verify)",
    load: async () => (await import("./commands/audit.ts")).auditCommand,
  },
  {
    name: "export",
    summary: "export a case's documentation as Markdown or JSON (export case REF)",
    load: async () => (await import("./commands/export.ts")).exportCommand,
  },
  {
    name: "contact",
    summary: "a contact's data protection requests (contact erase ID --yes, contact export ID)",
    load: async () => (await import("./commands/contact.ts")).contactCommand,
  },
  {
    name: "import",
    summary: "import accounts, contacts or subscriptions from a CSV file",
    load: async () => (await import("./commands/import.ts")).importCommand,
  },
];

export const TOP_HELP = `Usage: canceldesk <command> [options]

CancelDesk runs WootRecruit's Subscription Cancellation Policy.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)}${c.summary}`).join("\n")}

Run "canceldesk <command> --help" for a command's options. Configuration comes from the
environment (DATABASE_URL, DATA_DIR, ...): see "canceldesk serve --help".
`;

/** Runs the command line `args` (without node and the script) and answers the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout(TOP_HELP);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr(name ? `unknown command: ${name}\n\n${TOP_HELP}` : TOP_HELP);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr(`${error.message}\n\n${error.help}`);
    return 2;
  }
  if (error instanceof ConfigError) {
    io.stderr(`config error: ${error.message}\n`);
    return 1;
  }
  if (error instanceof AppError && error.fields?.length) {
    for (const f of error.fields) io.stderr(`${f.field}: ${f.message}\n`);
    return 1;
  }
  if (error instanceof AppError) {
    io.stderr(`${error.message}\n`);
    return 1;
  }
  if (isDatabaseSetupError(error)) {
    // The database the configuration names is not there, refuses the user, or cannot be reached.
    io.stderr(
      `config error: DATABASE_URL: could not use the database: ${(error as Error).message}\n`,
    );
    return 1;
  }
  if (isSystemError(error)) {
    // Cannot reach PostgreSQL, a full disk, a locked data folder: the message says it all.
    io.stderr(`error: ${error.message}\n`);
    return 1;
  }
  io.stderr(
    `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}

function isSystemError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | undefined)?.code;
  return error instanceof Error && typeof code === "string" && /^E[A-Z]+$/.test(code);
}
