import { userCreateInput } from "../../app/inputs.ts";
import { createUser } from "../../app/manage-users.ts";
import { newToken } from "../../app/secrets.ts";
import { loadConfig } from "../../config.ts";
import { migrateToLatest } from "../../db/database.ts";
import { STAFF_ROLES } from "../../domain/staff.ts";
import { parseCommandArgs } from "../args.ts";
import { type CliCommand, UsageError } from "../cli-io.ts";
import { withDatabase } from "../open-database.ts";

const createHelp = `Usage: canceldesk user create --email EMAIL --name NAME --role ROLE [--password PASSWORD]

Creates a staff user who signs in with an email and a password.

Options:
  --email EMAIL          the address they sign in with
  --name NAME            their full name, as shown to colleagues
  --role ROLE            ${STAFF_ROLES.join(" | ")}
  --password PASSWORD    at least 12 characters; when left out a strong one is generated and
                         printed once (a password typed here stays in the shell's history)
  -h, --help             show this help
`;

const help = `Usage: canceldesk user <command>

Commands:
  create    create a staff user

Run "canceldesk user create --help" for its options.
`;

async function createUserCommand(args: string[], io: Parameters<CliCommand["run"]>[1]) {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      email: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
      password: { type: "string" },
    },
    createHelp,
  );
  if (values.help) {
    io.stdout(createHelp);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${positionals[0]}`, createHelp);
  }
  const generated = values.password === undefined;
  const password = values.password ?? newToken(15);
  const parsed = userCreateInput.safeParse({ ...values, password });
  if (!parsed.success) {
    // A missing or malformed option is a wrong command line, like an unknown option: exit code 2
    // with the help, one line per field. (An email already in use is not: that stays 1.)
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0]);
      const given = (values as Record<string, unknown>)[field];
      return `${field}: ${given === undefined ? `is required (--${field})` : issue.message}`;
    });
    throw new UsageError(problems.join("\n"), createHelp);
  }
  const config = loadConfig(io.env);
  const user = await withDatabase(config, async ({ db }) => {
    await migrateToLatest(db);
    return createUser(db, parsed.data);
  });
  io.stdout(`Created ${user.role} ${user.name} <${user.email}> (id ${user.id}).\n`);
  if (generated) io.stdout(`Password (shown only now): ${password}\n`);
  return 0;
}

export const userCommand: CliCommand = {
  help,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === "create") return createUserCommand(rest, io);
    if (sub === "--help" || sub === "-h") {
      io.stdout(help);
      return 0;
    }
    throw new UsageError(sub ? `unknown command user ${sub}` : "say which user command", help);
  },
};
