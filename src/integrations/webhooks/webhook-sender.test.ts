// The webhook sender against a real receiver on 127.0.0.1: it posts when private addresses are
// allowed, and otherwise refuses before a byte leaves, whatever the endpoint is called.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpWebhookSender, isNonPublicAddress, type WebhookRequest } from "./webhook-sender.ts";

let receiver: http.Server;
let port: number;
let received = 0;
beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    received++;
    request.resume();
    request.on("end", () => {
      if (request.url === "/hang") return; // never answers
      if (request.url === "/endless") {
        // An answer that never ends: the sender keeps its start and hangs up.
        response.writeHead(200);
        const timer = setInterval(() => response.write("x".repeat(1_024)), 5);
        response.on("close", () => clearInterval(timer));
        return;
      }
      response.writeHead(200).end("internal secret");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const delivery = (url: string): WebhookRequest => ({
  url,
  secret: "s".repeat(32),
  body: '{"hello":"world"}',
  topic: "case.closed",
  deliveryId: "d1",
  eventId: "e1",
  timestamp: 1_700_000_000,
});

describe("the webhook sender", () => {
  it("tells public addresses from loopback, private, link-local and mapped ones", () => {
    for (const address of ["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254"])
      expect(isNonPublicAddress(address), address).toBe(true);
    for (const address of ["::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1", "64:ff9b::a00:1"])
      expect(isNonPublicAddress(address), address).toBe(true);
    for (const address of ["93.184.216.34", "8.8.8.8", "2606:4700::1111"])
      expect(isNonPublicAddress(address), address).toBe(false);
  });

  it("posts to a private endpoint only when allowed, and never reads one otherwise", async () => {
    const allowed = await httpWebhookSender({ allowNonPublic: true })(
      delivery(`http://127.0.0.1:${port}/hook`),
    );
    expect(allowed).toMatchObject({
      ok: true,
      statusCode: 200,
      responseExcerpt: "internal secret",
    });
    const before = received;
    for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`]) {
      const refused = await httpWebhookSender()(delivery(url));
      expect(refused, url).toMatchObject({ ok: false, statusCode: null, responseExcerpt: null });
      expect(refused.error, url).toMatch(/not a public address/);
    }
    expect(received).toBe(before);
  });

  it("reports a silent endpoint as a timeout, and keeps only the start of an endless answer", async () => {
    const send = httpWebhookSender({ allowNonPublic: true, timeoutMs: 300 });
    const silent = await send(delivery(`http://127.0.0.1:${port}/hang`));
    expect(silent).toMatchObject({ ok: false, statusCode: null, error: "no answer within 300 ms" });
    const endless = await send(delivery(`http://127.0.0.1:${port}/endless`));
    expect(endless).toMatchObject({ ok: true, statusCode: 200 });
    expect(endless.responseExcerpt).toHaveLength(500);
  });
});
