// The database going away under a running server: requests answer 503 with a Retry-After rather
// than a 500, readiness says so within its own deadline, and (on PostgreSQL) a connection the
// server drops while idle neither ends the process nor the pool.
import { createServer, type Server, type Socket } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.ts";
import { subscriptionLedger } from "../src/integrations/billing/subscription-ledger.ts";
import { buildApp } from "../src/server/app.ts";
import { TEST_SECRET } from "./app.ts";
import { createTestDatabase, testDbKind } from "./db.ts";

/** A port that accepts connections and never answers: a database behind a network partition. */
let silent: Server;
let silentPort = 0;
const held = new Set<Socket>();
beforeAll(async () => {
  silent = createServer((socket) => held.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe("when the database is unreachable", () => {
  it("answers 503 DATABASE_UNAVAILABLE, and /readyz says so within its deadline", async () => {
    // Refused at once: nothing listens on the port the server was given.
    const refused = await openDatabase({
      kind: "postgres",
      url: "postgres://postgres@127.0.0.1:1/none",
      poolSize: 1,
    });
    const app = await buildApp({
      ctx: {
        db: refused.db,
        now: () => new Date(),
        sessionSecret: TEST_SECRET,
        billing: subscriptionLedger,
      },
      publicUrl: "http://localhost:3000",
    });
    try {
      const session = await app.inject({
        method: "GET",
        url: "/api/auth/session",
        cookies: { cd_session: "a-session-token-that-needs-the-database" },
      });
      expect(session.statusCode, session.body).toBe(503);
      expect(session.headers["retry-after"]).toBe("5");
      expect(session.json().code).toBe("DATABASE_UNAVAILABLE");
      expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(503);
    } finally {
      await app.close();
      await refused.close();
    }

    // A database that never answers: readiness does not wait on it.
    const hanging = await openDatabase({
      kind: "postgres",
      url: `postgres://postgres@127.0.0.1:${silentPort}/none`,
      poolSize: 1,
    });
    const probe = await buildApp({
      ctx: {
        db: hanging.db,
        now: () => new Date(),
        sessionSecret: TEST_SECRET,
        billing: subscriptionLedger,
      },
      publicUrl: "http://localhost:3000",
    });
    try {
      const started = Date.now();
      expect((await probe.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(503);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await probe.close();
      void hanging.close();
    }
  }, 30_000);

  it("keeps the process and the pool when the server ends an idle connection", async () => {
    const handle = await createTestDatabase();
    try {
      if (testDbKind === "postgres") {
        const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
          handle.db,
        );
        const lost: Error[] = [];
        const app = await openDatabase({
          kind: "postgres",
          url: process.env.TEST_DATABASE_URL!,
          schema: rows[0]!.schema,
          poolSize: 1,
          onConnectionLost: (error) => lost.push(error),
        });
        const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(app.db))
          .rows[0]!.pid;
        // A restart, a failover or an idle timeout ends the connection while it waits in the pool.
        await sql`select pg_terminate_backend(${pid})`.execute(handle.db);
        await expect.poll(() => lost.length, { timeout: 5_000 }).toBe(1);
        const again = await sql<{ one: number }>`select 1 as one`.execute(app.db);
        expect(again.rows[0]!.one).toBe(1);
        await app.close();
      } else {
        // The embedded database has no connections to lose: it answers in-process.
        const one = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
        expect(one.rows[0]!.one).toBe(1);
      }
    } finally {
      await handle.close();
    }
  });
});
