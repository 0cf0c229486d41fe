// Frozen: delivery of the outbox (claim tokens, provider ids, delivery times), webhook endpoints
// and their delivery log, and the dev mailbox that keeps email and SMS when no provider is set.
import { type Kysely, sql } from "kysely";

const statements = [
  sql`alter table outbox
    add column claim_token uuid,
    add column provider_message_id text,
    add column delivered_at timestamptz,
    add column failed_at timestamptz`,
  // Due work: new and retried rows, and rows whose delivery lease ran out (a crashed worker).
  sql`create index outbox_claim_idx on outbox (next_attempt_at) where status in ('pending', 'sending')`,
  sql`create index outbox_failed_idx on outbox (failed_at desc) where status = 'failed'`,
  sql`create index outbox_provider_idx on outbox (channel, provider_message_id) where provider_message_id is not null`,
  // The signing secret must be readable to sign each delivery, so it cannot be hashed: it is
  // stored encrypted (AES-256-GCM, key derived from SESSION_SECRET), never in the clear.
  sql`create table webhook_endpoints (
    id uuid primary key default gen_random_uuid(),
    url text not null,
    description text,
    events jsonb not null,
    secret_encrypted text not null,
    secret_hint text not null,
    active boolean not null default true,
    created_by uuid references users (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz
  )`,
  sql`create table webhook_deliveries (
    id uuid primary key default gen_random_uuid(),
    endpoint_id uuid not null references webhook_endpoints (id),
    outbox_id uuid references outbox (id),
    case_id uuid references cases (id),
    event_id text not null,
    topic text not null,
    body text not null,
    status text not null default 'pending' check (status in ('pending', 'sending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    claim_token uuid,
    last_status_code integer,
    last_error text,
    replay_of uuid references webhook_deliveries (id),
    created_at timestamptz not null,
    delivered_at timestamptz
  )`,
  // One first delivery of an event per endpoint, however often the fan-out runs; replays add rows.
  sql`create unique index webhook_deliveries_once on webhook_deliveries (outbox_id, endpoint_id) where replay_of is null`,
  sql`create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status in ('pending', 'sending')`,
  sql`create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, created_at desc)`,
  sql`create table webhook_delivery_attempts (
    delivery_id uuid not null references webhook_deliveries (id),
    attempt integer not null,
    at timestamptz not null,
    status_code integer,
    error text,
    response_excerpt text,
    duration_ms integer not null,
    primary key (delivery_id, attempt)
  )`,
  sql`create table dev_mailbox (
    id uuid primary key default gen_random_uuid(),
    outbox_id uuid references outbox (id),
    channel text not null,
    recipient text not null,
    subject text,
    text_body text not null,
    html_body text,
    created_at timestamptz not null
  )`,
  sql`create index dev_mailbox_created_idx on dev_mailbox (created_at desc, id desc)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}
