// The demo data: the staff and plans the README promises, about 200 accounts each with an owner
// who may cancel, records that pass the API's own rules, sample cases at every state a desk shows
// (made through the use cases, so their audit chains verify), and the same data on every run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/db.ts";
import type { DatabaseHandle } from "../db/database.ts";
import { verifyAuditLog } from "../db/repositories/audit.repository.ts";
import { mayRequestCancellation } from "../domain/customer.ts";
import { subscriptionLedger } from "../integrations/billing/subscription-ledger.ts";
import { getOverview, resolvePeriod } from "./analytics.ts";
import { contactCreateInput, subscriptionCreateInput } from "./inputs.ts";
import { verifyPassword } from "./secrets.ts";
import { DEMO_PASSWORD, seedDemo } from "./seed-demo.ts";
import { DEMO_CASES } from "./seed-demo-cases.ts";

const NOW = new Date("2026-11-24T09:00:00Z");
const SECRET = "demo-seed-test-secret-that-is-long-enough-0123";
const OPTIONS = { now: NOW, sessionSecret: SECRET, publicUrl: "http://localhost:3000" };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let handle: DatabaseHandle;
let signIns: Awaited<ReturnType<typeof seedDemo>>["signIns"];
beforeAll(async () => {
  handle = await createTestDatabase();
  ({ signIns } = await seedDemo(handle.db, OPTIONS));
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
  const cases = await db
    .selectFrom("cases")
    .innerJoin("accounts", "accounts.id", "cases.account_id")
    .select([
      "accounts.external_ref",
      "cases.state",
      "cases.outcome",
      "cases.form_status",
      "cases.opened_at",
      "cases.closed_at",
      "cases.sla_due_at",
    ])
    .orderBy("cases.opened_at")
    .execute();
  return { accounts, contacts, subscriptions, cases };
}

async function casesOf(db: DatabaseHandle["db"]) {
  return db
    .selectFrom("cases")
    .select([
      "id",
      "reference",
      "state",
      "outcome",
      "form_status",
      "account_id",
      "assigned_am_id",
      "assigned_csm_id",
      "opened_at",
      "sla_due_at",
    ])
    .execute();
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
      await seedDemo(again.db, OPTIONS);
      expect(await snapshot(again.db)).toEqual(await snapshot(handle.db));
    } finally {
      await again.close();
    }
  });
});

