// The admin's message lists (failed messages, webhook deliveries, the dev mailbox) page like
// every other list: { items, nextCursor }, and every row is reached once, including rows
// written within the same millisecond.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { up as upFailedAtAlwaysSet } from "../src/db/migrations/0013-failed-at-always-set.ts";
import { type Client, clientFor, startTestServer, type TestServer } from "./app.ts";

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer();
  admin = await clientFor(server, "admin");
});
afterAll(() => server?.close());

/** Walks a list with `limit` 2 and answers every id seen, in order. */
async function walk(url: string, query: Record<string, string> = {}): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10; pages++) {
    const response = await admin.request({
      method: "GET",
      url,
      query: { ...query, limit: "2", ...(cursor ? { cursor } : {}) },
    });
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json() as { items: { id: string }[]; nextCursor: string | null };
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error(`${url} did not end`);
}

// Five rows 100 microseconds apart: the same millisecond, as a JavaScript Date would see them.
const base = "2026-11-20T10:00:00.000";
const at = (i: number) => sql`${`${base}${i}00Z`}::timestamptz`;

describe("message lists page with a cursor", () => {
  it("failed messages", async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const row = await sql<{ id: string }>`
        insert into outbox (topic, channel, recipient, payload, dedupe_key, status, attempts, last_error, created_at, failed_at)
        values ('form_link', 'email', '{}'::jsonb, '{}'::jsonb, ${`paging-${i}`}, 'failed', 8, 'gave up', ${at(i)}, ${at(i)})
        returning id`.execute(server.handle.db);
      ids.unshift(row.rows[0]!.id);
    }
    expect(await walk("/api/messages/failed")).toEqual(ids);
  });

  it("failed messages from before failed_at existed get the time they were queued (0013)", async () => {
    const row = await sql<{ id: string }>`
      insert into outbox (topic, channel, recipient, payload, dedupe_key, status, created_at)
      values ('form_link', 'email', '{}'::jsonb, '{}'::jsonb, 'paging-old', 'failed', ${at(9)})
      returning id`.execute(server.handle.db);
    await upFailedAtAlwaysSet(server.handle.db as never);
    const after = await server.handle.db
      .selectFrom("outbox")
      .select(["failed_at", "created_at"])
      .where("id", "=", row.rows[0]!.id)
      .executeTakeFirstOrThrow();
    expect(after.failed_at).toEqual(after.created_at);
  });

  it("webhook deliveries and the dev mailbox", async () => {
    const endpoint = await sql<{ id: string }>`
      insert into webhook_endpoints (url, events, secret_encrypted, secret_hint)
      values ('https://hooks.example.com/in', '[]'::jsonb, 'not-used', 'xxxx')
      returning id`.execute(server.handle.db);
    const deliveries: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const row = await sql<{ id: string }>`
        insert into webhook_deliveries (endpoint_id, event_id, topic, body, next_attempt_at, created_at)
        values (${endpoint.rows[0]!.id}, ${`event-${i}`}, 'case.closed', '{}', ${at(i)}, ${at(i)})
        returning id`.execute(server.handle.db);
      deliveries.unshift(row.rows[0]!.id);
    }
    expect(await walk("/api/webhooks/deliveries")).toEqual(deliveries);
    const mail: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const row = await sql<{ id: string }>`
        insert into dev_mailbox (channel, recipient, subject, text_body, created_at)
        values ('email', 'paging@example.com', 'Hello', 'Hello', ${at(i)})
        returning id`.execute(server.handle.db);
      mail.unshift(row.rows[0]!.id);
    }
    expect(await walk("/api/dev/mailbox", { recipient: "paging@" })).toEqual(mail);
  });
});
