// Frozen: a case's CSM in the analytics is the CSM it was escalated to (the account's CSM was
// credited with saves never escalated). Existing rows take it from the case document, and every
// rolled-up day is queued to be rebuilt. The plan before a downgrade cannot be recovered for
// cases closed before it was recorded: those keep the plan they had.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update case_metrics m
    set csm_id = (c.data -> 'escalation' ->> 'csmId')::uuid
    from cases c
    where c.id = m.case_id
      and m.csm_id is distinct from (c.data -> 'escalation' ->> 'csmId')::uuid`.execute(db);
  await sql`insert into analytics_dirty_days (day, marked_at)
    select day, clock_timestamp() from (select distinct day from analytics_daily) as rolled_up
    on conflict (day) do update set marked_at = excluded.marked_at`.execute(db);
}
