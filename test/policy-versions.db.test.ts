// The policy is data with a version: admins publish a new one, new cases follow it, open cases
// keep the version they started under.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listPolicyLabels } from "../src/db/repositories/policy-versions.repository.ts";
import { wootrecruitPolicy } from "../src/policy/wootrecruit.ts";
import { type Client, clientFor, invalidFields, startTestServer, type TestServer } from "./app.ts";
import {
  act,
  ensureWootRecruitPlans,
  makeWorld,
  openCaseFor,
  openWithFormSent,
  publishPolicy,
  submitFormAsCustomer,
} from "./cases.ts";

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer();
  admin = await clientFor(server, "admin");
  await ensureWootRecruitPlans(server);
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
    const published = await publishPolicy(admin, { definition, notes: "CSM SLA down to 8 hours" });
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
    const response = await publishPolicy(admin, { definition });
    expect(response.statusCode).toBe(400);
    expect(invalidFields(response)).toContain("definition.identity.attemptLimit");
    const versions = await admin.request({ method: "GET", url: "/api/policy/versions" });
    expect(versions.json().items[0].version).toBe(2);
  });

  it("lists the history a page at a time, without the definitions", async () => {
    const first = await admin.request({
      method: "GET",
      url: "/api/policy/versions",
      query: { limit: "1" },
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().items).toEqual([
      {
        version: 2,
        name: wootrecruitPolicy.name,
        publishedAt: expect.any(String),
        publishedBy: admin.user!.id,
        notes: "CSM SLA down to 8 hours",
      },
    ]);
    const second = await admin.request({
      method: "GET",
      url: "/api/policy/versions",
      query: { limit: "1", cursor: first.json().nextCursor },
    });
    expect(second.json()).toMatchObject({ items: [{ version: 1 }], nextCursor: null });
    const forged = await admin.request({
      method: "GET",
      url: "/api/policy/versions",
      query: { cursor: Buffer.from('["x","","policy-versions"]').toString("base64url") },
    });
    expect(forged.statusCode).toBe(400);
    expect(invalidFields(forged)).toEqual(["cursor"]);
    const tooBig = await admin.request({
      method: "GET",
      url: "/api/policy/versions",
      query: { cursor: Buffer.from('["9999999999","","policy-versions"]').toString("base64url") },
    });
    expect(tooBig.statusCode, tooBig.body).toBe(400);
  });
});

