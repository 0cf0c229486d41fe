import { type Kysely, sql } from "kysely";
import type { Subscription, SubscriptionStatus } from "../../domain/customer.ts";
import type { Database } from "../tables/tables.ts";
import { afterCursor, likePattern, type Page, type PageRequest, toPage } from "./pagination.ts";

type Db = Kysely<Database>;

export interface SubscriptionRow {
  id: string;
  account_id: string;
  plan_id: string;
  external_ref: string | null;
  seats: number;
  monthly_value_minor: string;
  currency: string;
  status: SubscriptionStatus;
  current_period_start: Date;
  current_period_end: Date;
  cancel_at: Date | null;
  cancelled_at: Date | null;
  discount_percent: number | null;
  discount_ends_at: Date | null;
  paused_until: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    accountId: row.account_id,
    planId: row.plan_id,
    externalRef: row.external_ref,
    seats: row.seats,
    monthlyValueMinor: Number(row.monthly_value_minor),
    currency: row.currency,
    status: row.status,
    currentPeriodStart: row.current_period_start,
    currentPeriodEnd: row.current_period_end,
    cancelAt: row.cancel_at,
    cancelledAt: row.cancelled_at,
    discountPercent: row.discount_percent,
    discountEndsAt: row.discount_ends_at,
    pausedUntil: row.paused_until,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface SubscriptionValues {
  accountId: string;
  planId: string;
  externalRef?: string | null | undefined;
  seats: number;
  monthlyValueMinor: number;
  currency: string;
  status?: SubscriptionStatus | undefined;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAt?: Date | null | undefined;
  cancelledAt?: Date | null | undefined;
}

function toColumns(values: Partial<SubscriptionValues>) {
  return {
    ...(values.accountId !== undefined ? { account_id: values.accountId } : {}),
    ...(values.planId !== undefined ? { plan_id: values.planId } : {}),
    ...(values.externalRef !== undefined ? { external_ref: values.externalRef } : {}),
    ...(values.seats !== undefined ? { seats: values.seats } : {}),
    ...(values.monthlyValueMinor !== undefined
      ? { monthly_value_minor: values.monthlyValueMinor }
      : {}),
    ...(values.currency !== undefined ? { currency: values.currency } : {}),
    ...(values.status !== undefined ? { status: values.status } : {}),
    ...(values.currentPeriodStart !== undefined
      ? { current_period_start: values.currentPeriodStart }
      : {}),
    ...(values.currentPeriodEnd !== undefined
      ? { current_period_end: values.currentPeriodEnd }
      : {}),
    ...(values.cancelAt !== undefined ? { cancel_at: values.cancelAt } : {}),
    ...(values.cancelledAt !== undefined ? { cancelled_at: values.cancelledAt } : {}),
  };
}

export async function insertSubscriptions(
  db: Db,
  subscriptions: SubscriptionValues[],
): Promise<Subscription[]> {
  if (subscriptions.length === 0) return [];
  const rows = await db
    .insertInto("subscriptions")
    .values(
      subscriptions.map((s) => ({
        ...toColumns(s),
        account_id: s.accountId,
        plan_id: s.planId,
        seats: s.seats,
        monthly_value_minor: s.monthlyValueMinor,
        currency: s.currency,
        current_period_start: s.currentPeriodStart,
        current_period_end: s.currentPeriodEnd,
      })),
    )
    .returningAll()
    .execute();
  return rows.map(toSubscription);
}

/** Every change bumps `version`, so the billing ledger can tell a stale read from a fresh one. */
export async function updateSubscription(db: Db, id: string, values: Partial<SubscriptionValues>) {
  const row = await db
    .updateTable("subscriptions")
    .set((eb) => ({ ...toColumns(values), version: eb("version", "+", 1), updated_at: sql`now()` }))
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  return row && toSubscription(row);
}

export async function findSubscriptionById(db: Db, id: string): Promise<Subscription | undefined> {
  const row = await db
    .selectFrom("subscriptions")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toSubscription(row);
}

export interface SubscriptionFilter {
  q?: string | undefined;
  accountId?: string | undefined;
  planId?: string | undefined;
  status?: SubscriptionStatus | undefined;
}

export async function listSubscriptions(
  db: Db,
  filter: SubscriptionFilter,
  page: PageRequest,
): Promise<Page<Subscription>> {
  const rows = await db
    .selectFrom("subscriptions")
    .selectAll()
    // The key as text keeps PostgreSQL's microseconds, which a JS Date would cut to milliseconds.
    .select(sql<string>`created_at::text`.as("sort_key"))
    .$if(!!filter.q, (qb) => qb.where("external_ref", "ilike", likePattern(filter.q!)))
    .$if(!!filter.accountId, (qb) => qb.where("account_id", "=", filter.accountId!))
    .$if(!!filter.planId, (qb) => qb.where("plan_id", "=", filter.planId!))
    .$if(!!filter.status, (qb) => qb.where("status", "=", filter.status!))
    .where(afterCursor(sql.ref("created_at"), "id", page.cursor, "timestamptz"))
    .orderBy("created_at")
    .orderBy("id")
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, (r) => ({ key: r.sort_key, id: r.id }), toSubscription);
}
