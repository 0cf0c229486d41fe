// The queues staff work from: mine, escalated to me, SLA at risk and breached, and search.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInAs, startTestServer, type TestServer } from "./app.ts";
import { act, makeWorld, openCaseFor, openWithFormSent } from "./cases.ts";

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
    server.clock.advance(-25 * 3_600_000);

    const am = await world.am.request({
      method: "GET",
      url: "/api/cases",
      query: { queue: "escalated_to_me" },
    });
    expect(am.json().items).toEqual([]);
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
});