describe("the demo's sample cases", () => {
  it("stand at every state a desk shows, over the demo's staff and accounts", async () => {
    const cases = await casesOf(handle.db);
    // The state, the outcome once closed, and the form's own status beside them.
    const where = (c: { state: string; outcome: string | null; formStatus: string }) =>
      `${c.state}${c.outcome ? `:${c.outcome}` : ""} (form ${c.formStatus})`;
    const stored = cases.map((c) => where({ ...c, formStatus: c.form_status })).sort();
    expect(stored).toEqual(
      [
        "intake (form not_sent)",
        // Waiting for the customer's form: step 2 is done once it is sent.
        "retention (form sent)",
        // An offer presented, waiting for the customer's answer.
        "retention (form submitted)",
        "escalated (form submitted)",
        "finalizing (form submitted)",
        "feedback (form submitted)",
        "closed:cancelled (form submitted)",
        "closed:cancelled (form submitted)",
        "closed:retained (form submitted)",
        "closed:retained (form submitted)",
        "closed:withdrawn (form sent)",
      ].sort(),
    );
    expect(DEMO_CASES.map(where).sort()).toEqual(stored);
    expect(new Set(cases.map((c) => c.account_id)).size).toBe(cases.length);
    const ams = await handle.db
      .selectFrom("users")
      .select("id")
      .where("role", "=", "account_manager")
      .execute();
    expect(new Set(cases.map((c) => c.assigned_am_id))).toEqual(new Set(ams.map((u) => u.id)));
    // Every AM signing in finds open cases of their own.
    for (const am of ams) {
      const open = cases.filter((c) => c.assigned_am_id === am.id && c.state !== "closed");
      expect(open.length).toBeGreaterThanOrEqual(1);
    }
    // References rise with the time a case was opened, as on a real desk.
    const byOpening = [...cases].sort((a, b) => a.opened_at.getTime() - b.opened_at.getTime());
    expect(byOpening.map((c) => c.reference)).toEqual(cases.map((c) => c.reference).sort());
    // Some were opened weeks ago, so the analytics show more than this week.
    const ages = cases.map((c) => (NOW.getTime() - c.opened_at.getTime()) / DAY);
    expect(Math.max(...ages)).toBeGreaterThan(28);
    expect(Math.min(...ages)).toBeLessThan(1);
    for (const age of ages) expect(age).toBeGreaterThan(0);
  });

  it("include an escalation to the account's CSM at risk of its SLA", async () => {
    const [escalated] = (await casesOf(handle.db)).filter((c) => c.state === "escalated");
    const account = await handle.db
      .selectFrom("accounts")
      .select("csm_id")
      .where("id", "=", escalated!.account_id)
      .executeTakeFirstOrThrow();
    expect(escalated!.assigned_csm_id).toBe(account.csm_id);
    // The default policy: due in 24 hours, at risk in the last 4.
    const left = (escalated!.sla_due_at!.getTime() - NOW.getTime()) / HOUR;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(4);
  });

  it("have audit chains that verify", async () => {
    const report = await verifyAuditLog(handle.db);
    expect(report.cases).toBe(DEMO_CASES.length);
    expect(report.entries).toBeGreaterThan(DEMO_CASES.length * 3);
    expect(report.brokenCases).toBe(0);
    expect(report.breaks).toEqual([]);
  });

  it("left no message to send at start: each went to the dev mailbox when it was queued", async () => {
    const messages = await handle.db
      .selectFrom("outbox")
      .select(["status", "channel", "created_at"])
      .execute();
    expect(messages.length).toBeGreaterThan(DEMO_CASES.length);
    // Delivered, not skipped: each was sent before the customer used its code or link.
    expect(messages.filter((m) => m.status !== "sent")).toEqual([]);
    const mail = await handle.db
      .selectFrom("dev_mailbox")
      .select(["recipient", "created_at"])
      .execute();
    // Customers' email and staff notifications; no webhook endpoint exists in the demo.
    expect(mail.length).toBe(messages.filter((m) => m.channel !== "webhook").length);
    for (const m of mail) {
      expect(m.recipient).toMatch(/@[a-z0-9]+\.example>?$/);
      expect(m.created_at.getTime()).toBeLessThan(NOW.getTime());
    }
  });

  it("are counted by the analytics overview", async () => {
    const ctx = {
      db: handle.db,
      now: () => NOW,
      sessionSecret: SECRET,
      billing: subscriptionLedger,
    };
    const overview = await getOverview(ctx, resolvePeriod({ bucket: "week" }, NOW));
    expect(overview.totals).toMatchObject({
      requests: 11,
      closed: 5,
      retained: 2,
      cancelled: 2,
      withdrawn: 1,
      saveRate: 0.5,
      // The training session's save of 44 days ago held for 30 days; the CSM's pause is pending.
      validated: 1,
      pending: 1,
    });
    // Spread over several weeks: a trend, not one bar.
    expect(overview.series.filter((s) => s.requests > 0).length).toBeGreaterThanOrEqual(4);
  });
});

describe("the first start's demo data", () => {
  it("is seeded once when servers start together on an empty database", async () => {
    const empty = await createTestDatabase();
    try {
      const [a, b] = await Promise.all([
        seedDemo(empty.db, { ...OPTIONS, onlyIfEmpty: true }),
        seedDemo(empty.db, { ...OPTIONS, onlyIfEmpty: true }),
      ]);
      expect([a.signIns.length, b.signIns.length].sort()).toEqual([0, 7]);
      const users = await empty.db.selectFrom("users").select("email").execute();
      expect(users).toHaveLength(7);
      expect(await casesOf(empty.db)).toHaveLength(DEMO_CASES.length);
      // A database with users is not seeded on a later start: no staff, no cases added.
      expect((await seedDemo(empty.db, { ...OPTIONS, onlyIfEmpty: true })).signIns).toEqual([]);
      expect(await empty.db.selectFrom("users").select("email").execute()).toHaveLength(7);
      expect(await casesOf(empty.db)).toHaveLength(DEMO_CASES.length);
    } finally {
      await empty.close();
    }
  });

  it("leaves the sample cases out when asked (a server on PostgreSQL is not alone)", async () => {
    const empty = await createTestDatabase();
    try {
      const { signIns } = await seedDemo(empty.db, { ...OPTIONS, sampleCases: false });
      expect(signIns).toHaveLength(7);
      expect(await casesOf(empty.db)).toEqual([]);
      expect(await empty.db.selectFrom("outbox").select("id").execute()).toEqual([]);
    } finally {
      await empty.close();
    }
  });
});
