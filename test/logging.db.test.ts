// What the server's log says about requests: never a customer link's token, a session or a key.
import { Writable } from "node:stream";
import { sql } from "kysely";
import pino, { type LoggerOptions } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggerOptions, logSafeUrl } from "../src/server/logging.ts";
import { startTestServer, type TestServer } from "./app.ts";
import { makeWorld, openWithFormSent, sentLink } from "./cases.ts";

let server: TestServer;
const lines: string[] = [];
beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  server = await startTestServer({ logger: { ...loggerOptions("info"), stream } });
});
afterAll(() => server?.close());

describe("the request log", () => {
  it("masks a customer link's token in every path it appears in", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const token = await sentLink(server, c.id, "form_link");
    lines.length = 0;
    for (const url of [
      `/api/public/links/${token}`,
      `/api/public/links/${token}?from=email`,
      `/c/${token}`,
      `/api/public/links/${token}x/form`,
    ]) {
      await server.app.inject({ method: url.endsWith("/form") ? "POST" : "GET", url });
    }
    const log = lines.join("");
    // One line per request, with what was asked and how it was answered.
    const answered = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "request completed");
    expect(answered).toHaveLength(4);
    // (no web app is built for this server: /c/ is the API's 404; the forged form a 400)
    expect(answered.map((l) => [l.req.method, l.res.statusCode])).toEqual([
      ["GET", 200],
      ["GET", 200],
      ["GET", 404],
      ["POST", 400],
    ]);
    expect(log).not.toContain("incoming request");
    expect(log).not.toContain(token);
    expect(log).toContain('"url":"/api/public/links/[token]"');
    expect(log).toContain('"url":"/c/[token]"');
  });

  it("writes no session cookie or API key", async () => {
    lines.length = 0;
    await world();
    const log = lines.join("");
    expect(log).not.toMatch(/cd_session=|Bearer cdk_/);
  });

  it("logs a database error without its statement or the values sent with it", async () => {
    // A write that fails carries the SQL and its parameters (PGlite) or the row's values (a
    // PostgreSQL detail): the case, the customer's answers, the outbox's nonces.
    const secret = "nonce-that-rebuilds-a-customer-link";
    const error = await sql`select ${secret}::uuid`
      .execute(server.handle.db)
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    lines.length = 0;
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    pino(loggerOptions("info") as LoggerOptions, stream).error({ err: error }, "unhandled error");
    const logged = JSON.parse(lines.join("")) as { err: Record<string, unknown> };
    expect(logged.err.code).toBe("22P02");
    expect(logged.err.stack).toEqual(expect.any(String));
    expect(Object.keys(logged.err)).not.toContain("params");
    expect(Object.keys(logged.err)).not.toContain("query");
    expect(JSON.stringify(logged.err)).not.toContain("select");
    expect(JSON.stringify(logged.err)).not.toContain(secret);
  });

  it("leaves other paths as they are", () => {
    expect(logSafeUrl("/api/cases/CD-2026-00042?x=1")).toBe("/api/cases/CD-2026-00042?x=1");
    expect(logSafeUrl("/api/public/links/abc.def/offer")).toBe("/api/public/links/[token]/offer");
    expect(logSafeUrl("/cancel")).toBe("/cancel");
  });
});

async function world() {
  const w = await makeWorld(server);
  await w.am.request({ method: "GET", url: "/api/cases" });
  await server.app.inject({
    method: "GET",
    url: "/api/cases",
    headers: { authorization: "Bearer cdk_abcdefabcdef_0123456789abcdef0123456789abcdef" },
  });
}
