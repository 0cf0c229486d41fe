// Accounts, contacts, plans and subscriptions through the REST API: create, read, change, list
// with search, filters and cursor pages, and clear 400s that name the field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, clientFor, invalidFields, startTestServer, type TestServer } from "./app.ts";
import { act, escalateWithoutOffer, makeWorld, openCaseFor } from "./cases.ts";
import { makeAccount, makePlan, makeUser } from "./factories.ts";

let server: TestServer;
let admin: Client;
let am: Client;
beforeAll(async () => {
  server = await startTestServer();
  admin = await clientFor(server, "admin");
  am = await clientFor(server, "account_manager");
});
afterAll(() => server?.close());

describe("accounts", () => {
  it("creates, reads and changes an account, checking the AM and CSM it names", async () => {
    const csm = await makeUser(server.handle.db, "csm");
    const created = await am.request({
      method: "POST",
      url: "/api/accounts",
      payload: {
        name: "Northwind Staffing",
        externalRef: "CRM-1",
        accountManagerId: am.user!.id,
        csmId: csm.id,
        country: "gb",
        segment: "enterprise",
      },
    });
    expect(created.statusCode).toBe(201);
    const account = created.json();
    expect(account).toMatchObject({
      name: "Northwind Staffing",
      country: "GB",
      segment: "enterprise",
      csmId: csm.id,
    });

    const fetched = await am.request({ method: "GET", url: `/api/accounts/${account.id}` });
    expect(fetched.json()).toEqual(account);

    const changed = await am.request({
      method: "PATCH",
      url: `/api/accounts/${account.id}`,
      payload: { name: "Northwind Staffing Ltd" },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      name: "Northwind Staffing Ltd",
      externalRef: "CRM-1",
      csmId: csm.id,
    });
  });

  it("refuses a CSM field that names an account manager, and a duplicate external reference", async () => {
    const wrongRole = await am.request({
      method: "POST",
      url: "/api/accounts",
      payload: { name: "X", csmId: am.user!.id },
    });
    expect(wrongRole.statusCode).toBe(400);
    expect(wrongRole.json().fields).toEqual([
      { field: "csmId", message: "must be a user with the csm role" },
    ]);
    await am.request({
      method: "POST",
      url: "/api/accounts",
      payload: { name: "A", externalRef: "DUP-1" },
    });
    const duplicate = await am.request({
      method: "POST",
      url: "/api/accounts",
      payload: { name: "B", externalRef: "DUP-1" },
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().code).toBe("ALREADY_EXISTS");
  });

  it("names each bad field in a 400", async () => {
    const response = await am.request({
      method: "POST",
      url: "/api/accounts",
      payload: { name: "", country: "Germany", segment: "huge" },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe("VALIDATION_FAILED");
    expect(invalidFields(response)).toEqual(["country", "name", "segment"]);
    expect(body.message).toMatch(/^(name|country|segment): /);
  });

  it("answers 404 for an unknown account and 400 for an id that is not one", async () => {
    const missing = await am.request({
      method: "GET",
      url: "/api/accounts/00000000-0000-4000-8000-000000000000",
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("NOT_FOUND");
    const bad = await am.request({ method: "GET", url: "/api/accounts/42" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0].field).toBe("id");
  });

  it("pages through every account exactly once, in name order, with search and filters", async () => {
    const owner = await makeUser(server.handle.db, "account_manager");
    const names = Array.from(
      { length: 23 },
      (_, i) => `Paged ${String(i).padStart(2, "0")} Recruiting`,
    );
    for (const name of [...names].reverse())
      await makeAccount(server.handle.db, { name, accountManagerId: owner.id });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = {
        limit: "5",
        accountManagerId: owner.id,
        ...(cursor ? { cursor } : {}),
      };
      const response = await am.request({ method: "GET", url: "/api/accounts", query });
      expect(response.statusCode).toBe(200);
      const page = response.json();
      seen.push(...page.items.map((a: { name: string }) => a.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(names);

    const search = await am.request({
      method: "GET",
      url: "/api/accounts",
      query: { q: "paged 07" },
    });
    expect(search.json().items.map((a: { name: string }) => a.name)).toEqual([
      "Paged 07 Recruiting",
    ]);
    // A search for the LIKE wildcard matches it literally.
    const wildcard = await am.request({ method: "GET", url: "/api/accounts", query: { q: "%" } });
    expect(wildcard.json().items).toEqual([]);
  });

  it("refuses a cursor it did not make and a limit out of range", async () => {
    const cursor = await am.request({
      method: "GET",
      url: "/api/accounts",
      query: { cursor: "garbage" },
    });
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().fields[0].field).toBe("cursor");
    const limit = await am.request({
      method: "GET",
      url: "/api/accounts",
      query: { limit: "5000" },
    });
    expect(limit.statusCode).toBe(400);
    expect(limit.json().fields[0].field).toBe("limit");
  });
});

describe("contacts", () => {
  it("creates a contact authorised to cancel and lists the account's contacts", async () => {
    const account = await makeAccount(server.handle.db);
    const created = await am.request({
      method: "POST",
      url: "/api/contacts",
      payload: {
        accountId: account.id,
        name: "Priya Shah",
        email: "Priya@Northwind.example",
        phone: "+442071234567",
        role: "owner",
        authorisedToCancel: true,
        preferredChannel: "sms",
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      email: "priya@northwind.example",
      authorisedToCancel: true,
      preferredChannel: "sms",
    });
    const listed = await am.request({
      method: "GET",
      url: "/api/contacts",
      query: { accountId: account.id, authorisedToCancel: "true" },
    });
    expect(listed.json().items.map((c: { name: string }) => c.name)).toEqual(["Priya Shah"]);
  });

  it("needs a phone for the SMS channel, also when a change removes it", async () => {
    const account = await makeAccount(server.handle.db);
    const noPhone = await am.request({
      method: "POST",
      url: "/api/contacts",
      payload: {
        accountId: account.id,
        name: "No Phone",
        email: "np@example.test",
        role: "user",
        preferredChannel: "sms",
      },
    });
    expect(noPhone.statusCode).toBe(400);
    expect(noPhone.json().fields).toEqual([
      { field: "phone", message: "is required when the preferred channel is sms" },
    ]);

    const ok = await am.request({
      method: "POST",
      url: "/api/contacts",
      payload: {
        accountId: account.id,
        name: "Has Phone",
        phone: "+14155550100",
        role: "user",
        preferredChannel: "sms",
      },
    });
    const removed = await am.request({
      method: "PATCH",
      url: `/api/contacts/${ok.json().id}`,
      payload: { phone: null },
    });
    expect(removed.statusCode).toBe(400);
    const unchanged = await am.request({ method: "GET", url: `/api/contacts/${ok.json().id}` });
    expect(unchanged.json().phone).toBe("+14155550100");
  });

  it("refuses a contact of an account that does not exist, naming accountId", async () => {
    const response = await am.request({
      method: "POST",
      url: "/api/contacts",
      payload: {
        accountId: "00000000-0000-4000-8000-000000000000",
        name: "Ghost",
        email: "g@example.test",
        role: "owner",
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().fields).toEqual([
      { field: "accountId", message: "is not an existing account" },
    ]);
  });
});

describe("plans and subscriptions", () => {
  it("keeps money as whole minor units and refuses fractions", async () => {
    const fraction = await admin.request({
      method: "POST",
      url: "/api/plans",
      payload: { code: "growth", name: "Growth", monthlyPriceMinor: 499.5, currency: "usd" },
    });
    expect(fraction.statusCode).toBe(400);
    expect(fraction.json().fields[0].field).toBe("monthlyPriceMinor");
    const plan = await admin.request({
      method: "POST",
      url: "/api/plans",
      payload: { code: "growth", name: "Growth", monthlyPriceMinor: 49_900, currency: "usd" },
    });
    expect(plan.statusCode).toBe(201);
    expect(plan.json()).toMatchObject({
      code: "growth",
      monthlyPriceMinor: 49_900,
      currency: "USD",
    });
  });

  it("creates a subscription and checks its dates, plan and currency", async () => {
    const account = await makeAccount(server.handle.db);
    const plan = await makePlan(server.handle.db, { currency: "EUR" });
    const base = {
      accountId: account.id,
      planId: plan.id,
      seats: 12,
      monthlyValueMinor: 120_000,
      currency: "EUR",
      currentPeriodStart: "2026-11-01T00:00:00Z",
      currentPeriodEnd: "2026-12-01T00:00:00Z",
    };
    const created = await admin.request({
      method: "POST",
      url: "/api/subscriptions",
      payload: base,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      status: "active",
      monthlyValueMinor: 120_000,
      currentPeriodEnd: "2026-12-01T00:00:00.000Z",
      version: 1,
    });

    const backwards = await admin.request({
      method: "POST",
      url: "/api/subscriptions",
      payload: { ...base, currentPeriodEnd: "2026-10-01T00:00:00Z" },
    });
    expect(backwards.json().fields).toEqual([
      { field: "currentPeriodEnd", message: "must be after currentPeriodStart" },
    ]);
    const currency = await admin.request({
      method: "POST",
      url: "/api/subscriptions",
      payload: { ...base, currency: "USD" },
    });
    expect(currency.json().fields).toEqual([
      { field: "currency", message: "must be the plan's currency, EUR" },
    ]);
    const scheduled = await admin.request({
      method: "PATCH",
      url: `/api/subscriptions/${created.json().id}`,
      payload: { status: "cancellation_scheduled" },
    });
    expect(scheduled.statusCode).toBe(400);
    expect(scheduled.json().fields).toEqual([
      { field: "cancelAt", message: "is required when status is cancellation_scheduled" },
    ]);

    const listed = await am.request({
      method: "GET",
      url: "/api/subscriptions",
      query: { accountId: account.id },
    });
    expect(listed.json().items).toHaveLength(1);
  });
});

describe("changing a subscription two people read", () => {
  it("refuses a change made from a version that is no longer current, and keeps the other", async () => {
    const world = await makeWorld(server);
    const url = `/api/subscriptions/${world.subscriptionId}`;
    const read = (await admin.request({ method: "GET", url })).json();
    const first = await admin.request({
      method: "PATCH",
      url,
      payload: { seats: read.seats + 1, expectedVersion: read.version },
    });
    expect(first.statusCode, first.body).toBe(200);
    const second = await admin.request({
      method: "PATCH",
      url,
      payload: { seats: read.seats + 5, expectedVersion: read.version },
    });
    expect(second.statusCode, second.body).toBe(409);
    expect(second.json()).toMatchObject({
      code: "SUBSCRIPTION_CHANGED",
      details: { currentVersion: read.version + 1 },
    });
    const now = (await admin.request({ method: "GET", url })).json();
    expect(now).toMatchObject({ seats: read.seats + 1, version: read.version + 1 });
  });
});

describe("changing an account or a contact two people read", () => {
  for (const kind of ["account", "contact"] as const) {
    it(`refuses a change to the ${kind} made from a version that is no longer current, and keeps the other`, async () => {
      const world = await makeWorld(server);
      const url = `/api/${kind}s/${kind === "account" ? world.accountId : world.contactId}`;
      const read = (await admin.request({ method: "GET", url })).json();
      expect(read.version).toBe(1);
      const list = await admin.request({
        method: "GET",
        url: `/api/${kind}s`,
        query: kind === "account" ? { q: read.name } : { accountId: world.accountId },
      });
      expect(list.json().items).toContainEqual(read);
      const first = await admin.request({
        method: "PATCH",
        url,
        payload: { name: "First Change", expectedVersion: read.version },
      });
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toMatchObject({ name: "First Change", version: read.version + 1 });
      const second = await admin.request({
        method: "PATCH",
        url,
        payload: { name: "Second Change", expectedVersion: read.version },
      });
      expect(second.statusCode, second.body).toBe(409);
      expect(second.json()).toMatchObject({
        code: kind === "account" ? "ACCOUNT_CHANGED" : "CONTACT_CHANGED",
        details: { currentVersion: read.version + 1 },
      });
      expect((await admin.request({ method: "GET", url })).json()).toMatchObject({
        name: "First Change",
        version: read.version + 1,
      });
      // Without expectedVersion the later change wins, as before, and still counts as a change.
      const unchecked = await admin.request({
        method: "PATCH",
        url,
        payload: { name: "Third Change" },
      });
      expect(unchecked.statusCode, unchecked.body).toBe(200);
      expect(unchecked.json()).toMatchObject({ name: "Third Change", version: read.version + 2 });
    });
  }

  it("refuses a contact change landing after another one it read before (the write checks the version)", async () => {
    const world = await makeWorld(server);
    const url = `/api/contacts/${world.contactId}`;
    const read = (await admin.request({ method: "GET", url })).json();
    let pending: ReturnType<typeof admin.request> | undefined;
    // Another writer holds its change uncommitted while the PATCH reads and tries to write; on
    // PostgreSQL the PATCH reads the old version and waits on the row, so only the write's own
    // check can refuse it.
    await server.handle.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("contacts")
        .set((eb) => ({ name: "Other Writer", version: eb("version", "+", 1) }))
        .where("id", "=", world.contactId)
        .execute();
      pending = admin.request({
        method: "PATCH",
        url,
        payload: { name: "Stale Writer", expectedVersion: read.version },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    const answer = await pending!;
    expect(answer.statusCode, answer.body).toBe(409);
    expect(answer.json()).toMatchObject({
      code: "CONTACT_CHANGED",
      details: { currentVersion: read.version + 1 },
    });
    expect((await admin.request({ method: "GET", url })).json().name).toBe("Other Writer");
  });

  it("counts erasing a contact's personal data as a change", async () => {
    const world = await makeWorld(server);
    const url = `/api/contacts/${world.contactId}`;
    const read = (await admin.request({ method: "GET", url })).json();
    const erased = await admin.request({
      method: "POST",
      url: `${url}/erase`,
      payload: { confirm: true },
    });
    expect(erased.statusCode, erased.body).toBe(200);
    const stale = await admin.request({
      method: "PATCH",
      url,
      payload: { email: "back@example.com", expectedVersion: read.version },
    });
    expect(stale.statusCode, stale.body).toBe(409);
    expect(stale.json()).toMatchObject({
      code: "CONTACT_CHANGED",
      details: { currentVersion: read.version + 1 },
    });
  });
});

describe("lists", () => {
  it("hand out cursors that carry times in ISO 8601, whatever the database's DateStyle", async () => {
    const world = await makeWorld(server);
    await openCaseFor(world);
    await openCaseFor(await makeWorld(server));
    const page = await admin.request({
      method: "GET",
      url: "/api/cases?queue=all&sort=updated&order=desc&limit=1",
    });
    const [key] = JSON.parse(Buffer.from(page.json().nextCursor, "base64url").toString());
    expect(key).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    const next = await admin.request({
      method: "GET",
      url: `/api/cases?queue=all&sort=updated&order=desc&limit=1&cursor=${page.json().nextCursor}`,
    });
    expect(next.statusCode, next.body).toBe(200);
    expect(next.json().items[0].case.id).not.toBe(page.json().items[0].case.id);
  });

  it("refuse a cursor they did not hand out with 400, whatever it holds", async () => {
    const cursor = (value: unknown[]) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const uuid = "0b7e4a2c-52f1-4c8e-9d8e-3f1f6a1d2b3c";
    const forged = [
      cursor(["x", "not-a-uuid"]),
      cursor(["x", "not-a-uuid", "updated:desc"]),
      "%%%",
    ];
    // Lists walked by a time also refuse a key that is no time.
    const byTime = [
      cursor(["not-a-date", uuid]),
      cursor(["2026-13-45T99:00:00Z", uuid]),
      cursor(["0000-01-01T00:00:00Z", uuid]),
      cursor(["2026-01-01T00:00:00+99", uuid]),
    ];
    for (const [url, extra] of [
      ["/api/accounts", []],
      ["/api/contacts", []],
      ["/api/users", []],
      ["/api/plans", []],
      ["/api/subscriptions", byTime],
      ["/api/analytics/cases", byTime],
      ["/api/cases", []],
      [
        "/api/cases?sort=updated&order=desc",
        [cursor(["2026-02-30 10:00:00+00", uuid, "updated:desc"])],
      ],
    ] as const) {
      for (const value of [...forged, ...extra]) {
        const separator = url.includes("?") ? "&" : "?";
        const response = await admin.request({
          method: "GET",
          url: `${url}${separator}cursor=${encodeURIComponent(value)}`,
        });
        expect(response.statusCode, `${url} ${value}: ${response.body}`).toBe(400);
        expect(invalidFields(response)).toEqual(["cursor"]);
      }
    }
  });
});

describe("subscriptions and the policy", () => {
  it("cannot cancel a subscription around the policy, but takes billing's word when no case waits to process it", async () => {
    const world = await makeWorld(server);
    const url = `/api/subscriptions/${world.subscriptionId}`;
    const status = async () => (await admin.request({ method: "GET", url })).json().status;
    const scheduled = await admin.request({
      method: "PATCH",
      url,
      payload: { status: "cancellation_scheduled", cancelAt: "2030-01-01T00:00:00Z" },
    });
    expect(scheduled.statusCode, scheduled.body).toBe(409);
    expect(scheduled.json().code).toBe("CANCELLATION_THROUGH_CASE");
    const c = await openCaseFor(world);
    const ended = await admin.request({
      method: "PATCH",
      url,
      payload: { status: "cancelled", cancelledAt: "2026-01-01T00:00:00Z" },
    });
    expect(ended.statusCode, ended.body).toBe(409);
    expect(ended.json()).toMatchObject({ code: "CASE_OPEN" });
    expect(ended.json().message).toContain(c.reference);
    expect(await status()).toBe("active");
    // Once a case has processed the cancellation, billing ends it when the term is over.
    const other = await makeWorld(server);
    const processed = await openCaseFor(other);
    await escalateWithoutOffer(server, other, processed.id);
    await act(other.csm, processed.id, "csm/engage", { notes: "Called." });
    await act(other.csm, processed.id, "csm/outcome", { outcome: "proceed", notes: "Fine." });
    await act(other.am, processed.id, "process");
    // Its scheduled cancellation is undone by reactivation, and moved by nobody.
    for (const [payload, code] of [
      [{ status: "active", cancelAt: null }, "USE_REACTIVATION"],
      [{ cancelAt: "2031-01-01T00:00:00Z" }, "CANCELLATION_THROUGH_CASE"],
    ] as const) {
      const moved = await admin.request({
        method: "PATCH",
        url: `/api/subscriptions/${other.subscriptionId}`,
        payload,
      });
      expect(moved.statusCode, moved.body).toBe(409);
      expect(moved.json().code).toBe(code);
    }
    const termOver = await admin.request({
      method: "PATCH",
      url: `/api/subscriptions/${other.subscriptionId}`,
      payload: { status: "cancelled", cancelledAt: "2026-01-01T00:00:00Z" },
    });
    expect(termOver.statusCode, termOver.body).toBe(200);
    // Ended by its case, it is not brought back by a PATCH either.
    const back = await admin.request({
      method: "PATCH",
      url: `/api/subscriptions/${other.subscriptionId}`,
      payload: { status: "active", cancelledAt: null, cancelAt: null },
    });
    expect(back.statusCode, back.body).toBe(409);
    expect(back.json().code).toBe("CANCELLED_BY_CASE");
    // Withdrawn, the case is closed: a payment failure reported by billing may end it.
    await act(world.am, c.id, "withdraw", { reason: "The customer changed their mind." });
    const synced = await admin.request({
      method: "PATCH",
      url,
      payload: { status: "cancelled", cancelledAt: "2026-01-01T00:00:00Z" },
    });
    expect(synced.statusCode, synced.body).toBe(200);
    expect(await status()).toBe("cancelled");
  });
});

describe("contacts and open cases", () => {
  it("records in the open case who changed where its codes and links go, never the values", async () => {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    const url = `/api/contacts/${world.contactId}`;
    const timeline = async () =>
      (await world.am.request({ method: "GET", url: `/api/cases/${c.id}/timeline` })).json()
        .items as { type: string; body: Record<string, unknown>; actor: { userId?: string } }[];
    const before = (await timeline()).length;
    const renamed = await world.am.request({ method: "PATCH", url, payload: { name: "Dana O." } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(await timeline()).toHaveLength(before);
    const moved = await world.am.request({
      method: "PATCH",
      url,
      payload: { email: "dana.elsewhere@example.test" },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const entries = await timeline();
    expect(entries).toHaveLength(before + 1);
    expect(entries.at(-1)).toMatchObject({
      type: "requester_details_changed",
      body: { contactId: world.contactId, fields: ["email"] },
      actor: { userId: world.am.user!.id },
    });
    expect(JSON.stringify(entries.at(-1))).not.toContain("elsewhere");
  });
});
