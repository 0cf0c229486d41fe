// Webhook endpoints an admin registered, and the log of every delivery to them: each event the
// outbox carries becomes one delivery per subscribed endpoint, retried on its own, with every
// attempt's response code kept; a replay is a new delivery of the same body.
import { type Kysely, sql } from "kysely";
import type { Database, WebhookDeliveryStatus } from "../tables/tables.ts";
import { GAVE_UP } from "./outbox-delivery.repository.ts";
import { afterCursor, instantKey, type Page, toPage } from "./pagination.ts";

type Db = Kysely<Database>;

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  secretHint: string;
  active: boolean;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type EndpointRow = {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  secret_hint: string;
  active: boolean;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
};

function toEndpoint(r: EndpointRow): WebhookEndpoint {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    events: r.events,
    secretHint: r.secret_hint,
    active: r.active,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const ENDPOINT_COLUMNS = [
  "id",
  "url",
  "description",
  "events",
  "secret_hint",
  "active",
  "created_by",
  "created_at",
  "updated_at",
] as const;

export async function insertWebhookEndpoint(
  db: Db,
  input: {
    url: string;
    description: string | null;
    events: string[];
    secretEncrypted: string;
    secretHint: string;
    active: boolean;
    createdBy: string | null;
  },
): Promise<WebhookEndpoint> {
  const row = await db
    .insertInto("webhook_endpoints")
    .values({
      url: input.url,
      description: input.description,
      events: JSON.stringify(input.events),
      secret_encrypted: input.secretEncrypted,
      secret_hint: input.secretHint,
      active: input.active,
      created_by: input.createdBy,
    })
    .returning(ENDPOINT_COLUMNS)
    .executeTakeFirstOrThrow();
  return toEndpoint(row);
}

export async function listWebhookEndpoints(db: Db): Promise<WebhookEndpoint[]> {
  const rows = await db
    .selectFrom("webhook_endpoints")
    .select(ENDPOINT_COLUMNS)
    .where("deleted_at", "is", null)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toEndpoint);
}

export async function findWebhookEndpoint(
  db: Db,
  id: string,
): Promise<WebhookEndpoint | undefined> {
  const row = await db
    .selectFrom("webhook_endpoints")
    .select(ENDPOINT_COLUMNS)
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  return row && toEndpoint(row);
}

export async function updateWebhookEndpoint(
  db: Db,
  id: string,
  changes: {
    url?: string | undefined;
    description?: string | null | undefined;
    events?: string[] | undefined;
    active?: boolean | undefined;
    secretEncrypted?: string | undefined;
    secretHint?: string | undefined;
  },
  now: Date,
): Promise<WebhookEndpoint | undefined> {
  const row = await db
    .updateTable("webhook_endpoints")
    .set({
      updated_at: now,
      ...(changes.url !== undefined ? { url: changes.url } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.events !== undefined ? { events: JSON.stringify(changes.events) } : {}),
      ...(changes.active !== undefined ? { active: changes.active } : {}),
      ...(changes.secretEncrypted !== undefined
        ? { secret_encrypted: changes.secretEncrypted, secret_hint: changes.secretHint ?? "" }
        : {}),
    })
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .returning(ENDPOINT_COLUMNS)
    .executeTakeFirst();
  return row && toEndpoint(row);
}

/**
 * Deleting keeps the row (its delivery log refers to it) but stops every delivery to it: the
 * deliveries still waiting for a (re)try fail with the reason, in the same statement.
 */
export async function deleteWebhookEndpoint(db: Db, id: string, now: Date): Promise<boolean> {
  const result = await sql<{ id: string }>`with deleted as (
      update webhook_endpoints set deleted_at = ${now}, active = false, updated_at = ${now}
      where id = ${id} and deleted_at is null
      returning id
    ), stopped as (
      update webhook_deliveries set status = 'failed', claim_token = null,
        last_error = 'the endpoint was deleted'
      where endpoint_id in (select id from deleted) and status in ('pending', 'sending')
    )
    select id from deleted`.execute(db);
  return result.rows.length === 1;
}

