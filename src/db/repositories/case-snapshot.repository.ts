// Everything a case command decides with, read in one round trip: the case, its account, the
// requester, the subscription with its plan, the prices of the other plans, the roles of the staff
// the command can name, and the tip of the case's audit chain. A command used to read these with
// a dozen statements; on this hardware each statement costs more in socket writes than the
// engine costs in CPU, so the hot path reads once and writes once.
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Case } from "../../domain/case.ts";
import type { Account, Contact, Subscription } from "../../domain/customer.ts";
import type { StaffRole } from "../../domain/staff.ts";
import { compileOnce } from "../prepared-statements.ts";
import type { Database } from "../tables/tables.ts";
import { toAccount } from "./accounts.repository.ts";
import { toContact } from "./contacts.repository.ts";
import { toSubscription } from "./subscriptions.repository.ts";

type Db = Kysely<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CaseSnapshot {
  case: Case;
  account: Account;
  requester: Contact;
  subscription: Subscription;
  planCode: string | null;
  /**
   * What the subscription would cost a month on each plan in its currency (list price per seat
   * times its seats), by plan code: the value a downgrade offer moves it to.
   */
  planPricesMinor: Record<string, number>;
  /** Active staff among the case's and account's AM and CSM and the ids the command names. */
  staffRoles: Record<string, StaffRole>;
  /** The tip of the case's audit chain: the next entry follows it. */
  lastAuditSeq: number;
  lastAuditHash: string | null;
  /**
   * The live identity code sent to the requester for this case, when the read asked for it
   * (`withIdentityCode`): null when there is none; absent when not asked.
   */
  liveIdentityCode?: LiveIdentityCode | null;
}

export interface LiveIdentityCode {
  id: string;
  codeHash: string;
  expiresAt: Date;
}

/**
 * One record of the row as a JSON object of the given columns (null when the join found none).
 * Three such columns carry the account, requester and subscription: pg builds a parser per column
 * of every result it receives, and with the 35 columns side by side that, with converting each
 * timestamp, cost more server CPU than the rest of the read.
 */
function record(alias: string, columns: readonly string[]) {
  const pairs = columns.map((column) => sql`${sql.lit(column)}, ${sql.ref(`${alias}.${column}`)}`);
  return sql<Record<string, unknown> | null>`case when ${sql.ref(`${alias}.id`)} is null then null
    else jsonb_build_object(${sql.join(pairs)}) end`;
}

/** A record read by `record`, with its timestamp columns (JSON text in it) as dates again. */
function fromJson<T>(json: Record<string, unknown>, dateColumns: readonly string[]): T {
  const out: Record<string, unknown> = { ...json };
  for (const column of dateColumns) {
    const value = json[column];
    if (typeof value === "string") out[column] = new Date(value);
  }
  return out as T;
}

const ACCOUNT_COLUMNS = [
  "id",
  "external_ref",
  "name",
  "account_manager_id",
  "csm_id",
  "country",
  "time_zone",
  "segment",
  "version",
  "created_at",
  "updated_at",
] as const;
const ACCOUNT_DATES = ["created_at", "updated_at"] as const;
const CONTACT_COLUMNS = [
  "id",
  "account_id",
  "external_ref",
  "name",
  "email",
  "phone",
  "role",
  "authorised_to_cancel",
  "preferred_channel",
  "version",
  "created_at",
  "updated_at",
] as const;
const CONTACT_DATES = ["created_at", "updated_at"] as const;
const SUBSCRIPTION_COLUMNS = [
  "id",
  "account_id",
  "plan_id",
  "external_ref",
  "seats",
  "monthly_value_minor",
  "currency",
  "status",
  "current_period_start",
  "current_period_end",
  "cancel_at",
  "cancelled_at",
  "discount_percent",
  "discount_ends_at",
  "paused_until",
  "version",
  "created_at",
  "updated_at",
] as const;
const SUBSCRIPTION_DATES = [
  "current_period_start",
  "current_period_end",
  "cancel_at",
  "cancelled_at",
  "discount_ends_at",
  "paused_until",
  "created_at",
  "updated_at",
] as const;

