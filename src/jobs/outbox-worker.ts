// Delivers the outbox. Each round claims a batch of due messages in one short statement (SKIP
// LOCKED: workers in several processes never take the same row), delivers them outside any
// transaction, and records each result under the claim's token. A failed attempt is retried
// with exponential backoff and jitter; after the last attempt the message is `failed`, shows on
// the case and in the admin list, and can be retried by hand. Webhook messages fan out into one
// delivery per subscribed endpoint, each retried and logged on its own.
import { randomUUID } from "node:crypto";
import type { AppContext } from "../app/context.ts";
import {
  type ClaimedMessage,
  claimDueMessages,
  markMessageAttemptFailed,
  markMessageSkipped,
  markMessagesSent,
  releaseMessages,
} from "../db/repositories/outbox-delivery.repository.ts";
import {
  type ClaimedDelivery,
  claimDueDeliveries,
  findSubscribedEndpointIds,
  insertWebhookDeliveries,
  recordDeliveryAttempt,
} from "../db/repositories/webhooks.repository.ts";
import { isPermanent, withoutAddresses } from "../integrations/delivery-errors.ts";
import type { EmailTransport } from "../integrations/email/email-transport.ts";
import type { SmsProvider } from "../integrations/sms/sms-provider.ts";
import { decryptSecret } from "../integrations/webhooks/webhook-secret.ts";
import type { WebhookSender } from "../integrations/webhooks/webhook-sender.ts";
import { composeMessage, PolicyCache } from "./compose-message.ts";

export interface WorkerServices extends Pick<AppContext, "db" | "now" | "sessionSecret"> {
  publicUrl: string;
  /** Overrides the workspace setting's company name (tests); unset reads the setting. */
  companyName?: string | undefined;
  email: EmailTransport;
  sms: SmsProvider;
  webhooks: WebhookSender;
  log?: WorkerLog;
}

export interface WorkerLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface WorkerOptions {
  /** Rows claimed per round. */
  batchSize?: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** How long a claim holds a row before another worker may take it over (a crashed worker). */
  leaseMs?: number;
  messages?: RetryPolicy;
  webhooks?: RetryPolicy;
  /** For tests: jitter's source of randomness. */
  random?: () => number;
}

export const MESSAGE_RETRIES: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: 2 * 3_600_000,
};
export const WEBHOOK_RETRIES: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 30_000,
  maxDelayMs: 6 * 3_600_000,
};

/**
 * When to try again after `attempts` failed attempts, or null when none are left. Exponential
 * (base, 2x base, 4x base... up to max) with "equal jitter": between half and all of the step, so
 * that messages that failed together do not all come back at once.
 */
export function nextAttemptAt(
  policy: RetryPolicy,
  attempts: number,
  now: Date,
  random: () => number = Math.random,
): Date | null {
  if (attempts >= policy.maxAttempts) return null;
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + Math.round(step / 2 + random() * (step / 2)));
}

export interface RoundResult {
  /** Messages claimed this round (sent, retried or failed). */
  messages: number;
  /** Webhook deliveries claimed this round. */
  webhooks: number;
}

export interface OutboxWorker {
  readonly id: string;
  /** One round: claim due messages and webhook deliveries, deliver them, record the results. */
  runOnce(): Promise<RoundResult>;
  /** Rounds until nothing is due (or `maxRounds`); answers the totals. */
  drain(maxRounds?: number): Promise<RoundResult>;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 1000);
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(runners);
}

