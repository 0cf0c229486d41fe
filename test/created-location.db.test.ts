// A 201 says where the created resource is: `Location: /api/<resource>/<id>`, the path of its GET
// by id, for every resource that has one (an API key has none, so its 201 names no Location).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wootrecruitPolicy } from "../src/policy/wootrecruit.ts";
import { type Client, clientFor, startTestServer, type TestServer } from "./app.ts";
import { ensureWootRecruitPlans, makeWorld, openCasePayload } from "./cases.ts";
import { makeAccount, makePlan } from "./factories.ts";

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer();
  admin = await clientFor(server, "admin");
});
afterAll(() => server?.close());

describe("a 201", () => {
  it("names the created resource's own path in Location, which reads it back", async () => {
    const world = await makeWorld(server);
    await ensureWootRecruitPlans(server);
    const account = await makeAccount(server.handle.db);
    const plan = await makePlan(server.handle.db, { currency: "EUR" });
    const creations: {
      url: string;
      payload: Record<string, unknown>;
      idOf?: (body: { version: number; case: { id: string } }) => string;
    }[] = [
      { url: "/api/accounts", payload: { name: "Located Ltd" } },
      {
        url: "/api/contacts",
        payload: {
          accountId: account.id,
          name: "Lo Cated",
          email: "lo@located.test",
          role: "owner",
        },
      },
      {
        url: "/api/users",
        payload: {
          email: "located.csm@example.test",
          name: "Located CSM",
          role: "csm",
          password: "a long enough password",
        },
      },
      {
        url: "/api/plans",
        payload: { code: "located", name: "Located", monthlyPriceMinor: 1000, currency: "EUR" },
      },
      {
        url: "/api/subscriptions",
        payload: {
          accountId: account.id,
          planId: plan.id,
          seats: 3,
          monthlyValueMinor: 3000,
          currency: "EUR",
          currentPeriodStart: "2026-11-01T00:00:00Z",
          currentPeriodEnd: "2026-12-01T00:00:00Z",
        },
      },
      {
        url: "/api/webhooks/endpoints",
        payload: { url: "https://hooks.example.test/located", events: ["case.opened"] },
      },
      {
        url: "/api/policy/versions",
        payload: { definition: wootrecruitPolicy },
        idOf: (body) => String(body.version),
      },
      { url: "/api/cases", payload: openCasePayload(world), idOf: (body) => body.case.id },
    ];
    for (const { url, payload, idOf } of creations) {
      const created = await admin.request({ method: "POST", url, payload });
      expect(created.statusCode, `${url} ${created.body}`).toBe(201);
      const id = idOf ? idOf(created.json()) : created.json().id;
      expect(created.headers.location, url).toBe(`${url}/${id}`);
      const read = await admin.request({ method: "GET", url: created.headers.location as string });
      expect(read.statusCode, `${url} ${read.body}`).toBe(200);
    }
    // Answers that are not 201 name nothing.
    const refused = await admin.request({ method: "POST", url: "/api/accounts", payload: {} });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers.location).toBeUndefined();
  });

  it("names no Location for an API key, which has no GET by id", async () => {
    const created = await admin.request({
      method: "POST",
      url: "/api/api-keys",
      payload: { name: "Unlocated", role: "account_manager" },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.location).toBeUndefined();
  });

  it("is documented with its Location header", async () => {
    const doc = (await server.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    for (const path of ["/api/accounts", "/api/cases", "/api/policy/versions"]) {
      expect(doc.paths[path].post.responses["201"].headers, path).toMatchObject({
        location: { schema: { type: "string" } },
      });
    }
    expect(doc.paths["/api/api-keys"].post.responses["201"].headers).toBeUndefined();
  });
});
