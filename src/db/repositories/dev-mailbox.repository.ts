// The dev mailbox: email and SMS kept in the database when no SMTP server or SMS provider is
// configured, so that nothing is lost on a machine that only tries CancelDesk out.
import { type Kysely, sql } from "kysely";
import type { Database } from "../tables/tables.ts";
import { afterCursor, instantKey, type Page, toPage } from "./pagination.ts";

type Db = Kysely<Database>;

export interface DevMail {
  id: string;
  outboxId: string | null;
  channel: string;
  recipient: string;
  subject: string | null;
  text: string;
  html: string | null;
  createdAt: Date;
}

export async function insertDevMail(db: Db, mail: Omit<DevMail, "id">): Promise<string> {
  const row = await db
    .insertInto("dev_mailbox")
    .values({
      outbox_id: mail.outboxId,
      channel: mail.channel,
      recipient: mail.recipient,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html,
      created_at: mail.createdAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

type Row = {
  id: string;
  outbox_id: string | null;
  channel: string;
  recipient: string;
  subject: string | null;
  text_body: string;
  html_body: string | null;
  created_at: Date;
};

function toDevMail(r: Row): DevMail {
  return {
    id: r.id,
    outboxId: r.outbox_id,
    channel: r.channel,
    recipient: r.recipient,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    createdAt: r.created_at,
  };
}

export async function listDevMail(
  db: Db,
  filter: { limit: number; cursor?: string | undefined; recipient?: string | undefined },
): Promise<Page<DevMail>> {
  const rows = await db
    .selectFrom("dev_mailbox")
    .selectAll()
    .select(instantKey(sql.ref("created_at")).as("sort_key"))
    .$if(filter.recipient !== undefined, (qb) =>
      qb.where("recipient", "ilike", `%${filter.recipient!.replace(/[\\%_]/g, "\\$&")}%`),
    )
    .where(afterCursor(sql.ref("created_at"), "id", filter.cursor, "timestamptz", "desc"))
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit + 1)
    .execute();
  return toPage(rows, filter.limit, (r) => ({ key: r.sort_key, id: r.id }), toDevMail);
}

export async function findDevMail(db: Db, id: string): Promise<DevMail | undefined> {
  const row = await db
    .selectFrom("dev_mailbox")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toDevMail(row);
}
