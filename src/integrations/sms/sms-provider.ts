// Text messages out: a provider interface, one real HTTP implementation (a JSON POST with a
// bearer token; the provider reports delivery later to POST /api/integrations/sms/status) and
// the dev mailbox for when no provider is configured.
import type { Db } from "../../app/context.ts";
import { insertDevMail } from "../../db/repositories/dev-mailbox.repository.ts";
import { DeliveryError } from "../delivery-errors.ts";

export interface SmsMessage {
  outboxId: string;
  to: string;
  body: string;
}

export interface SmsProvider {
  readonly kind: "http" | "dev_mailbox";
  send(message: SmsMessage): Promise<{ providerMessageId: string | null }>;
}

export interface HttpSmsOptions {
  url: string;
  token: string;
  /** Where the provider reports delivery (PUBLIC_URL + /api/integrations/sms/status). */
  statusCallbackUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Request: `POST url` with `Authorization: Bearer <token>` and JSON
 * `{ to, body, reference, statusCallbackUrl }`; a 2xx answer with `{ id }` (or `messageId`) is
 * accepted. 4xx other than 408 and 429 is final; the rest is retried.
 */
export function httpSmsProvider(options: HttpSmsOptions): SmsProvider {
  const doFetch = options.fetch ?? fetch;
  return {
    kind: "http",
    async send(message) {
      let response: Response;
      try {
        response = await doFetch(options.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${options.token}`,
            "user-agent": "CancelDesk-SMS/1",
          },
          body: JSON.stringify({
            to: message.to,
            body: message.body,
            reference: message.outboxId,
            statusCallbackUrl: options.statusCallbackUrl,
          }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        throw new DeliveryError(
          `SMS provider unreachable: ${error instanceof Error ? error.message : String(error)}`,
          false,
        );
      }
      const text = await response.text().catch(() => "");
      if (!response.ok) {
        const permanent =
          response.status >= 400 &&
          response.status < 500 &&
          response.status !== 408 &&
          response.status !== 429;
        throw new DeliveryError(
          `SMS provider answered ${response.status}: ${withoutSecrets(text, message).slice(0, 200)}`,
          permanent,
        );
      }
      let id: string | null = null;
      try {
        const body = JSON.parse(text) as { id?: unknown; messageId?: unknown };
        const given = body.id ?? body.messageId;
        id = typeof given === "string" || typeof given === "number" ? String(given) : null;
      } catch {
        id = null;
      }
      return { providerMessageId: id };
    },
  };
}

/**
 * A provider's error text may echo the request: the customer's link, code and number would then
 * sit in the message's last error, which staff see. They are masked before it is kept.
 */
function withoutSecrets(text: string, message: SmsMessage): string {
  const secrets = [
    message.to,
    ...(message.body.match(/https?:\/\/\S+/g) ?? []),
    ...(message.body.match(/\d{4,}/g) ?? []),
  ].filter((secret) => secret.length > 0);
  return secrets.reduce((masked, secret) => masked.split(secret).join("[redacted]"), text);
}

export function devSmsProvider(db: Db, now: () => Date): SmsProvider {
  return {
    kind: "dev_mailbox",
    async send(message) {
      const id = await insertDevMail(db, {
        outboxId: message.outboxId,
        channel: "sms",
        recipient: message.to,
        subject: null,
        text: message.body,
        html: null,
        createdAt: now(),
      });
      return { providerMessageId: `dev-mailbox:${id}` };
    },
  };
}
