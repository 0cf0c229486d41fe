// Frozen: indexes for the queues and search at a million cases. Each queue reads newest first by
// (opened_at, id) and stops after a page, so each gets an index in that order behind its own
// condition: the whole desk, an AM's or a CSM's cases, the unassigned ones, the escalated ones
// per CSM. Search is a substring match (ILIKE '%text%') on the reference, the account's name and
// the requester's name and email: trigram GIN indexes (pg_trgm) answer those without reading
// every row. pg_trgm ships with PostgreSQL and with PGlite (loaded by openPGlite).
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // In a fixed schema, so a database whose tables live in several schemas (the tests' one schema
  // per file) shares one copy that dropping any of those schemas leaves alone.
  await sql`create extension if not exists pg_trgm with schema public`.execute(db);
  // Where it is, if it was there before: the operator class is named with its schema.
  const found = await sql<{ schema: string }>`select n.nspname as schema
    from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where e.extname = 'pg_trgm'`.execute(db);
  const trgm = sql.raw(`"${found.rows[0]!.schema.replace(/"/g, '""')}".gin_trgm_ops`);

  const statements = [
    // "all", and every filter without a better index: a page is the first rows of this index.
    sql`create index cases_opened_id_idx on cases (opened_at, id)`,
    // "mine" is an AM's cases or a CSM's cases (a bitmap OR of these two), and the AM and CSM filters.
    sql`create index cases_am_opened_idx on cases (assigned_am_id, opened_at, id)`,
    sql`create index cases_csm_opened_idx on cases (assigned_csm_id, opened_at, id)`,
    sql`create index cases_unassigned_idx on cases (opened_at, id)
      where assigned_am_id is null and closed_at is null`,
    sql`create index cases_escalated_idx on cases (assigned_csm_id, opened_at, id)
      where state = 'escalated'`,
    // Sorting by last change.
    sql`create index cases_updated_id_idx on cases (updated_at, id)`,
    // A contact's cases: search by the requester, the contact's data export and erasure.
    sql`create index cases_requester_idx on cases (requester_contact_id)`,
    // Substring search.
    sql`create index cases_reference_trgm_idx on cases using gin (reference ${trgm})`,
    sql`create index accounts_name_trgm_idx on accounts using gin (name ${trgm})`,
    sql`create index contacts_name_trgm_idx on contacts using gin (name ${trgm})`,
    sql`create index contacts_email_trgm_idx on contacts using gin (email ${trgm})`,
  ];
  for (const statement of statements) await statement.execute(db);
}
