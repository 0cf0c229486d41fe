// Frozen: facts about the deployment every process must agree on, such as a fingerprint of the
// session secret (which signs customers' links and derives their codes): a server or worker with
// another secret refuses to start instead of sending links and codes that cannot work.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table deployment_facts (
    name text primary key,
    value text not null,
    recorded_at timestamptz not null default now()
  )`.execute(db);
}
