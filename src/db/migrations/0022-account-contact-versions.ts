// Frozen: accounts and contacts get a version, as subscriptions have, bumped by every change, so a
// PATCH can refuse to overwrite a change made since its caller read the row. Existing rows start
// at 1, the version a new row gets.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table accounts add column version integer not null default 1`.execute(db);
  await sql`alter table contacts add column version integer not null default 1`.execute(db);
}
