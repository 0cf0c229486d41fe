// Posts one signed webhook and reports what the receiver answered. Any 2xx is a delivery;
// everything else (other statuses, timeouts, refused connections) is retried by the worker.
import { lookup as dnsLookup } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
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

// Webhook endpoints are typed in by admins, and the answer's first 500 characters are shown back:
// without a guard an endpoint on the server's own network (a metadata service, a database's
// HTTP port) would be read through CancelDesk. Addresses are checked as the connection is made
// (the lookup the socket uses), so a name that resolves elsewhere later cannot slip past.
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 127],
  // NAT64 and 6to4 carry an IPv4 address inside, which may be a private one.
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["2002::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, "ipv6");
}

/** Loopback, private, link-local, shared, reserved and multicast addresses (IPv4-mapped too). */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return NOT_PUBLIC.check(mapped, "ipv4");
  return NOT_PUBLIC.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

class NonPublicAddress extends Error {}

function refuseNonPublic(host: string, addresses: string[]): void {
  const found = addresses.find(isNonPublicAddress);
  if (found) {
    throw new NonPublicAddress(
      `${host} is ${found === host ? "" : `at ${found}, `}not a public address: webhooks go to public endpoints only (WEBHOOK_PRIVATE_ADDRESSES=allow lets them reach private ones)`,
    );
  }
}

const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 4);
    try {
      refuseNonPublic(
        hostname,
        addresses.map((a) => a.address),
      );
    } catch (refused) {
      return callback(refused as NodeJS.ErrnoException, "", 4);
    }
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    return callback(null, first!.address, first!.family);
  });
};

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  lookup: LookupFunction | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(timeoutMs),
        ...(lookup ? { lookup } : {}),
      },
      (response) => {
        // Only the start of the answer is kept (500 characters are shown): read no more.
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString("utf8"),
          });
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= 4_096) {
            done();
            response.destroy();
          }
        });
        response.on("end", done);
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/**
 * Posts over node:http(s), never following redirects. `allowNonPublic` (for a test's receiver on
 * 127.0.0.1, or a deployment whose endpoints are inside its own network) lifts the guard.
 */
export function httpWebhookSender(
  options: { timeoutMs?: number; allowNonPublic?: boolean } = {},
): WebhookSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (request) => {
    const started = performance.now();
    try {
      const url = new URL(request.url);
      const host = url.hostname.replace(/^\[|\]$/g, "");
      // A literal address is connected to without a lookup: checked here.
      if (!options.allowNonPublic && isIP(host)) refuseNonPublic(host, [host]);
      const response = await post(
        url,
        {
          "content-type": "application/json",
          "user-agent": "CancelDesk-Webhooks/1",
          [SIGNATURE_HEADER]: signatureHeader(request.secret, request.timestamp, request.body),
          "CancelDesk-Event": request.topic,
          "CancelDesk-Event-Id": request.eventId,
          "CancelDesk-Delivery": request.deliveryId,
        },
        request.body,
        timeoutMs,
        options.allowNonPublic ? undefined : publicOnlyLookup,
      );
      const ok = response.status >= 200 && response.status < 300;
      return {
        ok,
        statusCode: response.status,
        error: ok ? null : `the endpoint answered ${response.status}`,
        responseExcerpt: response.text.slice(0, 500) || null,
        durationMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      return {
        ok: false,
        statusCode: null,
        error:
          error instanceof Error &&
          (error.name === "TimeoutError" ||
            (error.cause as Error | undefined)?.name === "TimeoutError")
            ? `no answer within ${timeoutMs} ms`
            : error instanceof Error
              ? error.message
              : String(error),
        responseExcerpt: null,
        durationMs: Math.round(performance.now() - started),
      };
    }
  };
}
