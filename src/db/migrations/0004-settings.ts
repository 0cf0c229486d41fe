// Frozen: workspace settings an admin changes without publishing a policy (the company's name and
// logo on the customer pages, how long a save must hold before it counts). Policy rules stay in
// policy_versions; these are presentation and reporting choices.
import { type Kysely, sql } from "kysely";

const statements = [
  sql`create table settings (
    key text primary key,
    value jsonb not null,
    updated_by uuid references users (id),
    updated_at timestamptz not null default now()
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
