// The queues staff work from: mine, escalated to me, SLA at risk and breached, and search.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wootrecruitPolicy } from "../src/policy/wootrecruit.ts";
import { clientFor, signInAs, startTestServer, type TestServer } from "./app.ts";
import {
  act,
  ensureWootRecruitPlans,
  makeWorld,
  openCaseFor,
  openWithFormSent,
  publishPolicy,
} from "./cases.ts";
import { makeAccount, makeContact, makePlan, makeSubscription, makeUser } from "./factories.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe("case queues", () => {
  it("shows an escalated case to its CSM, then as at risk and breached as its SLA runs out", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await act(world.am, c.id, "reason", { reasonCode: "unused", notes: "Not hiring." });
    await act(world.am, c.id, "no-suitable-offer", { reason: "Nothing fits." });
    await act(world.am, c.id, "escalate");

    // Sessions last 12 hours and this test moves the clock by a day: sign in afresh each time.
    const queue = async (name: string) => {
      const csm = await signInAs(server.app, world.csm.user!);
      const response = await csm.request({
        method: "GET",
        url: "/api/cases",
        query: { queue: name, limit: "200" },
      });
      expect(response.statusCode).toBe(200);
      return response.json().items.map((i: { case: { reference: string } }) => i.case.reference);
    };
    expect(await queue("escalated_to_me")).toEqual([c.reference]);
    expect(await queue("mine")).toEqual([c.reference]);
    expect(await queue("sla_at_risk")).not.toContain(c.reference);
    server.clock.advance(21 * 3_600_000); // 3 of the 24 hours left: inside the 4-hour at-risk window
    expect(await queue("sla_at_risk")).toContain(c.reference);
    server.clock.advance(4 * 3_600_000);
    expect(await queue("sla_breached")).toContain(c.reference);
    expect(await queue("sla_at_risk")).not.toContain(c.reference);
    // Once the CSM engages, the SLA is settled: the case leaves the SLA queues, not the CSM's.
    const csmNow = await signInAs(server.app, world.csm.user!);
    await act(csmNow, c.id, "csm/engage", { notes: "Calling the customer." });
    expect(await queue("sla_breached")).not.toContain(c.reference);
    expect(await queue("escalated_to_me")).toEqual([c.reference]);
    server.clock.advance(-25 * 3_600_000);

    const am = await world.am.request({
      method: "GET",
      url: "/api/cases",
      query: { queue: "escalated_to_me" },
    });
    expect(am.json().items).toEqual([]);
  });

  it("holds only open cases in 'mine'; the closed ones are found by status", async () => {
    const world = await makeWorld(server);
    const withdrawn = await openCaseFor(world);
    await act(world.am, withdrawn.id, "withdraw", { reason: "Called by mistake." });
    // A second subscription of the same account, so the AM holds one open and one closed case.
    const db = server.handle.db;
    const planId = (
      await db
        .selectFrom("plans")
        .select("id")
        .where("code", "=", "growth")
        .executeTakeFirstOrThrow()
    ).id;
    const second = await makeSubscription(db, world.accountId, planId, server.clock.now);
    const open = await openCaseFor({ ...world, subscriptionId: second.id });

    const list = async (query: Record<string, string>) => {
      const response = await world.am.request({ method: "GET", url: "/api/cases", query });
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      return {
        refs: body.items.map((i: { case: { reference: string } }) => i.case.reference),
        total: body.total,
      };
    };
    expect(await list({ queue: "mine" })).toEqual({ refs: [open.reference], total: 1 });
    const counts = await world.am.request({ method: "GET", url: "/api/cases/counts" });
    expect(counts.json().mine).toBe(1);

    const ours = { accountId: world.accountId };
    expect(await list({ ...ours, status: "closed" })).toEqual({
      refs: [withdrawn.reference],
      total: 1,
    });
    expect(await list({ ...ours, status: "open" })).toEqual({ refs: [open.reference], total: 1 });
    expect((await list(ours)).total).toBe(2);

    const bad = await world.am.request({
      method: "GET",
      url: "/api/cases",
      query: { status: "pending" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("status");
  });

  it("finds cases by reference, account and contact, and pages newest first", async () => {
    const world = await makeWorld(server);
    const opened = [];
    for (let i = 0; i < 3; i++) {
      const w = i === 0 ? world : await makeWorld(server);
      server.clock.advance(1000);
      opened.push({ world: w, case: await openCaseFor(w) });
    }
    const byReference = await world.am.request({
      method: "GET",
      url: "/api/cases",
      query: { q: opened[1]!.case.reference },
    });
    expect(byReference.json().items.map((i: { case: { id: string } }) => i.case.id)).toEqual([
      opened[1]!.case.id,
    ]);

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await world.am.request({
        method: "GET",
        url: "/api/cases",
        query: { limit: "2", ...(cursor ? { cursor } : {}) },
      });
      const page = response.json();
      ids.push(...page.items.map((i: { case: { id: string } }) => i.case.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(ids).size).toBe(ids.length);
    const positions = opened.map((o) => ids.indexOf(o.case.id));
    expect(positions[2]!).toBeLessThan(positions[1]!);
    expect(positions[1]!).toBeLessThan(positions[0]!);
  });

  it("finds cases by a common word as by a rare one (a common word walks the queue instead)", async () => {
    const world = await makeWorld(server);
    const accountId = (
      await server.handle.db
        .updateTable("accounts")
        .set({ name: "Zephyr Staffing Partners" })
        .where("id", "=", world.accountId)
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    const c = await openCaseFor(world);
    const search = async (q: string) => {
      const response = await world.am.request({
        method: "GET",
        url: "/api/cases",
        query: { q, limit: "200" },
      });
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json();
      return {
        ids: page.items.map((i: { case: { id: string } }) => i.case.id) as string[],
        total: page.total as number,
      };
    };
    // Rare: one account has the word; the requester's email (or part of it) finds it too.
    expect((await search("zephyr staffing")).ids).toEqual([c.id]);
    const { email } = await server.handle.db
      .selectFrom("contacts")
      .select("email")
      .where("id", "=", world.contactId)
      .executeTakeFirstOrThrow();
    expect((await search(email!.toUpperCase())).ids).toEqual([c.id]);
    expect((await search(email!.slice(email!.indexOf("@") - 3))).ids).toContain(c.id);
    // Common: over a thousand accounts have it (and no case), so the search walks the cases.
    await server.handle.db
      .insertInto("accounts")
      .values(Array.from({ length: 1_000 }, (_, i) => ({ name: `Staffing Firm ${i}` })))
      .execute();
    const common = await search("staffing");
    expect(common.ids).toContain(c.id);
    expect(common.ids.every((id) => id === c.id)).toBe(true);
    expect(common.total).toBe(1);
    expect(accountId).toBe(world.accountId);
  });

  it("finds an address by any part with its @ (even one with two @), and a case found two ways once", async () => {
    const world = await makeWorld(server);
    await server.handle.db
      .updateTable("contacts")
      .set({ email: '"ops@desk"@Quillon-Mail.example', name: "Quillon Buyer" })
      .where("id", "=", world.contactId)
      .execute();
    await server.handle.db
      .updateTable("accounts")
      .set({ name: "Quillon Recruiting" })
      .where("id", "=", world.accountId)
      .execute();
    const c = await openCaseFor(world);
    const search = async (q: string) => {
      const response = await world.am.request({ method: "GET", url: "/api/cases", query: { q } });
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json();
      return {
        ids: page.items.map((i: { case: { id: string } }) => i.case.id) as string[],
        total: page.total as number,
      };
    };
    // The domain index knows no domain for an address with two @: it is still found.
    for (const q of ['desk"@quillon', "@QUILLON-MAIL.EX", 'ops@desk"@quillon-mail.example']) {
      expect(await search(q), q).toEqual({ ids: [c.id], total: 1 });
    }
    expect(await search("@quillon-post")).toEqual({ ids: [], total: 0 });
    // "quillon" names the account and the requester: the case is listed and counted once.
    expect(await search("quillon")).toEqual({ ids: [c.id], total: 1 });
  });

  it("counts each queue for the caller, and totals the filtered list", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await act(world.am, c.id, "reason", { reasonCode: "unused", notes: "Not hiring." });
    await act(world.am, c.id, "no-suitable-offer", { reason: "Nothing fits." });
    await act(world.am, c.id, "escalate");
    const counts = async (client: typeof world.am) => {
      const response = await client.request({ method: "GET", url: "/api/cases/counts" });
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };
    const csm = await counts(world.csm);
    expect(csm).toMatchObject({ mine: 1, escalated_to_me: 1, sla_breached: 0 });
    expect(Object.keys(csm).sort()).toEqual(
      ["all", "escalated_to_me", "mine", "sla_at_risk", "sla_breached", "unassigned"].sort(),
    );
    expect(csm.all).toBeGreaterThanOrEqual(1);
    expect((await counts(world.am)).escalated_to_me).toBe(0);
    server.clock.advance(25 * 3_600_000);
    const late = await counts(await signInAs(server.app, await makeUser(server.handle.db, "csm")));
    expect(late.sla_breached).toBeGreaterThanOrEqual(1);
    expect(late.mine).toBe(0);
    server.clock.advance(-25 * 3_600_000);

    // The list's total counts every page of the filtered queue.
    const list = await world.csm.request({
      method: "GET",
      url: "/api/cases",
      query: { queue: "mine", limit: "1" },
    });
    expect(list.json()).toMatchObject({ total: 1, nextCursor: null });
  });

  it("filters by plan and sorts by reference, update and CSM due time across pages", async () => {
    const db = server.handle.db;
    const plan = await makePlan(db);
    const am = await makeUser(db, "account_manager");
    const amClient = await signInAs(server.app, am);
    const opened: { id: string; reference: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const account = await makeAccount(db, { accountManagerId: am.id });
      const contact = await makeContact(db, account.id, { authorisedToCancel: true });
      const subscription = await makeSubscription(db, account.id, plan.id, server.clock.now);
      server.clock.advance(1000);
      const response = await amClient.request({
        method: "POST",
        url: "/api/cases",
        payload: {
          accountId: account.id,
          subscriptionId: subscription.id,
          requesterContactId: contact.id,
          channel: "email",
        },
      });
      expect(response.statusCode, response.body).toBe(201);
      opened.push(response.json().case);
    }
    // The oldest case changes last, so "updated" puts it first.
    server.clock.advance(1000);
    await act(amClient, opened[0]!.id, "notes", { text: "Called back." });

    const walk = async (query: Record<string, string>) => {
      const refs: string[] = [];
      let cursor: string | null = null;
      do {
        const response = await amClient.request({
          method: "GET",
          url: "/api/cases",
          query: { planId: plan.id, limit: "2", ...query, ...(cursor ? { cursor } : {}) },
        });
        expect(response.statusCode, response.body).toBe(200);
        const page = response.json();
        expect(page.total).toBe(3);
        refs.push(...page.items.map((i: { case: { reference: string } }) => i.case.reference));
        cursor = page.nextCursor;
      } while (cursor);
      return refs;
    };
    const refs = opened.map((o) => o.reference);
    expect(await walk({})).toEqual([...refs].reverse());
    expect(await walk({ sort: "reference", order: "asc" })).toEqual([...refs].sort());
    expect(await walk({ sort: "reference", order: "desc" })).toEqual([...refs].sort().reverse());
    expect(await walk({ sort: "updated" })).toEqual([refs[0], refs[2], refs[1]]);
    expect(await walk({ sort: "opened", order: "asc" })).toEqual(refs);
    // No case here waits for a CSM: all tie on "no due time" and fall back to their ids.
    expect((await walk({ sort: "sla_due" })).sort()).toEqual([...refs].sort());

    // A cursor belongs to its order.
    const first = await amClient.request({
      method: "GET",
      url: "/api/cases",
      query: { planId: plan.id, limit: "1", sort: "reference" },
    });
    const wrong = await amClient.request({
      method: "GET",
      url: "/api/cases",
      query: { planId: plan.id, limit: "1", sort: "updated", cursor: first.json().nextCursor },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().fields[0].field).toBe("cursor");
    const bad = await amClient.request({
      method: "GET",
      url: "/api/cases",
      query: { sort: "size", planId: "nope" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("VALIDATION_FAILED");
  });

  it("orders escalated cases by the CSM's engagement due time, soonest first", async () => {
    const worlds = [await makeWorld(server), await makeWorld(server)];
    const cases = [];
    for (const world of worlds) {
      const c = await openWithFormSent(server, world);
      await act(world.am, c.id, "reason", { reasonCode: "unused", notes: "Not hiring." });
      await act(world.am, c.id, "no-suitable-offer", { reason: "Nothing fits." });
      server.clock.advance(60_000);
      await act(world.am, c.id, "escalate");
      cases.push(c);
    }
    const response = await worlds[0]!.am.request({
      method: "GET",
      url: "/api/cases",
      query: { queue: "all", state: "escalated", sort: "sla_due", limit: "200" },
    });
    const refs = response
      .json()
      .items.map((i: { case: { reference: string } }) => i.case.reference);
    expect(refs.indexOf(cases[0]!.reference)).toBeLessThan(refs.indexOf(cases[1]!.reference));
  });
});

describe("the SLA queues and each case's own policy version", () => {
  it("call a case at risk by the hours of the version it started under, not the newest", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await act(world.am, c.id, "reason", { reasonCode: "unused", notes: "Not hiring." });
    await act(world.am, c.id, "no-suitable-offer", { reason: "Nothing fits." });
    await act(world.am, c.id, "escalate");
    const admin = await clientFor(server, "admin");
    await ensureWootRecruitPlans(server);
    const publish = async (atRiskHours: number) => {
      const published = await publishPolicy(admin, {
        definition: {
          ...wootrecruitPolicy,
          slas: { ...wootrecruitPolicy.slas, csmEngagementAtRiskHours: atRiskHours },
        },
      });
      expect(published.statusCode, published.body).toBe(201);
    };
    await publish(23);
    try {
      const atRisk = async () => {
        const csm = await signInAs(server.app, world.csm.user!);
        const list = await csm.request({
          method: "GET",
          url: "/api/cases",
          query: { queue: "sla_at_risk", accountId: world.accountId },
        });
        return {
          listed: list.json().items.map((i: { case: { id: string } }) => i.case.id),
          total: list.json().total,
        };
      };
      server.clock.advance(2 * 3_600_000); // 22 of 24 hours left: at risk only under the new 23
      expect(await atRisk()).toEqual({ listed: [], total: 0 });
      server.clock.advance(19 * 3_600_000); // 3 hours left: inside the case's own 4
      expect(await atRisk()).toEqual({ listed: [c.id], total: 1 });
    } finally {
      server.clock.advance(-21 * 3_600_000);
      await publish(wootrecruitPolicy.slas.csmEngagementAtRiskHours);
    }
  });
});