/** Active endpoints subscribed to `topic`. */
export async function findSubscribedEndpointIds(db: Db, topic: string): Promise<string[]> {
  const rows = await db
    .selectFrom("webhook_endpoints")
    .select("id")
    .where("active", "=", true)
    .where("deleted_at", "is", null)
    .where(sql<boolean>`events @> ${JSON.stringify([topic])}::jsonb`)
    .execute();
  return rows.map((r) => r.id);
}

export interface NewWebhookDelivery {
  endpointId: string;
  outboxId: string | null;
  caseId: string | null;
  eventId: string;
  topic: string;
  body: string;
  replayOf?: string | null;
}

export async function insertWebhookDeliveries(
  db: Db,
  deliveries: NewWebhookDelivery[],
  now: Date,
): Promise<void> {
  if (deliveries.length === 0) return;
  await db
    .insertInto("webhook_deliveries")
    .values(
      deliveries.map((d) => ({
        endpoint_id: d.endpointId,
        outbox_id: d.outboxId,
        case_id: d.caseId,
        event_id: d.eventId,
        topic: d.topic,
        body: d.body,
        replay_of: d.replayOf ?? null,
        next_attempt_at: now,
        created_at: now,
      })),
    )
    .onConflict((oc) =>
      oc.columns(["outbox_id", "endpoint_id"]).where("replay_of", "is", null).doNothing(),
    )
    .execute();
}

export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  url: string;
  secretEncrypted: string;
  eventId: string;
  topic: string;
  body: string;
  attempts: number;
  claimToken: string;
}

export async function claimDueDeliveries(
  db: Db,
  options: { now: Date; leaseUntil: Date; limit: number; claimToken: string; maxAttempts: number },
): Promise<ClaimedDelivery[]> {
  await db
    .updateTable("webhook_deliveries")
    .set({ status: "failed", claim_token: null, last_error: GAVE_UP })
    .where("status", "=", "sending")
    .where("next_attempt_at", "<=", options.now)
    .where("attempts", ">=", options.maxAttempts)
    .execute();
  const result = await sql<{
    id: string;
    endpoint_id: string;
    event_id: string;
    topic: string;
    body: string;
    attempts: number;
  }>`update webhook_deliveries
    set status = 'sending', attempts = attempts + 1, claim_token = ${options.claimToken},
      next_attempt_at = ${options.leaseUntil}
    where id in (
      select id from webhook_deliveries
      where status in ('pending', 'sending') and next_attempt_at <= ${options.now}
        -- A paused endpoint's deliveries wait for it to be turned back on.
        and endpoint_id in (
          select id from webhook_endpoints where active and deleted_at is null
        )
      order by next_attempt_at
      limit ${options.limit}
      for update skip locked
    )
    returning id, endpoint_id, event_id, topic, body, attempts`.execute(db);
  if (result.rows.length === 0) return [];
  const endpoints = await db
    .selectFrom("webhook_endpoints")
    .select(["id", "url", "secret_encrypted"])
    .where("id", "in", [...new Set(result.rows.map((r) => r.endpoint_id))])
    .execute();
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  return result.rows.map((r) => ({
    id: r.id,
    endpointId: r.endpoint_id,
    url: byId.get(r.endpoint_id)!.url,
    secretEncrypted: byId.get(r.endpoint_id)!.secret_encrypted,
    eventId: r.event_id,
    topic: r.topic,
    body: r.body,
    attempts: r.attempts,
    claimToken: options.claimToken,
  }));
}

