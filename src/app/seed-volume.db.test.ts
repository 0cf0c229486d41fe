// The volume seed: every outcome and open state it promises, audit chains that verify, cases whose
// row agrees with their own log, subscriptions the ledger would have left that way, and queues
// and search that find them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/db.ts";
import type { DatabaseHandle } from "../db/database.ts";
import { verifyAuditLog } from "../db/repositories/audit.repository.ts";
import { listCases } from "../db/repositories/cases.repository.ts";
import type { Case, CaseState } from "../domain/case.ts";
import { seededRandom } from "./seed-demo.ts";
import { type SeedVolumeResult, seedVolume } from "./seed-volume.ts";

const NOW = new Date("2026-11-24T09:00:00Z");
const CASES = 300;

let handle: DatabaseHandle;
let seeded: SeedVolumeResult;
// Closed history over two years, plus open cases: the same seeder over the last two weeks only.
beforeAll(async () => {
  handle = await createTestDatabase();
  seeded = await seedVolume(handle.db, {
    cases: CASES,
    now: NOW,
    random: seededRandom(11),
    accountsPerRound: 40,
  });
  const recent = await seedVolume(handle.db, {
    cases: 120,
    now: NOW,
    spanDays: 12,
    random: seededRandom(12),
  });
  seeded = {
    ...seeded,
    cases: seeded.cases + recent.cases,
    events: seeded.events + recent.events,
    openByState: recent.openByState,
  };
}, 120_000);
afterAll(() => handle?.close());

interface Row {
  id: string;
  state: string;
  outcome: string | null;
  version: number;
  form_status: string;
  sla_due_at: Date | null;
  closed_at: Date | null;
  data: Case;
  subscription_id: string;
}

async function allCases(): Promise<Row[]> {
  return (await handle.db
    .selectFrom("cases")
    .select([
      "id",
      "state",
      "outcome",
      "version",
      "form_status",
      "sla_due_at",
      "closed_at",
      "data",
      "subscription_id",
    ])
    .execute()) as Row[];
}

type LoggedEvent = { type: string; case_version: number; body: Record<string, unknown> };

async function eventsByCase(): Promise<Map<string, LoggedEvent[]>> {
  const rows = await handle.db
    .selectFrom("case_events")
    .select(["case_id", "type", "case_version", "body"])
    .orderBy("case_id")
    .orderBy("seq")
    .execute();
  const byCase = new Map<string, LoggedEvent[]>();
  for (const row of rows) {
    const list = byCase.get(row.case_id) ?? [];
    list.push(row as LoggedEvent);
    byCase.set(row.case_id, list);
  }
  return byCase;
}

