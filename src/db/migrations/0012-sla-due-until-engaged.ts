// Frozen: `cases.sla_due_at` is the CSM's engagement due time only until the CSM engages (it was
// kept until the outcome, so engaged cases sat in the SLA queues and the open-breach count).
// Rows written before are brought in line once; every write since sets it that way.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update cases set sla_due_at = null
    where sla_due_at is not null and (data::jsonb -> 'escalation' ->> 'engagedAt') is not null`.execute(
    db,
  );
}
