// Money in analytics is never added across currencies: a save of a subscription billed in euros
// and a cancellation billed in dollars, under the same reason, show as one figure per currency in
// the save rates (JSON and CSV) and in the overview.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, signInAs, startTestServer, type TestServer } from "./app.ts";
import {
  act,
  escalateWithoutOffer,
  makeWorld,
  openCaseFor,
  proceedToClose,
  saveByDiscount,
  staffClient,
} from "./cases.ts";

let server: TestServer;
let viewer: Client;

async function get(url: string, query: Record<string, string> = {}) {
  const client = await signInAs(server.app, viewer.user!);
  const response = await client.request({ method: "GET", url, query });
  expect(response.statusCode, response.body).toBe(200);
  return response;
}

beforeAll(async () => {
  server = await startTestServer();
  viewer = await staffClient(server, "admin");

  // A save of a subscription billed €450.00 a month: the customer takes the discount.
  {
    const world = await makeWorld(server);
    await server.handle.db
      .updateTable("subscriptions")
      .set({ currency: "EUR", monthly_value_minor: "45000" })
      .where("id", "=", world.subscriptionId)
      .execute();
    await saveByDiscount(server, world);
  }

  // A cancellation of a subscription billed $499.00 a month, for the same reason.
  {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    await escalateWithoutOffer(server, world, c.id);
    await act(world.csm, c.id, "csm/engage", { notes: "Called the owner." });
    await proceedToClose(server, world, c.id);
  }
});
afterAll(() => server?.close());

describe("analytics value by currency", () => {
  it("answers a save rate's value kept and lost per currency, never their sum", async () => {
    const byReason = (await get("/api/analytics/save-rates", { dimension: "reason" })).json();
    expect(byReason.rows).toEqual([
      expect.objectContaining({
        key: "too_expensive",
        decided: 2,
        retained: 1,
        cancelled: 1,
        value: [
          { currency: "EUR", keptMinor: 45_000, lostMinor: 0 },
          { currency: "USD", keptMinor: 0, lostMinor: 49_900 },
        ],
      }),
    ]);
    // The CSM dimension counts only escalated cases: the euro save never reached a CSM.
    for (const dimension of ["offer", "plan", "segment", "channel", "am"]) {
      const rows = (await get("/api/analytics/save-rates", { dimension })).json().rows;
      const kept = rows.flatMap((r: { value: { currency: string; keptMinor: number }[] }) =>
        r.value.filter((v) => v.keptMinor > 0),
      );
      expect(kept, dimension).toEqual([{ currency: "EUR", keptMinor: 45_000, lostMinor: 0 }]);
    }
  });

  it("exports the save rates with one pair of value columns per currency", async () => {
    const csv = await get("/api/analytics/save-rates", { dimension: "reason", format: "csv" });
    const [header, row] = csv.body.trim().split("\r\n");
    const cells = Object.fromEntries(
      header!.split(",").map((name, i) => [name, row!.split(",")[i]]),
    );
    expect(cells).toMatchObject({
      value_kept_minor_EUR: "45000",
      value_lost_minor_EUR: "0",
      value_kept_minor_USD: "0",
      value_lost_minor_USD: "49900",
    });
    expect(header).not.toContain("value_kept_minor,");
  });

  it("answers the overview's value per currency", async () => {
    const overview = (await get("/api/analytics/overview")).json();
    expect(overview.totals.value).toEqual([
      { currency: "EUR", keptMinor: 45_000, validatedKeptMinor: 0, lostMinor: 0 },
      { currency: "USD", keptMinor: 0, validatedKeptMinor: 0, lostMinor: 49_900 },
    ]);
  });
});
