// Frozen: "My cases" holds the caller's open cases. An AM's or CSM's closed cases outnumber their
// open ones more every month, so walking their whole (assignee, opened_at, id) index to find the
// few still open, or to count them for the tab, would grow with their history; these partial
// indexes hold only open cases.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index cases_am_open_idx on cases (assigned_am_id, opened_at, id)
    where closed_at is null`.execute(db);
  await sql`create index cases_csm_open_idx on cases (assigned_csm_id, opened_at, id)
    where closed_at is null`.execute(db);
}
