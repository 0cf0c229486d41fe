// Posts one signed webhook and reports what the receiver answered. Any 2xx is a delivery;
// everything else (other statuses, timeouts, refused connections) is retried by the worker.
import { SIGNATURE_HEADER, signatureHeader } from "./webhook-signature.ts";

export interface WebhookRequest {
  url: string;
  secret: string;
  body: string;
  topic: string;
  deliveryId: string;
  eventId: string;
  /** Seconds since the epoch, from the worker's clock. */
  timestamp: number;
}

export interface WebhookResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
  durationMs: number;
}

export type WebhookSender = (request: WebhookRequest) => Promise<WebhookResult>;

export function httpWebhookSender(
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): WebhookSender {
  const doFetch = options.fetch ?? fetch;
  return async (request) => {
    const started = performance.now();
    try {
      const response = await doFetch(request.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "CancelDesk-Webhooks/1",
          [SIGNATURE_HEADER]: signatureHeader(request.secret, request.timestamp, request.body),
          "CancelDesk-Event": request.topic,
          "CancelDesk-Event-Id": request.eventId,
          "CancelDesk-Delivery": request.deliveryId,
        },
        body: request.body,
        redirect: "manual",
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const text = await response.text().catch(() => "");
      const ok = response.status >= 200 && response.status < 300;
      return {
        ok,
        statusCode: response.status,
        error: ok ? null : `the endpoint answered ${response.status}`,
        responseExcerpt: text.slice(0, 500) || null,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      return {
        ok: false,
        statusCode: null,
        error:
          error instanceof Error ? (error.cause as Error)?.message || error.message : String(error),
        responseExcerpt: null,
        durationMs: Math.round(performance.now() - started),
      };
    }
  };
}
