// Delivery of the outbox. A worker claims due rows in one short statement (`FOR UPDATE SKIP
// LOCKED`, so workers in other processes never claim the same row), marks them `sending` with a
// lease and a claim token, delivers outside any transaction, then records the result only if its
// claim is still the row's (a worker whose lease ran out cannot overwrite a newer attempt).
import { type Kysely, sql } from "kysely";
import type { Database, OutboxStatus } from "../tables/tables.ts";
import { afterCursor, instantKey, type Page, type PageRequest, toPage } from "./pagination.ts";

type Db = Kysely<Database>;

export interface ClaimedMessage {
  id: string;
  caseId: string | null;
  topic: string;
  channel: string;
  recipient: Record<string, unknown>;
  payload: Record<string, unknown>;
  attempts: number;
  claimToken: string;
}

/**
 * A message (or webhook delivery) whose lease ran out after its last allowed attempt failed with
 * its worker (a crash, a hang): it is given up instead of being taken again after every lease for
 * ever.
 */
export const GAVE_UP = "gave up: the worker stopped during its last allowed attempt";

export async function claimDueMessages(
  db: Db,
  options: { now: Date; leaseUntil: Date; limit: number; claimToken: string; maxAttempts: number },
): Promise<ClaimedMessage[]> {
  await db
    .updateTable("outbox")
    .set({ status: "failed", failed_at: options.now, claim_token: null, last_error: GAVE_UP })
    .where("status", "=", "sending")
    .where("next_attempt_at", "<=", options.now)
    .where("attempts", ">=", options.maxAttempts)
    .execute();
  const result = await sql<{
    id: string;
    case_id: string | null;
    topic: string;
    channel: string;
    recipient: Record<string, unknown>;
    payload: Record<string, unknown>;
    attempts: number;
  }>`update outbox
    set status = 'sending', attempts = attempts + 1, claim_token = ${options.claimToken},
      next_attempt_at = ${options.leaseUntil}
    where id in (
      select id from outbox
      where status in ('pending', 'sending') and next_attempt_at <= ${options.now}
      order by next_attempt_at
      limit ${options.limit}
      for update skip locked
    )
    returning id, case_id, topic, channel, recipient, payload, attempts`.execute(db);
  return result.rows.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    topic: r.topic,
    channel: r.channel,
    recipient: r.recipient,
    payload: r.payload,
    attempts: r.attempts,
    claimToken: options.claimToken,
  }));
}

/**
 * Gives claimed messages back unsent (their batch ran near its lease's end): due again at once,
 * and the attempt the claim counted is not spent. Only while they are still this claim's.
 */
export async function releaseMessages(
  db: Db,
  claimToken: string,
  ids: string[],
  now: Date,
): Promise<void> {
  await db
    .updateTable("outbox")
    .set((eb) => ({
      status: "pending",
      attempts: eb("attempts", "-", 1),
      claim_token: null,
      next_attempt_at: now,
    }))
    .where("claim_token", "=", claimToken)
    .where("status", "=", "sending")
    .where("id", "in", ids)
    .execute();
}

