// The outbox: messages that must go out because a case changed, written in the same transaction
// as the change. Delivery (email, SMS, webhooks) claims them later; a duplicate insert of the
// same message (same dedupe key) is ignored, so a retried write never queues a message twice.
import type { Kysely } from "kysely";
import type { Database, OutboxStatus } from "../tables/tables.ts";

type Db = Kysely<Database>;

export interface NewOutboxMessage {
  caseId: string | null;
  topic: string;
  channel: string;
  recipient: unknown;
  payload: unknown;
  dedupeKey: string;
}

/**
 * `now` is the injected clock of the use case: the message is due from then (the database's own
 * clock otherwise), so tests that move time move the outbox with it.
 */
export async function enqueueMessages(
  db: Db,
  messages: NewOutboxMessage[],
  now?: Date,
): Promise<number> {
  if (messages.length === 0) return 0;
  const inserted = await db
    .insertInto("outbox")
    .values(
      messages.map((m) => ({
        case_id: m.caseId,
        topic: m.topic,
        channel: m.channel,
        recipient: JSON.stringify(m.recipient),
        payload: JSON.stringify(m.payload),
        dedupe_key: m.dedupeKey,
        ...(now ? { next_attempt_at: now } : {}),
      })),
    )
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .returning("id")
    .execute();
  // A message already queued under the same dedupe key is not queued again.
  return inserted.length;
}

export interface OutboxEntry {
  id: string;
  caseId: string | null;
  topic: string;
  channel: string;
  recipient: unknown;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  /** Why it was not sent (status `skipped`). */
  skippedReason: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export async function listCaseMessages(db: Db, caseId: string): Promise<OutboxEntry[]> {
  const rows = await db
    .selectFrom("outbox")
    .selectAll()
    .where("case_id", "=", caseId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    caseId: r.case_id,
    topic: r.topic,
    channel: r.channel,
    recipient: r.recipient,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    skippedReason: r.skipped_reason,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  }));
}
