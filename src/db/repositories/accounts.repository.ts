import { type Kysely, sql } from "kysely";
import type { Account, Segment } from "../../domain/customer.ts";
import type { Database } from "../tables/tables.ts";
import { afterCursor, likePattern, type Page, type PageRequest, toPage } from "./pagination.ts";

type Db = Kysely<Database>;

export interface AccountRow {
  id: string;
  external_ref: string | null;
  name: string;
  account_manager_id: string | null;
  csm_id: string | null;
  country: string | null;
  time_zone: string | null;
  segment: Segment;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    externalRef: row.external_ref,
    name: row.name,
    accountManagerId: row.account_manager_id,
    csmId: row.csm_id,
    country: row.country,
    timeZone: row.time_zone,
    segment: row.segment,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface AccountValues {
  name: string;
  externalRef?: string | null | undefined;
  accountManagerId?: string | null | undefined;
  csmId?: string | null | undefined;
  country?: string | null | undefined;
  timeZone?: string | null | undefined;
  segment?: Segment | undefined;
}

function toColumns(values: Partial<AccountValues>) {
  return {
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.externalRef !== undefined ? { external_ref: values.externalRef } : {}),
    ...(values.accountManagerId !== undefined
      ? { account_manager_id: values.accountManagerId }
      : {}),
    ...(values.csmId !== undefined ? { csm_id: values.csmId } : {}),
    ...(values.country !== undefined ? { country: values.country } : {}),
    ...(values.timeZone !== undefined ? { time_zone: values.timeZone } : {}),
    ...(values.segment !== undefined ? { segment: values.segment } : {}),
  };
}

export async function insertAccounts(db: Db, accounts: AccountValues[]): Promise<Account[]> {
  if (accounts.length === 0) return [];
  const rows = await db
    .insertInto("accounts")
    .values(accounts.map((a) => ({ ...toColumns(a), name: a.name })))
    .returningAll()
    .execute();
  return rows.map(toAccount);
}

/**
 * Every change bumps `version`. With `atVersion`, the row changes only while it is still at that
 * version (undefined otherwise), so a change made since the caller read it is not overwritten.
 */
export async function updateAccount(
  db: Db,
  id: string,
  values: Partial<AccountValues>,
  atVersion?: number,
) {
  const row = await db
    .updateTable("accounts")
    .set((eb) => ({ ...toColumns(values), version: eb("version", "+", 1), updated_at: sql`now()` }))
    .where("id", "=", id)
    .$if(atVersion !== undefined, (qb) => qb.where("version", "=", atVersion!))
    .returningAll()
    .executeTakeFirst();
  return row && toAccount(row);
}

export async function findAccountById(db: Db, id: string): Promise<Account | undefined> {
  const row = await db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toAccount(row);
}

export interface AccountFilter {
  q?: string | undefined;
  segment?: Segment | undefined;
  country?: string | undefined;
  accountManagerId?: string | undefined;
  csmId?: string | undefined;
}

export async function listAccounts(
  db: Db,
  filter: AccountFilter,
  page: PageRequest,
): Promise<Page<Account>> {
  const rows = await db
    .selectFrom("accounts")
    .selectAll()
    .select(sql<string>`lower(name)`.as("sort_key"))
    .$if(!!filter.q, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb("name", "ilike", likePattern(filter.q!)),
          eb("external_ref", "ilike", likePattern(filter.q!)),
        ]),
      ),
    )
    .$if(!!filter.segment, (qb) => qb.where("segment", "=", filter.segment!))
    .$if(!!filter.country, (qb) => qb.where("country", "=", filter.country!))
    .$if(!!filter.accountManagerId, (qb) =>
      qb.where("account_manager_id", "=", filter.accountManagerId!),
    )
    .$if(!!filter.csmId, (qb) => qb.where("csm_id", "=", filter.csmId!))
    .where(afterCursor(sql`lower(name)`, "id", page.cursor))
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, (r) => ({ key: r.sort_key, id: r.id }), toAccount);
}