/** Marks delivered messages `sent` in one statement; answers how many were still this claim's. */
export async function markMessagesSent(
  db: Db,
  claimToken: string,
  sent: { id: string; providerMessageId: string | null }[],
  now: Date,
): Promise<number> {
  if (sent.length === 0) return 0;
  const values = sql.join(
    sent.map((s) => sql`(${s.id}::uuid, ${s.providerMessageId}::text)`),
    sql`, `,
  );
  const result = await sql`update outbox as o
    set status = 'sent', sent_at = ${now}, provider_message_id = v.pid, last_error = null,
      claim_token = null
    from (values ${values}) as v (id, pid)
    where o.id = v.id and o.claim_token = ${claimToken} and o.status = 'sending'`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/** A failed attempt: try again at `retryAt`, or give up (`failed`) when `retryAt` is null. */
export async function markMessageAttemptFailed(
  db: Db,
  claimToken: string,
  id: string,
  error: string,
  retryAt: Date | null,
  now: Date,
): Promise<void> {
  await db
    .updateTable("outbox")
    .set(
      retryAt
        ? { status: "pending", next_attempt_at: retryAt, last_error: error, claim_token: null }
        : { status: "failed", failed_at: now, last_error: error, claim_token: null },
    )
    .where("id", "=", id)
    .where("claim_token", "=", claimToken)
    .where("status", "=", "sending")
    .execute();
}

/** A message not sent because what it asked of the customer can no longer be done. */
export async function markMessageSkipped(
  db: Db,
  claimToken: string,
  id: string,
  reason: string,
): Promise<void> {
  await db
    .updateTable("outbox")
    .set({ status: "skipped", skipped_reason: reason, claim_token: null })
    .where("id", "=", id)
    .where("claim_token", "=", claimToken)
    .where("status", "=", "sending")
    .execute();
}

export interface FailedMessage {
  id: string;
  caseId: string | null;
  caseReference: string | null;
  topic: string;
  channel: string;
  recipient: unknown;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  failedAt: Date | null;
}

export async function listFailedMessages(db: Db, page: PageRequest): Promise<Page<FailedMessage>> {
  // Set on every failed message (migration 0013 for older rows): the list walks its index.
  const failedAt = sql.ref("outbox.failed_at");
  const rows = await db
    .selectFrom("outbox")
    .leftJoin("cases", "cases.id", "outbox.case_id")
    .select([
      "outbox.id",
      "outbox.case_id",
      "cases.reference",
      "outbox.topic",
      "outbox.channel",
      "outbox.recipient",
      "outbox.attempts",
      "outbox.last_error",
      "outbox.created_at",
      "outbox.failed_at",
      instantKey(failedAt).as("sort_key"),
    ])
    .where("outbox.status", "=", "failed")
    .where(afterCursor(failedAt, "outbox.id", page.cursor, "timestamptz", "desc"))
    .orderBy(failedAt, "desc")
    .orderBy("outbox.id", "desc")
    .limit(page.limit + 1)
    .execute();
  return toPage(
    rows,
    page.limit,
    (r) => ({ key: r.sort_key, id: r.id }),
    (r) => ({
      id: r.id,
      caseId: r.case_id,
      caseReference: r.reference,
      topic: r.topic,
      channel: r.channel,
      recipient: r.recipient,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: r.created_at,
      failedAt: r.failed_at,
    }),
  );
}

/** Puts a failed message back in the queue with a fresh set of attempts; false if not failed. */
export async function requeueFailedMessage(db: Db, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable("outbox")
    .set({ status: "pending", attempts: 0, next_attempt_at: now, failed_at: null })
    .where("id", "=", id)
    .where("status", "=", "failed")
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function findMessageStatus(
  db: Db,
  id: string,
): Promise<{ id: string; status: OutboxStatus } | undefined> {
  return db.selectFrom("outbox").select(["id", "status"]).where("id", "=", id).executeTakeFirst();
}

/**
 * The SMS provider's report on a message. Only moves forward: a late `sent` report does not undo
 * `delivered`. Answers false when no SMS has that provider id.
 */
export async function recordSmsStatus(
  db: Db,
  providerMessageId: string,
  status: "sent" | "delivered" | "failed",
  error: string | null,
  now: Date,
): Promise<boolean> {
  const from: OutboxStatus[] =
    status === "sent"
      ? ["sending"]
      : status === "delivered"
        ? ["sending", "sent"]
        : ["sending", "sent"];
  const found = await db
    .selectFrom("outbox")
    .select("id")
    .where("channel", "=", "sms")
    .where("provider_message_id", "=", providerMessageId)
    .executeTakeFirst();
  if (!found) return false;
  await db
    .updateTable("outbox")
    .set(
      status === "delivered"
        ? { status, delivered_at: now }
        : status === "failed"
          ? { status, failed_at: now, last_error: error ?? "the SMS provider reported a failure" }
          : { status },
    )
    .where("id", "=", found.id)
    .where("status", "in", from)
    .execute();
  return true;
}

/** The nonce of the latest form link of a case, so a reminder carries the same working link. */
export async function findLatestFormLinkNonce(db: Db, caseId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("outbox")
    .select("payload")
    .where("case_id", "=", caseId)
    .where("topic", "=", "form_link")
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst();
  return (row?.payload as { linkNonce?: string } | undefined)?.linkNonce;
}