export function createOutboxWorker(
  services: WorkerServices,
  options: WorkerOptions = {},
): OutboxWorker {
  const id = randomUUID();
  const batchSize = options.batchSize ?? 50;
  const concurrency = options.concurrency ?? 8;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const messageRetries = options.messages ?? MESSAGE_RETRIES;
  const webhookRetries = options.webhooks ?? WEBHOOK_RETRIES;
  const random = options.random ?? Math.random;
  const policies = new PolicyCache();
  const { db } = services;

  /** Sends the message; answers the provider's id, or what it was skipped for. */
  async function deliver(
    message: ClaimedMessage,
  ): Promise<{ providerMessageId: string | null } | { skipped: string }> {
    const composed = await composeMessage(services, policies, message);
    if ("skipped" in composed) return composed;
    if (composed.channel === "sms") {
      const { providerMessageId } = await services.sms.send({
        outboxId: message.id,
        to: composed.to,
        body: composed.rendered.sms,
      });
      return { providerMessageId };
    }
    const { providerMessageId } = await services.email.send({
      outboxId: message.id,
      to: composed.to,
      toName: composed.toName,
      replyTo: composed.replyTo ?? null,
      subject: composed.rendered.subject,
      text: composed.rendered.text,
      html: composed.rendered.html,
    });
    return { providerMessageId };
  }

  /**
   * Webhook messages become one delivery per subscribed endpoint, and are done: the whole batch
   * in one transaction, so a crash leaves either both or neither.
   */
  async function fanOut(messages: ClaimedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const now = services.now();
    const endpointsByTopic = new Map<string, string[]>();
    await db.transaction().execute(async (trx) => {
      const deliveries = [];
      for (const message of messages) {
        const payload = message.payload as { topic?: string } & Record<string, unknown>;
        const topic = payload.topic ?? message.topic;
        const { topic: _t, kind: _k, ...data } = payload;
        if (!endpointsByTopic.has(topic))
          endpointsByTopic.set(topic, await findSubscribedEndpointIds(trx, topic));
        const body = JSON.stringify({
          id: message.id,
          type: topic,
          createdAt: now.toISOString(),
          data: { caseId: message.caseId, ...data },
        });
        for (const endpointId of endpointsByTopic.get(topic)!) {
          deliveries.push({
            endpointId,
            outboxId: message.id,
            caseId: message.caseId,
            eventId: message.id,
            topic,
            body,
          });
        }
      }
      await insertWebhookDeliveries(trx, deliveries, now);
      await markMessagesSent(
        trx,
        messages[0]!.claimToken,
        messages.map((m) => ({ id: m.id, providerMessageId: null })),
        now,
      );
    });
  }

  /**
   * Records messages as sent as soon as they went, not with the rest of their batch: a batch that
   * outlasts its lease would otherwise let another worker send again what already went out, and
   * a provider's status callback would find no message id yet. Messages that went while one
   * record was being written share the next one, so a busy worker writes one statement per wave
   * of sends rather than one per message.
   */
  function sentRecorder(claimToken: string) {
    const waiting: {
      row: { id: string; providerMessageId: string | null };
      done: (error?: unknown) => void;
    }[] = [];
    let writing = false;
    async function writeWaiting() {
      writing = true;
      try {
        while (waiting.length > 0) {
          const group = waiting.splice(0);
          try {
            await markMessagesSent(
              db,
              claimToken,
              group.map((w) => w.row),
              services.now(),
            );
            for (const w of group) w.done();
          } catch (error) {
            for (const w of group) w.done(error);
          }
        }
      } finally {
        writing = false;
      }
    }
    return (row: { id: string; providerMessageId: string | null }) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ row, done: (error) => (error ? reject(error) : resolve()) });
        if (!writing) void writeWaiting();
      });
  }

  async function processMessages(): Promise<number> {
    const now = services.now();
    const claimed = await claimDueMessages(db, {
      now,
      leaseUntil: new Date(now.getTime() + leaseMs),
      limit: batchSize,
      claimToken: randomUUID(),
      maxAttempts: messageRetries.maxAttempts,
    });
    if (claimed.length === 0) return 0;
    const webhookMessages = claimed.filter((m) => m.channel === "webhook");
    try {
      await fanOut(webhookMessages);
    } catch (error) {
      const at = services.now();
      services.log?.error({ err: error }, "webhook fan-out failed");
      for (const message of webhookMessages) {
        const retryAt = nextAttemptAt(messageRetries, message.attempts, at, random);
        await markMessageAttemptFailed(
          db,
          message.claimToken,
          message.id,
          errorText(error),
          retryAt,
          at,
        );
      }
    }
    const others = claimed.filter((m) => m.channel !== "webhook");
    const recordSent = sentRecorder(claimed[0]!.claimToken);
    // A send's slot goes on to the next message while its record is written.
    const recorded: Promise<void>[] = [];
    // Past its lease another worker may take a message over, so a batch that runs slow (a slow
    // mail server) starts no send near the lease's end: what is left goes back to the queue.
    const startNoSendAfter = now.getTime() + leaseMs - Math.min(leaseMs / 5, 60_000);
    const released: string[] = [];
    await inParallel(others, concurrency, async (message) => {
      if (services.now().getTime() >= startNoSendAfter) {
        released.push(message.id);
        return;
      }
      let delivered: Awaited<ReturnType<typeof deliver>>;
      try {
        delivered = await deliver(message);
      } catch (error) {
        const at = services.now();
        const retryAt = isPermanent(error)
          ? null
          : nextAttemptAt(messageRetries, message.attempts, at, random);
        services.log?.warn(
          { outboxId: message.id, topic: message.topic, attempt: message.attempts, retryAt },
          `message delivery failed: ${withoutAddresses(errorText(error))}`,
        );
        await markMessageAttemptFailed(
          db,
          message.claimToken,
          message.id,
          errorText(error),
          retryAt,
          at,
        );
        return;
      }
      if ("skipped" in delivered) {
        services.log?.info(
          { outboxId: message.id, topic: message.topic, reason: delivered.skipped },
          "message not sent: what it asks of the customer can no longer be done",
        );
        await markMessageSkipped(db, message.claimToken, message.id, delivered.skipped);
        return;
      }
      const record = recordSent({ id: message.id, providerMessageId: delivered.providerMessageId });
      // Handled now, so a failed record is not an unhandled rejection; awaited below.
      record.catch(() => {});
      recorded.push(record);
    });
    await Promise.all(recorded);
    if (released.length > 0) {
      await releaseMessages(db, claimed[0]!.claimToken, released, services.now());
    }
    return claimed.length;
  }

  async function deliverWebhook(delivery: ClaimedDelivery): Promise<void> {
    const started = services.now();
    let secret: string;
    try {
      secret = decryptSecret(services.sessionSecret, delivery.secretEncrypted);
    } catch {
      await recordDeliveryAttempt(
        db,
        delivery.claimToken,
        {
          deliveryId: delivery.id,
          attempt: delivery.attempts,
          at: started,
          statusCode: null,
          error: "the endpoint's secret cannot be read (was SESSION_SECRET changed?): rotate it",
          responseExcerpt: null,
          durationMs: 0,
        },
        { delivered: false, retryAt: null },
      );
      return;
    }
    const result = await services.webhooks({
      url: delivery.url,
      secret,
      body: delivery.body,
      topic: delivery.topic,
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      timestamp: Math.floor(started.getTime() / 1000),
    });
    const at = services.now();
    await recordDeliveryAttempt(
      db,
      delivery.claimToken,
      {
        deliveryId: delivery.id,
        attempt: delivery.attempts,
        at,
        statusCode: result.statusCode,
        error: result.error,
        responseExcerpt: result.responseExcerpt,
        durationMs: result.durationMs,
      },
      result.ok
        ? { delivered: true }
        : {
            delivered: false,
            retryAt: nextAttemptAt(webhookRetries, delivery.attempts, at, random),
          },
    );
    if (!result.ok) {
      services.log?.warn(
        { deliveryId: delivery.id, endpointId: delivery.endpointId, status: result.statusCode },
        `webhook delivery failed: ${result.error}`,
      );
    }
  }

  async function processWebhooks(): Promise<number> {
    const now = services.now();
    const claimed = await claimDueDeliveries(db, {
      now,
      leaseUntil: new Date(now.getTime() + leaseMs),
      limit: batchSize,
      claimToken: randomUUID(),
      maxAttempts: webhookRetries.maxAttempts,
    });
    await inParallel(claimed, concurrency, deliverWebhook);
    return claimed.length;
  }

  const worker: OutboxWorker = {
    id,
    async runOnce() {
      const messages = await processMessages();
      const webhooks = await processWebhooks();
      return { messages, webhooks };
    },
    async drain(maxRounds = 10_000) {
      const total = { messages: 0, webhooks: 0 };
      for (let round = 0; round < maxRounds; round++) {
        const result = await worker.runOnce();
        total.messages += result.messages;
        total.webhooks += result.webhooks;
        if (result.messages === 0 && result.webhooks === 0) break;
      }
      return total;
    },
  };
  return worker;
}
