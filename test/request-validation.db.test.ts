// Bad input is a 400 that names the field, before anything is stored: misspelled fields, text
// PostgreSQL cannot hold, numbers and dates out of range. Each of these was once accepted
// silently or answered 500.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, clientFor, invalidFields, startTestServer, type TestServer } from "./app.ts";
import {
  FORM_ANSWERS,
  makeWorld,
  openCaseFor,
  openCasePayload,
  openWithFormSent,
  sentLink,
  type World,
} from "./cases.ts";

let server: TestServer;
let world: World;
let admin: Client;
let c: { id: string; version: number };
beforeAll(async () => {
  server = await startTestServer();
  world = await makeWorld(server);
  admin = await clientFor(server, "admin");
  c = await openCaseFor(world);
});
afterAll(() => server?.close());

function expectFieldError(
  response: { statusCode: number; body: string; json(): unknown },
  field: string,
) {
  expect(response.statusCode, response.body).toBe(400);
  const body = response.json() as { code: string; message: string; fields: { field: string }[] };
  expect(body.code).toBe("VALIDATION_FAILED");
  expect(body.fields.map((f) => f.field)).toContain(field);
  expect(body.message).toContain(field);
  return body;
}

describe("fields a request does not have", () => {
  it("refuses a misspelled expectedVersion instead of writing without the check", async () => {
    const response = await world.am.request({
      method: "POST",
      url: `/api/cases/${c.id}/notes`,
      payload: { text: "Called back, no answer", expectedVerison: c.version + 5 },
    });
    const body = expectFieldError(response, "expectedVerison");
    expect(body.message).toMatch(/not a field/);
    const timeline = await world.am.request({ method: "GET", url: `/api/cases/${c.id}/timeline` });
    expect(JSON.stringify(timeline.json())).not.toContain("Called back, no answer");
  });

  it("refuses an unknown field on any route, here the settings", async () => {
    const response = await admin.request({
      method: "PATCH",
      url: "/api/settings",
      payload: { companyName: "WootRecruit", colour: "blue" },
    });
    expectFieldError(response, "colour");
  });
});

describe("text PostgreSQL cannot store", () => {
  it("refuses a NUL character in a body, a query and a path, naming where", async () => {
    expectFieldError(
      await world.am.request({
        method: "POST",
        url: `/api/cases/${c.id}/notes`,
        payload: { text: "a\u0000b" },
      }),
      "text",
    );
    expectFieldError(
      await world.am.request({ method: "GET", url: "/api/cases", query: { q: "x\u0000y" } }),
      "q",
    );
    expectFieldError(await world.am.request({ method: "GET", url: "/api/cases/%00" }), "id");
  });

  it("refuses half of a surrogate pair, and keeps a whole one", async () => {
    const broken = await world.am.request({
      method: "POST",
      url: `/api/cases/${c.id}/notes`,
      headers: { "content-type": "application/json" },
      payload: '{"text":"broken \\ud800 text"}',
    });
    const body = expectFieldError(broken, "text");
    expect(body.message).toMatch(/valid Unicode/);
    const whole = await world.am.request({
      method: "POST",
      url: `/api/cases/${c.id}/notes`,
      payload: { text: "The customer sent 👍" },
    });
    expect(whole.statusCode, whole.body).toBe(200);
  });

  it("refuses a NUL character on a customer's public form", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: "/api/public/links/not-a-real-token/form",
      payload: { details: "a\u0000b" },
    });
    expectFieldError(response, "details");
  });
});

