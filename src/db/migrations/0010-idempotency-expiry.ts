// Frozen: kept Idempotency-Key answers expire after a day, and the timers delete them by the time
// they were claimed; this index finds them without reading every key.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index idempotency_keys_created_idx on idempotency_keys (created_at)`.execute(db);
}