describe("seedVolume", () => {
  it("writes the cases and entries it reports, with every outcome and both kinds of save", async () => {
    const cases = await allCases();
    expect(cases).toHaveLength(seeded.cases);
    const entries = await handle.db
      .selectFrom("case_events")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(entries.n)).toBe(seeded.events);

    const closed = cases.filter((c) => c.state === "closed");
    const byOutcome = (o: string) => closed.filter((c) => c.outcome === o).length;
    // Proportions as designed: cancellations lead, then saves, withdrawals, failed verifications.
    expect(byOutcome("cancelled")).toBeGreaterThan(closed.length * 0.25);
    expect(byOutcome("retained")).toBeGreaterThan(closed.length * 0.15);
    expect(byOutcome("withdrawn")).toBeGreaterThan(closed.length * 0.05);
    expect(byOutcome("unverified")).toBeGreaterThan(0);
    const modes = new Set(closed.map((c) => c.data.processing?.mode).filter(Boolean));
    expect(modes).toEqual(new Set(["end_of_term", "immediately"]));
    const savedByCsm = closed.filter((c) => c.data.escalation?.outcome === "retained");
    const savedByAm = closed.filter(
      (c) => c.outcome === "retained" && c.data.escalation?.outcome !== "retained",
    );
    expect(savedByCsm.length).toBeGreaterThan(0);
    expect(savedByAm.length).toBeGreaterThan(0);
  });

  it("leaves recent cases open at many steps, with CSM deadlines in the SLA queues", async () => {
    const open = (await allCases()).filter((c) => c.state !== "closed");
    const states = new Set(open.map((c) => c.state as CaseState));
    expect(open.length, JSON.stringify(seeded.openByState)).toBeGreaterThan(10);
    // Short steps (intake takes minutes) show up at volume; a few hundred cases show most.
    expect(states.size, JSON.stringify(seeded.openByState)).toBeGreaterThanOrEqual(5);
    for (const state of ["retention", "escalated", "feedback"] as const) {
      expect([...states], JSON.stringify(seeded.openByState)).toContain(state);
    }
    expect(open.every((c) => c.outcome === null && c.closed_at === null)).toBe(true);
    // Waiting for the CSM to engage: the engagement due time is set; once engaged it is not.
    const escalated = open.filter((c) => c.state === "escalated" && !c.data.escalation?.outcome);
    const waiting = escalated.filter((c) => !c.data.escalation?.engagedAt);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((c) => c.sla_due_at !== null)).toBe(true);
    expect(
      escalated.filter((c) => c.data.escalation?.engagedAt).every((c) => c.sla_due_at === null),
    ).toBe(true);
  });

  it("chains every case's audit entries so that audit verify passes", async () => {
    const report = await verifyAuditLog(handle.db);
    expect(report.cases).toBe(seeded.cases);
    expect(report.entries).toBe(seeded.events);
    expect(report.breaks).toEqual([]);
  });

  it("stores each case as its own log tells it", async () => {
    const events = await eventsByCase();
    for (const c of await allCases()) {
      const log = events.get(c.id) ?? [];
      const changes = log.filter((e) => e.type !== "subscription_reactivated");
      expect(log[0]?.type).toBe("case_opened");
      // The row is at the version of its last change, and its JSON is that case.
      expect(changes.at(-1)?.case_version).toBe(c.version);
      expect(c.data.version).toBe(c.version);
      expect(c.data.state).toBe(c.state);
      const closing = log.find((e) => e.type === "case_closed");
      if (c.state === "closed") {
        expect(closing?.body.outcome).toBe(c.outcome);
        expect(closing?.body.documentation).toEqual(c.data.documentation);
        if (c.outcome === "cancelled") {
          expect(log.map((e) => e.type)).toEqual(
            expect.arrayContaining([
              "identity_verified",
              "form_submitted",
              "escalated_to_csm",
              "csm_outcome_recorded",
              "cancellation_processed",
              "confirmation_recorded",
              "feedback_requested",
            ]),
          );
        }
        if (c.outcome === "retained") expect(log.map((e) => e.type)).toContain("offer_accepted");
        if (c.outcome === "withdrawn") expect(log.map((e) => e.type)).toContain("case_withdrawn");
        if (c.outcome === "unverified") {
          expect(log.filter((e) => e.type === "identity_verification_failed")).toHaveLength(3);
        }
      } else {
        expect(closing).toBeUndefined();
        // Replaying the steps that move a case gives the state the row holds.
        let state: string = "intake";
        for (const e of log) {
          if (e.type === "identity_verified") state = "form";
          if (e.type === "form_sent") state = "retention";
          if (e.type === "escalated_to_csm") state = "escalated";
          if (e.type === "csm_outcome_recorded") state = "finalizing";
          if (e.type === "cancellation_processed") state = "cancelled";
          if (e.type === "feedback_requested") state = "feedback";
        }
        expect(state).toBe(c.state);
        expect(c.form_status).toBe(
          log.some((e) => e.type === "form_submitted")
            ? "submitted"
            : log.some((e) => e.type === "form_sent")
              ? "sent"
              : "not_sent",
        );
      }
    }
  });

  it("applies saves and cancellations to the subscriptions as the ledger does", async () => {
    const effects = await handle.db.selectFrom("subscription_effects").selectAll().execute();
    const subscriptions = new Map(
      (await handle.db.selectFrom("subscriptions").selectAll().execute()).map((s) => [s.id, s]),
    );
    const events = await eventsByCase();
    for (const c of await allCases()) {
      const mine = effects.filter((e) => e.case_id === c.id);
      const log = events.get(c.id) ?? [];
      if (c.outcome === "retained") {
        expect(mine.map((e) => e.kind)).toEqual([`offer_${c.data.offers.at(-1)?.kind}`]);
      }
      if (c.data.processing) {
        expect(mine.map((e) => e.kind)).toContain(`cancel_${c.data.processing.mode}`);
        const reactivated = log.some((e) => e.type === "subscription_reactivated");
        const sub = subscriptions.get(c.subscription_id)!;
        if (c.data.processing.mode === "immediately") expect(sub.status).toBe("cancelled");
        else if (!reactivated) {
          const due = Date.parse(c.data.processing.effectiveAt) <= NOW.getTime();
          expect(sub.status).toBe(due ? "cancelled" : "cancellation_scheduled");
        }
      }
    }
    // Some saves did not hold: the same subscription came back and was cancelled within 30 days.
    const cases = (await allCases()).sort((a, b) => a.data.openedAt.localeCompare(b.data.openedAt));
    const lost = cases.filter((c, i) =>
      cases.some(
        (later, j) =>
          j > i &&
          c.outcome === "retained" &&
          later.subscription_id === c.subscription_id &&
          later.outcome === "cancelled" &&
          Date.parse(later.data.openedAt) - Date.parse(c.data.closedAt!) < 30 * 86_400_000,
      ),
    );
    expect(lost.length).toBeGreaterThan(0);
  });

  it("shows the cases in the queues and finds them by reference, account and contact", async () => {
    const base = { now: NOW };
    const all = await listCases(handle.db, { ...base, queue: "all", userId: null }, { limit: 50 });
    expect(all.items).toHaveLength(50);
    expect(all.nextCursor).not.toBeNull();

    const someone = all.items[0]!.case;
    // An AM's own queue holds their open cases.
    const open = (
      await listCases(
        handle.db,
        { ...base, queue: "all", userId: null, status: "open" },
        { limit: 1 },
      )
    ).items[0]!.case;
    const mine = await listCases(
      handle.db,
      { ...base, queue: "mine", userId: open.assignedAmId },
      { limit: 200 },
    );
    expect(mine.items.map((i) => i.case.id)).toContain(open.id);
    expect(
      mine.items.every(
        (i) =>
          (i.case.assignedAmId === open.assignedAmId ||
            i.case.assignedCsmId === open.assignedAmId) &&
          i.case.closedAt === null,
      ),
    ).toBe(true);

    const byReference = await listCases(
      handle.db,
      { ...base, queue: "all", userId: null, q: someone.reference },
      { limit: 50 },
    );
    expect(byReference.items.map((i) => i.case.id)).toEqual([someone.id]);

    const account = all.items[0]!.accountName;
    const byAccount = await listCases(
      handle.db,
      { ...base, queue: "all", userId: null, q: account.toUpperCase() },
      { limit: 200 },
    );
    expect(byAccount.items.map((i) => i.case.id)).toContain(someone.id);
    expect(
      byAccount.items.every((i) => i.accountName === account || i.accountName.includes(account)),
    ).toBe(true);

    const contact = await handle.db
      .selectFrom("contacts")
      .select("email")
      .where("id", "=", someone.requesterContactId)
      .executeTakeFirstOrThrow();
    const byEmail = await listCases(
      handle.db,
      { ...base, queue: "all", userId: null, q: contact.email! },
      { limit: 200 },
    );
    expect(byEmail.items.map((i) => i.case.id)).toContain(someone.id);
  });
});
