// Timers with the test clock, never by sleeping: the form reminder then the link's expiry, the
// CSM engagement SLA (at risk, breached: told once each), an offer left unanswered, and the
// feedback request's expiry, which closes the case with its documentation. Running the timers
// twice, or twice at once, acts once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTimers } from "../src/jobs/timers.ts";
import { startTestServer, type TestServer } from "./app.ts";
import {
  act,
  makeWorld,
  openCaseFor,
  openWithFormSent,
  sentLink,
  staffClient,
  submitFormAsCustomer,
} from "./cases.ts";
import { makeUser } from "./factories.ts";
import { testWorker } from "./messaging.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const HOUR = 3_600_000;

/** Read with a fresh session: moving the clock by days ends the sessions signed in before. */
async function caseView(id: string) {
  const admin = await staffClient(server, "admin");
  const response = await admin.request({ method: "GET", url: `/api/cases/${id}` });
  return response.json().case;
}

async function outboxOf(caseId: string) {
  return server.handle.db
    .selectFrom("outbox")
    .select(["topic", "recipient", "payload", "status", "skipped_reason"])
    .where("case_id", "=", caseId)
    .execute();
}

const staffTopics = async (caseId: string, topic: string) =>
  (await outboxOf(caseId)).filter(
    (m) => m.topic === "staff_notification" && (m.payload as { topic: string }).topic === topic,
  );

