// Every write accepts an Idempotency-Key: a retried request gets the first answer and acts once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, clientFor, startTestServer, type TestServer } from "./app.ts";

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
});