export async function recordDeliveryAttempt(
  db: Db,
  claimToken: string,
  attempt: {
    deliveryId: string;
    attempt: number;
    at: Date;
    statusCode: number | null;
    error: string | null;
    responseExcerpt: string | null;
    durationMs: number;
  },
  outcome: { delivered: true } | { delivered: false; retryAt: Date | null },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("webhook_deliveries")
      .set({
        last_status_code: attempt.statusCode,
        last_error: attempt.error,
        claim_token: null,
        ...(outcome.delivered
          ? { status: "delivered" as const, delivered_at: attempt.at }
          : outcome.retryAt
            ? { status: "pending" as const, next_attempt_at: outcome.retryAt }
            : { status: "failed" as const }),
      })
      .where("id", "=", attempt.deliveryId)
      .where("claim_token", "=", claimToken)
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) return;
    await trx
      .insertInto("webhook_delivery_attempts")
      .values({
        delivery_id: attempt.deliveryId,
        attempt: attempt.attempt,
        at: attempt.at,
        status_code: attempt.statusCode,
        error: attempt.error,
        response_excerpt: attempt.responseExcerpt,
        duration_ms: attempt.durationMs,
      })
      .onConflict((oc) => oc.columns(["delivery_id", "attempt"]).doNothing())
      .execute();
  });
}

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  caseId: string | null;
  eventId: string;
  topic: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  replayOf: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
}

const DELIVERY_COLUMNS = [
  "id",
  "endpoint_id",
  "case_id",
  "event_id",
  "topic",
  "status",
  "attempts",
  "last_status_code",
  "last_error",
  "replay_of",
  "created_at",
  "delivered_at",
  "next_attempt_at",
] as const;

function toDelivery(r: {
  id: string;
  endpoint_id: string;
  case_id: string | null;
  event_id: string;
  topic: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  replay_of: string | null;
  created_at: Date;
  delivered_at: Date | null;
  next_attempt_at: Date;
}): WebhookDelivery {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    caseId: r.case_id,
    eventId: r.event_id,
    topic: r.topic,
    status: r.status,
    attempts: r.attempts,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    replayOf: r.replay_of,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
    nextAttemptAt: r.next_attempt_at,
  };
}

export async function listWebhookDeliveries(
  db: Db,
  filter: {
    endpointId?: string | undefined;
    status?: WebhookDeliveryStatus | undefined;
    caseId?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
): Promise<Page<WebhookDelivery>> {
  const rows = await db
    .selectFrom("webhook_deliveries")
    .select(DELIVERY_COLUMNS)
    .select(instantKey(sql.ref("created_at")).as("sort_key"))
    .$if(filter.endpointId !== undefined, (qb) => qb.where("endpoint_id", "=", filter.endpointId!))
    .$if(filter.status !== undefined, (qb) => qb.where("status", "=", filter.status!))
    .$if(filter.caseId !== undefined, (qb) => qb.where("case_id", "=", filter.caseId!))
    .where(afterCursor(sql.ref("created_at"), "id", filter.cursor, "timestamptz", "desc"))
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit + 1)
    .execute();
  return toPage(rows, filter.limit, (r) => ({ key: r.sort_key, id: r.id }), toDelivery);
}

export interface DeliveryAttempt {
  attempt: number;
  at: Date;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
  durationMs: number;
}

export async function findWebhookDelivery(
  db: Db,
  id: string,
): Promise<(WebhookDelivery & { body: string; attemptLog: DeliveryAttempt[] }) | undefined> {
  const row = await db
    .selectFrom("webhook_deliveries")
    .select([...DELIVERY_COLUMNS, "body", "outbox_id"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  const attempts = await db
    .selectFrom("webhook_delivery_attempts")
    .selectAll()
    .where("delivery_id", "=", id)
    .orderBy("attempt")
    .execute();
  return {
    ...toDelivery(row),
    body: row.body,
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      at: a.at,
      statusCode: a.status_code,
      error: a.error,
      responseExcerpt: a.response_excerpt,
      durationMs: a.duration_ms,
    })),
  };
}

/** A new delivery of the same event body (same event id, so receivers can tell it is a repeat). */
export async function insertReplay(
  db: Db,
  originalId: string,
  now: Date,
): Promise<string | undefined> {
  const original = await db
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("id", "=", originalId)
    .executeTakeFirst();
  if (!original) return undefined;
  const row = await db
    .insertInto("webhook_deliveries")
    .values({
      endpoint_id: original.endpoint_id,
      outbox_id: original.outbox_id,
      case_id: original.case_id,
      event_id: original.event_id,
      topic: original.topic,
      body: original.body,
      replay_of: original.id,
      next_attempt_at: now,
      created_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}