describe("timers", () => {
  it("remind about the form once, with the same working link, then expire it", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const link = await sentLink(server, c.id, "form_link");
    await runTimers(server.ctx);
    expect((await outboxOf(c.id)).filter((m) => m.topic === "form_reminder")).toHaveLength(0);

    server.clock.advance(25 * HOUR);
    const first = await runTimers(server.ctx);
    expect(first.formRemindersQueued).toBeGreaterThanOrEqual(1);
    const again = await Promise.all([runTimers(server.ctx), runTimers(server.ctx)]);
    expect(again.map((r) => r.formRemindersQueued)).toEqual([0, 0]);
    const reminders = (await outboxOf(c.id)).filter((m) => m.topic === "form_reminder");
    expect(reminders).toHaveLength(1);

    await testWorker(server).drain();
    const mail = await server.handle.db
      .selectFrom("dev_mailbox")
      .selectAll()
      .where("subject", "like", "A reminder%")
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    expect(mail.text_body).toContain(`/c/${link}`);

    server.clock.advance(48 * HOUR);
    const expired = await Promise.all([runTimers(server.ctx), runTimers(server.ctx)]);
    expect(expired.reduce((n, r) => n + r.formLinksExpired, 0)).toBe(1);
    const view = await caseView(c.id);
    expect(view.form.linkExpiredAt).not.toBeNull();
    expect(await staffTopics(c.id, "form_link_expired")).toHaveLength(1);
    const reader = await staffClient(server, "account_manager");
    const timeline = await reader.request({ method: "GET", url: `/api/cases/${c.id}/timeline` });
    const expiry = timeline.json().items.find((e: { type: string }) => e.type === "form_expired");
    expect(expiry.actor).toEqual({ kind: "system" });
  });

  it("do not send a reminder that was queued just before the customer submitted the form", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const worker = testWorker(server);
    await worker.drain();
    server.clock.advance(25 * HOUR);
    expect((await runTimers(server.ctx)).formRemindersQueued).toBeGreaterThanOrEqual(1);
    await submitFormAsCustomer(server, c.id);
    await worker.drain();
    const reminder = (await outboxOf(c.id)).find((m) => m.topic === "form_reminder");
    expect(reminder).toMatchObject({
      status: "skipped",
      skipped_reason: "the customer has already submitted the form",
    });
    const reminders = await server.handle.db
      .selectFrom("dev_mailbox")
      .select("id")
      .where("subject", "like", `A reminder%${c.reference}%`)
      .execute();
    expect(reminders).toHaveLength(0);
    const admin = await staffClient(server, "admin");
    const listed = await admin.request({ method: "GET", url: `/api/cases/${c.id}/messages` });
    expect(
      listed.json().items.find((m: { topic: string }) => m.topic === "form_reminder"),
    ).toMatchObject({
      status: "skipped",
      skippedReason: "the customer has already submitted the form",
    });
  });

  it("do not send a code that ran out before it could go, nor the form link of a withdrawn case", async () => {
    const world = await makeWorld(server);
    const first = await openCaseFor(world);
    await act(world.am, first.id, "identity/send-code");
    server.clock.advance(20 * 60_000);
    await testWorker(server).drain();
    expect((await outboxOf(first.id)).find((m) => m.topic === "identity_code")).toMatchObject({
      status: "skipped",
      skipped_reason: "the code it carries has expired",
    });

    const other = await makeWorld(server);
    const second = await openWithFormSent(server, other);
    await act(other.am, second.id, "withdraw", { reason: "Found the budget after all." });
    await testWorker(server).drain();
    expect((await outboxOf(second.id)).find((m) => m.topic === "form_link")).toMatchObject({
      status: "skipped",
      skipped_reason: "the case is closed",
    });
    expect(
      await server.handle.db
        .selectFrom("dev_mailbox")
        .select("id")
        .where("text_body", "like", `%${second.reference}%`)
        .where("subject", "like", "%form%")
        .execute(),
    ).toHaveLength(0);
  });

  it("tell the CSM the case was reassigned to, not the one it was escalated to, when the SLA is at risk", async () => {
    const admin = await staffClient(server, "admin");
    const world = await makeWorld(server);
    const cover = await makeUser(server.handle.db, "csm");
    const c = await openWithFormSent(server, world);
    await submitFormAsCustomer(server, c.id);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget cut." });
    await act(world.am, c.id, "no-suitable-offer", { reason: "Closing the team." });
    await act(world.am, c.id, "escalate");
    await act(admin, c.id, "reassign", { slot: "csm", toUserId: cover.id });
    server.clock.advance(21 * HOUR);
    await runTimers(server.ctx);
    const recipients = (await staffTopics(c.id, "csm_sla_at_risk")).map(
      (m) => (m.recipient as { userId: string }).userId,
    );
    expect(recipients).toContain(cover.id);
    expect(recipients).not.toContain(world.csm.user!.id);
  });

  it("tell the CSM and the admins once when the CSM engagement is at risk, and once when breached", async () => {
    const admin = await staffClient(server, "admin");
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await submitFormAsCustomer(server, c.id);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget cut." });
    await act(world.am, c.id, "no-suitable-offer", { reason: "Closing the team." });
    await act(world.am, c.id, "escalate");

    await runTimers(server.ctx);
    expect(await staffTopics(c.id, "csm_sla_at_risk")).toHaveLength(0);
    server.clock.advance(21 * HOUR);
    await Promise.all([runTimers(server.ctx), runTimers(server.ctx)]);
    await runTimers(server.ctx);
    const atRisk = await staffTopics(c.id, "csm_sla_at_risk");
    const recipients = atRisk.map((m) => (m.recipient as { userId: string }).userId);
    expect(recipients).toContain(world.csm.user!.id);
    expect(recipients).toContain(admin.user!.id);
    expect(new Set(recipients).size).toBe(recipients.length);

    server.clock.advance(4 * HOUR);
    await runTimers(server.ctx);
    await runTimers(server.ctx);
    const breached = await staffTopics(c.id, "csm_sla_breached");
    expect(breached.length).toBe(atRisk.length);

    // The notices go out by email to the staff, worded for them.
    await testWorker(server).drain();
    const mail = await server.handle.db
      .selectFrom("dev_mailbox")
      .selectAll()
      .where("subject", "like", `Breached: ${c.reference}%`)
      .execute();
    expect(mail.length).toBe(breached.length);
    const escalation = await server.handle.db
      .selectFrom("dev_mailbox")
      .selectAll()
      .where("subject", "like", "Escalated to you%")
      .where("text_body", "like", `%${c.reference}%`)
      .execute();
    expect(escalation).toHaveLength(1);
  });

  it("close the case with its documentation when the feedback request expires", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await submitFormAsCustomer(server, c.id);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget cut." });
    await act(world.am, c.id, "no-suitable-offer", { reason: "Closing the team." });
    await act(world.am, c.id, "escalate");
    await act(world.csm, c.id, "csm/engage", { notes: "Called." });
    await act(world.csm, c.id, "csm/outcome", { outcome: "proceed", notes: "They leave." });
    await act(world.am, c.id, "process");
    await act(world.am, c.id, "confirmation", { channel: "email" });
    await act(world.am, c.id, "feedback/request");

    server.clock.advance(13 * 24 * HOUR);
    expect((await runTimers(server.ctx)).casesClosed).toBe(0);
    server.clock.advance(2 * 24 * HOUR);
    const results = await Promise.all([runTimers(server.ctx), runTimers(server.ctx)]);
    expect(results.reduce((n, r) => n + r.casesClosed, 0)).toBe(1);
    const view = await caseView(c.id);
    expect(view).toMatchObject({ state: "closed", outcome: "cancelled" });
    expect(view.feedback.expiredAt).not.toBeNull();
    expect(view.documentation).not.toBeNull();

    await testWorker(server).drain();
    const confirmation = await server.handle.db
      .selectFrom("dev_mailbox")
      .selectAll()
      .where("subject", "like", `Your WootRecruit cancellation is confirmed (${c.reference})`)
      .executeTakeFirstOrThrow();
    expect(confirmation.text_body).toMatch(/takes effect at the end of your current term/);
    expect(confirmation.text_body).toMatch(/reactivate any time before/);
  });
});
