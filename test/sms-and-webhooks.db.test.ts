// SMS through the HTTP provider and webhooks to a receiver, both real HTTP servers on 127.0.0.1:
// the bearer token and the signature are checked, failures are retried with backoff, every
// attempt is logged, a delivery can be replayed, and the provider's status callback is verified.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueMessages } from "../src/db/repositories/outbox.repository.ts";
import { httpSmsProvider } from "../src/integrations/sms/sms-provider.ts";
import {
  signatureHeader,
  verifySignature,
} from "../src/integrations/webhooks/webhook-signature.ts";
import {
  clientFor,
  invalidFields,
  startTestServer,
  TEST_SMS_CALLBACK_SECRET,
  type TestServer,
} from "./app.ts";
import { makeWorld, openCaseFor } from "./cases.ts";
import { startHttpReceiver, type TestHttpReceiver, testWorker } from "./messaging.ts";

let server: TestServer;
let receiver: TestHttpReceiver;
beforeAll(async () => {
  server = await startTestServer();
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await server?.close();
});

const HOUR = 3_600_000;

describe("SMS", () => {
  it("posts to the provider with its token, retries a 503, and accepts signed status callbacks", async () => {
    const sms = httpSmsProvider({
      url: `${receiver.url}/sms`,
      token: "provider-token-123",
      statusCallbackUrl: "http://localhost:3000/api/integrations/sms/status",
    });
    const worker = testWorker(server, { sms });
    const world = await makeWorld(server, { preferredChannel: "sms" });
    await enqueueMessages(
      server.handle.db,
      [
        {
          caseId: null,
          topic: "identity_code",
          channel: "sms",
          recipient: { contactId: world.contactId, name: "Pat", phone: "+14155550123" },
          payload: {
            kind: "identity_code",
            channel: "sms",
            expiresAt: new Date(server.clock.now.getTime() + HOUR).toISOString(),
            codeNonce: "nonce-for-sms-test",
            codeLength: "6",
          },
          dedupeKey: "sms-test-1",
        },
      ],
      server.clock.now,
    );
    receiver.received.length = 0;
    receiver.answerNext(503);
    receiver.reply = () => ({ id: "prov-42" });
    await worker.drain();
    expect(receiver.received).toHaveLength(1);
    server.clock.advance(HOUR);
    await worker.drain();
    expect(receiver.received).toHaveLength(2);
    const request = receiver.received[1]!;
    expect(request.headers.authorization).toBe("Bearer provider-token-123");
    const body = JSON.parse(request.body);
    expect(body.to).toBe("+14155550123");
    expect(body.body).toMatch(/verification code is \d{6}\b/);
    const row = await server.handle.db
      .selectFrom("outbox")
      .selectAll()
      .where("dedupe_key", "=", "sms-test-1")
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "sent", attempts: 2, provider_message_id: "prov-42" });

    // Providers add fields of their own; the status is recorded all the same.
    const callback = JSON.stringify({
      messageId: "prov-42",
      status: "delivered",
      providerTimestamp: "2026-11-25T09:00:00Z",
    });
    const t = Math.floor(server.clock.now.getTime() / 1000);
    const unsigned = await server.app.inject({
      method: "POST",
      url: "/api/integrations/sms/status",
      headers: { "content-type": "application/json" },
      payload: callback,
    });
    expect(unsigned.statusCode).toBe(401);
    const forged = await server.app.inject({
      method: "POST",
      url: "/api/integrations/sms/status",
      headers: {
        "content-type": "application/json",
        "canceldesk-signature": signatureHeader("wrong-secret-wrong-secret", t, callback),
      },
      payload: callback,
    });
    expect(forged.statusCode).toBe(401);
    const signed = await server.app.inject({
      method: "POST",
      url: "/api/integrations/sms/status",
      headers: {
        "content-type": "application/json",
        "canceldesk-signature": signatureHeader(TEST_SMS_CALLBACK_SECRET, t, callback),
      },
      payload: callback,
    });
    expect(signed.statusCode, signed.body).toBe(204);
    const after = await server.handle.db
      .selectFrom("outbox")
      .select(["status", "delivered_at"])
      .where("dedupe_key", "=", "sms-test-1")
      .executeTakeFirstOrThrow();
    expect(after.status).toBe("delivered");
    expect(after.delivered_at).not.toBeNull();
  });
});

