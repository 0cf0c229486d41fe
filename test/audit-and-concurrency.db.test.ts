// The audit log is append-only and its chain shows tampering; two people acting on one case at
// once cannot break it: one wins, the other is told, and every effect happens once.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCaseCommand } from "../src/app/run-case-command.ts";
import { verifyAuditLog } from "../src/db/repositories/audit.repository.ts";
import { startTestServer, type TestServer } from "./app.ts";
import {
  act,
  FORM_ANSWERS,
  makeWorld,
  openCaseFor,
  openWithFormSent,
  sentCode,
  sentLink,
  submitFormAsCustomer,
  type World,
} from "./cases.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function readyToProcess(world: World) {
  const c = await openWithFormSent(server, world);
  await submitFormAsCustomer(server, c.id, {
    reasonCode: "unused",
    details: "",
    requestedEffective: "immediately",
  });
  await act(world.am, c.id, "reason", { reasonCode: "unused", notes: "Not hiring." });
  await act(world.am, c.id, "no-suitable-offer", { reason: "Company is winding down." });
  await act(world.am, c.id, "escalate");
  await act(world.csm, c.id, "csm/outcome", { outcome: "proceed", notes: "Proceed." });
  return c;
}

describe("the audit log", () => {
  it("refuses UPDATE and DELETE in the database itself", async () => {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    await expect(
      sql`update case_events set type = 'x' where case_id = ${c.id}`.execute(server.handle.db),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`delete from case_events where case_id = ${c.id}`.execute(server.handle.db),
    ).rejects.toThrow(/append-only/);
  });

  it("verifies intact chains and finds an edited entry", async () => {
    const world = await makeWorld(server);
    const c = await readyToProcess(world);
    const before = await verifyAuditLog(server.handle.db);
    expect(before.breaks).toEqual([]);
    expect(before.entries).toBeGreaterThan(8);

    // Someone with the database owner's rights switches the guard off and rewrites history.
    await sql`alter table case_events disable trigger case_events_no_update`.execute(
      server.handle.db,
    );
    await sql`update case_events set body = jsonb_set(body, '{notes}', '"Proceed happily."') where case_id = ${c.id} and type = 'csm_outcome_recorded'`.execute(
      server.handle.db,
    );
    await sql`alter table case_events enable trigger case_events_no_update`.execute(
      server.handle.db,
    );

    const after = await verifyAuditLog(server.handle.db);
    const seq = await server.handle.db
      .selectFrom("case_events")
      .select("seq")
      .where("case_id", "=", c.id)
      .where("type", "=", "csm_outcome_recorded")
      .executeTakeFirstOrThrow();
    expect(after.breaks).toEqual([
      {
        caseId: c.id,
        reference: c.reference,
        seq: seq.seq,
        problem: expect.stringContaining("edited"),
      },
    ]);
  });
});

