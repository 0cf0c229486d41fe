// Several workers on one database deliver every message exactly once. On PostgreSQL the second
// worker has its own connection pool, as another process would: SKIP LOCKED is what keeps them
// apart. On PGlite both share the one connection, and it must still be exactly once.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../src/db/database.ts";
import { enqueueMessages } from "../src/db/repositories/outbox.repository.ts";
import type { EmailTransport } from "../src/integrations/email/email-transport.ts";
import { createOutboxWorker } from "../src/jobs/outbox-worker.ts";
import { startTestServer, type TestServer } from "./app.ts";
import { makeWorld } from "./cases.ts";
import { testDbKind } from "./db.ts";
import { workerServices } from "./messaging.ts";

let server: TestServer;
let second: DatabaseHandle | undefined;
beforeAll(async () => {
  server = await startTestServer();
  if (testDbKind === "postgres") {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
      server.handle.db,
    );
    second = await openDatabase({
      kind: "postgres",
      url: process.env.TEST_DATABASE_URL!,
      schema: rows[0]!.schema,
      poolSize: 8,
    });
  }
});
afterAll(async () => {
  await second?.close();
  await server?.close();
});

function recordingTransport(sent: string[], delayMs: number): EmailTransport {
  return {
    kind: "smtp",
    async send(message) {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      sent.push(message.outboxId);
      return { providerMessageId: `rec-${message.outboxId}` };
    },
    async close() {},
  };
}

/** Queues one identity-code email to the world's contact per dedupe key. */
async function queueCodeEmails(contactId: string, keys: string[]) {
  await enqueueMessages(
    server.handle.db,
    keys.map((dedupeKey) => ({
      caseId: null,
      topic: "identity_code",
      channel: "email",
      recipient: { contactId, name: "Pat", email: "pat@example.test" },
      payload: {
        kind: "identity_code",
        channel: "email",
        expiresAt: server.clock.now.toISOString(),
        codeNonce: dedupeKey,
        codeLength: "6",
      },
      dedupeKey,
    })),
    server.clock.now,
  );
}

