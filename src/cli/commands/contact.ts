// canceldesk contact erase ID --yes [--by ADMIN_EMAIL] | contact export ID [--out FILE]: a contact's data protection
// requests, by the same use cases as POST /api/contacts/:id/erase and GET /api/contacts/:id/export.
import { writeFile } from "node:fs/promises";
import type { AppContext } from "../../app/context.ts";
import { eraseContactData } from "../../app/erase-contact.ts";
import { exportContactData } from "../../app/export-contact-data.ts";
import { loadConfig } from "../../config.ts";
import { migrateToLatest } from "../../db/database.ts";
import { findUserCredentialsByEmail } from "../../db/repositories/users.repository.ts";
import type { Actor } from "../../domain/actor.ts";
import { subscriptionLedger } from "../../integrations/billing/subscription-ledger.ts";
import { parseCommandArgs } from "../args.ts";
import { type CliCommand, type CliIo, UsageError } from "../cli-io.ts";
import { withDatabase } from "../open-database.ts";

const help = `Usage: canceldesk contact erase ID --yes [--by ADMIN_EMAIL]
       canceldesk contact export ID [--out FILE]

erase   erases the contact's personal data on request: name, email and phone, the free text of
        their cases (form answers, notes, feedback), their cases' audit entry bodies (the hash
        chain keeps verifying) and the messages sent to them. Codes, outcomes and values stay, so
        the figures do not change. Cannot be undone: --yes confirms. --by names the admin
        who carried out the request (an active admin user): the audit records them, else
        "the system".
export  writes everything held about the contact as JSON (stdout unless --out names a file).
`;

/** The admin a CLI erasure is recorded as (`--by`); the system when none is named. */
async function erasingActor(ctx: AppContext, adminEmail: string | undefined): Promise<Actor> {
  if (adminEmail === undefined) return { kind: "system" };
  const user = await findUserCredentialsByEmail(ctx.db, adminEmail);
  if (!user?.active || user.role !== "admin") {
    throw new UsageError(`--by ${adminEmail} is not an active admin user`, help);
  }
  return { kind: "staff", userId: user.id, role: "admin" };
}

export async function eraseContact(
  ctx: AppContext,
  contactId: string,
  io: CliIo,
  adminEmail?: string,
) {
  const actor = await erasingActor(ctx, adminEmail);
  const result = await eraseContactData(ctx, actor, contactId);
  io.stdout(
    result.alreadyErased
      ? `contact ${contactId} was already erased at ${result.erasedAt}\n`
      : `erased contact ${contactId}: ${result.cases} case(s), ${result.auditEntriesRedacted} audit entries and ${result.messagesRedacted} message(s) redacted\n`,
  );
  return 0;
}

export async function exportContact(
  ctx: AppContext,
  contactId: string,
  out: string | undefined,
  io: CliIo,
) {
  const text = `${JSON.stringify(await exportContactData(ctx, contactId), null, 2)}\n`;
  if (out) {
    await writeFile(out, text);
    io.stderr(`wrote the data of contact ${contactId} to ${out}\n`);
  } else io.stdout(text);
  return 0;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const contactCommand: CliCommand = {
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { yes: { type: "boolean" }, out: { type: "string" }, by: { type: "string" } },
      help,
    );
    if (values.help) {
      io.stdout(help);
      return 0;
    }
    const [action, id, ...extra] = positionals;
    if (action !== "erase" && action !== "export")
      throw new UsageError(
        action ? `unknown contact command ${action}` : "contact needs a command: erase or export",
        help,
      );
    if (!id || extra.length > 0)
      throw new UsageError(`contact ${action} needs one contact id`, help);
    if (!UUID.test(id)) throw new UsageError(`${id} is not a contact id (UUID)`, help);
    if (action === "erase" && !values.yes)
      throw new UsageError("erasure cannot be undone: add --yes to confirm", help);
    const config = loadConfig(io.env);
    return withDatabase(config, async (handle) => {
      await migrateToLatest(handle.db);
      const ctx: AppContext = {
        db: handle.db,
        now: () => new Date(),
        sessionSecret: config.sessionSecret,
        billing: subscriptionLedger,
      };
      return action === "erase"
        ? eraseContact(ctx, id, io, typeof values.by === "string" ? values.by : undefined)
        : exportContact(ctx, id, typeof values.out === "string" ? values.out : undefined, io);
    });
  },
};
