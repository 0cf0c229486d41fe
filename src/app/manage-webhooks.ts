// Webhook endpoints for other systems (billing, CRM): an admin registers a URL and the events it
// wants; the signing secret is shown once, at creation or rotation, and stored encrypted. Failed
// messages and webhook deliveries can be sent again by hand.
import {
  findMessageStatus,
  requeueFailedMessage,
} from "../db/repositories/outbox-delivery.repository.ts";
import {
  deleteWebhookEndpoint,
  findWebhookDelivery,
  findWebhookEndpoint,
  insertReplay,
  insertWebhookEndpoint,
  updateWebhookEndpoint,
  type WebhookEndpoint,
} from "../db/repositories/webhooks.repository.ts";
import { AppError, notFound } from "../domain/errors.ts";
import type { WebhookTopic } from "../domain/outbox.ts";
import type { Principal } from "../domain/staff.ts";
import { encryptSecret, newWebhookSecret } from "../integrations/webhooks/webhook-secret.ts";
import type { AppContext } from "./context.ts";

export interface WebhookEndpointInput {
  url: string;
  description?: string | null | undefined;
  events: WebhookTopic[];
  active?: boolean | undefined;
}

function sealed(ctx: AppContext, secret: string) {
  return {
    secretEncrypted: encryptSecret(ctx.sessionSecret, secret),
    secretHint: secret.slice(-4),
  };
}

export async function createWebhookEndpoint(
  ctx: AppContext,
  actor: Principal,
  input: WebhookEndpointInput,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = newWebhookSecret();
  const endpoint = await insertWebhookEndpoint(ctx.db, {
    url: input.url,
    description: input.description ?? null,
    events: [...new Set(input.events)],
    active: input.active ?? true,
    createdBy: actor.kind === "user" ? actor.userId : null,
    ...sealed(ctx, secret),
  });
  return { endpoint, secret };
}

export async function changeWebhookEndpoint(
  ctx: AppContext,
  id: string,
  input: Partial<WebhookEndpointInput>,
): Promise<WebhookEndpoint> {
  const endpoint = await updateWebhookEndpoint(
    ctx.db,
    id,
    { ...input, events: input.events && [...new Set(input.events)] },
    ctx.now(),
  );
  if (!endpoint) throw notFound("Webhook endpoint", id);
  return endpoint;
}

/** A new secret; the old one stops working at once. */
export async function rotateWebhookSecret(
  ctx: AppContext,
  id: string,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = newWebhookSecret();
  const endpoint = await updateWebhookEndpoint(ctx.db, id, sealed(ctx, secret), ctx.now());
  if (!endpoint) throw notFound("Webhook endpoint", id);
  return { endpoint, secret };
}

export async function removeWebhookEndpoint(ctx: AppContext, id: string): Promise<void> {
  if (!(await deleteWebhookEndpoint(ctx.db, id, ctx.now()))) throw notFound("Webhook endpoint", id);
}

export async function getWebhookEndpoint(ctx: AppContext, id: string): Promise<WebhookEndpoint> {
  const endpoint = await findWebhookEndpoint(ctx.db, id);
  if (!endpoint) throw notFound("Webhook endpoint", id);
  return endpoint;
}

/** Sends a delivery's event again to its endpoint, as a new delivery with its own log. */
export async function replayWebhookDelivery(ctx: AppContext, id: string): Promise<string> {
  const original = await findWebhookDelivery(ctx.db, id);
  if (!original) throw notFound("Webhook delivery", id);
  const endpoint = await findWebhookEndpoint(ctx.db, original.endpointId);
  if (!endpoint?.active) {
    throw new AppError("CONFLICT", "The endpoint is deleted or inactive: activate it first.", {
      code: "WEBHOOK_ENDPOINT_INACTIVE",
    });
  }
  return (await insertReplay(ctx.db, id, ctx.now()))!;
}

export async function retryFailedMessage(ctx: AppContext, id: string): Promise<void> {
  if (await requeueFailedMessage(ctx.db, id, ctx.now())) return;
  if (!(await findMessageStatus(ctx.db, id))) throw notFound("Message", id);
  throw new AppError("CONFLICT", "Only a failed message can be retried.", {
    code: "MESSAGE_NOT_FAILED",
  });
}