describe("two workers", () => {
  it("deliver 1,000 messages, each exactly once", async () => {
    const world = await makeWorld(server);
    const total = 1000;
    const rows = Array.from({ length: total }, (_, i) => ({
      caseId: null,
      topic: "identity_code",
      channel: "email",
      recipient: { contactId: world.contactId, name: "Pat", email: `pat${i}@example.test` },
      payload: {
        kind: "identity_code",
        channel: "email",
        expiresAt: new Date(server.clock.now.getTime() + 3_600_000).toISOString(),
        codeNonce: `nonce-${i}`,
        codeLength: "6",
      },
      dedupeKey: `two-workers-${i}`,
    }));
    for (let i = 0; i < total; i += 250)
      await enqueueMessages(server.handle.db, rows.slice(i, i + 250), server.clock.now);

    const sentA: string[] = [];
    const sentB: string[] = [];
    const options = { batchSize: 25, concurrency: 4 };
    const a = createOutboxWorker(
      { ...workerServices(server), email: recordingTransport(sentA, 1) },
      options,
    );
    const b = createOutboxWorker(
      {
        ...workerServices(server),
        ...(second ? { db: second.db } : {}),
        email: recordingTransport(sentB, 1),
      },
      options,
    );
    await Promise.all([a.drain(), b.drain()]);

    const all = [...sentA, ...sentB];
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    expect(sentA.length).toBeGreaterThan(0);
    expect(sentB.length).toBeGreaterThan(0);
    const statuses = await server.handle.db
      .selectFrom("outbox")
      .select(["status", sql<string>`count(*)::text`.as("n")])
      .where("dedupe_key", "like", "two-workers-%")
      .groupBy("status")
      .execute();
    expect(statuses).toEqual([{ status: "sent", n: String(total) }]);
  });

  it("a message whose worker died is taken over when the lease runs out, not before", async () => {
    const world = await makeWorld(server);
    await queueCodeEmails(world.contactId, ["lease-test"]);
    // A worker whose transport never answers stands for one that crashed mid-delivery.
    const hung: EmailTransport = {
      kind: "smtp",
      send: () => new Promise(() => {}),
      close: async () => {},
    };
    const dead = createOutboxWorker(
      { ...workerServices(server), email: hung },
      { leaseMs: 60_000 },
    );
    void dead.runOnce();
    await new Promise((r) => setTimeout(r, 200));
    const sent: string[] = [];
    const alive = createOutboxWorker(
      { ...workerServices(server), email: recordingTransport(sent, 0) },
      { leaseMs: 60_000 },
    );
    await alive.drain();
    expect(sent).toHaveLength(0);
    server.clock.advance(61_000);
    await alive.drain();
    expect(sent).toHaveLength(1);
  });

  it("a message is recorded as sent as soon as it went, so a batch outlasting its lease does not send it twice", async () => {
    const world = await makeWorld(server);
    const keys = ["first", "second"].map((n) => `slow-batch-${n}-${world.contactId}`);
    await queueCodeEmails(world.contactId, keys);
    const ids = (
      await server.handle.db
        .selectFrom("outbox")
        .select("id")
        .where("dedupe_key", "in", keys)
        .execute()
    ).map((m) => m.id);
    // One worker sends the first at once and then hangs on the second (a slow mail server).
    const sentBySlow: string[] = [];
    const slow = createOutboxWorker(
      {
        ...workerServices(server),
        email: {
          kind: "smtp",
          send: (message) => {
            if (sentBySlow.length > 0) return new Promise(() => {});
            sentBySlow.push(message.outboxId);
            return Promise.resolve({ providerMessageId: `slow-${message.outboxId}` });
          },
          close: async () => {},
        },
      },
      { leaseMs: 60_000, concurrency: 1 },
    );
    void slow.runOnce();
    for (let i = 0; i < 100 && sentBySlow.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    const status = async (id: string) =>
      (
        await server.handle.db
          .selectFrom("outbox")
          .select("status")
          .where("id", "=", id)
          .executeTakeFirstOrThrow()
      ).status;
    const [first, second] = sentBySlow[0] === ids[0] ? ids : [ids[1]!, ids[0]!];
    expect(await status(first!)).toBe("sent");
    // The lease runs out while the second is still hanging: another worker takes it over.
    server.clock.advance(61_000);
    const sentByOther: string[] = [];
    await createOutboxWorker(
      { ...workerServices(server), email: recordingTransport(sentByOther, 0) },
      { leaseMs: 60_000 },
    ).drain();
    expect(sentByOther).toEqual([second]);
  });

  it("a batch running near its lease's end starts no more sends: the rest go back to the queue unspent", async () => {
    const world = await makeWorld(server);
    const keys = [1, 2, 3, 4].map((n) => `near-lease-${n}-${world.contactId}`);
    await queueCodeEmails(world.contactId, keys);
    // A slow mail server: each send takes 20 of the lease's 60 seconds.
    const sent: string[] = [];
    const slowTransport: EmailTransport = {
      kind: "smtp",
      async send(message) {
        server.clock.advance(20_000);
        sent.push(message.outboxId);
        return { providerMessageId: `slow-${message.outboxId}` };
      },
      async close() {},
    };
    const worker = createOutboxWorker(
      { ...workerServices(server), email: slowTransport },
      { leaseMs: 60_000, concurrency: 1, batchSize: 4 },
    );
    await worker.runOnce();
    const rows = await server.handle.db
      .selectFrom("outbox")
      .select(["id", "status", "attempts", "claim_token"])
      .where("dedupe_key", "in", keys)
      .execute();
    // Three went (0-20 s, 20-40 s, 40-60 s); the fourth would start past the last fifth.
    expect(sent).toHaveLength(3);
    const left = rows.filter((r) => !sent.includes(r.id));
    expect(left).toEqual([
      { id: expect.any(String), status: "pending", attempts: 0, claim_token: null },
    ]);
    await worker.runOnce();
    expect(sent).toHaveLength(4);
    expect(new Set(sent).size).toBe(4);
  });

  it("gives a message up when its worker stopped during its last allowed attempt, instead of retaking it for ever", async () => {
    const world = await makeWorld(server);
    const keys = [7, 8].map((n) => `crashed-${n}-${world.contactId}`);
    await queueCodeEmails(world.contactId, keys);
    // Both were taken by workers that died: one on its 7th attempt, one on its 8th and last.
    for (const [index, attempts] of [7, 8].entries()) {
      await server.handle.db
        .updateTable("outbox")
        .set({
          status: "sending",
          attempts,
          next_attempt_at: new Date(server.clock.now.getTime() - 1_000),
        })
        .where("dedupe_key", "=", keys[index]!)
        .execute();
    }
    const sent: string[] = [];
    await createOutboxWorker(
      { ...workerServices(server), email: recordingTransport(sent, 0) },
      { leaseMs: 60_000 },
    ).drain();
    const rows = await server.handle.db
      .selectFrom("outbox")
      .select(["dedupe_key", "status", "attempts", "last_error"])
      .where("dedupe_key", "in", keys)
      .orderBy("dedupe_key")
      .execute();
    expect(rows).toMatchObject([
      { dedupe_key: keys[0], status: "sent", attempts: 8 },
      {
        dedupe_key: keys[1],
        status: "failed",
        attempts: 8,
        last_error: expect.stringMatching(/gave up/),
      },
    ]);
    expect(sent).toHaveLength(1);
  });
});
