// GET /api/cases/:id/offer-options: the offers the caller may present now, with their effect on
// the monthly value, for the web app's offer picker.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymous, startTestServer, type TestServer } from "./app.ts";
import { act, makeWorld, openWithFormSent, saveByDiscount, submitFormAsCustomer } from "./cases.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe("offer options", () => {
  it("refuses anonymous callers", async () => {
    const response = await anonymous(server.app).request({
      method: "GET",
      url: "/api/cases/CD-2026-00001/offer-options",
    });
    expect(response.statusCode).toBe(401);
  });

  it("lists nothing before the reason is known, then only the offers the engine allows", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const before = await world.am.request({
      method: "GET",
      url: `/api/cases/${c.id}/offer-options`,
    });
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json().items).toEqual([]);

    await submitFormAsCustomer(server, c.id);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget halved." });
    const view = await world.am.request({ method: "GET", url: `/api/cases/${c.id}` });
    const allowed = view
      .json()
      .nextActions.allowed.filter((a: { kind: string }) => a.kind === "presentOffer")
      .map((a: { offerCode: string }) => a.offerCode)
      .sort();

    const response = await world.am.request({
      method: "GET",
      url: `/api/cases/${c.id}/offer-options`,
    });
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items as { code: string; effect: Record<string, number> }[];
    expect(items.map((i) => i.code).sort()).toEqual(allowed);
    const discount = items.find((i) => i.code === "discount_20_3m")!;
    expect(discount.effect).toMatchObject({
      monthlyValueBeforeMinor: 49_900,
      monthlyValueDuringMinor: 39_920,
      durationMonths: 3,
      monthlyValueAfterMinor: 49_900,
    });
    expect(discount).toMatchObject({ replacesDiscount: null });
    const downgrade = items.find((i) => i.code === "downgrade_starter")!;
    expect(downgrade.effect.monthlyValueDuringMinor).toBe(19_900);
    // CSM-only offers are not the AM's to present.
    expect(items.map((i) => i.code)).not.toContain("custom_csm");
  });

  it("values a downgrade at the new plan's per-seat price times the subscription's seats", async () => {
    const world = await makeWorld(server);
    // Three seats of growth (49,900 a seat): 149,700 a month; starter is 19,900 a seat.
    await server.handle.db
      .updateTable("subscriptions")
      .set({ seats: 3, monthly_value_minor: 149_700 })
      .where("id", "=", world.subscriptionId)
      .execute();
    const c = await openWithFormSent(server, world);
    await submitFormAsCustomer(server, c.id);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget halved." });
    const response = await world.am.request({
      method: "GET",
      url: `/api/cases/${c.id}/offer-options`,
    });
    const items = response.json().items as { code: string; effect: Record<string, number> }[];
    expect(items.find((i) => i.code === "downgrade_starter")?.effect).toMatchObject({
      monthlyValueBeforeMinor: 149_700,
      monthlyValueDuringMinor: 59_700,
    });
  });

  it("names the discount a customer accepted before on a discount offer, which would replace it", async () => {
    const world = await makeWorld(server);
    const accepted = new Date(server.clock.now);
    await saveByDiscount(server, world); // 20% off for 3 months; that case closed as retained
    const endsAt = new Date(accepted);
    endsAt.setUTCMonth(endsAt.getUTCMonth() + 3);

    // The customer asks to cancel again while it runs: a second discount is offered knowingly.
    const c = await openWithFormSent(server, world);
    await submitFormAsCustomer(server, c.id);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Still too dear." });
    const response = await world.am.request({
      method: "GET",
      url: `/api/cases/${c.id}/offer-options`,
    });
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items as { code: string; replacesDiscount: unknown }[];
    expect(items.find((i) => i.code === "discount_20_3m")?.replacesDiscount).toEqual({
      percent: 20,
      endsAt: endsAt.toISOString(),
      monthlyValueMinor: 39_920,
    });
    expect(items.find((i) => i.code === "downgrade_starter")?.replacesDiscount).toBeNull();
  });
});
