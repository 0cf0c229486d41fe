// Frozen: an account's time zone (IANA, e.g. Australia/Sydney), in which customers' messages
// state times; null keeps UTC.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table accounts add column time_zone text`.execute(db);
}
