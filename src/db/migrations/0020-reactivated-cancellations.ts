// Frozen: a cancellation the customer reactivated before it took effect is no customer lost: its
// metrics row records when (`reactivated_at`), and the rollup counts it apart from cancellations,
// with no value lost. Reactivations made before are found in the case events here (one scan of
// the log), and their days queued for the rollup's rebuild.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table case_metrics add column reactivated_at timestamptz`.execute(db);
  await sql`with marked as (
      update case_metrics m set reactivated_at = r.at, value_lost_minor = 0
      from (
        select e.case_id, min(e.at) as at from case_events e
        where e.type = 'subscription_reactivated' group by e.case_id
      ) r
      where m.case_id = r.case_id and m.outcome = 'cancelled'
      returning (m.closed_at at time zone 'UTC')::date as day
    )
    insert into analytics_dirty_days (day, marked_at)
    select day, now() from (select distinct day from marked) as d
    on conflict (day) do update set marked_at = excluded.marked_at`.execute(db);
}
