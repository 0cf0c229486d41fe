// What the timers look for. Timers are queries over the cases as stored (their due times live in
// the case document and the indexed columns), so they survive restarts and need no table of their
// own; each candidate is then claimed with SKIP LOCKED or by a message's dedupe key.
import { type Kysely, sql } from "kysely";
import type { Case } from "../../domain/case.ts";
import type { Database } from "../tables/tables.ts";

type Db = Kysely<Database>;

/** Open cases whose latest form link is out, unused and not yet marked expired. */
export async function findCasesWithOpenFormLinks(db: Db): Promise<Case[]> {
  const rows = await db
    .selectFrom("cases")
    .select("data")
    .where("closed_at", "is", null)
    .where("form_status", "=", "sent")
    .where(sql<boolean>`data -> 'form' ->> 'linkExpiredAt' is null`)
    .execute();
  return rows.map((r) => r.data as Case);
}

/** Escalated cases still waiting for the CSM: the `sla_due_at` column is set only then. */
export async function findEscalationsAwaitingCsm(db: Db): Promise<Case[]> {
  const rows = await db
    .selectFrom("cases")
    .select("data")
    .where("sla_due_at", "is not", null)
    .where("closed_at", "is", null)
    .where(sql<boolean>`data -> 'escalation' ->> 'engagedAt' is null`)
    .execute();
  return rows.map((r) => r.data as Case);
}

/** Open cases with an offer still waiting for the customer's answer. */
export async function findCasesWithPendingOffers(db: Db): Promise<Case[]> {
  const rows = await db
    .selectFrom("cases")
    .select("data")
    .where("closed_at", "is", null)
    .where("state", "in", ["retention", "escalated"])
    .where(sql<boolean>`data -> 'offers' @> '[{"answer":"pending"}]'::jsonb`)
    .execute();
  return rows.map((r) => r.data as Case);
}

/** Cases in the feedback step whose request ran out at or before `now`. */
export async function findExpiredFeedbackRequests(db: Db, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom("cases")
    .select("id")
    .where("state", "=", "feedback")
    .where("closed_at", "is", null)
    .where(sql<boolean>`(data -> 'feedback' ->> 'expiresAt')::timestamptz <= ${now}`)
    .where(sql<boolean>`data -> 'feedback' -> 'submission' = 'null'::jsonb`)
    .execute();
  return rows.map((r) => r.id);
}

/** Locks the case row unless another process holds it; false means someone else is on it. */
export async function tryLockCase(db: Db, id: string): Promise<boolean> {
  const row = await db
    .selectFrom("cases")
    .select("id")
    .where("id", "=", id)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return row !== undefined;
}

export async function findActiveAdminIds(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where("role", "=", "admin")
    .where("active", "=", true)
    .execute();
  return rows.map((r) => r.id);
}