describe("acting at once", () => {
  it("twelve people with the same version: one note is written, eleven are told the case changed", async () => {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        world.am.request({
          method: "POST",
          url: `/api/cases/${c.id}/notes`,
          payload: { text: `note ${i}`, expectedVersion: c.version },
        }),
      ),
    );
    const codes = answers.map((a) => a.statusCode).sort();
    expect(codes.filter((s) => s === 200)).toHaveLength(1);
    expect(
      answers.filter((a) => a.statusCode === 409).every((a) => a.json().code === "CASE_CHANGED"),
    ).toBe(true);
    const view = await world.am.request({ method: "GET", url: `/api/cases/${c.id}` });
    expect(view.json().case.notes).toHaveLength(1);
  });

  it("a doubled 'process' click cancels the subscription once", async () => {
    const world = await makeWorld(server);
    const c = await readyToProcess(world);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        world.am.request({ method: "POST", url: `/api/cases/${c.id}/process`, payload: {} }),
      ),
    );
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409)).toHaveLength(9);
    const effects = await server.handle.db
      .selectFrom("subscription_effects")
      .selectAll()
      .where("subscription_id", "=", world.subscriptionId)
      .execute();
    expect(effects.map((e) => e.kind)).toEqual(["cancel_immediately"]);
    const processed = await server.handle.db
      .selectFrom("case_events")
      .select("seq")
      .where("case_id", "=", c.id)
      .where("type", "=", "cancellation_processed")
      .execute();
    expect(processed).toHaveLength(1);
    expect((await verifyAuditLog(server.handle.db, { caseId: c.id })).breaks).toEqual([]);
  });

  it("parallel requests to open a case on one subscription open exactly one", async () => {
    const world = await makeWorld(server);
    const payload = {
      accountId: world.accountId,
      subscriptionId: world.subscriptionId,
      requesterContactId: world.contactId,
      channel: "email",
    };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        world.am.request({ method: "POST", url: "/api/cases", payload }),
      ),
    );
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    expect(
      answers
        .filter((a) => a.statusCode === 409)
        .every((a) => a.json().code === "CASE_ALREADY_OPEN"),
    ).toBe(true);
  });

  it("many cases worked in parallel keep every chain intact and every message queued once", async () => {
    const worlds = await Promise.all(Array.from({ length: 4 }, () => makeWorld(server)));
    const cases = await Promise.all(worlds.map((w) => openCaseFor(w)));
    await Promise.all(
      cases.flatMap((c, i) =>
        Array.from({ length: 5 }, (_, n) =>
          act(worlds[i]!.am, c.id, "notes", { text: `parallel note ${n}` }),
        ),
      ),
    );
    for (const c of cases) {
      const report = await verifyAuditLog(server.handle.db, { caseId: c.id });
      expect(report).toMatchObject({ entries: 6, breaks: [] });
    }
    const dupes = await sql<{
      n: string;
    }>`select count(*)::text as n from (select dedupe_key from outbox group by dedupe_key having count(*) > 1) d`.execute(
      server.handle.db,
    );
    expect(dupes.rows[0]!.n).toBe("0");
  });

  it("one form link submitted twice at once counts once; the other is told the link was used", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const token = await sentLink(server, c.id, "form_link");
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        server.app.inject({
          method: "POST",
          url: `/api/public/links/${token}/form`,
          payload: { ...FORM_ANSWERS, details: `attempt ${n}` },
        }),
      ),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
    for (const a of answers.filter((x) => x.statusCode === 409)) {
      expect(a.json().code).toBe("LINK_USED");
    }
    const submitted = await server.handle.db
      .selectFrom("case_events")
      .select("seq")
      .where("case_id", "=", c.id)
      .where("type", "=", "form_submitted")
      .execute();
    expect(submitted).toHaveLength(1);
  });

  it("codes read back at once: the right one verifies once, and every wrong one counts once", async () => {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    await act(world.am, c.id, "identity/send-code");
    const code = await sentCode(server, { caseId: c.id });
    const wrong = code === "000000" ? "111111" : "000000";
    // Two wrong codes and the right one, twice each, all at the same time.
    const answers = await Promise.all(
      [wrong, code, wrong, code].map((given) =>
        world.am.request({
          method: "POST",
          url: `/api/cases/${c.id}/identity/confirm-code`,
          payload: { code: given },
        }),
      ),
    );
    const view = (await world.am.request({ method: "GET", url: `/api/cases/${c.id}` })).json();
    expect(view.case.identity.verifiedAt).not.toBeNull();
    const events = await server.handle.db
      .selectFrom("case_events")
      .select("type")
      .where("case_id", "=", c.id)
      .where("type", "in", ["identity_verified", "identity_verification_failed"])
      .execute();
    expect(events.filter((e) => e.type === "identity_verified")).toHaveLength(1);
    // The code row counts exactly the checks that were written with a decision: the verifying
    // one and each wrong code decided before it.
    const row = await server.handle.db
      .selectFrom("identity_codes")
      .select(["attempts", "used_at"])
      .where("case_id", "=", c.id)
      .executeTakeFirstOrThrow();
    expect(row.used_at).not.toBeNull();
    expect(row.attempts).toBe(1 + events.filter((e) => e.type !== "identity_verified").length);
    // The second right code finds the case verified and the code used: refused, nothing written.
    expect(answers.map((a) => a.statusCode).filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(answers.some((a) => a.statusCode === 409)).toBe(true);
    expect((await verifyAuditLog(server.handle.db, { caseId: c.id })).breaks).toEqual([]);
  });

  it("after three collisions the command waits for the lock, and a refusal there still counts the code's attempt", async () => {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    await act(world.am, c.id, "identity/send-code");
    const code = await sentCode(server, { caseId: c.id });
    const db = server.handle.db;
    // A customer link that is not there makes every optimistic write land nothing, as when
    // another request used the link meanwhile; the recheck, which would then refuse, lets the
    // command go on, so after three tries it takes the row lock.
    let builds = 0;
    const refused = await runCaseCommand(
      server.ctx,
      c.id,
      (current, _facts, now) => {
        builds++;
        const actor = {
          kind: "staff" as const,
          userId: current.assignedAmId!,
          role: "account_manager" as const,
        };
        // Accepted while optimistic; on the locked attempt a step the policy refuses (no form).
        return builds <= 3
          ? { kind: "addNote", text: "Collides.", actor, now }
          : { kind: "processCancellation", actor, now };
      },
      {
        identityCode: code,
        useLink: { tokenHash: "no-such-link", recheck: async () => {} },
      },
    ).catch((error: unknown) => error);
    expect(builds).toBe(4);
    expect(refused).toMatchObject({ kind: "POLICY_RULE" });
    const row = await db
      .selectFrom("identity_codes")
      .select(["attempts", "used_at"])
      .where("case_id", "=", c.id)
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
    expect(row.used_at).not.toBeNull();
  });

  it("on the locking path, locks the case before it checks the customer link, as the optimistic write does", async () => {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    // Whether the transaction the link is checked in holds the case's row lock: a row locked
    // FOR UPDATE carries the locker's transaction id. Taking the link first and the case second
    // is the opposite order to the optimistic write (case, then link), which can deadlock.
    const caseLockedWhenChecked: boolean[] = [];
    const error = await runCaseCommand(
      server.ctx,
      c.id,
      (current, _facts, now) => ({
        kind: "addNote",
        text: "Collides.",
        actor: { kind: "staff", userId: current.assignedAmId!, role: "account_manager" },
        now,
      }),
      {
        // No such link: every write lands nothing, so the command ends on the locking path.
        useLink: {
          tokenHash: "no-such-link",
          recheck: async (db) => {
            const { rows } = await sql<{ mine: boolean }>`select xmax::text =
              (txid_current() % 4294967296)::text as mine from cases where id = ${c.id}`.execute(
              db,
            );
            caseLockedWhenChecked.push(rows[0]!.mine);
          },
        },
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    // Two optimistic retries check it unlocked; the locking attempt checks it once, locked.
    expect(caseLockedWhenChecked).toEqual([false, false, true]);
  });
});