describe("webhooks", () => {
  it("admins register endpoints; deliveries are signed, retried with backoff, logged and replayable", async () => {
    const admin = await clientFor(server, "admin");
    const bad = await admin.request({
      method: "POST",
      url: "/api/webhooks/endpoints",
      payload: { url: "ftp://x", events: ["case.nope"] },
    });
    expect(bad.statusCode).toBe(400);
    expect(invalidFields(bad)).toEqual(["events.0", "url"]);
    const created = await admin.request({
      method: "POST",
      url: "/api/webhooks/endpoints",
      payload: { url: `${receiver.url}/hooks`, events: ["case.opened"], description: "billing" },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id: endpointId, secret } = created.json();
    expect(secret).toMatch(/^whsec_/);
    const listed = await admin.request({ method: "GET", url: "/api/webhooks/endpoints" });
    expect(JSON.stringify(listed.json())).not.toContain(secret);
    const stored = await server.handle.db
      .selectFrom("webhook_endpoints")
      .select("secret_encrypted")
      .where("id", "=", endpointId)
      .executeTakeFirstOrThrow();
    expect(stored.secret_encrypted).not.toContain(secret.slice(6));

    const worker = testWorker(server);
    const world = await makeWorld(server);
    receiver.received.length = 0;
    receiver.answerNext(500);
    const c = await openCaseFor(world);
    await worker.drain();
    expect(receiver.received).toHaveLength(1);
    server.clock.advance(HOUR);
    await worker.drain();
    const hooks = receiver.received.filter((r) => r.url === "/hooks");
    expect(hooks).toHaveLength(2);
    for (const hook of hooks) {
      expect(hook.headers["canceldesk-event"]).toBe("case.opened");
      expect(
        verifySignature(
          secret,
          hook.headers["canceldesk-signature"] as string,
          hook.body,
          Math.floor(server.clock.now.getTime() / 1000),
          // The first attempt was signed an hour of test time ago.
          2 * 3600,
        ),
      ).toBe(true);
    }
    const event = JSON.parse(hooks[1]!.body);
    expect(event).toMatchObject({
      type: "case.opened",
      data: { caseId: c.id, reference: c.reference },
    });

    const deliveries = await admin.request({
      method: "GET",
      url: `/api/webhooks/deliveries?endpointId=${endpointId}`,
    });
    const [delivery] = deliveries.json().items;
    expect(delivery).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 200 });
    const detail = await admin.request({
      method: "GET",
      url: `/api/webhooks/deliveries/${delivery.id}`,
    });
    expect(detail.json().attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([
      500, 200,
    ]);

    const replay = await admin.request({
      method: "POST",
      url: `/api/webhooks/deliveries/${delivery.id}/replay`,
      payload: {},
    });
    expect(replay.statusCode, replay.body).toBe(202);
    await worker.drain();
    const again = receiver.received.filter((r) => r.url === "/hooks");
    expect(again).toHaveLength(3);
    expect(JSON.parse(again[2]!.body).id).toBe(event.id);

    // An endpoint that is not subscribed to an event gets nothing; a deleted one neither.
    const removed = await admin.request({
      method: "DELETE",
      url: `/api/webhooks/endpoints/${endpointId}`,
    });
    expect(removed.statusCode).toBe(204);
    await openCaseFor(await makeWorld(server));
    await worker.drain();
    expect(receiver.received.filter((r) => r.url === "/hooks")).toHaveLength(3);
  });

  it("stops retries to a deleted endpoint, and holds a paused endpoint's until it is back on", async () => {
    const admin = await clientFor(server, "admin");
    const worker = testWorker(server);
    // Whatever earlier tests left waiting goes out first.
    await worker.drain();
    const register = async (path: string) => {
      const created = await admin.request({
        method: "POST",
        url: "/api/webhooks/endpoints",
        payload: { url: `${receiver.url}${path}`, events: ["case.opened"] },
      });
      expect(created.statusCode, created.body).toBe(201);
      return created.json().id as string;
    };
    const deletedId = await register("/deleted");
    const pausedId = await register("/paused");
    const to = (path: string) => receiver.received.filter((r) => r.url === path);
    receiver.received.length = 0;
    // Both first attempts fail, so both deliveries wait for a retry.
    receiver.answerNext(500);
    receiver.answerNext(500);
    await openCaseFor(await makeWorld(server));
    await worker.drain();
    expect([to("/deleted").length, to("/paused").length]).toEqual([1, 1]);

    expect(
      (await admin.request({ method: "DELETE", url: `/api/webhooks/endpoints/${deletedId}` }))
        .statusCode,
    ).toBe(204);
    const paused = await admin.request({
      method: "PATCH",
      url: `/api/webhooks/endpoints/${pausedId}`,
      payload: { active: false },
    });
    expect(paused.statusCode, paused.body).toBe(200);
    server.clock.advance(HOUR);
    await worker.drain();
    expect([to("/deleted").length, to("/paused").length]).toEqual([1, 1]);
    const deliveries = async (endpointId: string) =>
      (
        await admin.request({
          method: "GET",
          url: `/api/webhooks/deliveries?endpointId=${endpointId}`,
        })
      ).json().items;
    expect(await deliveries(deletedId)).toMatchObject([
      { status: "failed", lastError: "the endpoint was deleted" },
    ]);
    expect(await deliveries(pausedId)).toMatchObject([{ status: "pending" }]);

    // Back on, the paused endpoint gets its retry; the deleted one never does.
    await admin.request({
      method: "PATCH",
      url: `/api/webhooks/endpoints/${pausedId}`,
      payload: { active: true },
    });
    await worker.drain();
    expect([to("/deleted").length, to("/paused").length]).toEqual([1, 2]);
    expect(await deliveries(pausedId)).toMatchObject([{ status: "delivered", attempts: 2 }]);
  });

  it("gives a delivery up when its worker stopped during its last allowed attempt", async () => {
    const admin = await clientFor(server, "admin");
    const worker = testWorker(server);
    await worker.drain();
    const created = await admin.request({
      method: "POST",
      url: "/api/webhooks/endpoints",
      payload: { url: `${receiver.url}/crashing`, events: ["case.opened"] },
    });
    const endpointId = created.json().id as string;
    receiver.received.length = 0;
    receiver.answerNext(500);
    await openCaseFor(await makeWorld(server));
    await worker.drain();
    expect(receiver.received.filter((r) => r.url === "/crashing")).toHaveLength(1);
    // Its 10th and last attempt was taken by a worker that died: the lease has run out.
    await server.handle.db
      .updateTable("webhook_deliveries")
      .set({
        status: "sending",
        attempts: 10,
        next_attempt_at: new Date(server.clock.now.getTime() - 1_000),
      })
      .where("endpoint_id", "=", endpointId)
      .execute();
    await worker.drain();
    expect(receiver.received.filter((r) => r.url === "/crashing")).toHaveLength(1);
    const [delivery] = (
      await admin.request({
        method: "GET",
        url: `/api/webhooks/deliveries?endpointId=${endpointId}`,
      })
    ).json().items;
    expect(delivery).toMatchObject({
      status: "failed",
      lastError: expect.stringMatching(/gave up/),
    });
  });
});
