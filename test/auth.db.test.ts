// Staff sign-in, sessions, CSRF, lockout, deactivation and API keys, as a browser or another
// system would meet them.
import type { KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn as signInApp } from "../src/app/sign-in.ts";
import {
  anonymous,
  clientFor,
  invalidFields,
  signInAs,
  startTestServer,
  type TestServer,
} from "./app.ts";
import { escalateWithoutOffer, makeWorld, openCasePayload } from "./cases.ts";
import { makeUser, TEST_PASSWORD } from "./factories.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

function signIn(email: string, password: string) {
  return server.app.inject({
    method: "POST",
    url: "/api/auth/sign-in",
    payload: { email, password },
  });
}

describe("sign-in", () => {
  it("sets an httpOnly SameSite session cookie and returns the user and a CSRF token", async () => {
    const user = await makeUser(server.handle.db, "account_manager");
    const response = await signIn(user.email.toUpperCase(), TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    const cookie = response.cookies.find((c) => c.name === "cd_session")!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe("Lax");
    const body = response.json();
    expect(body.user).toMatchObject({ email: user.email, role: "account_manager" });
    expect(body.user).not.toHaveProperty("passwordHash");
    expect(body.csrfToken).toEqual(expect.any(String));
    // The session token is stored only as a hash.
    const stored = await server.handle.db.selectFrom("sessions").select("token_hash").execute();
    expect(stored.map((s) => s.token_hash)).not.toContain(cookie.value);
  });

  it("refuses a wrong password and an unknown email with the same answer", async () => {
    const user = await makeUser(server.handle.db, "csm");
    const wrong = await signIn(user.email, "not the password at all");
    const unknown = await signIn("nobody@example.test", TEST_PASSWORD);
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({
        code: "INVALID_CREDENTIALS",
        message: "The email or password is not right.",
      });
    }
  });

  it("names the field when the body is not valid", async () => {
    const response = await signIn("not-an-email", "");
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe("VALIDATION_FAILED");
    expect(invalidFields(response)).toEqual(["email", "password"]);
  });

  it("locks the user out after five wrong passwords, even with the right one, until the lock ends", async () => {
    const user = await makeUser(server.handle.db, "account_manager");
    const answers: number[] = [];
    for (let i = 0; i < 5; i++)
      answers.push((await signIn(user.email, "wrong password!!")).statusCode);
    expect(answers).toEqual([401, 401, 401, 401, 423]);
    const locked = await signIn(user.email, TEST_PASSWORD);
    expect(locked.statusCode).toBe(423);
    expect(locked.json().code).toBe("ACCOUNT_LOCKED");
    server.clock.advance(16 * 60_000);
    expect((await signIn(user.email, TEST_PASSWORD)).statusCode).toBe(200);
    server.clock.advance(-16 * 60_000);
  });

  it("keeps a lock that wrong passwords set while the right one was being checked", async () => {
    const user = await makeUser(server.handle.db, "account_manager");
    const lockedUntil = new Date(server.clock.now.getTime() + 15 * 60_000);
    // Wrong passwords sent alongside reach the limit just after this sign-in read the user:
    // the lock lands between that read and the password check's end.
    let pending: Promise<unknown> | undefined;
    const lockAfterRead: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        const read = args.result.rows[0] as { id?: string; password_hash?: string } | undefined;
        if (!pending && read?.id === user.id && read.password_hash) {
          pending = server.handle.db
            .updateTable("users")
            .set({ failed_sign_ins: 5, locked_until: lockedUntil })
            .where("id", "=", user.id)
            .execute();
          // PGlite runs queries one after another in order (awaiting here would wait on itself);
          // PostgreSQL runs this on another connection, so wait for it.
          if (server.handle.kind === "postgres") await pending;
        }
        return args.result;
      },
    };
    await expect(
      signInApp(
        { ...server.ctx, db: server.handle.db.withPlugin(lockAfterRead) },
        { email: user.email, password: TEST_PASSWORD },
      ),
    ).rejects.toMatchObject({ code: "ACCOUNT_LOCKED" });
    expect(pending).toBeDefined();
    const row = await server.handle.db
      .selectFrom("users")
      .select(["failed_sign_ins", "locked_until"])
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_sign_ins: 5, locked_until: lockedUntil });
    const sessions = await server.handle.db
      .selectFrom("sessions")
      .select("token_hash")
      .where("user_id", "=", user.id)
      .execute();
    expect(sessions).toEqual([]);
  });

  it("rate-limits sign-in attempts from one address", async () => {
    const limited = await startTestServer({ signInMax: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await limited.app.inject({
          method: "POST",
          url: "/api/auth/sign-in",
          payload: { email: "x@example.test", password: "whatever" },
        });
        codes.push(response.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });

  it("does not let a caller dodge the limit with X-Forwarded-For (no proxy is trusted by default)", async () => {
    const limited = await startTestServer({ signInMax: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await limited.app.inject({
          method: "POST",
          url: "/api/auth/sign-in",
          headers: { "x-forwarded-for": `198.18.0.${i + 1}` },
          payload: { email: "x@example.test", password: "whatever" },
        });
        codes.push(response.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe("sessions", () => {
  it("tells who is signed in, and nobody after sign-out", async () => {
    const client = await clientFor(server, "csm");
    const me = await client.request({ method: "GET", url: "/api/auth/session" });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.id).toBe(client.user!.id);
    expect((await client.request({ method: "POST", url: "/api/auth/sign-out" })).statusCode).toBe(
      204,
    );
    expect((await client.request({ method: "GET", url: "/api/auth/session" })).statusCode).toBe(
      401,
    );
    expect((await client.request({ method: "GET", url: "/api/accounts" })).statusCode).toBe(401);
  });

  it("refuses a cookie-authenticated write without the CSRF token, and allows reads", async () => {
    const client = await clientFor(server, "admin");
    const read = await client.request({ method: "GET", url: "/api/accounts" });
    expect(read.statusCode).toBe(200);
    const write = await client.request({
      method: "POST",
      url: "/api/accounts",
      payload: { name: "Forged Inc" },
      headers: { "x-csrf-token": "forged" },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().code).toBe("CSRF_TOKEN_INVALID");
  });

  it("ends a user's sessions when an admin deactivates them, and refuses their sign-in", async () => {
    const admin = await clientFor(server, "admin");
    const am = await clientFor(server, "account_manager");
    const response = await admin.request({
      method: "PATCH",
      url: `/api/users/${am.user!.id}`,
      payload: { active: false },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().active).toBe(false);
    expect((await am.request({ method: "GET", url: "/api/accounts" })).statusCode).toBe(401);
    expect((await signIn(am.user!.email, TEST_PASSWORD)).statusCode).toBe(401);
  });

  it("ends sessions on a role change, so the new rights apply at once", async () => {
    const admin = await clientFor(server, "admin");
    const other = await clientFor(server, "admin");
    await admin.request({
      method: "PATCH",
      url: `/api/users/${other.user!.id}`,
      payload: { role: "csm" },
    });
    expect((await other.request({ method: "GET", url: "/api/api-keys" })).statusCode).toBe(401);
    const again = await signInAs(server.app, { ...other.user!, role: "csm" });
    expect((await again.request({ method: "GET", url: "/api/api-keys" })).statusCode).toBe(403);
  });

  it("does not let an admin deactivate themselves", async () => {
    const admin = await clientFor(server, "admin");
    const response = await admin.request({
      method: "PATCH",
      url: `/api/users/${admin.user!.id}`,
      payload: { active: false },
    });
    expect(response.statusCode).toBe(409);
  });
});

describe("users", () => {
  it("an admin creates a user who can then sign in; a duplicate email is refused", async () => {
    const admin = await clientFor(server, "admin");
    const payload = {
      email: "new.csm@example.test",
      name: "New CSM",
      role: "csm",
      password: "a long enough password",
    };
    const created = await admin.request({ method: "POST", url: "/api/users", payload });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      email: "new.csm@example.test",
      role: "csm",
      active: true,
    });
    expect((await signIn("new.csm@example.test", "a long enough password")).statusCode).toBe(200);
    const duplicate = await admin.request({
      method: "POST",
      url: "/api/users",
      payload: { ...payload, email: "NEW.csm@example.test" },
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().fields).toEqual([
      { field: "email", message: "is already used by another user" },
    ]);
  });

  it("refuses a short password and an unknown role, naming both fields", async () => {
    const admin = await clientFor(server, "admin");
    const response = await admin.request({
      method: "POST",
      url: "/api/users",
      payload: { email: "x@example.test", name: "X", role: "owner", password: "short" },
    });
    expect(response.statusCode).toBe(400);
    expect(invalidFields(response)).toEqual(["password", "role"]);
  });
});

describe("API keys", () => {
  it("shows the key once, stores only its hash, works as a bearer token and stops working when revoked", async () => {
    const admin = await clientFor(server, "admin");
    const created = await admin.request({
      method: "POST",
      url: "/api/api-keys",
      payload: { name: "Help desk", role: "account_manager" },
    });
    expect(created.statusCode).toBe(201);
    const { key, id, prefix } = created.json();
    expect(key).toMatch(/^cdk_[A-Za-z0-9]{12}_/);
    expect(key).toContain(prefix);
    const listed = await admin.request({ method: "GET", url: "/api/api-keys" });
    expect(JSON.stringify(listed.json())).not.toContain(key);
    const row = await server.handle.db
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    // The secret part may itself contain "_", so cut it after the known prefix.
    const secret = key.slice(`cdk_${prefix}_`.length);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(row.key_hash).not.toContain(secret);

    const bearer = { authorization: `Bearer ${key}` };
    expect(
      (await server.app.inject({ method: "GET", url: "/api/accounts", headers: bearer }))
        .statusCode,
    ).toBe(200);
    // An API key needs no CSRF token: it is not sent by browsers on their own.
    const write = await server.app.inject({
      method: "POST",
      url: "/api/accounts",
      headers: bearer,
      payload: { name: "From the help desk" },
    });
    expect(write.statusCode).toBe(201);

    expect(
      (await admin.request({ method: "POST", url: `/api/api-keys/${id}/revoke` })).json().revokedAt,
    ).not.toBeNull();
    const after = await server.app.inject({ method: "GET", url: "/api/accounts", headers: bearer });
    expect(after.statusCode).toBe(401);
  });

  it("records when a key was last used, to the minute, without writing its row on every call", async () => {
    const admin = await clientFor(server, "admin");
    const { key, id } = (
      await admin.request({
        method: "POST",
        url: "/api/api-keys",
        payload: { name: "Reporting", role: "admin" },
      })
    ).json();
    const lastUsed = async () =>
      (await admin.request({ method: "GET", url: "/api/api-keys" }))
        .json()
        .items.find((k: { id: string }) => k.id === id).lastUsedAt as string | null;
    const call = () =>
      server.app.inject({
        method: "GET",
        url: "/api/accounts",
        headers: { authorization: `Bearer ${key}` },
      });
    expect(await lastUsed()).toBeNull();
    expect((await call()).statusCode).toBe(200);
    const first = await lastUsed();
    expect(first).toBe(server.clock.now.toISOString());
    server.clock.advance(30_000);
    await call();
    expect(await lastUsed()).toBe(first);
    server.clock.advance(31_000);
    await call();
    expect(await lastUsed()).toBe(server.clock.now.toISOString());
  });

  it("a key opens cases for the account's AM and never stands in for the CSM", async () => {
    // A help desk opening cases through the API: the case is the account's AM's, not the key's.
    const admin = await clientFor(server, "admin");
    const keyFor = async (role: string) => {
      const created = await admin.request({
        method: "POST",
        url: "/api/api-keys",
        payload: { name: `Help desk (${role})`, role },
      });
      const bearer = { authorization: `Bearer ${created.json().key}` };
      return (method: "GET" | "POST", url: string, payload?: Record<string, unknown>) =>
        server.app.inject({ method, url, headers: bearer, ...(payload ? { payload } : {}) });
    };
    const helpDesk = await keyFor("account_manager");
    const world = await makeWorld(server);
    const opened = await helpDesk("POST", "/api/cases", openCasePayload(world));
    expect(opened.statusCode, opened.body).toBe(201);
    expect(opened.json().case.assignedAmId).toBe(world.am.user!.id);

    // The CSM's engagement and decision are a person's judgement: a csm key is refused.
    const c = opened.json().case as { id: string };
    await escalateWithoutOffer(server, world, c.id);
    const csmKey = await keyFor("csm");
    for (const [path, payload] of [
      ["csm/engage", { notes: "Automated." }],
      ["csm/outcome", { outcome: "proceed", notes: "Automated." }],
      ["offers", { offerCode: "pause_3m" }],
    ] as const) {
      const answer = await csmKey("POST", `/api/cases/${c.id}/${path}`, payload);
      expect(answer.statusCode, `${path}: ${answer.body}`).toBe(409);
      expect(answer.json().code).toMatch(/^(CSM_ROLE_REQUIRED|ALREADY_ESCALATED)$/);
    }
    const view = await csmKey("GET", `/api/cases/${c.id}`);
    expect(view.json().case).toMatchObject({ state: "escalated", version: expect.any(Number) });
    expect(view.json().case.escalation.engagedAt).toBeNull();
  });

  it("does not turn a customer away for credentials a customer page never asked for", async () => {
    for (const authorization of ["Basic dXNlcjpwYXNz", "Bearer cdk_revoked_0000"]) {
      const branding = await server.app.inject({
        method: "GET",
        url: "/api/public/branding",
        headers: { authorization },
      });
      expect(branding.statusCode, authorization).toBe(200);
    }
    // A staff route still refuses them.
    const staff = await server.app.inject({
      method: "GET",
      url: "/api/accounts",
      headers: { authorization: "Basic dXNlcjpwYXNz" },
    });
    expect(staff.statusCode).toBe(401);
  });

  it("refuses an email address longer than any that can be delivered", async () => {
    const long = `${"a".repeat(250)}@example.test`;
    const admin = await clientFor(server, "admin");
    const user = await admin.request({
      method: "POST",
      url: "/api/users",
      payload: { email: long, name: "Long", role: "csm", password: "a-long-enough-password-1" },
    });
    expect(user.statusCode).toBe(400);
    expect(invalidFields(user)).toEqual(["email"]);
    const start = await server.app.inject({
      method: "POST",
      url: "/api/public/self-service/start",
      payload: { email: long },
    });
    expect(start.statusCode).toBe(400);
    expect(invalidFields(start)).toEqual(["email"]);
  });

  it("refuses a malformed bearer token with 401", async () => {
    const response = await anonymous(server.app).request({
      method: "GET",
      url: "/api/accounts",
      headers: { authorization: "Bearer nope" },
    });
    expect(response.statusCode).toBe(401);
  });
});

describe("the last admin", () => {
  it("cannot be demoted or deactivated by anyone, nor by two admins demoting each other at once", async () => {
    // A database of its own, so that these are its only admins.
    const own = await startTestServer();
    try {
      const userA = await makeUser(own.handle.db, "admin");
      const userB = await makeUser(own.handle.db, "admin");
      const key = (
        await (
          await signInAs(own.app, userA)
        ).request({
          method: "POST",
          url: "/api/api-keys",
          payload: { name: "Ops automation", role: "admin" },
        })
      ).json().key as string;
      const asKey = (userId: string, payload: Record<string, unknown>) =>
        own.app.inject({
          method: "PATCH",
          url: `/api/users/${userId}`,
          payload,
          headers: { authorization: `Bearer ${key}` },
        });
      expect((await asKey(userA.id, { role: "csm" })).statusCode).toBe(200);
      for (const change of [{ role: "account_manager" }, { active: false }]) {
        const refused = await asKey(userB.id, change);
        expect(refused.statusCode, refused.body).toBe(409);
        expect(refused.json()).toMatchObject({ code: "LAST_ADMIN" });
      }
      // Two admins again, each demoting the other at the same moment: one of them stays.
      expect((await asKey(userA.id, { role: "admin" })).statusCode).toBe(200);
      const [a, b] = [await signInAs(own.app, userA), await signInAs(own.app, userB)];
      const answers = await Promise.all([
        a.request({ method: "PATCH", url: `/api/users/${userB.id}`, payload: { role: "csm" } }),
        b.request({ method: "PATCH", url: `/api/users/${userA.id}`, payload: { role: "csm" } }),
      ]);
      // The loser is refused, or finds its own session ended by the winner's demotion.
      const [won, lost] = answers.sort((x, y) => x.statusCode - y.statusCode);
      expect(won!.statusCode).toBe(200);
      expect([401, 409]).toContain(lost!.statusCode);
      const admins = await own.handle.db
        .selectFrom("users")
        .select("id")
        .where("role", "=", "admin")
        .where("active", "=", true)
        .execute();
      expect(admins).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
});