describe("publishing safely", () => {
  const publish = (payload: Record<string, unknown>) => publishPolicy(admin, payload);
  const currentVersion = async () =>
    (await admin.request({ method: "GET", url: "/api/policy" })).json().version as number;

  it("refuses changes made from a version that is no longer current, and publishes nothing", async () => {
    const seen = await currentVersion();
    const first = await publish({
      definition: wootrecruitPolicy,
      notes: "First admin",
      basedOnVersion: seen,
    });
    expect(first.statusCode, first.body).toBe(201);
    const second = await publish({
      definition: wootrecruitPolicy,
      notes: "Second admin, from the same copy",
      basedOnVersion: seen,
    });
    expect(second.statusCode, second.body).toBe(409);
    expect(second.json()).toMatchObject({
      code: "POLICY_CHANGED",
      details: { currentVersion: seen + 1 },
    });
    expect(second.json().message).toContain(`Version ${seen + 1} was published`);
    expect(await currentVersion()).toBe(seen + 1);
  });

  it("refuses durations that would overflow a case's dates, naming the field", async () => {
    const before = await currentVersion();
    const response = await publish({
      definition: {
        ...wootrecruitPolicy,
        slas: { ...wootrecruitPolicy.slas, csmEngagementDueHours: 3e9 },
      },
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(invalidFields(response)).toEqual(["definition.slas.csmEngagementDueHours"]);
    expect(await currentVersion()).toBe(before);
  });

  it("turns the self-service start off for everyone when a version leaves it out", async () => {
    const world = await makeWorld(server);
    const published = await publish({
      definition: {
        ...wootrecruitPolicy,
        identity: { ...wootrecruitPolicy.identity, methods: ["code", "security_check"] },
      },
    });
    expect(published.statusCode, published.body).toBe(201);
    const email = (
      await admin.request({ method: "GET", url: `/api/contacts/${world.contactId}` })
    ).json().email;
    for (const who of [email, "nobody@nowhere.test"]) {
      const start = await server.app.inject({
        method: "POST",
        url: "/api/public/self-service/start",
        payload: { email: who },
      });
      expect(start.statusCode, start.body).toBe(409);
      expect(start.json()).toMatchObject({
        code: "IDENTITY_METHOD_NOT_ALLOWED",
        message: expect.stringContaining("contact your account manager"),
      });
    }
    const codes = await server.handle.db
      .selectFrom("identity_codes")
      .select("id")
      .where("contact_id", "=", world.contactId)
      .execute();
    expect(codes).toEqual([]);
    expect((await publish({ definition: wootrecruitPolicy })).statusCode).toBe(201);
  });

  it("refuses a downgrade to a plan that is no longer sold", async () => {
    const plan = await server.handle.db
      .selectFrom("plans")
      .select("id")
      .where("code", "=", "starter")
      .executeTakeFirstOrThrow();
    await server.handle.db
      .updateTable("plans")
      .set({ active: false })
      .where("id", "=", plan.id)
      .execute();
    try {
      const response = await publish({ definition: wootrecruitPolicy });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().fields).toEqual([
        {
          field: "definition.offers.3.parameters.toPlanCode",
          message: 'the plan "starter" is no longer sold',
        },
      ]);
    } finally {
      await server.handle.db
        .updateTable("plans")
        .set({ active: true })
        .where("id", "=", plan.id)
        .execute();
    }
  });
});

describe("a policy's own limits", () => {
  it("take the form details the published policy allows, beyond the default", async () => {
    const definition = {
      ...wootrecruitPolicy,
      form: { ...wootrecruitPolicy.form, detailsMaxLength: 10_000 },
    };
    const published = await publishPolicy(admin, {
      definition,
      notes: "Room for long explanations",
    });
    expect(published.statusCode, published.body).toBe(201);
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const submitted = await submitFormAsCustomer(server, c.id, { details: "x".repeat(6_000) });
    expect(submitted).toBeTruthy();
    const view = await world.am.request({ method: "GET", url: `/api/cases/${c.id}` });
    expect(view.json().case.form.submission.details).toHaveLength(6_000);
  });

  it("take a reason code as long as the policy allows, on the form and from staff", async () => {
    const longCode = `budget_${"x".repeat(57)}`;
    expect(longCode).toHaveLength(64);
    const published = await publishPolicy(admin, {
      definition: {
        ...wootrecruitPolicy,
        reasons: [
          ...wootrecruitPolicy.reasons,
          { code: longCode, label: "Budget moved", requiresDetails: false },
        ],
      },
    });
    expect(published.statusCode, published.body).toBe(201);
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await submitFormAsCustomer(server, c.id, { reasonCode: longCode });
    const view = await act(world.am, c.id, "reason", {
      reasonCode: longCode,
      notes: "Their budget moved to another team.",
    });
    expect(view.case.reasonConversations.at(-1).reasonCode).toBe(longCode);
    expect(view.case.form.submission.reasonCode).toBe(longCode);
  });
});

describe("reports across versions", () => {
  it("keep the label of a reason a later version dropped, and use the newest label of one renamed", async () => {
    const without = {
      ...wootrecruitPolicy,
      reasons: wootrecruitPolicy.reasons
        .filter((r) => r.code !== "hiring_freeze")
        .map((r) => (r.code === "unused" ? { ...r, label: "We no longer use it" } : r)),
      offers: wootrecruitPolicy.offers.map((o) => ({
        ...o,
        eligibility: {
          ...o.eligibility,
          reasonCodes:
            o.eligibility.reasonCodes?.filter((code) => code !== "hiring_freeze") ?? null,
        },
      })),
    };
    const published = await publishPolicy(admin, { definition: without });
    expect(published.statusCode, published.body).toBe(201);
    const labels = await listPolicyLabels(server.handle.db);
    expect(labels.reasons.get("hiring_freeze")).toBe("We've paused hiring");
    expect(labels.reasons.get("unused")).toBe("We no longer use it");
    expect(labels.offers.get("discount_20_3m")).toBe("20% off for 3 months");
    expect((await publishPolicy(admin, { definition: wootrecruitPolicy })).statusCode).toBe(201);
  });
});
