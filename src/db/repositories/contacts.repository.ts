import { type Kysely, sql } from "kysely";
import type { Contact, ContactChannel, ContactRole } from "../../domain/customer.ts";
import type { Database } from "../tables/tables.ts";
import { afterCursor, likePattern, type Page, type PageRequest, toPage } from "./pagination.ts";

type Db = Kysely<Database>;

export interface ContactRow {
  id: string;
  account_id: string;
  external_ref: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  role: ContactRole;
  authorised_to_cancel: boolean;
  preferred_channel: ContactChannel;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    accountId: row.account_id,
    externalRef: row.external_ref,
    name: row.name,
    email: row.email,
    phone: row.phone,
    role: row.role,
    authorisedToCancel: row.authorised_to_cancel,
    preferredChannel: row.preferred_channel,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface ContactValues {
  accountId: string;
  name: string;
  externalRef?: string | null | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  role: ContactRole;
  authorisedToCancel?: boolean | undefined;
  preferredChannel?: ContactChannel | undefined;
}

function toColumns(values: Partial<ContactValues>) {
  return {
    ...(values.accountId !== undefined ? { account_id: values.accountId } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.externalRef !== undefined ? { external_ref: values.externalRef } : {}),
    ...(values.email !== undefined ? { email: values.email } : {}),
    ...(values.phone !== undefined ? { phone: values.phone } : {}),
    ...(values.role !== undefined ? { role: values.role } : {}),
    ...(values.authorisedToCancel !== undefined
      ? { authorised_to_cancel: values.authorisedToCancel }
      : {}),
    ...(values.preferredChannel !== undefined
      ? { preferred_channel: values.preferredChannel }
      : {}),
  };
}

export async function insertContacts(db: Db, contacts: ContactValues[]): Promise<Contact[]> {
  if (contacts.length === 0) return [];
  const rows = await db
    .insertInto("contacts")
    .values(
      contacts.map((c) => ({
        ...toColumns(c),
        account_id: c.accountId,
        name: c.name,
        role: c.role,
      })),
    )
    .returningAll()
    .execute();
  return rows.map(toContact);
}

/**
 * Every change bumps `version`. With `atVersion`, the row changes only while it is still at that
 * version (undefined otherwise), so a change made since the caller read it is not overwritten.
 */
export async function updateContact(
  db: Db,
  id: string,
  values: Partial<ContactValues>,
  atVersion?: number,
) {
  const row = await db
    .updateTable("contacts")
    .set((eb) => ({ ...toColumns(values), version: eb("version", "+", 1), updated_at: sql`now()` }))
    .where("id", "=", id)
    .$if(atVersion !== undefined, (qb) => qb.where("version", "=", atVersion!))
    .returningAll()
    .executeTakeFirst();
  return row && toContact(row);
}

export async function findContactById(db: Db, id: string): Promise<Contact | undefined> {
  const row = await db.selectFrom("contacts").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toContact(row);
}

export interface ContactFilter {
  q?: string | undefined;
  accountId?: string | undefined;
  role?: ContactRole | undefined;
  authorisedToCancel?: boolean | undefined;
}

export async function listContacts(
  db: Db,
  filter: ContactFilter,
  page: PageRequest,
): Promise<Page<Contact>> {
  const rows = await db
    .selectFrom("contacts")
    .selectAll()
    .select(sql<string>`lower(name)`.as("sort_key"))
    .$if(!!filter.q, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb("name", "ilike", likePattern(filter.q!)),
          eb("email", "ilike", likePattern(filter.q!)),
          eb("phone", "ilike", likePattern(filter.q!)),
        ]),
      ),
    )
    .$if(!!filter.accountId, (qb) => qb.where("account_id", "=", filter.accountId!))
    .$if(!!filter.role, (qb) => qb.where("role", "=", filter.role!))
    .$if(filter.authorisedToCancel !== undefined, (qb) =>
      qb.where("authorised_to_cancel", "=", filter.authorisedToCancel!),
    )
    .where(afterCursor(sql`lower(name)`, "id", page.cursor))
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, (r) => ({ key: r.sort_key, id: r.id }), toContact);
}
