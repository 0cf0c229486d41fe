// The demo data: the staff and plans the README promises, about 200 accounts each with an owner
// who may cancel, records that pass the API's own rules, and the same data on every run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/db.ts";
import type { DatabaseHandle } from "../db/database.ts";
import { mayRequestCancellation } from "../domain/customer.ts";
import { contactCreateInput, subscriptionCreateInput } from "./inputs.ts";
import { verifyPassword } from "./secrets.ts";
import { DEMO_PASSWORD, seedDemo } from "./seed-demo.ts";

const NOW = new Date("2026-11-24T09:00:00Z");

let handle: DatabaseHandle;
let signIns: Awaited<ReturnType<typeof seedDemo>>["signIns"];
beforeAll(async () => {
  handle = await createTestDatabase();
  ({ signIns } = await seedDemo(handle.db, { now: NOW }));
});
afterAll(() => handle?.close());

/** Everything seeded, in a fixed order and without generated ids, hashes or timestamps. */
async function snapshot(db: DatabaseHandle["db"]) {
  const accounts = await db
    .selectFrom("accounts")
    .leftJoin("users as am", "am.id", "accounts.account_manager_id")
    .leftJoin("users as csm", "csm.id", "accounts.csm_id")
    .select([
      "accounts.external_ref",
      "accounts.name",
      "accounts.country",
      "accounts.segment",
      "am.email as am",
      "csm.email as csm",
    ])
    .orderBy("accounts.external_ref")
    .execute();
  const contacts = await db
    .selectFrom("contacts")
    .select([
      "external_ref",
      "name",
      "email",
      "phone",
      "role",
      "authorised_to_cancel",
      "preferred_channel",
    ])
    .orderBy("external_ref")
    .execute();
  const subscriptions = await db
    .selectFrom("subscriptions")
    .innerJoin("plans", "plans.id", "subscriptions.plan_id")
    .select([
      "subscriptions.external_ref",
      "plans.code",
      "subscriptions.seats",
      "subscriptions.monthly_value_minor",
      "subscriptions.status",
      "subscriptions.current_period_start",
      "subscriptions.cancel_at",
      "subscriptions.cancelled_at",
    ])
    .orderBy("subscriptions.external_ref")
    .execute();
  return { accounts, contacts, subscriptions };
}

describe("seedDemo", () => {
  it("creates 4 account managers, 2 CSMs and 1 admin who sign in with the demo password", async () => {
    const users = await handle.db
      .selectFrom("users")
      .select(["email", "role", "password_hash"])
      .execute();
    expect(users.map((u) => u.role).sort()).toEqual([
      "account_manager",
      "account_manager",
      "account_manager",
      "account_manager",
      "admin",
      "csm",
      "csm",
    ]);
    expect(signIns).toHaveLength(7);
    expect(signIns[0]).toEqual({
      role: "admin",
      email: "alex.morgan@wootrecruit.example",
      name: "Alex Morgan",
      password: DEMO_PASSWORD,
    });
    const admin = users.find((u) => u.email === "alex.morgan@wootrecruit.example")!;
    expect(await verifyPassword(DEMO_PASSWORD, admin.password_hash)).toBe(true);
  });

  it("creates about 200 accounts, each with an AM, a CSM and an owner authorised to cancel", async () => {
    const { accounts, contacts } = await snapshot(handle.db);
    expect(accounts).toHaveLength(200);
    expect(new Set(accounts.map((a) => a.name)).size).toBe(200);
    expect(new Set(accounts.map((a) => a.segment))).toEqual(
      new Set(["smb", "mid_market", "enterprise"]),
    );
    for (const account of accounts) {
      expect(account.am).toMatch(/@wootrecruit\.example$/);
      expect(account.csm).toMatch(/@wootrecruit\.example$/);
      const own = contacts.filter((c) =>
        c.external_ref!.startsWith(`WR-C-${account.external_ref!.slice(5)}-`),
      );
      expect(own.length).toBeGreaterThanOrEqual(1);
      expect(own.length).toBeLessThanOrEqual(4);
      expect(
        own.some((c) =>
          mayRequestCancellation({ role: c.role, authorisedToCancel: c.authorised_to_cancel }),
        ),
      ).toBe(true);
    }
  });

  it("creates contacts and subscriptions that pass the API's own rules", async () => {
    const stored = await handle.db.selectFrom("contacts").selectAll().execute();
    for (const c of stored) {
      const parsed = contactCreateInput.safeParse({
        accountId: c.account_id,
        name: c.name,
        externalRef: c.external_ref,
        email: c.email,
        phone: c.phone,
        role: c.role,
        authorisedToCancel: c.authorised_to_cancel,
        preferredChannel: c.preferred_channel,
      });
      expect(parsed.error?.issues ?? [], c.external_ref!).toEqual([]);
    }
    const subscriptions = await handle.db.selectFrom("subscriptions").selectAll().execute();
    expect(subscriptions.length).toBeGreaterThanOrEqual(200);
    expect(subscriptions.length).toBeLessThan(260);
    for (const s of subscriptions) {
      const parsed = subscriptionCreateInput.safeParse({
        accountId: s.account_id,
        planId: s.plan_id,
        externalRef: s.external_ref,
        seats: s.seats,
        monthlyValueMinor: Number(s.monthly_value_minor),
        currency: s.currency,
        status: s.status,
        currentPeriodStart: s.current_period_start,
        currentPeriodEnd: s.current_period_end,
        cancelAt: s.cancel_at,
        cancelledAt: s.cancelled_at,
      });
      expect(parsed.error?.issues ?? [], s.external_ref!).toEqual([]);
      if (s.status === "cancellation_scheduled")
        expect(s.cancel_at!.getTime()).toBeGreaterThan(NOW.getTime());
      if (s.status === "cancelled")
        expect(s.cancelled_at!.getTime()).toBeLessThanOrEqual(NOW.getTime());
      else expect(s.current_period_end.getTime()).toBeGreaterThan(NOW.getTime());
    }
    const statuses = new Set(subscriptions.map((s) => s.status));
    expect(statuses).toEqual(new Set(["active", "paused", "cancellation_scheduled", "cancelled"]));
    const plans = await handle.db
      .selectFrom("plans")
      .select(["code", "currency"])
      .orderBy("code")
      .execute();
    expect(plans).toEqual(
      ["enterprise", "growth", "scale", "starter"].map((code) => ({ code, currency: "USD" })),
    );
  });

  it("makes the same data on every run", async () => {
    const again = await createTestDatabase();
    try {
      await seedDemo(again.db, { now: NOW });
      expect(await snapshot(again.db)).toEqual(await snapshot(handle.db));
    } finally {
      await again.close();
    }
  });
});

describe("the first start's demo data", () => {
  it("is seeded once when servers start together on an empty database", async () => {
    const empty = await createTestDatabase();
    try {
      const [a, b] = await Promise.all([
        seedDemo(empty.db, { now: NOW, onlyIfEmpty: true }),
        seedDemo(empty.db, { now: NOW, onlyIfEmpty: true }),
      ]);
      expect([a.signIns.length, b.signIns.length].sort()).toEqual([0, 7]);
      const users = await empty.db.selectFrom("users").select("email").execute();
      expect(users).toHaveLength(7);
      // A database with users is not seeded on a later start.
      expect((await seedDemo(empty.db, { now: NOW, onlyIfEmpty: true })).signIns).toEqual([]);
    } finally {
      await empty.close();
    }
  });
});
