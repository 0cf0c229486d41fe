// Frozen: the analytics rollup. One narrow row per closed case (case_metrics), written when the
// case closes or caught up by the metrics job, so reports aggregate small rows in the database
// instead of reading case documents; and the indexes the reports and their drill-downs use.
import { type Kysely, sql } from "kysely";

const statements = [
  sql`create table case_metrics (
    case_id uuid primary key references cases (id),
    reference text not null,
    account_id uuid not null,
    subscription_id uuid not null,
    policy_version integer not null,
    channel text not null,
    outcome text not null,
    am_id uuid,
    csm_id uuid,
    plan_code text,
    segment text,
    reason_code text,
    offers_presented text[] not null default '{}',
    saved_offer_code text,
    currency char(3) not null,
    monthly_value_minor bigint not null,
    value_kept_minor bigint not null,
    value_lost_minor bigint not null,
    opened_at timestamptz not null,
    closed_at timestamptz not null,
    escalated boolean not null,
    sla_due_at timestamptz,
    csm_engaged_at timestamptz,
    sla_met boolean,
    form_sent boolean not null,
    form_submitted boolean not null,
    feedback_rating smallint,
    feedback_reason text,
    s_initial_contact integer,
    s_cancellation_request_form integer,
    s_assistance_and_alternatives integer,
    s_escalation_to_csm integer,
    s_finalize_cancellation integer,
    s_feedback integer,
    s_documentation integer,
    adherent boolean not null,
    misses jsonb not null default '[]',
    lost_at timestamptz,
    computed_at timestamptz not null default now()
  )`,
  // Every report filters on the closing period; drill-downs page newest first by (closed_at, id).
  sql`create index case_metrics_closed_idx on case_metrics (closed_at desc, case_id desc)`,
  sql`create index case_metrics_am_idx on case_metrics (am_id, closed_at)`,
  sql`create index case_metrics_csm_idx on case_metrics (csm_id, closed_at)`,
  // A save is lost when its subscription ends or comes back with a new case: the metrics job marks
  // the retained rows of the subscriptions touched since its last round (lost_at).
  sql`create index case_metrics_retained_idx on case_metrics (subscription_id) where outcome = 'retained'`,
  // Drill-down to saves (validated, pending, lost): newest first among retained cases only.
  sql`create index case_metrics_saves_idx on case_metrics (closed_at desc, case_id desc)
    where outcome = 'retained'`,
  sql`create index subscriptions_updated_idx on subscriptions (updated_at)`,
  sql`create table analytics_watermarks (
    name text primary key,
    at timestamptz not null
  )`,
  // The daily rollup the reports read: per UTC day and report ("metric"), counts and sums by up
  // to three keys and one integer bin (a save's days until it was lost; a duration's log bin).
  // Days whose case_metrics rows changed are queued in analytics_dirty_days and rebuilt whole.
  sql`create table analytics_daily (
    day date not null,
    metric text not null,
    k1 text not null default '',
    k2 text not null default '',
    k3 text not null default '',
    bin integer not null default -1,
    n bigint not null,
    v1 bigint not null default 0,
    v2 bigint not null default 0,
    primary key (metric, day, k1, k2, k3, bin)
  )`,
  sql`create table analytics_dirty_days (
    day date primary key,
    marked_at timestamptz not null
  )`,
  // The short list of cases that fell short of the policy is read by itself.
  sql`create index case_metrics_not_adherent_idx on case_metrics (closed_at desc, case_id desc)
    where not adherent`,
  // Requests per period count opened cases, open ones included (cases_opened_id_idx of 0005
  // serves that); a new case on a subscription marks its earlier save lost. Every index on cases
  // is written on every command (a case change cannot be a HOT update), so the plain
  // subscription index this one covers goes.
  sql`create index cases_subscription_opened_idx on cases (subscription_id, opened_at)`,
  sql`drop index cases_subscription_idx`,
  // The metrics job finds recently closed cases it has not summed up yet.
  sql`create index cases_closed_idx on cases (closed_at) where closed_at is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
