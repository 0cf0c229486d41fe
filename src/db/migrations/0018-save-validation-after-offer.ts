// Frozen: a save's validation window starts when its offer stops holding the customer by itself
// (a pause or a discount ran out), not at the save: `case_metrics.holds_from`, and in the rollup
// `hold_days`, the days from the save to then (a key column). Rows from before keep their
// window from the save; every rolled-up day is queued to be rebuilt in the new shape.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table case_metrics add column holds_from timestamptz`.execute(db);
  await sql`alter table analytics_daily
    add column hold_days integer not null default 0,
    drop constraint analytics_daily_pkey,
    add primary key (metric, day, k1, k2, k3, bin, currency, hold_days)`.execute(db);
  await sql`insert into analytics_dirty_days (day, marked_at)
    select day, clock_timestamp() from (select distinct day from analytics_daily) as rolled_up
    on conflict (day) do update set marked_at = excluded.marked_at`.execute(db);
}
