// Frozen: the save-rate rollup rows keep their value per currency (a new key column of
// analytics_daily), so a report never adds euros to dollars. Every day already rolled up is
// queued to be rebuilt in the new shape by the metrics job (refreshDailyRollup).
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table analytics_daily
    add column currency text not null default '',
    drop constraint analytics_daily_pkey,
    add primary key (metric, day, k1, k2, k3, bin, currency)`.execute(db);
  await sql`insert into analytics_dirty_days (day, marked_at)
    select day, clock_timestamp() from (select distinct day from analytics_daily) as rolled_up
    on conflict (day) do update set marked_at = excluded.marked_at`.execute(db);
}
