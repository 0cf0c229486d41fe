// The policy is data with a version: admins publish a new one, new cases follow it, open cases
// keep the version they started under.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wootrecruitPolicy } from "../src/policy/wootrecruit.ts";
import { type Client, clientFor, invalidFields, startTestServer, type TestServer } from "./app.ts";
import {
  act,
  ensurePlan,
  makeWorld,
  openCaseFor,
  openWithFormSent,
  submitFormAsCustomer,
} from "./cases.ts";

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer();
  admin = await clientFor(server, "admin");
  for (const [code, price] of [
    ["starter", 19_900],
    ["growth", 49_900],
    ["scale", 99_900],
    ["enterprise", 199_900],
  ] as const) {
    await ensurePlan(server, code, price);
  }
});
afterAll(() => server?.close());

describe("policy versions", () => {
  it("starts with WootRecruit's policy as version 1, with its offer catalog", async () => {
    const current = await admin.request({ method: "GET", url: "/api/policy" });
    expect(current.json()).toMatchObject({
      version: 1,
      definition: { articleTitle: "What do I do if someone wants to cancel?" },
    });
    const offers = await admin.request({ method: "GET", url: "/api/offers" });
    expect(offers.json().items.map((o: { code: string }) => o.code)).toContain("discount_20_3m");
  });

  it("publishes a new version for new cases while an open case keeps its own", async () => {
    const world = await makeWorld(server);
    const before = await openCaseFor(world);
    const definition = {
      ...wootrecruitPolicy,
      slas: { ...wootrecruitPolicy.slas, csmEngagementDueHours: 8 },
    };
    const published = await admin.request({
      method: "POST",
      url: "/api/policy/versions",
      payload: { definition, notes: "CSM SLA down to 8 hours" },
    });
    expect(published.statusCode, published.body).toBe(201);
    expect(published.json()).toMatchObject({ version: 2, notes: "CSM SLA down to 8 hours" });

    const old = await world.am.request({ method: "GET", url: `/api/cases/${before.id}` });
    expect(old.json().case.policyVersion).toBe(1);
    await act(world.am, before.id, "notes", { text: "Still under version 1." });

    const other = await makeWorld(server);
    const after = await openCaseFor(other);
    const fresh = await other.am.request({ method: "GET", url: `/api/cases/${after.id}` });
    expect(fresh.json().case.policyVersion).toBe(2);
    const versions = await admin.request({ method: "GET", url: "/api/policy/versions" });
    expect(versions.json().items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it("refuses a broken definition, naming the field, and publishes nothing", async () => {
    const definition = {
      ...wootrecruitPolicy,
      identity: { ...wootrecruitPolicy.identity, attemptLimit: 0 },
    };
    const response = await admin.request({
      method: "POST",
      url: "/api/policy/versions",
      payload: { definition },
    });
    expect(response.statusCode).toBe(400);
    expect(invalidFields(response)).toContain("definition.identity.attemptLimit");
    const versions = await admin.request({ method: "GET", url: "/api/policy/versions" });
    expect(versions.json().items[0].version).toBe(2);
  });
});

describe("a policy's own limits", () => {
  it("take the form details the published policy allows, beyond the default", async () => {
    const definition = {
      ...wootrecruitPolicy,
      form: { ...wootrecruitPolicy.form, detailsMaxLength: 10_000 },
    };
    const published = await admin.request({
      method: "POST",
      url: "/api/policy/versions",
      payload: { definition, notes: "Room for long explanations" },
    });
    expect(published.statusCode, published.body).toBe(201);
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const submitted = await submitFormAsCustomer(server, c.id, { details: "x".repeat(6_000) });
    expect(submitted).toBeTruthy();
    const view = await world.am.request({ method: "GET", url: `/api/cases/${c.id}` });
    expect(view.json().case.form.submission.details).toHaveLength(6_000);
  });
});
