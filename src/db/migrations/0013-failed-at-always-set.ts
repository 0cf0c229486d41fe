// Frozen: every failed message has `failed_at`, so the failed-messages list pages over its index
// (`outbox_failed_idx`). Every path that fails a message sets it; rows failed before the column
// existed (0003) get the time they were queued.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update outbox set failed_at = created_at
    where status = 'failed' and failed_at is null`.execute(db);
}
