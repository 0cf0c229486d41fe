// What a date does to a subscription in the built-in ledger: a scheduled cancellation takes
// effect at its date (and can no longer be undone), a pause ends at its date. The timers apply
// both, once however often they run. A discount a case applied shows on the subscription until
// its end, and not after.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTimers } from "../src/jobs/timers.ts";
import { type Client, clientFor, signInAs, startTestServer, type TestServer } from "./app.ts";
import { makeWorld, saveByDiscount } from "./cases.ts";

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer();
  admin = await clientFor(server, "admin");
});
afterAll(() => server?.close());

const DAY = 86_400_000;

/** Signed in afresh: moving the clock by days ends the sessions signed in before. */
const fresh = () => signInAs(server.app, admin.user!);

async function subscription(id: string) {
  return (await (await fresh()).request({ method: "GET", url: `/api/subscriptions/${id}` })).json();
}

describe("subscription dates", () => {
  it("a scheduled cancellation takes effect at its date, once, and cannot be undone after", async () => {
    const world = await makeWorld(server);
    const cancelAt = new Date(server.clock.now.getTime() + 2 * DAY);
    await server.handle.db
      .updateTable("subscriptions")
      .set({ status: "cancellation_scheduled", cancel_at: cancelAt })
      .where("id", "=", world.subscriptionId)
      .execute();
    expect((await runTimers(server.ctx)).subscriptionsChanged).toBe(0);
    const before = await subscription(world.subscriptionId);
    expect(before.status).toBe("cancellation_scheduled");

    server.clock.advance(3 * DAY);
    try {
      const late = await (await fresh()).request({
        method: "POST",
        url: `/api/subscriptions/${world.subscriptionId}/reactivate`,
      });
      expect(late.statusCode, late.body).toBe(409);
      expect(late.json().code).toBe("CANCELLATION_IN_EFFECT");

      expect((await runTimers(server.ctx)).subscriptionsChanged).toBeGreaterThanOrEqual(1);
      const after = await subscription(world.subscriptionId);
      expect(after).toMatchObject({
        status: "cancelled",
        cancelledAt: cancelAt.toISOString(),
        version: before.version + 1,
      });
      await runTimers(server.ctx);
      expect((await subscription(world.subscriptionId)).version).toBe(after.version);
      const effects = await server.handle.db
        .selectFrom("subscription_effects")
        .select("kind")
        .where("subscription_id", "=", world.subscriptionId)
        .execute();
      expect(effects).toEqual([{ kind: "cancellation_took_effect" }]);
    } finally {
      server.clock.advance(-3 * DAY);
    }
  });

  it("a pause ends at its date and the subscription is active again", async () => {
    const world = await makeWorld(server);
    await server.handle.db
      .updateTable("subscriptions")
      .set({ status: "paused", paused_until: new Date(server.clock.now.getTime() + DAY) })
      .where("id", "=", world.subscriptionId)
      .execute();
    await runTimers(server.ctx);
    expect(await subscription(world.subscriptionId)).toMatchObject({
      status: "paused",
      pausedUntil: new Date(server.clock.now.getTime() + DAY).toISOString(),
    });
    server.clock.advance(2 * DAY);
    try {
      await runTimers(server.ctx);
      expect(await subscription(world.subscriptionId)).toMatchObject({
        status: "active",
        pausedUntil: null,
      });
    } finally {
      server.clock.advance(-2 * DAY);
    }
  });

  it("a discount a customer accepted shows on the subscription with its end, and not after it", async () => {
    const world = await makeWorld(server);
    const accepted = new Date(server.clock.now);
    await saveByDiscount(server, world); // 20% off for 3 months, accepted through the offer link
    const endsAt = new Date(accepted);
    endsAt.setUTCMonth(endsAt.getUTCMonth() + 3);
    const discount = { percent: 20, endsAt: endsAt.toISOString(), monthlyValueMinor: 39_920 };

    // The subscription, the account's list of them, and an admin's change all answer it.
    const one = await subscription(world.subscriptionId);
    expect(one).toMatchObject({ status: "active", monthlyValueMinor: 49_900, discount });
    const list = await world.am.request({
      method: "GET",
      url: `/api/subscriptions?accountId=${world.accountId}`,
    });
    expect(list.json().items).toEqual([expect.objectContaining({ discount })]);
    const changed = await (await fresh()).request({
      method: "PATCH",
      url: `/api/subscriptions/${world.subscriptionId}`,
      payload: {
        externalRef: `SUB-${world.subscriptionId.slice(0, 8)}`,
        expectedVersion: one.version,
      },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().discount).toEqual(discount);

    server.clock.advance(endsAt.getTime() - accepted.getTime());
    try {
      // The ledger keeps the ended discount's columns; the answer no longer calls it current.
      expect(await subscription(world.subscriptionId)).toMatchObject({
        monthlyValueMinor: 49_900,
        discount: null,
      });
    } finally {
      server.clock.advance(accepted.getTime() - endsAt.getTime());
    }
  });
});
