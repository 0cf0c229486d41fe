// Every write accepts an Idempotency-Key: a retried request gets the first answer and acts once.
import { createHash, createHmac } from "node:crypto";
import { type KyselyPlugin, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimIdempotencyKey,
  storeIdempotentResponse,
} from "../src/db/repositories/idempotency.repository.ts";
import { runTimers } from "../src/jobs/timers.ts";
import { type Client, clientFor, startTestServer, type TestServer } from "./app.ts";
import {
  FORM_ANSWERS,
  makeWorld,
  openCaseFor,
  openCasePayload,
  sentCode,
  sentLink,
  verifyByCode,
  type World,
} from "./cases.ts";
import { makeUser, TEST_PASSWORD } from "./factories.ts";

let server: TestServer;
let am: Client;
beforeAll(async () => {
  server = await startTestServer();
  am = await clientFor(server, "account_manager");
});
afterAll(() => server?.close());

const create = (name: string, key: string) =>
  am.request({
    method: "POST",
    url: "/api/accounts",
    payload: { name },
    headers: { "idempotency-key": key },
  });

describe("Idempotency-Key", () => {
  it("answers a repeat with the first answer and creates one account", async () => {
    const first = await create("Retry Ltd", "create-retry-ltd-1");
    const second = await create("Retry Ltd", "create-retry-ltd-1");
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers["idempotent-replayed"]).toBe("true");
    // Only status and body are kept: the replay's Location is derived from the body again.
    expect(first.headers.location).toBe(`/api/accounts/${first.json().id}`);
    expect(second.headers.location).toBe(first.headers.location);
    const listed = await am.request({
      method: "GET",
      url: "/api/accounts",
      query: { q: "Retry Ltd" },
    });
    expect(listed.json().items).toHaveLength(1);
  });

  it("answers a bad request the same way each time, and refuses the same key for a different request", async () => {
    const bad = await create("", "bad-request-key-1");
    const again = await create("", "bad-request-key-1");
    expect(bad.statusCode).toBe(400);
    expect(again.statusCode).toBe(400);
    const other = await create("Something Else", "create-retry-ltd-1");
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("keeps keys apart per caller", async () => {
    const other = await clientFor(server, "account_manager");
    const mine = await create("Mine Inc", "shared-key-0001");
    const theirs = await other.request({
      method: "POST",
      url: "/api/accounts",
      payload: { name: "Theirs Inc" },
      headers: { "idempotency-key": "shared-key-0001" },
    });
    expect(mine.json().name).toBe("Mine Inc");
    expect(theirs.json().name).toBe("Theirs Inc");
  });

  it("refuses a malformed key naming the header", async () => {
    const response = await create("X", "short");
    expect(response.statusCode).toBe(400);
    expect(response.json().fields[0].field).toBe("idempotency-key");
  });

  it("does not keep an answer that holds a secret shown once: a repeat is told it was done", async () => {
    const admin = await clientFor(server, "admin");
    const secretAnswers = [
      { url: "/api/api-keys", payload: { name: "Billing sync", role: "admin" }, secret: "key" },
      {
        url: "/api/webhooks/endpoints",
        payload: { url: "https://hooks.example.test/in", events: ["case.opened"] },
        secret: "secret",
      },
    ];
    for (const { url, payload, secret } of secretAnswers) {
      const send = () =>
        admin.request({
          method: "POST",
          url,
          payload,
          headers: { "idempotency-key": `secret-answer-${secret}` },
        });
      const first = await send();
      expect(first.statusCode, first.body).toBe(201);
      const shownOnce = first.json()[secret] as string;
      expect(shownOnce.length).toBeGreaterThan(20);
      const again = await send();
      expect(again.statusCode).toBe(409);
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expect(again.json()).toMatchObject({
        code: "IDEMPOTENT_ANSWER_WITHHELD",
        message: expect.stringMatching(/already carried out.*shown only once/),
      });
      expect(again.body).not.toContain(shownOnce);
      const kept = await sql<{ n: number }>`select count(*)::int as n from idempotency_keys
        where response::text like ${`%${shownOnce}%`}`.execute(server.handle.db);
      expect(kept.rows[0]!.n, url).toBe(0);
    }
    const keys = await admin.request({ method: "GET", url: "/api/api-keys" });
    expect(
      keys.json().items.filter((k: { name: string }) => k.name === "Billing sync"),
    ).toHaveLength(1);
  });

  it("keeps a request only as an HMAC under the server's secret, so a password in it cannot be guessed back", async () => {
    const admin = await clientFor(server, "admin");
    const user = await makeUser(server.handle.db, "csm");
    const url = `/api/users/${user.id}`;
    const payload = { password: "correct horse battery staple 9" };
    const response = await admin.request({
      method: "PATCH",
      url,
      payload,
      headers: { "idempotency-key": "set-password-0001" },
    });
    expect(response.statusCode, response.body).toBe(200);
    const row = await server.handle.db
      .selectFrom("idempotency_keys")
      .select("request_hash")
      .where("key", "=", "set-password-0001")
      .executeTakeFirstOrThrow();
    const request = `PATCH ${url}\n${JSON.stringify(payload)}`;
    expect(row.request_hash).not.toBe(createHash("sha256").update(request).digest("hex"));
    expect(row.request_hash).toBe(
      createHmac("sha256", server.ctx.sessionSecret).update(`idempotency:${request}`).digest("hex"),
    );
  });

  it("leaves sign-in out: each sign-in gets its own session, and nothing is kept", async () => {
    const user = await makeUser(server.handle.db, "account_manager");
    const signIn = () =>
      server.app.inject({
        method: "POST",
        url: "/api/auth/sign-in",
        payload: { email: user.email, password: TEST_PASSWORD },
        headers: { "idempotency-key": "sign-in-retry-0001" },
      });
    const [first, second] = [await signIn(), await signIn()];
    const cookieOf = (r: typeof first) => r.cookies.find((c) => c.name === "cd_session")?.value;
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(second.headers["idempotent-replayed"]).toBeUndefined();
    expect(cookieOf(first)).toBeTruthy();
    expect(cookieOf(second)).not.toBe(cookieOf(first));
    const kept = await server.handle.db
      .selectFrom("idempotency_keys")
      .select("key")
      .where("key", "=", "sign-in-retry-0001")
      .execute();
    expect(kept).toEqual([]);
  });

  it("forgets a key after a day: the timers purge it, and a repeat then acts again", async () => {
    const first = await create("Day Old Ltd", "day-old-key-0001");
    expect(first.statusCode).toBe(201);
    // A day and an hour ago, as far as the key is concerned (the session is younger).
    await server.handle.db
      .updateTable("idempotency_keys")
      .set({ created_at: new Date(server.clock.now.getTime() - 25 * 3_600_000) })
      .where("key", "=", "day-old-key-0001")
      .execute();
    const purged = await runTimers(server.ctx);
    expect(purged.idempotencyKeysPurged).toBeGreaterThanOrEqual(1);
    const later = await create("Day Old Ltd", "day-old-key-0001");
    expect(later.statusCode).toBe(201);
    expect(later.headers["idempotent-replayed"]).toBeUndefined();
    expect(later.json().id).not.toBe(first.json().id);
  });

  it("does not answer a repeat that took over a stale claim with the first request's late answer", async () => {
    const db = server.handle.db;
    const now = server.clock.now;
    const claim = { principal: "user:stale-test", key: "stale-claim-0001" };
    const first = await claimIdempotencyKey(db, claim.principal, claim.key, "hash-a", now, now);
    expect(first.kind).toBe("claimed");
    // A minute on, request A has not answered: request B (the same retried) takes the claim over.
    const later = new Date(now.getTime() + 61_000);
    const staleBefore = new Date(later.getTime() - 60_000);
    const second = await claimIdempotencyKey(
      db,
      claim.principal,
      claim.key,
      "hash-a",
      later,
      staleBefore,
    );
    expect(second.kind).toBe("claimed");
    if (first.kind !== "claimed" || second.kind !== "claimed") return;
    expect(second.token).not.toBe(first.token);
    // B answers, then A answers late: nothing of A's is kept; B's answer is the one replayed.
    await storeIdempotentResponse(db, { ...claim, token: second.token }, 201, { from: "b" });
    await storeIdempotentResponse(db, { ...claim, token: first.token }, 201, { from: "a" });
    expect(
      await claimIdempotencyKey(db, claim.principal, claim.key, "hash-a", later, staleBefore),
    ).toEqual({ kind: "replay", statusCode: 201, response: { from: "b" } });
  });

  describe("a write that changes a case keeps its answer in the same transaction", () => {
    /** The AM's note on the case, sent with this Idempotency-Key each time it is called. */
    const keyedNote = (world: World, caseId: string, key: string) => () =>
      world.am.request({
        method: "POST",
        url: `/api/cases/${caseId}/notes`,
        payload: { text: "Customer asked us to call back on Friday." },
        headers: { "idempotency-key": key },
      });
    const notesOf = (caseId: string) =>
      server.handle.db
        .selectFrom("case_events")
        .select("type")
        .where("case_id", "=", caseId)
        .where("type", "=", "note_added")
        .execute();

    /**
     * Runs `request` on a server that stops right after its command committed, before replying:
     * once the key is claimed, nothing the server does afterwards about the key gets through.
     */
    const withServerStoppingAfterCommit = async <T>(request: () => Promise<T>): Promise<T> => {
      let claimed = false;
      const touchesKeys = (node: unknown) => JSON.stringify(node).includes('"idempotency_keys"');
      const stopping: KyselyPlugin = {
        transformQuery({ node }) {
          if (node.kind === "InsertQueryNode" && touchesKeys(node)) claimed = true;
          else if (claimed && node.kind !== "SelectQueryNode" && touchesKeys(node)) {
            throw new Error("the server stopped");
          }
          return node;
        },
        transformResult: async ({ result }) => result,
      };
      const db = server.ctx.db;
      server.ctx.db = db.withPlugin(stopping);
      try {
        return await request();
      } finally {
        server.ctx.db = db;
      }
    };

    it("a staff command: a retry after the claim went stale gets the first answer, and the note is added once", async () => {
      const world = await makeWorld(server);
      const opened = await openCaseFor(world);
      const note = keyedNote(world, opened.id, "note-after-stop-0001");
      const first = await withServerStoppingAfterCommit(note);
      expect(first.statusCode, first.body).toBe(200);
      server.clock.advance(61_000);
      const repeat = await note();
      expect(repeat.statusCode, repeat.body).toBe(200);
      expect(repeat.headers["idempotent-replayed"]).toBe("true");
      expect(repeat.json()).toEqual(first.json());
      expect(await notesOf(opened.id)).toHaveLength(1);
    });

    it("a claim taken over by a retry while the first request runs: the first writes nothing and is told to repeat", async () => {
      const world = await makeWorld(server);
      const opened = await openCaseFor(world);
      const note = keyedNote(world, opened.id, "note-takeover-0001");
      // Request A has read the case when a minute passes and a retry takes its claim over.
      let takeover: Promise<unknown> | undefined;
      const db = server.ctx.db;
      server.ctx.db = db.withPlugin({
        transformQuery: ({ node }) => node,
        async transformResult({ result }) {
          const row = result.rows[0];
          if (!takeover && row && typeof row === "object" && "audit_tip" in row) {
            server.clock.advance(61_000);
            takeover = sql`update idempotency_keys
              set claim_token = gen_random_uuid(), created_at = ${server.clock.now}
              where key = 'note-takeover-0001'`.execute(server.handle.db);
            // PGlite runs it next, before A's write; PostgreSQL on another connection: wait.
            if (server.handle.kind === "postgres") await takeover;
          }
          return result;
        },
      });
      let first: Awaited<ReturnType<typeof note>>;
      try {
        first = await note();
      } finally {
        server.ctx.db = db;
      }
      expect(first.statusCode, first.body).toBe(409);
      expect(first.json().code).toBe("IDEMPOTENCY_CLAIM_LOST");
      expect(await notesOf(opened.id)).toHaveLength(0);
      // The retry that took over never answered either: a minute later the next one acts, once.
      server.clock.advance(61_000);
      const retried = await note();
      expect(retried.statusCode, retried.body).toBe(200);
      const again = await note();
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expect(again.json()).toEqual(retried.json());
      expect(await notesOf(opened.id)).toHaveLength(1);
    });

    it("says preference-applied only on a command's answer, not on a refusal after the answer was made", async () => {
      const world = await makeWorld(server);
      await openCaseFor(world);
      const second = await world.am.request({
        method: "POST",
        url: "/api/cases",
        payload: openCasePayload(world, "phone"),
        headers: { "idempotency-key": "open-twice-0001", prefer: "return=minimal" },
      });
      expect(second.statusCode, second.body).toBe(409);
      expect(second.json().code).toBe("CASE_ALREADY_OPEN");
      expect(second.headers["preference-applied"]).toBeUndefined();
    });

    it("opening a case, and the customer's form: a retry gets the first answer, not 'already open' or 'link used'", async () => {
      const world = await makeWorld(server);
      const open = () =>
        world.am.request({
          method: "POST",
          url: "/api/cases",
          payload: openCasePayload(world, "email"),
          headers: { "idempotency-key": "open-after-stop-0001", prefer: "return=minimal" },
        });
      const opened = await withServerStoppingAfterCommit(open);
      expect(opened.statusCode, opened.body).toBe(201);
      server.clock.advance(61_000);
      const reopened = await open();
      expect(reopened.statusCode, reopened.body).toBe(201);
      expect(reopened.json()).toEqual(opened.json());
      const caseId = opened.json().case.id;
      // The answer kept with the case's write is a replay like any other: it says where the case is.
      expect(reopened.headers["idempotent-replayed"]).toBe("true");
      expect(reopened.headers.location).toBe(`/api/cases/${caseId}`);

      await verifyByCode(server, world.am, caseId);
      const sent = await world.am.request({
        method: "POST",
        url: `/api/cases/${caseId}/form/send`,
        payload: {},
      });
      expect(sent.statusCode, sent.body).toBe(200);
      const token = await sentLink(server, caseId, "form_link");
      const submit = () =>
        server.app.inject({
          method: "POST",
          url: `/api/public/links/${token}/form`,
          payload: FORM_ANSWERS,
          headers: { "idempotency-key": "form-after-stop-0001" },
        });
      const submitted = await withServerStoppingAfterCommit(submit);
      expect(submitted.statusCode, submitted.body).toBe(200);
      server.clock.advance(61_000);
      const again = await submit();
      expect(again.statusCode, again.body).toBe(200);
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expect(again.json()).toEqual(submitted.json());
      expect(again.json().state).toBe("retention");
    });

    it("self-service: the repeat of a verify that opened the case is told it was done, not that the code is wrong", async () => {
      const world = await makeWorld(server);
      const { email } = await server.handle.db
        .selectFrom("contacts")
        .select("email")
        .where("id", "=", world.contactId)
        .executeTakeFirstOrThrow();
      const start = await server.app.inject({
        method: "POST",
        url: "/api/public/self-service/start",
        payload: { email },
      });
      expect(start.statusCode).toBe(202);
      const code = await sentCode(server, { contactId: world.contactId });
      const verify = () =>
        server.app.inject({
          method: "POST",
          url: "/api/public/self-service/verify",
          payload: { email, code },
          headers: { "idempotency-key": "verify-after-stop-0001" },
        });
      const verified = await withServerStoppingAfterCommit(verify);
      expect(verified.statusCode, verified.body).toBe(201);
      server.clock.advance(61_000);
      const again = await verify();
      expect(again.statusCode, again.body).toBe(409);
      expect(again.json().code).toBe("IDEMPOTENT_ANSWER_WITHHELD");
      expect(again.body).not.toContain(verified.json().formToken);
    });
  });
});
