// Frozen: the timers look for subscriptions whose scheduled cancellation or pause has come due
// every round, on every worker; these partial indexes hold only those waiting on a date, so the
// look-up stays small however many subscriptions there are.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index subscriptions_cancel_due_idx on subscriptions (cancel_at)
    where status = 'cancellation_scheduled'`.execute(db);
  await sql`create index subscriptions_pause_due_idx on subscriptions (paused_until)
    where status = 'paused'`.execute(db);
}
