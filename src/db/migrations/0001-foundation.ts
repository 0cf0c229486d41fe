// Frozen: the first schema. Staff, sessions, API keys, and the customer's world (accounts,
// contacts, plans, subscriptions). Never import application code here; write new migrations.
import { type Kysely, sql } from "kysely";

const statements = [
  sql`create table users (
    id uuid primary key default gen_random_uuid(),
    email text not null,
    name text not null,
    role text not null check (role in ('account_manager', 'csm', 'admin')),
    password_hash text not null,
    active boolean not null default true,
    failed_sign_ins integer not null default 0,
    locked_until timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create unique index users_email_key on users (lower(email))`,
  sql`create table sessions (
    token_hash text primary key,
    user_id uuid not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    last_seen_at timestamptz not null default now()
  )`,
  sql`create index sessions_user_id_idx on sessions (user_id)`,
  sql`create table api_keys (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    prefix text not null unique,
    key_hash text not null,
    role text not null check (role in ('account_manager', 'csm', 'admin')),
    created_by uuid references users (id),
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  sql`create table plans (
    id uuid primary key default gen_random_uuid(),
    code text not null unique,
    name text not null,
    monthly_price_minor bigint not null check (monthly_price_minor >= 0),
    currency char(3) not null,
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create table accounts (
    id uuid primary key default gen_random_uuid(),
    external_ref text unique,
    name text not null,
    account_manager_id uuid references users (id),
    csm_id uuid references users (id),
    country char(2),
    segment text not null default 'smb' check (segment in ('smb', 'mid_market', 'enterprise')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  sql`create index accounts_name_idx on accounts (lower(name), id)`,
  sql`create index accounts_account_manager_idx on accounts (account_manager_id)`,
  sql`create index accounts_csm_idx on accounts (csm_id)`,
  sql`create table contacts (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id),
    external_ref text unique,
    name text not null,
    email text,
    phone text,
    role text not null check (role in ('owner', 'billing_admin', 'user')),
    authorised_to_cancel boolean not null default false,
    preferred_channel text not null default 'email' check (preferred_channel in ('email', 'phone', 'sms')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (email is not null or phone is not null)
  )`,
  sql`create index contacts_account_idx on contacts (account_id)`,
  sql`create index contacts_email_idx on contacts (lower(email))`,
  sql`create table subscriptions (
    id uuid primary key default gen_random_uuid(),
    account_id uuid not null references accounts (id),
    plan_id uuid not null references plans (id),
    external_ref text unique,
    seats integer not null check (seats > 0),
    monthly_value_minor bigint not null check (monthly_value_minor >= 0),
    currency char(3) not null,
    status text not null default 'active'
      check (status in ('active', 'paused', 'cancellation_scheduled', 'cancelled')),
    current_period_start timestamptz not null,
    current_period_end timestamptz not null,
    cancel_at timestamptz,
    cancelled_at timestamptz,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (current_period_end > current_period_start)
  )`,
  sql`create index subscriptions_account_idx on subscriptions (account_id)`,
  sql`create index subscriptions_plan_idx on subscriptions (plan_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "subscriptions",
    "contacts",
    "accounts",
    "plans",
    "api_keys",
    "sessions",
    "users",
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
