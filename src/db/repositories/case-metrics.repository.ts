// The analytics rollup's rows: what the metrics use case reads to compute them (closed cases that
// have none yet, their audit entries, subscription facts) and the upsert that stores them.
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Case } from "../../domain/case.ts";
import type { CaseMetrics } from "../../domain/case-metrics.ts";
import type { Database } from "../tables/tables.ts";

type Db = Kysely<Database>;

/** `cases` rows that have no case_metrics row yet. */
const hasNoMetricsRow = sql<boolean>`not exists (select 1 from case_metrics m where m.case_id = cases.id)`;

/**
 * Closed cases without a metrics row, oldest first. Only cases closed since a little before the
 * newest row are looked at (concurrent closes commit out of order; a day covers that and clock
 * skew between servers), so the check stays an index range scan however many cases there are.
 * With no rows yet it walks from the start: a backfill, one batch at a time.
 */
export async function findClosedCasesWithoutMetrics(db: Db, limit: number): Promise<string[]> {
  const newest = await db
    .selectFrom("case_metrics")
    .select("closed_at")
    .orderBy("closed_at", "desc")
    .limit(1)
    .executeTakeFirst();
  const since = newest ? new Date(newest.closed_at.getTime() - 86_400_000) : null;
  const rows = await db
    .selectFrom("cases")
    .select("cases.id")
    .where("cases.closed_at", "is not", null)
    .$if(since !== null, (qb) => qb.where("cases.closed_at", ">=", since!))
    .where(hasNoMetricsRow)
    .orderBy("cases.closed_at")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Every closed case without a metrics row, in pages, whatever its closing time (backfill). */
export async function findAnyClosedCasesWithoutMetrics(
  db: Db,
  afterId: string | null,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom("cases")
    .select("cases.id")
    .where("cases.closed_at", "is not", null)
    .$if(afterId !== null, (qb) => qb.where("cases.id", ">", afterId!))
    .where(hasNoMetricsRow)
    .orderBy("cases.id")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export interface MetricsSource {
  case: Case;
  /** `effect` and `planCodeBefore`: of `offer_accepted` entries only. */
  events: { type: string; at: Date; effect: unknown; planCodeBefore: string | null }[];
  planCode: string | null;
  segment: string | null;
  monthlyValueMinor: number;
  currency: string;
  subscriptionEndedAt: Date | null;
  nextCaseOpenedAt: Date | null;
}

/** The closed cases' documents, audit entries (in log order) and subscription facts. */
export async function loadMetricsSources(db: Db, caseIds: string[]): Promise<MetricsSource[]> {
  if (caseIds.length === 0) return [];
  const [cases, events] = await Promise.all([
    db
      .selectFrom("cases")
      .innerJoin("subscriptions", "subscriptions.id", "cases.subscription_id")
      .innerJoin("accounts", "accounts.id", "cases.account_id")
      .leftJoin("plans", "plans.id", "subscriptions.plan_id")
      .select([
        "cases.data",
        "plans.code as plan_code",
        "accounts.segment",
        "subscriptions.monthly_value_minor",
        "subscriptions.currency",
        sql<Date | null>`case when subscriptions.status in ('cancelled', 'cancellation_scheduled')
          then coalesce(subscriptions.cancelled_at, subscriptions.cancel_at) end`.as("ended_at"),
        sql<Date | null>`(select min(n.opened_at) from cases n
          where n.subscription_id = cases.subscription_id and n.id <> cases.id
            and n.opened_at >= cases.closed_at)`.as("next_case_opened_at"),
      ])
      .where("cases.id", "in", caseIds)
      .where("cases.closed_at", "is not", null)
      .execute(),
    db
      .selectFrom("case_events")
      .select([
        "case_id",
        "type",
        "at",
        sql<unknown>`case when type = 'offer_accepted' then body -> 'effect' end`.as("effect"),
        sql<string | null>`case when type = 'offer_accepted' then body ->> 'planCodeBefore' end`.as(
          "plan_code_before",
        ),
      ])
      .where("case_id", "in", caseIds)
      .orderBy("case_id")
      .orderBy("seq")
      .execute(),
  ]);
  const byCase = new Map<string, MetricsSource["events"]>();
  for (const e of events) {
    const list = byCase.get(e.case_id) ?? [];
    list.push({ type: e.type, at: e.at, effect: e.effect, planCodeBefore: e.plan_code_before });
    byCase.set(e.case_id, list);
  }
  return cases.map((row) => {
    const c = row.data as Case;
    return {
      case: c,
      events: byCase.get(c.id) ?? [],
      planCode: row.plan_code,
      segment: row.segment,
      monthlyValueMinor: Number(row.monthly_value_minor),
      currency: row.currency,
      subscriptionEndedAt: row.ended_at ? new Date(row.ended_at) : null,
      nextCaseOpenedAt: row.next_case_opened_at ? new Date(row.next_case_opened_at) : null,
    };
  });
}

export async function upsertCaseMetrics(db: Db, rows: CaseMetrics[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((m) => ({
    case_id: m.caseId,
    reference: m.reference,
    account_id: m.accountId,
    subscription_id: m.subscriptionId,
    policy_version: m.policyVersion,
    channel: m.channel,
    outcome: m.outcome,
    am_id: m.amId,
    csm_id: m.csmId,
    plan_code: m.planCode,
    segment: m.segment,
    reason_code: m.reasonCode,
    offers_presented: m.offersPresented,
    saved_offer_code: m.savedOfferCode,
    currency: m.currency,
    monthly_value_minor: m.monthlyValueMinor,
    value_kept_minor: m.valueKeptMinor,
    value_lost_minor: m.valueLostMinor,
    opened_at: m.openedAt,
    closed_at: m.closedAt,
    escalated: m.escalated,
    sla_due_at: m.slaDueAt,
    csm_engaged_at: m.csmEngagedAt,
    sla_met: m.slaMet,
    form_sent: m.formSent,
    form_submitted: m.formSubmitted,
    feedback_rating: m.feedbackRating,
    feedback_reason: m.feedbackReason,
    s_initial_contact: m.durations.initial_contact,
    s_cancellation_request_form: m.durations.cancellation_request_form,
    s_assistance_and_alternatives: m.durations.assistance_and_alternatives,
    s_escalation_to_csm: m.durations.escalation_to_csm,
    s_finalize_cancellation: m.durations.finalize_cancellation,
    s_feedback: m.durations.feedback,
    s_documentation: m.durations.documentation,
    adherent: m.adherent,
    misses: JSON.stringify(m.misses),
    lost_at: m.lostAt,
    holds_from: m.holdsFrom,
    reactivated_at: m.reactivatedAt,
  }));
  await db
    .insertInto("case_metrics")
    .values(values)
    .onConflict((oc) =>
      oc.column("case_id").doUpdateSet((eb) => {
        const set: Record<string, unknown> = {};
        for (const key of Object.keys(values[0]!)) {
          if (key !== "case_id") set[key] = eb.ref(`excluded.${key}` as "excluded.reference");
        }
        // A loss the metrics job already marked stays marked (least() skips nulls).
        set.lost_at = sql`least(case_metrics.lost_at, excluded.lost_at)`;
        set.computed_at = sql`now()`;
        return set;
      }),
    )
    .execute();
  await markDaysDirty(
    db,
    rows.map((m) => m.closedAt),
  );
}

const utcDay = (at: string | Date) => new Date(at).toISOString().slice(0, 10);

/** Queues days (of closing) whose rollup must be rebuilt from case_metrics. */
export async function markDaysDirty(db: Db, closedAts: (string | Date)[]): Promise<void> {
  const days = [...new Set(closedAts.map(utcDay))];
  if (days.length === 0) return;
  await sql`insert into analytics_dirty_days (day, marked_at)
    select d::date, clock_timestamp() from (values ${sql.join(days.map((d) => sql`(${d})`))}) as v(d)
    on conflict (day) do update set marked_at = excluded.marked_at`.execute(db);
}

/**
 * Marks saves lost by what happened to their subscription since `since`: a new case opened on it,
 * or the subscription cancelled or scheduled to end (by any means). Only subscriptions touched
 * since then are looked at, through the indexes on cases (opened_at) and subscriptions
 * (updated_at); returns how many saves it marked.
 */
export async function markLostSaves(db: Db, since: Date): Promise<number> {
  const result = await sql`
    update case_metrics m set lost_at = x.at
    from (
      select r.case_id, min(t.at) as at
      from (
        select c.subscription_id, c.id as case_id, c.opened_at as at
        from cases c where c.opened_at >= ${since}
        union all
        select s.id, null, coalesce(s.cancelled_at, s.cancel_at) from subscriptions s
        where s.updated_at >= ${since} and s.status in ('cancelled', 'cancellation_scheduled')
      ) t
      join case_metrics r on r.subscription_id = t.subscription_id and r.outcome = 'retained'
        and t.at >= r.closed_at and t.case_id is distinct from r.case_id
      group by r.case_id
    ) x
    where m.case_id = x.case_id and (m.lost_at is null or x.at < m.lost_at)
    returning m.closed_at`.execute(db);
  const marked = result.rows as { closed_at: Date }[];
  await markDaysDirty(
    db,
    marked.map((r) => r.closed_at),
  );
  return marked.length;
}

export async function readWatermark(db: Db, name: string): Promise<Date | null> {
  const row = await db
    .selectFrom("analytics_watermarks")
    .select("at")
    .where("name", "=", name)
    .executeTakeFirst();
  return row?.at ?? null;
}

export async function writeWatermark(db: Db, name: string, at: Date): Promise<void> {
  await db
    .insertInto("analytics_watermarks")
    .values({ name, at })
    .onConflict((oc) => oc.column("name").doUpdateSet({ at }))
    .execute();
}

/** The UTC day of a case_metrics row `m`'s closing, as the rollup keys it. */
const DAY = sql`(m.closed_at at time zone 'UTC')::date`;
/** A retained row's days from the save to its loss (100000: not lost); -1 for other outcomes. */
const LOST_BIN = sql`case when m.outcome <> 'retained' then -1
  when m.lost_at is null then 100000
  else (m.lost_at at time zone 'UTC')::date - (m.closed_at at time zone 'UTC')::date end`;
/**
 * A retained row's days from the save to when its offer stops holding the customer by itself
 * (holds_from: a pause or discount ran out), where its validation window starts; 0 otherwise.
 */
const HOLD_DAYS = sql`case when m.outcome <> 'retained' or m.holds_from is null then 0
  else greatest(0, (m.holds_from at time zone 'UTC')::date - (m.closed_at at time zone 'UTC')::date) end`;
/** The outcome the figures count: a cancellation reactivated before it took effect apart. */
export const OUTCOME_KEY = sql<string>`case when m.reactivated_at is not null then 'reactivated' else m.outcome end`;
/** Durations are binned on a log scale, 20 bins per e (about 5% wide). */
export const DURATION_BINS_PER_E = 20;
const STEP_KEYS = [
  "initial_contact",
  "cancellation_request_form",
  "assistance_and_alternatives",
  "escalation_to_csm",
  "finalize_cancellation",
  "feedback",
  "documentation",
] as const;
const SAVE_DIMENSIONS = {
  reason: sql`m.reason_code`,
  plan: sql`m.plan_code`,
  segment: sql`m.segment`,
  channel: sql`m.channel`,
  am: sql`m.am_id::text`,
  csm: sql`m.csm_id::text`,
};
/** Only escalated cases count for a CSM: the others never reached one. */
const SAVE_DIMENSION_ONLY: Partial<Record<keyof typeof SAVE_DIMENSIONS, RawBuilder<unknown>>> = {
  csm: sql`and m.escalated`,
};

/**
 * Rebuilds the rollup of the queued days from case_metrics, a few hundred days at a time, under
 * an advisory lock so two servers do not rebuild the same day at once. Returns the days rebuilt.
 */
export async function refreshDailyRollup(db: Db, maxDays = 400): Promise<number> {
  // marked_at as text: a Date would drop its microseconds and never match again.
  const queued = await sql<{ day: string; marked_at: string }>`
    select to_char(day, 'YYYY-MM-DD') as day, marked_at::text as marked_at from analytics_dirty_days
    order by day limit ${maxDays}`.execute(db);
  if (queued.rows.length === 0) return 0;
  const days = queued.rows.map((q) => q.day);
  const dayList = sql.join(days.map((d) => sql`${d}::date`));
  const from = new Date(`${days[0]}T00:00:00.000Z`);
  const to = new Date(new Date(`${days[days.length - 1]}T00:00:00.000Z`).getTime() + 86_400_000);
  const where = sql`m.closed_at >= ${from} and m.closed_at < ${to} and ${DAY} in (${dayList})`;
  const money = sql`count(*), coalesce(sum(m.value_kept_minor), 0), coalesce(sum(m.value_lost_minor), 0)`;
  const saveDims = Object.entries(SAVE_DIMENSIONS).map(
    ([name, key]) => sql`
      select ${DAY}, ${`save:${name}`}, coalesce(${key}, ''), ${OUTCOME_KEY}, '', ${LOST_BIN}, ${money},
        m.currency, ${HOLD_DAYS}
      from case_metrics m where ${where} ${SAVE_DIMENSION_ONLY[name as keyof typeof SAVE_DIMENSIONS] ?? sql``}
      group by 1, 3, 4, 6, 10, 11`,
  );
  const steps = STEP_KEYS.map((step) => {
    const column = sql.ref(`m.s_${step}`);
    return sql`
      select ${DAY}, 'step', ${step}, '', '',
        round(ln(${column} + 1) * ${sql.lit(DURATION_BINS_PER_E)})::int, count(*), 0, 0, '', 0
      from case_metrics m where ${where} and ${column} is not null group by 1, 6`;
  });
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('analytics_daily'))`.execute(trx);
    await sql`delete from analytics_daily where day in (${dayList})`.execute(trx);
    // Value (v1, v2) is summed per currency: the save rows carry theirs in `currency`.
    // A save's days until its validation starts (hold_days) go with its days until lost (bin).
    await sql`insert into analytics_daily (day, metric, k1, k2, k3, bin, n, v1, v2, currency, hold_days)
      select ${DAY}, 'outcome', m.currency, ${OUTCOME_KEY}, '', ${LOST_BIN}, ${money}, '', ${HOLD_DAYS}
      from case_metrics m where ${where} group by 1, 3, 4, 6, 11
      union all
      ${sql.join(saveDims, sql` union all `)}
      union all
      select ${DAY}, 'save:offer', o.code, ${OUTCOME_KEY},
        case when m.saved_offer_code = o.code then 'saved' else '' end, ${LOST_BIN},
        count(*), coalesce(sum(m.value_kept_minor) filter (where m.saved_offer_code = o.code), 0),
        coalesce(sum(m.value_lost_minor), 0), m.currency, ${HOLD_DAYS}
      from case_metrics m cross join lateral unnest(m.offers_presented) as o(code)
      where ${where} group by 1, 3, 4, 5, 6, 10, 11
      union all
      ${sql.join(steps, sql` union all `)}
      union all
      select ${DAY}, 'sla', coalesce(m.csm_id::text, ''),
        case when m.sla_met then 'met' when m.csm_engaged_at is null then 'never' else 'late' end,
        '', -1, count(*), 0, 0, '', 0
      from case_metrics m where ${where} and m.escalated group by 1, 3, 4
      union all
      select ${DAY}, 'form', m.form_sent::text, m.form_submitted::text, '', -1, count(*), 0, 0, '', 0
      from case_metrics m where ${where} group by 1, 3, 4
      union all
      select ${DAY}, 'feedback', m.feedback_rating::text, coalesce(m.feedback_reason, ''), '', -1,
        count(*), 0, 0, '', 0
      from case_metrics m where ${where} and m.feedback_rating is not null group by 1, 3, 4
      union all
      select ${DAY}, 'adherence', coalesce(m.am_id::text, ''), m.adherent::text, '', -1,
        count(*), 0, 0, '', 0
      from case_metrics m where ${where} group by 1, 3, 4
      union all
      select ${DAY}, 'miss', miss ->> 'step', miss ->> 'rule', '', -1, count(distinct m.case_id), 0, 0,
        '', 0
      from case_metrics m cross join lateral jsonb_array_elements(m.misses) as miss
      where ${where} and not m.adherent
      group by 1, 3, 4`.execute(trx);
    for (const q of queued.rows) {
      await sql`delete from analytics_dirty_days
        where day = ${q.day}::date and marked_at = ${q.marked_at}::timestamptz`.execute(trx);
    }
  });
  return days.length;
}
