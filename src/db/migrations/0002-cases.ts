// Frozen: cancellation cases, their append-only hash-chained audit log, the outbox of outgoing
// messages, customer link tokens and identity codes (hashed), policy versions, idempotency keys,
// and the subscription ledger's record of applied effects.
import { type Kysely, sql } from "kysely";

const statements = [
  sql`create table policy_versions (
    version integer primary key,
    definition jsonb not null,
    published_at timestamptz not null default now(),
    published_by uuid references users (id),
    notes text
  )`,
  sql`create sequence case_reference_seq`,
  sql`create table cases (
    id uuid primary key,
    reference text not null unique,
    account_id uuid not null references accounts (id),
    subscription_id uuid not null references subscriptions (id),
    requester_contact_id uuid not null references contacts (id),
    channel text not null,
    state text not null,
    form_status text not null,
    outcome text,
    assigned_am_id uuid references users (id),
    assigned_csm_id uuid references users (id),
    policy_version integer not null references policy_versions (version),
    version integer not null,
    sla_due_at timestamptz,
    opened_at timestamptz not null,
    updated_at timestamptz not null,
    closed_at timestamptz,
    data jsonb not null
  )`,
  sql`create index cases_state_idx on cases (state, opened_at desc)`,
  sql`create index cases_am_idx on cases (assigned_am_id, state)`,
  sql`create index cases_csm_idx on cases (assigned_csm_id, state)`,
  sql`create index cases_account_idx on cases (account_id, opened_at desc)`,
  sql`create index cases_subscription_idx on cases (subscription_id)`,
  sql`create index cases_sla_idx on cases (sla_due_at) where sla_due_at is not null and closed_at is null`,
  // One open case per subscription: a second request joins the first instead of racing it.
  sql`create unique index cases_one_open_per_subscription on cases (subscription_id) where closed_at is null`,
  sql`create table case_events (
    case_id uuid not null references cases (id),
    seq integer not null,
    type text not null,
    case_version integer not null,
    actor jsonb not null,
    at timestamptz not null,
    body jsonb not null,
    prev_hash text not null,
    hash text not null,
    recorded_at timestamptz not null default now(),
    primary key (case_id, seq)
  )`,
  sql`create index case_events_at_idx on case_events (at)`,
  // The audit log is append-only: the database itself refuses to change or remove an entry.
  sql`create function case_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'case_events is append-only: % is not allowed', tg_op using errcode = '42501';
    end
  $$`,
  sql`create trigger case_events_no_update before update or delete on case_events
    for each row execute function case_events_append_only()`,
  sql`create trigger case_events_no_truncate before truncate on case_events
    for each statement execute function case_events_append_only()`,
  sql`create table outbox (
    id uuid primary key default gen_random_uuid(),
    case_id uuid references cases (id),
    topic text not null,
    channel text not null,
    recipient jsonb not null,
    payload jsonb not null,
    dedupe_key text not null unique,
    status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text,
    created_at timestamptz not null default now(),
    sent_at timestamptz
  )`,
  sql`create index outbox_due_idx on outbox (next_attempt_at) where status = 'pending'`,
  sql`create index outbox_case_idx on outbox (case_id)`,
  sql`create table customer_links (
    token_hash text primary key,
    case_id uuid references cases (id),
    contact_id uuid not null references contacts (id),
    purpose text not null,
    expires_at timestamptz not null,
    used_at timestamptz,
    superseded_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  sql`create index customer_links_case_idx on customer_links (case_id, purpose)`,
  sql`create table identity_codes (
    id uuid primary key default gen_random_uuid(),
    case_id uuid references cases (id),
    contact_id uuid not null references contacts (id),
    code_hash text not null,
    expires_at timestamptz not null,
    used_at timestamptz,
    superseded_at timestamptz,
    attempts integer not null default 0,
    created_at timestamptz not null default now()
  )`,
  sql`create index identity_codes_case_idx on identity_codes (case_id)`,
  sql`create table idempotency_keys (
    principal text not null,
    key text not null,
    request_hash text not null,
    status_code integer,
    response jsonb,
    created_at timestamptz not null default now(),
    primary key (principal, key)
  )`,
  sql`alter table subscriptions
    add column discount_percent integer check (discount_percent between 1 and 100),
    add column discount_ends_at timestamptz,
    add column paused_until timestamptz`,
  sql`create table subscription_effects (
    effect_key text primary key,
    subscription_id uuid not null references subscriptions (id),
    case_id uuid references cases (id),
    kind text not null,
    details jsonb not null,
    applied_at timestamptz not null default now()
  )`,
  sql`create index subscription_effects_subscription_idx on subscription_effects (subscription_id, applied_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
