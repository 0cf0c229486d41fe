// The analytics queries: aggregates over the per-case rollup (case_metrics, one narrow row per
// closed case) and over cases' indexed columns, computed in the database for one period. Counts
// come back as strings (int8) and are turned into numbers here.
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Database } from "../tables/tables.ts";
import { DURATION_BINS_PER_E, OUTCOME_KEY } from "./case-metrics.repository.ts";
import { afterCursor, type Page, type PageRequest, toPage } from "./pagination.ts";

type Db = Kysely<Database>;

export type Bucket = "week" | "month";

export interface Period {
  from: Date;
  to: Date;
  bucket: Bucket;
}

/** How saves are judged: the validation window in days and the clock. */
export interface SaveRule {
  validationDays: number;
  now: Date;
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** The period as whole UTC days of the rollup: `from`'s day up to (not including) `to`'s. */
const inDays = (period: Period) =>
  sql`d.day >= (${period.from}::timestamptz at time zone 'UTC')::date
    and d.day < (${period.to}::timestamptz at time zone 'UTC')::date`;

function bucketOfDay(bucket: Bucket): RawBuilder<string> {
  return sql<string>`to_char(date_trunc(${bucket}, d.day::timestamp), 'YYYY-MM-DD')`;
}

const todaySql = (rule: SaveRule) => sql`(${rule.now}::timestamptz at time zone 'UTC')::date`;

/**
 * The save status of a rollup row `d` whose `outcome` is given (null unless retained): the rule
 * of classifySave in src/domain/case-metrics.ts in whole UTC days. `d.bin` is the number of days
 * from the save to its loss (100000 when it was not lost), `d.hold_days` those from the save to
 * when its offer stopped holding the customer by itself (a pause or discount ran out), where the
 * window starts: lost when the loss comes before the window's end; pending while the window (that
 * day and the N days after it) runs; validated after.
 */
function rollupSaveStatus(outcome: RawBuilder<unknown>, rule: SaveRule): RawBuilder<string | null> {
  return sql<string | null>`case
    when ${outcome} <> 'retained' then null
    when d.bin <= d.hold_days + ${rule.validationDays}::int then 'lost'
    when d.day + d.hold_days + ${rule.validationDays}::int >= ${todaySql(rule)} then 'pending'
    else 'validated' end`;
}

/** The same rule over a case_metrics row `m` (the drill-down list). */
export function saveStatusSql(rule: SaveRule): RawBuilder<string | null> {
  const savedDay = sql`(m.closed_at at time zone 'UTC')::date`;
  const startDay = sql`greatest(${savedDay}, (coalesce(m.holds_from, m.closed_at) at time zone 'UTC')::date)`;
  return sql<string | null>`case
    when m.outcome <> 'retained' then null
    when m.lost_at is not null
      and (m.lost_at at time zone 'UTC')::date - ${startDay} <= ${rule.validationDays}::int
      then 'lost'
    when ${startDay} + ${rule.validationDays}::int >= ${todaySql(rule)} then 'pending'
    else 'validated' end`;
}

export interface OutcomeBucketRow {
  bucket: string;
  currency: string;
  closed: number;
  retained: number;
  cancelled: number;
  withdrawn: number;
  unverified: number;
  /** Cancelled at the end of the term, then reactivated before it took effect. */
  reactivated: number;
  validated: number;
  pending: number;
  lost: number;
  valueKeptMinor: number;
  valueValidatedMinor: number;
  valueLostMinor: number;
}

/** Closed cases per bucket of their closing day, by outcome and save status, with value. */
export async function outcomesByBucket(
  db: Db,
  period: Period,
  rule: SaveRule,
): Promise<OutcomeBucketRow[]> {
  const result = await sql<Record<string, unknown>>`
    select bucket, currency,
      sum(n) as closed,
      sum(n) filter (where outcome = 'retained') as retained,
      sum(n) filter (where outcome = 'cancelled') as cancelled,
      sum(n) filter (where outcome = 'withdrawn') as withdrawn,
      sum(n) filter (where outcome = 'unverified') as unverified,
      sum(n) filter (where outcome = 'reactivated') as reactivated,
      sum(n) filter (where save_status = 'validated') as validated,
      sum(n) filter (where save_status = 'pending') as pending,
      sum(n) filter (where save_status = 'lost') as lost,
      coalesce(sum(v1), 0) as kept,
      coalesce(sum(v1) filter (where save_status = 'validated'), 0) as kept_validated,
      coalesce(sum(v2), 0) as lost_value
    from (
      select ${bucketOfDay(period.bucket)} as bucket, d.k1 as currency, d.k2 as outcome, d.n, d.v1,
        d.v2, ${rollupSaveStatus(sql`d.k2`, rule)} as save_status
      from analytics_daily d
      where d.metric = 'outcome' and ${inDays(period)}
    ) x
    group by bucket, currency
    order by bucket, currency`.execute(db);
  return result.rows.map((r) => ({
    bucket: String(r.bucket),
    currency: String(r.currency),
    closed: n(r.closed),
    retained: n(r.retained),
    cancelled: n(r.cancelled),
    withdrawn: n(r.withdrawn),
    unverified: n(r.unverified),
    reactivated: n(r.reactivated),
    validated: n(r.validated),
    pending: n(r.pending),
    lost: n(r.lost),
    valueKeptMinor: n(r.kept),
    valueValidatedMinor: n(r.kept_validated),
    valueLostMinor: n(r.lost_value),
  }));
}

/** Cancellation requests (cases opened, open or closed) per bucket of their opening time. */
export async function requestsByBucket(
  db: Db,
  period: Period,
): Promise<{ bucket: string; requests: number }[]> {
  // Counted from cases (index-only over cases (opened_at)): requests include open cases.
  const result = await sql<{ bucket: string; requests: string }>`
    select to_char(day, 'YYYY-MM-DD') as bucket, count as requests from (
      select date_trunc(${period.bucket}, c.opened_at at time zone 'UTC') as day, count(*)
      from cases c
      where c.opened_at >= ${period.from} and c.opened_at < ${period.to}
      group by 1
    ) x order by 1`.execute(db);
  return result.rows.map((r) => ({ bucket: r.bucket, requests: n(r.requests) }));
}

export const SAVE_RATE_DIMENSIONS = [
  "offer",
  "reason",
  "plan",
  "segment",
  "channel",
  "am",
  "csm",
] as const;
export type SaveRateDimension = (typeof SAVE_RATE_DIMENSIONS)[number];

export interface SaveRateRow {
  key: string | null;
  /** Cases decided one way or the other: retained or cancelled (for offers: where it was presented). */
  decided: number;
  retained: number;
  cancelled: number;
  validated: number;
  pending: number;
  lost: number;
  /** Monthly value kept by the saves and lost to the cancellations, one entry per currency. */
  value: { currency: string; keptMinor: number; lostMinor: number }[];
}

/**
 * Saves against cancellations, grouped by one dimension. For offers, a case counts under every
 * offer presented to it, and as a save only under the offer that retained the customer.
 */
export async function saveRatesBy(
  db: Db,
  dimension: SaveRateDimension,
  period: Period,
  rule: SaveRule,
): Promise<SaveRateRow[]> {
  const saved =
    dimension === "offer" ? sql`d.k2 = 'retained' and d.k3 = 'saved'` : sql`d.k2 = 'retained'`;
  // Counted per key and currency; the counts are then added up per key, the value never is.
  const result = await sql<Record<string, unknown>>`
    select key, currency,
      coalesce(sum(n) filter (where outcome in ('retained', 'cancelled')), 0) as decided,
      coalesce(sum(n) filter (where saved), 0) as retained,
      coalesce(sum(n) filter (where outcome = 'cancelled'), 0) as cancelled,
      coalesce(sum(n) filter (where saved and save_status = 'validated'), 0) as validated,
      coalesce(sum(n) filter (where saved and save_status = 'pending'), 0) as pending,
      coalesce(sum(n) filter (where saved and save_status = 'lost'), 0) as lost,
      coalesce(sum(v1) filter (where saved), 0) as kept,
      coalesce(sum(v2), 0) as lost_value
    from (
      select d.k1 as key, d.currency, d.k2 as outcome, (${saved}) as saved, d.n, d.v1, d.v2,
        ${rollupSaveStatus(sql`d.k2`, rule)} as save_status
      from analytics_daily d
      where d.metric = ${`save:${dimension}`} and ${inDays(period)}
    ) x
    group by key, currency
    order by key, currency`.execute(db);
  const rows = new Map<string, SaveRateRow>();
  for (const r of result.rows) {
    const key = r.key === "" ? null : String(r.key);
    const row = rows.get(String(r.key)) ?? {
      key,
      decided: 0,
      retained: 0,
      cancelled: 0,
      validated: 0,
      pending: 0,
      lost: 0,
      value: [],
    };
    row.decided += n(r.decided);
    row.retained += n(r.retained);
    row.cancelled += n(r.cancelled);
    row.validated += n(r.validated);
    row.pending += n(r.pending);
    row.lost += n(r.lost);
    if (n(r.kept) !== 0 || n(r.lost_value) !== 0) {
      row.value.push({
        currency: String(r.currency),
        keptMinor: n(r.kept),
        lostMinor: n(r.lost_value),
      });
    }
    rows.set(String(r.key), row);
  }
  return [...rows.values()].sort(
    (a, b) => b.decided - a.decided || (a.key ?? "").localeCompare(b.key ?? ""),
  );
}

/** Closed cases per bucket and reason (the latest reason conversation, else the form's). */
export async function reasonsByBucket(
  db: Db,
  period: Period,
): Promise<{ bucket: string; reasonCode: string | null; cases: number; cancelled: number }[]> {
  const result = await sql<Record<string, unknown>>`
    select ${bucketOfDay(period.bucket)} as bucket, d.k1 as reason_code,
      sum(d.n) as cases, coalesce(sum(d.n) filter (where d.k2 = 'cancelled'), 0) as cancelled
    from analytics_daily d
    where d.metric = 'save:reason' and ${inDays(period)} and d.k2 in ('retained', 'cancelled')
    group by 1, 2 order by 1, 2`.execute(db);
  return result.rows.map((r) => ({
    bucket: String(r.bucket),
    reasonCode: r.reason_code === "" ? null : String(r.reason_code),
    cases: n(r.cases),
    cancelled: n(r.cancelled),
  }));
}

export const STEP_COLUMNS = [
  "initial_contact",
  "cancellation_request_form",
  "assistance_and_alternatives",
  "escalation_to_csm",
  "finalize_cancellation",
  "feedback",
  "documentation",
] as const;

export interface StepTimeRow {
  step: (typeof STEP_COLUMNS)[number];
  cases: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

/**
 * Median and 90th percentile of the time spent in each step, over cases closed in the period,
 * read from the rollup's log-scale histogram (each bin about 5% wide).
 */
export async function stepTimes(db: Db, period: Period): Promise<StepTimeRow[]> {
  const result = await sql<{ step: string; bin: number; n: string }>`
    select d.k1 as step, d.bin, sum(d.n) as n
    from analytics_daily d
    where d.metric = 'step' and ${inDays(period)}
    group by 1, 2 order by 1, 2`.execute(db);
  return STEP_COLUMNS.map((step) => {
    const bins = result.rows.filter((r) => r.step === step);
    const cases = bins.reduce((t, r) => t + n(r.n), 0);
    const at = (share: number): number | null => {
      if (cases === 0) return null;
      let seen = 0;
      for (const r of bins) {
        seen += n(r.n);
        if (seen >= share * cases) {
          return Math.max(0, Math.round(Math.exp(r.bin / DURATION_BINS_PER_E) - 1));
        }
      }
      return null;
    };
    return { step, cases, medianSeconds: at(0.5), p90Seconds: at(0.9) };
  });
}

export interface SlaRow {
  csmId: string | null;
  escalated: number;
  met: number;
  late: number;
  neverEngaged: number;
}

/** CSM engagement against its SLA, per CSM, for escalated cases closed in the period. */
export async function slaByCsm(db: Db, period: Period): Promise<SlaRow[]> {
  const result = await sql<Record<string, unknown>>`
    select d.k1 as csm_id, sum(d.n) as escalated,
      coalesce(sum(d.n) filter (where d.k2 = 'met'), 0) as met,
      coalesce(sum(d.n) filter (where d.k2 = 'late'), 0) as late,
      coalesce(sum(d.n) filter (where d.k2 = 'never'), 0) as never_engaged
    from analytics_daily d
    where d.metric = 'sla' and ${inDays(period)}
    group by 1 order by 2 desc, 1`.execute(db);
  return result.rows.map((r) => ({
    csmId: r.csm_id === "" ? null : String(r.csm_id),
    escalated: n(r.escalated),
    met: n(r.met),
    late: n(r.late),
    neverEngaged: n(r.never_engaged),
  }));
}

/** Escalated cases still waiting for their CSM now: on time and past their due time. */
export async function openEscalations(
  db: Db,
  now: Date,
): Promise<{ open: number; breached: number }> {
  const result = await sql<{ open: string; breached: string }>`
    select count(*) as open, count(*) filter (where sla_due_at <= ${now}) as breached
    from cases where sla_due_at is not null and closed_at is null`.execute(db);
  return { open: n(result.rows[0]?.open), breached: n(result.rows[0]?.breached) };
}

/** The form: cases it was sent to and those where the customer submitted it, per bucket. */
export async function formsByBucket(
  db: Db,
  period: Period,
): Promise<{ bucket: string; sent: number; submitted: number }[]> {
  const result = await sql<Record<string, unknown>>`
    select ${bucketOfDay(period.bucket)} as bucket,
      coalesce(sum(d.n) filter (where d.k1 = 'true'), 0) as sent,
      coalesce(sum(d.n) filter (where d.k2 = 'true'), 0) as submitted
    from analytics_daily d
    where d.metric = 'form' and ${inDays(period)}
    group by 1 order by 1`.execute(db);
  return result.rows.map((r) => ({
    bucket: String(r.bucket),
    sent: n(r.sent),
    submitted: n(r.submitted),
  }));
}

/** Feedback ratings (1-5) and what led to the decision, with the average rating per reason. */
export async function feedbackSummary(
  db: Db,
  period: Period,
): Promise<{
  ratings: { rating: number; responses: number }[];
  reasons: { reasonCode: string; responses: number; averageRating: number | null }[];
}> {
  const result = await sql<{ rating: string; reason: string; n: string }>`
    select d.k1 as rating, d.k2 as reason, sum(d.n) as n
    from analytics_daily d
    where d.metric = 'feedback' and ${inDays(period)}
    group by 1, 2`.execute(db);
  const ratings = new Map<number, number>();
  const reasons = new Map<string, { responses: number; total: number }>();
  for (const r of result.rows) {
    const rating = Number(r.rating);
    ratings.set(rating, (ratings.get(rating) ?? 0) + n(r.n));
    if (r.reason === "") continue;
    const entry = reasons.get(r.reason) ?? { responses: 0, total: 0 };
    entry.responses += n(r.n);
    entry.total += rating * n(r.n);
    reasons.set(r.reason, entry);
  }
  return {
    ratings: [...ratings.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([rating, responses]) => ({ rating, responses })),
    reasons: [...reasons.entries()]
      .map(([reasonCode, e]) => ({
        reasonCode,
        responses: e.responses,
        averageRating: Math.round((e.total / e.responses) * 100) / 100,
      }))
      .sort((a, b) => b.responses - a.responses || a.reasonCode.localeCompare(b.reasonCode)),
  };
}

/** Policy adherence of cases closed in the period, per AM (null: unassigned). */
export async function adherenceByAm(
  db: Db,
  period: Period,
): Promise<{ amId: string | null; closed: number; adherent: number }[]> {
  const result = await sql<Record<string, unknown>>`
    select d.k1 as am_id, sum(d.n) as closed,
      coalesce(sum(d.n) filter (where d.k2 = 'true'), 0) as adherent
    from analytics_daily d
    where d.metric = 'adherence' and ${inDays(period)}
    group by 1 order by 2 desc, 1`.execute(db);
  return result.rows.map((r) => ({
    amId: r.am_id === "" ? null : String(r.am_id),
    closed: n(r.closed),
    adherent: n(r.adherent),
  }));
}

/** How often each step's rule was missed, over the cases that fell short. */
export async function adherenceMisses(
  db: Db,
  period: Period,
): Promise<{ step: string; rule: string; cases: number }[]> {
  const result = await sql<Record<string, unknown>>`
    select d.k1 as step, d.k2 as rule, sum(d.n) as cases
    from analytics_daily d
    where d.metric = 'miss' and ${inDays(period)}
    group by 1, 2 order by 3 desc, 1, 2`.execute(db);
  return result.rows.map((r) => ({
    step: String(r.step),
    rule: String(r.rule),
    cases: n(r.cases),
  }));
}

export interface AnalyticsCaseFilter {
  outcome?: string | undefined;
  channel?: string | undefined;
  reasonCode?: string | undefined;
  offerCode?: string | undefined;
  savedOfferCode?: string | undefined;
  planCode?: string | undefined;
  segment?: string | undefined;
  /** A user id, or null for the cases with none (the "Unassigned" rows). */
  amId?: string | null | undefined;
  csmId?: string | null | undefined;
  /** Retained or cancelled (true), or neither (false): a save rate's "decided". */
  decided?: boolean | undefined;
  formSent?: boolean | undefined;
  adherent?: boolean | undefined;
  saveStatus?: "validated" | "pending" | "lost" | undefined;
  escalated?: boolean | undefined;
  slaMet?: boolean | undefined;
  formSubmitted?: boolean | undefined;
  feedbackRating?: number | undefined;
  feedbackReason?: string | undefined;
  missedStep?: string | undefined;
  /** With or without missedStep: a miss of this rule (of that step). */
  missedRule?: string | undefined;
}

export interface AnalyticsCaseRow {
  caseId: string;
  reference: string;
  accountName: string;
  outcome: string;
  channel: string;
  amId: string | null;
  amName: string | null;
  csmId: string | null;
  csmName: string | null;
  reasonCode: string | null;
  savedOfferCode: string | null;
  planCode: string | null;
  segment: string | null;
  currency: string;
  monthlyValueMinor: number;
  openedAt: Date;
  closedAt: Date;
  saveStatus: string | null;
  slaMet: boolean | null;
  adherent: boolean;
  misses: { step: string; rule: string; detail: string }[];
}

/** The closed cases behind a figure, newest first, in pages. */
export async function listAnalyticsCases(
  db: Db,
  period: Period,
  rule: SaveRule,
  filter: AnalyticsCaseFilter,
  page: PageRequest,
): Promise<Page<AnalyticsCaseRow>> {
  const f = filter;
  const rows = await db
    .selectFrom("case_metrics as m")
    .innerJoin("accounts as a", "a.id", "m.account_id")
    .leftJoin("users as am", "am.id", "m.am_id")
    .leftJoin("users as csm", "csm.id", "m.csm_id")
    .selectAll("m")
    .select(["a.name as account_name", "am.name as am_name", "csm.name as csm_name"])
    .select(saveStatusSql(rule).as("save_status"))
    .select(sql<string>`m.closed_at::text`.as("sort_key"))
    .select(OUTCOME_KEY.as("outcome_key"))
    .where("m.closed_at", ">=", period.from)
    .where("m.closed_at", "<", period.to)
    .$if(f.outcome !== undefined, (qb) => qb.where(OUTCOME_KEY, "=", f.outcome!))
    .$if(f.channel !== undefined, (qb) => qb.where("m.channel", "=", f.channel!))
    .$if(f.reasonCode !== undefined, (qb) => qb.where("m.reason_code", "=", f.reasonCode!))
    .$if(f.offerCode !== undefined, (qb) =>
      qb.where(sql<boolean>`${f.offerCode!} = any(m.offers_presented)`),
    )
    .$if(f.savedOfferCode !== undefined, (qb) =>
      qb.where("m.saved_offer_code", "=", f.savedOfferCode!),
    )
    .$if(f.planCode !== undefined, (qb) => qb.where("m.plan_code", "=", f.planCode!))
    .$if(f.segment !== undefined, (qb) => qb.where("m.segment", "=", f.segment!))
    .$if(f.amId !== undefined, (qb) =>
      f.amId === null ? qb.where("m.am_id", "is", null) : qb.where("m.am_id", "=", f.amId!),
    )
    .$if(f.csmId !== undefined, (qb) =>
      f.csmId === null ? qb.where("m.csm_id", "is", null) : qb.where("m.csm_id", "=", f.csmId!),
    )
    .$if(f.decided !== undefined, (qb) =>
      qb.where(OUTCOME_KEY, f.decided ? "in" : "not in", ["retained", "cancelled"]),
    )
    .$if(f.formSent !== undefined, (qb) => qb.where("m.form_sent", "=", f.formSent!))
    .$if(f.adherent !== undefined, (qb) => qb.where("m.adherent", "=", f.adherent!))
    .$if(f.escalated !== undefined, (qb) => qb.where("m.escalated", "=", f.escalated!))
    .$if(f.slaMet !== undefined, (qb) => qb.where("m.sla_met", "=", f.slaMet!))
    .$if(f.formSubmitted !== undefined, (qb) => qb.where("m.form_submitted", "=", f.formSubmitted!))
    .$if(f.feedbackRating !== undefined, (qb) =>
      qb.where("m.feedback_rating", "=", f.feedbackRating!),
    )
    .$if(f.feedbackReason !== undefined, (qb) =>
      qb.where("m.feedback_reason", "=", f.feedbackReason!),
    )
    .$if(f.missedStep !== undefined || f.missedRule !== undefined, (qb) => {
      // One miss that is of this step and (or) of this rule, as the "Steps missed" rows count.
      const miss = {
        ...(f.missedStep !== undefined ? { step: f.missedStep } : {}),
        ...(f.missedRule !== undefined ? { rule: f.missedRule } : {}),
      };
      return qb.where(sql<boolean>`m.misses @> ${JSON.stringify([miss])}::jsonb`);
    })
    .$if(f.saveStatus !== undefined, (qb) =>
      qb
        .where("m.outcome", "=", "retained")
        .$if(f.saveStatus === "lost", (q) => q.where("m.lost_at", "is not", null))
        .where(saveStatusSql(rule), "=", f.saveStatus!),
    )
    .where(afterCursor(sql.ref("m.closed_at"), "m.case_id", page.cursor, "timestamptz", "desc"))
    .orderBy("m.closed_at", "desc")
    .orderBy("m.case_id", "desc")
    .limit(page.limit + 1)
    .execute();
  return toPage(
    rows,
    page.limit,
    (r) => ({ key: r.sort_key, id: r.case_id }),
    (r) => ({
      caseId: r.case_id,
      reference: r.reference,
      accountName: r.account_name,
      outcome: r.outcome_key,
      channel: r.channel,
      amId: r.am_id,
      amName: r.am_name,
      csmId: r.csm_id,
      csmName: r.csm_name,
      reasonCode: r.reason_code,
      savedOfferCode: r.saved_offer_code,
      planCode: r.plan_code,
      segment: r.segment,
      currency: r.currency,
      monthlyValueMinor: n(r.monthly_value_minor),
      openedAt: r.opened_at,
      closedAt: r.closed_at,
      saveStatus: r.save_status,
      slaMet: r.sla_met,
      adherent: r.adherent,
      misses: r.misses as AnalyticsCaseRow["misses"],
    }),
  );
}

/** Names of staff, for labelling rows keyed by user id. */
export async function staffNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("users").select(["id", "name"]).where("id", "in", ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Plan names by code. */
export async function planNames(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom("plans").select(["code", "name"]).execute();
  return new Map(rows.map((r) => [r.code, r.name]));
}