/** The account, requester and subscription of a row read with `record`. */
function recordsOf(row: { a: unknown; ct: unknown; s: unknown }) {
  const json = (value: unknown) => value as Record<string, unknown> | null;
  const a = json(row.a);
  const ct = json(row.ct);
  const s = json(row.s);
  return {
    account: a ? toAccount(fromJson(a, ACCOUNT_DATES)) : undefined,
    requester: ct ? toContact(fromJson(ct, CONTACT_DATES)) : undefined,
    subscription: s ? toSubscription(fromJson(s, SUBSCRIPTION_DATES)) : undefined,
  };
}

/** What the subscription `s` would cost a month on each plan of its currency, by plan code. */
function planValuesOfSubscription() {
  return sql<Record<string, string | number>>`(select coalesce(
      jsonb_object_agg(op.code, op.monthly_price_minor * s.seats), '{}'::jsonb)
    from plans op where op.currency = s.currency)`;
}

/** The roles of the active staff among `columns` (of the row being read) and the named ids. */
function staffRoles(columns: RawBuilder<unknown>, namedJson: string) {
  return sql<
    Record<string, StaffRole>
  >`(select coalesce(jsonb_object_agg(u.id, u.role), '{}'::jsonb)
    from users u where u.active and (u.id in (${columns})
      or u.id::text in (select jsonb_array_elements_text(${namedJson}::jsonb))))`;
}

/** The newest unused, unsuperseded code sent to the case's requester for the case `c`. */
function liveIdentityCode() {
  return sql<{ id: string; code_hash: string; expires_at: string } | null>`(select
      jsonb_build_object('id', ic.id, 'code_hash', ic.code_hash, 'expires_at', ic.expires_at)
    from identity_codes ic
    where ic.case_id = c.id and ic.contact_id = c.requester_contact_id
      and ic.used_at is null and ic.superseded_at is null
    order by ic.created_at desc limit 1)`;
}

/** The snapshot of the case whose `key` column equals the first argument (compiled once). */
function snapshotQuery(key: "c.id" | "c.reference", withIdentityCode: boolean) {
  return compileOnce((db: Db, idOrReference: string, namedStaffJson: string) =>
    db
      .selectFrom("cases as c")
      .innerJoin("accounts as a", "a.id", "c.account_id")
      .innerJoin("contacts as ct", "ct.id", "c.requester_contact_id")
      .innerJoin("subscriptions as s", "s.id", "c.subscription_id")
      .leftJoin("plans as p", "p.id", "s.plan_id")
      .select([
        "c.data as case_data",
        "p.code as plan_code",
        record("a", ACCOUNT_COLUMNS).as("a"),
        record("ct", CONTACT_COLUMNS).as("ct"),
        record("s", SUBSCRIPTION_COLUMNS).as("s"),
        planValuesOfSubscription().as("plan_prices"),
        staffRoles(
          sql`c.assigned_am_id, c.assigned_csm_id, a.account_manager_id, a.csm_id`,
          namedStaffJson,
        ).as("staff_roles"),
        sql<string | null>`(select e.seq::text || ' ' || e.hash from case_events e
          where e.case_id = c.id order by e.seq desc limit 1)`.as("audit_tip"),
        (withIdentityCode ? liveIdentityCode() : sql<null>`null`).as("identity_code"),
      ])
      .where(key, "=", idOrReference),
  );
}
/** The compiled reads, by the key the case is given by and whether its live code is read too. */
const snapshots = {
  id: { plain: snapshotQuery("c.id", false), withCode: snapshotQuery("c.id", true) },
  reference: {
    plain: snapshotQuery("c.reference", false),
    withCode: snapshotQuery("c.reference", true),
  },
};

/**
 * Reads the case by id or reference (CD-2026-00042) with its facts. `lock` (inside a transaction)
 * first takes the case row's lock for the rest of the transaction: the fallback when optimistic
 * writes keep colliding, and the path of commands that check something else in the same
 * transaction (a customer link, an identity code).
 */