describe("numbers and dates out of range", () => {
  async function subscriptionBody(overrides: Record<string, unknown>) {
    const plan = await server.handle.db
      .selectFrom("plans")
      .select(["id", "currency"])
      .executeTakeFirstOrThrow();
    return {
      accountId: world.accountId,
      planId: plan.id,
      seats: 3,
      monthlyValueMinor: 9900,
      currency: plan.currency,
      currentPeriodStart: "2026-11-01T00:00:00Z",
      currentPeriodEnd: "2026-12-01",
      ...overrides,
    };
  }
  const createSubscription = async (overrides: Record<string, unknown>) =>
    admin.request({
      method: "POST",
      url: "/api/subscriptions",
      payload: await subscriptionBody(overrides),
    });

  it("takes ISO 8601 dates and date-times only, and no day that does not exist", async () => {
    for (const [value, field] of [
      [true, "currentPeriodStart"],
      [0, "currentPeriodStart"],
      ["1", "currentPeriodStart"],
      ["2026-02-30", "currentPeriodStart"],
      ["2026-11-01T00:00:00", "currentPeriodStart"],
      ["+099999-02-01T00:00:00Z", "currentPeriodStart"],
      ["0000-01-01", "currentPeriodStart"],
      ["9999-12-31T23:59:59-14:00", "currentPeriodStart"],
    ] as const) {
      const body = expectFieldError(await createSubscription({ [field]: value }), field);
      expect(body.message, String(value)).toMatch(/date/);
    }
    const ok = await createSubscription({});
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().currentPeriodEnd).toBe("2026-12-01T00:00:00.000Z");
  });

  it("refuses a seat count and a version number the database cannot hold", async () => {
    expectFieldError(await createSubscription({ seats: 1e12 }), "seats");
    expectFieldError(
      await world.am.request({ method: "GET", url: "/api/policy/versions/99999999999" }),
      "version",
    );
  });

  it("refuses an opened-from year beyond what can be stored, and filters by a plain date", async () => {
    expectFieldError(
      await world.am.request({ method: "GET", url: "/api/cases?openedFrom=99999-01-01" }),
      "openedFrom",
    );
    expectFieldError(
      await world.am.request({ method: "GET", url: "/api/analytics/overview?from=yesterday" }),
      "from",
    );
    const listed = await world.am.request({
      method: "GET",
      url: "/api/cases?openedFrom=2000-01-01&openedTo=2999-12-31T00:00:00Z",
    });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().items.map((i: { case: { id: string } }) => i.case.id)).toContain(c.id);
  });

  it("documents date fields as ISO 8601 date-times", async () => {
    const doc = (await server.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    const body =
      doc.paths["/api/subscriptions"].post.requestBody.content["application/json"].schema;
    expect(body.properties.currentPeriodStart).toMatchObject({
      type: "string",
      format: "date-time",
    });
  });
});

describe("a request without a body", () => {
  it("runs a command that needs nothing, and names what a command needs", async () => {
    const sent = await world.am.request({
      method: "POST",
      url: `/api/cases/${c.id}/identity/send-code`,
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json().case.identity.codesSent).toBe(1);
    const again = await world.am.request({
      method: "POST",
      url: `/api/cases/${c.id}/identity/send-code`,
      headers: { "content-type": "application/json" },
      payload: "",
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().case.identity.codesSent).toBe(2);
    expectFieldError(
      await world.am.request({ method: "POST", url: `/api/cases/${c.id}/identity/confirm-code` }),
      "code",
    );
  });
});

describe("people a request names", () => {
  it("names the field of a staff member who does not exist, on opening and reassigning", async () => {
    const nobody = randomUUID();
    const other = await makeWorld(server);
    expectFieldError(
      await other.am.request({
        method: "POST",
        url: "/api/cases",
        payload: { ...openCasePayload(other), assignedAmId: nobody },
      }),
      "assignedAmId",
    );
    const body = expectFieldError(
      await world.am.request({
        method: "POST",
        url: `/api/cases/${c.id}/reassign`,
        payload: { slot: "am", toUserId: nobody },
      }),
      "toUserId",
    );
    expect(body.message).toBe("toUserId: is not an active staff member");
  });
});

describe("the customer's form", () => {
  it("names the fields the engine refuses as the body named them", async () => {
    const other = await makeWorld(server);
    const opened = await openWithFormSent(server, other);
    const token = await sentLink(server, opened.id, "form_link");
    const response = await server.app.inject({
      method: "POST",
      url: `/api/public/links/${token}/form`,
      payload: { ...FORM_ANSWERS, reasonCode: "bored" },
    });
    const body = expectFieldError(response, "reasonCode");
    expect(body.message).toMatch(/^reasonCode: must be one of: /);
  });

  it("names every field an empty form leaves to fix in one answer, in the customer's words", async () => {
    const other = await makeWorld(server);
    const opened = await openWithFormSent(server, other);
    const token = await sentLink(server, opened.id, "form_link");
    // What the page sends when Submit is pressed before anything is filled in.
    const response = await server.app.inject({
      method: "POST",
      url: `/api/public/links/${token}/form`,
      payload: {
        reasonCode: "",
        details: "",
        requestedEffective: "end_of_term",
        preferredConfirmationChannel: "email",
        authorityConfirmed: false,
      },
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(invalidFields(response)).toEqual(["authorityConfirmed", "reasonCode"]);
    const fields = response.json().fields as { field: string; message: string }[];
    expect(fields.find((f) => f.field === "reasonCode")?.message).toBe("choose a reason");
  });
});
