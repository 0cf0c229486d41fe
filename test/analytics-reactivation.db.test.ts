// A cancellation at the end of the term that the customer reactivated before it took effect is no
// customer lost: the figures count it apart, with no value lost, from the moment of reactivation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./app.ts";
import {
  escalateWithoutOffer,
  makeWorld,
  openCaseFor,
  proceedToClose,
  staffClient,
} from "./cases.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe("a reactivated cancellation in the figures", () => {
  it("is counted as reactivated, not cancelled, and loses no value", async () => {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    await escalateWithoutOffer(server, world, c.id);
    await proceedToClose(server, world, c.id);

    const viewer = await staffClient(server, "admin");
    const overview = async () =>
      (await viewer.request({ method: "GET", url: "/api/analytics/overview" })).json();
    const before = await overview();
    expect(before.totals).toMatchObject({ cancelled: 1, reactivated: 0 });
    expect(before.totals.value).toEqual([
      expect.objectContaining({ currency: "USD", lostMinor: 49_900 }),
    ]);

    const reactivated = await world.am.request({
      method: "POST",
      url: `/api/subscriptions/${world.subscriptionId}/reactivate`,
    });
    expect(reactivated.statusCode, reactivated.body).toBe(200);

    const after = await overview();
    expect(after.totals).toMatchObject({ cancelled: 0, reactivated: 1, closed: 1 });
    expect(after.totals.value).toEqual([
      expect.objectContaining({ currency: "USD", lostMinor: 0 }),
    ]);
    const behind = async (outcome: string) =>
      (
        await viewer.request({ method: "GET", url: "/api/analytics/cases", query: { outcome } })
      ).json().items;
    expect(await behind("cancelled")).toEqual([]);
    expect((await behind("reactivated")).map((r: { caseId: string }) => r.caseId)).toEqual([c.id]);
  });
});