export async function readCaseSnapshot(
  db: Db,
  idOrReference: string,
  options: { lock?: boolean; namedStaffIds?: readonly string[]; withIdentityCode?: boolean } = {},
): Promise<CaseSnapshot | undefined> {
  const byId = UUID.test(idOrReference);
  if (options.lock) {
    // Lock first, then read in a statement of its own: a statement that waited for the lock sees
    // the locked row as it is now, but its subqueries (the audit tip) would still see the
    // database as it was before the wait.
    const locked = await db
      .selectFrom("cases")
      .select("id")
      .where(byId ? "id" : "reference", "=", idOrReference)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) return undefined;
  }
  const read =
    snapshots[byId ? "id" : "reference"][options.withIdentityCode ? "withCode" : "plain"];
  const row = (await read(db, idOrReference, JSON.stringify(options.namedStaffIds ?? []))).rows[0];
  if (!row) return undefined;
  const { account, requester, subscription } = recordsOf(row);
  // Inner joins: a case always has all three.
  if (!account || !requester || !subscription) throw new Error("case snapshot without its records");
  const [seq, hash] = row.audit_tip ? row.audit_tip.split(" ") : ["0", null];
  return {
    case: row.case_data as Case,
    account,
    requester,
    subscription,
    planCode: row.plan_code,
    planPricesMinor: Object.fromEntries(
      Object.entries(row.plan_prices).map(([code, price]) => [code, Number(price)]),
    ),
    staffRoles: row.staff_roles,
    lastAuditSeq: Number(seq),
    lastAuditHash: hash ?? null,
    ...(options.withIdentityCode
      ? {
          liveIdentityCode: row.identity_code && {
            id: row.identity_code.id,
            codeHash: row.identity_code.code_hash,
            expiresAt: new Date(row.identity_code.expires_at),
          },
        }
      : {}),
  };
}

export interface OpeningSnapshot {
  account: Account | undefined;
  requester: Contact | undefined;
  subscription: Subscription | undefined;
  planCode: string | null;
  planPricesMinor: Record<string, number>;
  staffRoles: Record<string, StaffRole>;
  /** The newest published policy version; null before the default is published. */
  currentPolicyVersion: number | null;
  /** The next number of the case reference sequence (taken, as a sequence does, even if unused). */
  referenceNumber: string;
}

const openingSnapshot = compileOnce(
  (
    db: Db,
    accountId: string,
    requesterContactId: string,
    subscriptionId: string,
    namedStaffJson: string,
  ) =>
    db
      .selectFrom(sql`(select 1)`.as("one"))
      .leftJoin("accounts as a", (join) => join.on("a.id", "=", accountId))
      .leftJoin("contacts as ct", (join) => join.on("ct.id", "=", requesterContactId))
      .leftJoin("subscriptions as s", (join) => join.on("s.id", "=", subscriptionId))
      .leftJoin("plans as p", "p.id", "s.plan_id")
      .select([
        "p.code as plan_code",
        record("a", ACCOUNT_COLUMNS).as("a"),
        record("ct", CONTACT_COLUMNS).as("ct"),
        record("s", SUBSCRIPTION_COLUMNS).as("s"),
        planValuesOfSubscription().as("plan_prices"),
        staffRoles(sql`a.account_manager_id, a.csm_id`, namedStaffJson).as("staff_roles"),
        sql<number | null>`(select max(version) from policy_versions)`.as("policy_version"),
        sql<string>`nextval('case_reference_seq')::text`.as("reference_number"),
      ]),
);

/** What opening a case decides with, in one round trip (see readCaseSnapshot). */
export async function readOpeningSnapshot(
  db: Db,
  ids: {
    accountId: string;
    subscriptionId: string;
    requesterContactId: string;
    namedStaffIds: readonly string[];
  },
): Promise<OpeningSnapshot> {
  const row = (
    await openingSnapshot(
      db,
      ids.accountId,
      ids.requesterContactId,
      ids.subscriptionId,
      JSON.stringify(ids.namedStaffIds),
    )
  ).rows[0]!;
  return {
    ...recordsOf(row),
    planCode: row.plan_code,
    planPricesMinor: Object.fromEntries(
      Object.entries(row.plan_prices).map(([code, price]) => [code, Number(price)]),
    ),
    staffRoles: row.staff_roles,
    currentPolicyVersion: row.policy_version === null ? null : Number(row.policy_version),
    referenceNumber: row.reference_number,
  };
}
