// Documentation and proof: a closed case's documentation from the API and the CLI, the audit
// chain's verification over every case (API and CLI), and a contact's data export and erasure on
// request, after which the chain still verifies, the figures are the same and none of the
// contact's personal strings is left in the database.
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestAuditBody, hashAuditEntry } from "../src/app/audit-chain.ts";
import type { CliIo } from "../src/cli/cli-io.ts";
import { verifyAudit } from "../src/cli/commands/audit.ts";
import { eraseContact, exportContact } from "../src/cli/commands/contact.ts";
import { exportCase } from "../src/cli/commands/export.ts";
import { runCli } from "../src/cli/run-cli.ts";
import { verifyAuditLog } from "../src/db/repositories/audit.repository.ts";
import { enqueueMessages } from "../src/db/repositories/outbox.repository.ts";
import { type Client, invalidFields, startTestServer, type TestServer } from "./app.ts";
import {
  act,
  escalateWithoutOffer,
  makeWorld,
  openCaseFor,
  openWithFormSent,
  sentLink,
  staffClient,
  submitFormAsCustomer,
  type World,
} from "./cases.ts";
import { testWorker } from "./messaging.ts";

let server: TestServer;
let admin: Client;
const dir = mkdtempSync(path.join(tmpdir(), "canceldesk-doc-"));
beforeAll(async () => {
  server = await startTestServer();
  admin = await staffClient(server, "admin");
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server?.close();
});

function captureIo(): CliIo & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
    stderrIsTTY: false,
    env: {},
  };
  return io;
}

const feedbackComment = (name: string, tag: string) =>
  `${name} here: call me on my cell about the invoice${tag}, thanks!`;
const noteText = (name: string, tag: string) => `Spoke with ${name}, prefers evenings${tag}.`;

/** A case taken through all seven steps to closed (cancelled); `name` is quoted in its free text. */
async function closedCase(world: World, name = "Dana Owner", tag = "") {
  const c = await openWithFormSent(server, world);
  await submitFormAsCustomer(server, c.id, {
    details: `${name} says the budget was halved${tag}.`,
  });
  await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: `${name}: budget.` });
  await act(world.am, c.id, "no-suitable-offer", { reason: `Closing the team, per ${name}.` });
  await act(world.am, c.id, "escalate");
  await act(world.csm, c.id, "csm/engage", { notes: `Called ${name}.` });
  await act(world.csm, c.id, "csm/outcome", { outcome: "proceed", notes: `${name} is leaving.` });
  await act(world.am, c.id, "process");
  await act(world.am, c.id, "confirmation", { channel: "email" });
  await act(world.am, c.id, "feedback/request");
  const token = await sentLink(server, c.id, "feedback_request");
  const survey = await server.app.inject({
    method: "POST",
    url: `/api/public/links/${token}/feedback`,
    payload: { rating: 4, decisionReason: "too_expensive", comments: feedbackComment(name, tag) },
  });
  expect(survey.statusCode, survey.body).toBe(200);
  await act(world.am, c.id, "notes", { text: noteText(name, tag) });
  await act(world.am, c.id, "close", { summary: `Cancelled at term end for ${name}.` });
  return c;
}

describe("a case's documentation", () => {
  it("refuses anonymous callers, and a bad format", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const anon = await server.app.inject({
      method: "GET",
      url: `/api/cases/${c.id}/documentation`,
    });
    expect(anon.statusCode).toBe(401);
    const bad = await world.am.request({
      method: "GET",
      url: `/api/cases/${c.id}/documentation?format=pdf`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0].field).toContain("format");
  });

  it("is JSON and Markdown from the API and the CLI, with every step and the verified chain", async () => {
    const world = await makeWorld(server);
    const c = await closedCase(world);
    const json = await world.am.request({
      method: "GET",
      url: `/api/cases/${c.reference}/documentation?format=json`,
    });
    expect(json.statusCode, json.body).toBe(200);
    const doc = json.json();
    expect(doc).toMatchObject({
      reference: c.reference,
      outcome: "cancelled",
      request: { channel: "phone", requester: { name: "Dana Owner" } },
      reason: { code: "too_expensive" },
      csm: { outcome: "proceed" },
      processing: { mode: "end_of_term" },
      confirmation: { channel: "email" },
      feedback: { rating: 4, comments: feedbackComment("Dana Owner", "") },
      notes: [{ number: 1, text: noteText("Dana Owner", "") }],
      audit: { verified: true, break: null },
    });
    expect(doc.steps).toHaveLength(7);
    expect(doc.steps.every((s: { status: string }) => s.status === "done")).toBe(true);
    expect(doc.steps[0].records[0].by).toMatch(/\(account manager\)$/);
    expect(doc.audit.entries.length).toBeGreaterThan(10);
    expect(doc.audit.entries[0].prevHash).toBe("0".repeat(64));

    const md = await world.am.request({
      method: "GET",
      url: `/api/cases/${c.id}/documentation?format=markdown`,
    });
    expect(md.statusCode).toBe(200);
    expect(md.headers["content-type"]).toMatch(/^text\/markdown/);
    expect(md.headers["content-disposition"]).toBe(
      `attachment; filename="${c.reference}-documentation.md"`,
    );
    expect(md.body).toMatch(new RegExp(`^# Case ${c.reference}: documentation`));
    expect(md.body).toContain("The hash chain verifies");
    expect(md.body).toContain(doc.audit.entries.at(-1).hash);

    const io = captureIo();
    const out = path.join(dir, "doc.json");
    expect(await exportCase(server.ctx, { reference: c.reference, format: "json", out }, io)).toBe(
      0,
    );
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ reference: c.reference });
    const mdIo = captureIo();
    await exportCase(server.ctx, { reference: c.reference, format: "markdown" }, mdIo);
    expect(mdIo.out).toContain("## The seven steps");
  });
});

describe("the notes handed over with an escalation", () => {
  it("reach the CSM's email, the case's steps and the documentation", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await submitFormAsCustomer(server, c.id);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget cut." });
    await act(world.am, c.id, "no-suitable-offer", { reason: "Closing the team." });
    await act(world.am, c.id, "escalate", { notes: "Call them after 3pm; the CFO decides." });
    await act(world.csm, c.id, "csm/engage", { notes: "Left a voicemail for the CFO." });

    await testWorker(server).drain();
    const notice = await server.handle.db
      .selectFrom("dev_mailbox")
      .select("text_body")
      .where("subject", "like", `Escalated to you%${c.reference}%`)
      .executeTakeFirstOrThrow();
    // Their own full stop ends the sentence: no stray `.".`.
    expect(notice.text_body).toContain(
      'The notes handed over with it: "Call them after 3pm; the CFO decides." The reason given',
    );

    const view = (await world.csm.request({ method: "GET", url: `/api/cases/${c.id}` })).json();
    const step = view.checklist.find((s: { key: string }) => s.key === "escalation_to_csm");
    expect(step.evidence).toEqual(
      expect.arrayContaining([
        "Hand-over notes: Call them after 3pm; the CFO decides.",
        "Engagement notes: Left a voicemail for the CFO.",
      ]),
    );
    const doc = (
      await world.am.request({ method: "GET", url: `/api/cases/${c.id}/documentation` })
    ).json();
    expect(doc.csm).toMatchObject({
      handoverNotes: "Call them after 3pm; the CFO decides.",
      engagementNotes: "Left a voicemail for the CFO.",
    });
    const md = await world.am.request({
      method: "GET",
      url: `/api/cases/${c.id}/documentation?format=markdown`,
    });
    expect(md.body).toContain("- Hand-over notes: Call them after 3pm; the CFO decides.");

    // The AM hears what the CSM decided and that processing is now theirs.
    await act(world.csm, c.id, "csm/outcome", { outcome: "proceed", notes: "They leave." });
    await testWorker(server).drain();
    const goAhead = await mailTo(world.am.user!.email, "Go ahead");
    expect(goAhead.subject).toBe(`Go ahead: process the cancellation of ${c.reference}`);
    expect(goAhead.text_body).toContain(
      `${world.csm.user!.name} engaged ${await accountName(world)} and decided to proceed`,
    );
  });

  it("tells the AM a CSM's save closed the case, with the offer and its agreed terms", async () => {
    // Terms the customer turned down first, which nothing after may quote.
    const { world, c } = await escalatedWithDeclinedCustomOffer();
    await act(world.csm, c.id, "csm/outcome", {
      outcome: "retained",
      offerCode: "custom_csm",
      customTerms: "25% off for 6 months and two training sessions",
      notes: "Agreed on the call.",
    });
    await testWorker(server).drain();
    const saved = await mailTo(world.am.user!.email, "Saved");
    const account = await accountName(world);
    expect(saved.subject).toBe(`Saved: ${world.csm.user!.name} kept ${account} (${c.reference})`);
    expect(saved.text_body).toContain(
      `kept ${account} with "Custom offer" (25% off for 6 months and two training sessions). The case ${c.reference} is closed as retained`,
    );
    expect(saved.text_body).not.toContain("Take the next step");
    expect(saved.text_body).not.toContain("10% off for 2 months");
  });
});

describe("an offer presented again on other terms", () => {
  it("is emailed with the terms of the latest presentation, not the first", async () => {
    // Terms the customer turned down first, which nothing after may quote.
    const { world, c } = await escalatedWithDeclinedCustomOffer();
    await act(world.csm, c.id, "offers", {
      offerCode: "custom_csm",
      customTerms: "25% off for 6 months",
    });
    await testWorker(server).drain();
    const contact = await server.handle.db
      .selectFrom("contacts")
      .select("email")
      .where("id", "=", world.contactId)
      .executeTakeFirstOrThrow();
    const offer = await mailTo(contact.email!, "An option for your");
    expect(offer.text_body).toContain("25% off for 6 months");
    expect(offer.text_body).not.toContain("10% off for 2 months");
  });
});

describe("the AM's call to confirm a cancellation", () => {
  it("comes with the policy's script filled in: the date the subscription ends, not [date]", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await submitFormAsCustomer(server, c.id, { preferredConfirmationChannel: "phone" });
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget cut." });
    await act(world.am, c.id, "no-suitable-offer", { reason: "Closing the team." });
    await act(world.am, c.id, "escalate");
    await act(world.csm, c.id, "csm/outcome", { outcome: "proceed", notes: "They leave." });
    const processed = await act(world.am, c.id, "process");
    await testWorker(server).drain();
    const call = await mailTo(world.am.user!.email, "Call ");
    const ends = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" }).format(
      new Date(processed.case.processing.effectiveAt),
    );
    expect(call.text_body).toContain(`Your WootRecruit subscription will end on ${ends}`);
    expect(call.text_body).not.toContain("[date]");
  });
});

/**
 * Escalated without an offer (steps 1-4), then the CSM engages and presents a custom offer on
 * "10% off for 2 months", which the customer declines.
 */
async function escalatedWithDeclinedCustomOffer() {
  const world = await makeWorld(server);
  const c = await openCaseFor(world);
  await escalateWithoutOffer(server, world, c.id);
  await act(world.csm, c.id, "csm/engage", { notes: "Calling." });
  await act(world.csm, c.id, "offers", {
    offerCode: "custom_csm",
    customTerms: "10% off for 2 months",
    sendToCustomer: false,
  });
  await act(world.csm, c.id, "offers/custom_csm/answer", { answer: "declined" });
  return { world, c };
}

/** The email to `address` whose subject starts so (emails of one test share their time). */
async function mailTo(address: string, subjectStart: string) {
  return server.handle.db
    .selectFrom("dev_mailbox")
    .select(["subject", "text_body"])
    .where("recipient", "like", `%${address}%`)
    .where("subject", "like", `${subjectStart}%`)
    .executeTakeFirstOrThrow();
}

async function accountName(world: { accountId: string }) {
  const row = await server.handle.db
    .selectFrom("accounts")
    .select("name")
    .where("id", "=", world.accountId)
    .executeTakeFirstOrThrow();
  return row.name;
}

describe("audit verify", () => {
  it("checks every case from the CLI and the admin API; only admins may run it", async () => {
    const world = await makeWorld(server);
    await openWithFormSent(server, world);
    const am = await world.am.request({ method: "GET", url: "/api/audit/verify" });
    expect(am.statusCode).toBe(403);
    const response = await admin.request({ method: "GET", url: "/api/audit/verify" });
    expect(response.statusCode, response.body).toBe(200);
    const cases = await server.handle.db
      .selectFrom("cases")
      .select(sql<string>`count(*)::text`.as("n"))
      .executeTakeFirstOrThrow();
    expect(response.json()).toMatchObject({ ok: true, cases: Number(cases.n), breaks: [] });
    // Small batches walk the cases by keyset and still see them all.
    const batched = await verifyAuditLog(server.handle.db, { batchSize: 2 });
    expect(batched.cases).toBe(Number(cases.n));
    const io = captureIo();
    expect(await verifyAudit(server.handle.db, undefined, io)).toBe(0);
    expect(io.out).toMatch(/^OK: /m);
  });

  it("walks the log in slices the admin page can wait for, each continuing after the last", async () => {
    for (let i = 0; i < 2; i++) await openWithFormSent(server, await makeWorld(server));
    const whole = (await admin.request({ method: "GET", url: "/api/audit/verify" })).json();
    expect(whole.totalCases).toBeGreaterThanOrEqual(3);
    expect(whole).toMatchObject({ nextCursor: null, cases: whole.totalCases });
    let after: string | null = null;
    let cases = 0;
    let entries = 0;
    let slices = 0;
    do {
      const response = await admin.request({
        method: "GET",
        url: "/api/audit/verify",
        query: { limit: "2", ...(after ? { after } : {}) },
      });
      expect(response.statusCode, response.body).toBe(200);
      const slice = response.json();
      expect(slice.cases).toBeLessThanOrEqual(2);
      // Only the first slice counts the cases (for the progress bar).
      expect(slice.totalCases).toBe(after ? null : whole.totalCases);
      cases += slice.cases;
      entries += slice.entries;
      slices++;
      after = slice.nextCursor;
    } while (after);
    expect({ cases, entries }).toEqual({ cases: whole.cases, entries: whole.entries });
    expect(slices).toBe(Math.ceil(whole.cases / 2) + (whole.cases % 2 === 0 ? 1 : 0));
    // A slice bounded inside a batch still knows where to go on.
    const part = await verifyAuditLog(server.handle.db, { batchSize: 2, maxCases: 3 });
    expect(part.cases).toBe(3);
    expect(part.nextCursor).not.toBeNull();
    const rest = await verifyAuditLog(server.handle.db, { after: part.nextCursor!, batchSize: 2 });
    expect(part.cases + rest.cases).toBe(whole.cases);
    expect(rest.nextCursor).toBeNull();

    const bad = await admin.request({
      method: "GET",
      url: "/api/audit/verify",
      query: { after: "CD-2026-00001", limit: "0" },
    });
    expect(bad.statusCode).toBe(400);
    expect(invalidFields(bad)).toEqual(["after", "limit"]);
  });
});

describe("data protection", () => {
  const TEXT_COLUMNS: Record<string, string[]> = {
    contacts: ["name", "email", "phone"],
    cases: ["data"],
    case_events: ["body", "actor"],
    outbox: ["recipient", "payload", "last_error"],
    dev_mailbox: ["recipient", "subject", "text_body", "html_body"],
    idempotency_keys: ["response"],
    webhook_deliveries: ["body"],
    subscription_effects: ["details"],
  };

  async function tablesQuoting(word: string): Promise<string[]> {
    const found: string[] = [];
    for (const [table, columns] of Object.entries(TEXT_COLUMNS)) {
      for (const column of columns) {
        const { rows } = await sql<{
          n: string;
        }>`select count(*)::text as n from ${sql.table(table)}
          where ${sql.ref(column)}::text ilike ${`%${word}%`}`.execute(server.handle.db);
        if (Number(rows[0]!.n) > 0) found.push(`${table}.${column}`);
      }
    }
    return found;
  }

  it("the CLI wants --yes to erase, a contact id, and a known format", async () => {
    const noYes = captureIo();
    expect(await runCli(["contact", "erase", randomUUID()], noYes)).toBe(2);
    expect(noYes.err).toMatch(/^erasure cannot be undone: add --yes to confirm/);
    const badId = captureIo();
    expect(await runCli(["contact", "export", "dana@acme.test"], badId)).toBe(2);
    const badFormat = captureIo();
    expect(await runCli(["export", "case", "CD-2026-00001", "--format", "pdf"], badFormat)).toBe(2);
    expect(badFormat.err).toMatch(/^--format must be markdown or json/);
  });

  it("only admins export or erase, and erasure needs its confirmation", async () => {
    const world = await makeWorld(server);
    for (const request of [
      { method: "GET" as const, url: `/api/contacts/${world.contactId}/export` },
      {
        method: "POST" as const,
        url: `/api/contacts/${world.contactId}/erase`,
        payload: { confirm: true },
      },
    ]) {
      expect((await world.am.request(request)).statusCode).toBe(403);
    }
    const unconfirmed = await admin.request({
      method: "POST",
      url: `/api/contacts/${world.contactId}/erase`,
      payload: {},
    });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.json().fields[0].field).toBe("confirm");
  });

  it("exports everything, then erases it: the chain verifies, the figures stay, no personal string is left", async () => {
    const world = await makeWorld(server);
    // A name and wording found nowhere else in this database.
    const tag = ` ref ${randomUUID().slice(0, 8)}`;
    const name = `Zelda Quinterro ${randomUUID().slice(0, 4)}`;
    await server.handle.db
      .updateTable("contacts")
      .set({ name, phone: `+1415${String(Date.now()).slice(-7)}` })
      .where("id", "=", world.contactId)
      .execute();
    const c = await closedCase(world, name, tag);
    const contact = await server.handle.db
      .selectFrom("contacts")
      .selectAll()
      .where("id", "=", world.contactId)
      .executeTakeFirstOrThrow();
    // The dev mailbox holds what was delivered to the contact.
    await server.handle.db
      .insertInto("dev_mailbox")
      .values({
        outbox_id: null,
        channel: "email",
        recipient: contact.email!,
        subject: "Your cancellation",
        text_body: `Hello ${contact.name}`,
        html_body: null,
        created_at: new Date(),
      })
      .execute();

    const exported = await admin.request({
      method: "GET",
      url: `/api/contacts/${world.contactId}/export`,
    });
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.json()).toMatchObject({
      contact: { email: contact.email, name },
      cases: [{ reference: c.reference }],
      formAnswers: [{ caseReference: c.reference, reasonCode: "too_expensive" }],
      feedback: [{ caseReference: c.reference, comments: feedbackComment(name, tag) }],
    });
    expect(exported.json().messages.length).toBeGreaterThan(0);
    expect(exported.json().deliveredCopies.length).toBe(1);
    expect(exported.body).not.toContain("linkNonce");

    const before = await server.handle.db
      .selectFrom("cases")
      .select(["outcome", "state", "channel", "data"])
      .where("id", "=", c.id)
      .executeTakeFirstOrThrow();
    expect(await tablesQuoting(contact.email!)).not.toEqual([]);

    const erased = await admin.request({
      method: "POST",
      url: `/api/contacts/${world.contactId}/erase`,
      payload: { confirm: true },
    });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json()).toMatchObject({ alreadyErased: false, cases: 1 });
    expect(erased.json().auditEntriesRedacted).toBeGreaterThan(0);

    for (const word of [contact.email!, name, "Quinterro", contact.phone!, tag]) {
      expect(await tablesQuoting(word), word).toEqual([]);
    }

    // The chain verifies, with the erased entries counted, not broken.
    const report = await verifyAuditLog(server.handle.db, { caseId: c.id });
    expect(report.breaks).toEqual([]);
    expect(report.erasedEntries).toBe(erased.json().auditEntriesRedacted);
    const io = captureIo();
    expect(await verifyAudit(server.handle.db, undefined, io)).toBe(0);
    expect(io.out).toContain("personal data erased");

    // The figures are the same: outcome, reason, rating, offers, processing, values.
    const after = await server.handle.db
      .selectFrom("cases")
      .select(["outcome", "state", "channel", "data"])
      .where("id", "=", c.id)
      .executeTakeFirstOrThrow();
    expect([after.outcome, after.state, after.channel]).toEqual([
      before.outcome,
      before.state,
      before.channel,
    ]);
    type Data = {
      form: { submission: { reasonCode: string; details: string } };
      feedback: { submission: { rating: number; decisionReason: string } };
      processing: unknown;
      documentation: { reason: { code: string } };
      escalation: { outcome: string };
    };
    const [b, a] = [before.data as Data, after.data as Data];
    expect(a.form.submission.reasonCode).toBe(b.form.submission.reasonCode);
    expect(a.form.submission.details).toBe("[erased]");
    expect(a.feedback.submission).toMatchObject({ rating: 4, decisionReason: "too_expensive" });
    expect(a.processing).toEqual(b.processing);
    expect(a.documentation.reason.code).toBe("too_expensive");
    expect(a.escalation.outcome).toBe("proceed");

    // The erasure is on the record, without personal data; the documentation still verifies.
    const doc = (
      await admin.request({ method: "GET", url: `/api/cases/${c.id}/documentation` })
    ).json();
    expect(doc.audit.verified).toBe(true);
    expect(doc.audit.entries.at(-1)).toMatchObject({
      type: "personal_data_erased",
      by: expect.stringMatching(/admin/),
    });
    expect(doc.audit.erasedEntries.length).toBe(erased.json().auditEntriesRedacted);

    // A second request is a no-op; the CLI says so.
    const again = captureIo();
    await eraseContact(server.ctx, world.contactId, again);
    expect(again.out).toContain("already erased");
    const exportIo = captureIo();
    await exportContact(server.ctx, world.contactId, undefined, exportIo);
    expect(JSON.parse(exportIo.out).contact).toMatchObject({ name: "Erased contact", email: null });
  });

  it("keeps verifying entries written before digests (legacy hashes over the body), erased or not", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const contact = await server.handle.db
      .selectFrom("contacts")
      .selectAll()
      .where("id", "=", world.contactId)
      .executeTakeFirstOrThrow();
    const tip = await server.handle.db
      .selectFrom("case_events")
      .select(["seq", "hash", "case_version"])
      .where("case_id", "=", c.id)
      .orderBy("seq", "desc")
      .executeTakeFirstOrThrow();
    // A note as migration 0002's code wrote it: no digest, the hash over the body itself.
    const content = {
      caseId: c.id,
      seq: tip.seq + 1,
      type: "note_added",
      caseVersion: tip.case_version,
      actor: { kind: "system" },
      at: new Date().toISOString(),
      body: { noteNumber: 9, text: `Legacy note for ${contact.email}` },
    };
    await server.handle.db
      .insertInto("case_events")
      .values({
        case_id: c.id,
        seq: content.seq,
        type: content.type,
        case_version: content.caseVersion,
        actor: JSON.stringify(content.actor),
        at: content.at,
        body: JSON.stringify(content.body),
        prev_hash: tip.hash,
        hash: hashAuditEntry(tip.hash, content),
      })
      .execute();
    expect((await verifyAuditLog(server.handle.db, { caseId: c.id })).breaks).toEqual([]);

    await eraseContact(server.ctx, world.contactId, captureIo());
    const report = await verifyAuditLog(server.handle.db, { caseId: c.id });
    expect(report.breaks).toEqual([]);
    expect(report.erasedEntries).toBeGreaterThanOrEqual(1);
    expect(await tablesQuoting(contact.email!)).toEqual([]);
  });

  it("drops each erased entry's salt, so its digest cannot confirm a guess of what was erased", async () => {
    const world = await makeWorld(server);
    const name = `Ottilie Brandvold ${randomUUID().slice(0, 4)}`;
    await server.handle.db
      .updateTable("contacts")
      .set({ name })
      .where("id", "=", world.contactId)
      .execute();
    // Its notes, form and survey quote the contact's name.
    const c = await closedCase(world, name);
    const entries = () =>
      server.handle.db
        .selectFrom("case_events")
        .select(["seq", "body", "body_digest", "body_salt", "erased_at"])
        .where("case_id", "=", c.id)
        .orderBy("seq")
        .execute();
    const before = await entries();
    // Every entry written now is digested with a salt of its own.
    for (const e of before) {
      expect(e.body_salt, `entry ${e.seq}`).toMatch(/^[0-9a-f]{32}$/);
      expect(digestAuditBody(e.body, e.body_salt)).toBe(e.body_digest);
    }
    expect(new Set(before.map((e) => e.body_salt)).size).toBe(before.length);
    const quoting = before.filter((e) => JSON.stringify(e.body).includes(name));
    expect(quoting.length).toBeGreaterThan(0);

    await eraseContact(server.ctx, world.contactId, captureIo());
    const after = new Map((await entries()).map((e) => [e.seq, e]));
    for (const original of quoting) {
      const erased = after.get(original.seq)!;
      expect(erased.erased_at).not.toBeNull();
      expect(erased.body_digest).toBe(original.body_digest);
      expect(erased.body_salt).toBeNull();
      // Someone who guessed the erased body exactly has nothing to check the guess against.
      expect(digestAuditBody(original.body)).not.toBe(erased.body_digest);
    }
    // Entries with nothing to erase keep their salt, and the chain verifies.
    expect([...after.values()].filter((e) => e.body_salt !== null).length).toBeGreaterThan(0);
    expect((await verifyAuditLog(server.handle.db, { caseId: c.id })).breaks).toEqual([]);
  });

  it("drops the stored Idempotency-Key answers about the contact's cases, even ones quoting none of their words", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const note = `Asked us to call after the board meeting ${randomUUID().slice(0, 6)}`;
    const added = await world.am.request({
      method: "POST",
      url: `/api/cases/${c.id}/notes`,
      payload: { text: note },
      headers: { "idempotency-key": `note-before-erasure-${c.id.slice(0, 8)}` },
    });
    expect(added.statusCode, added.body).toBe(200);
    const quoting = () =>
      sql<{ n: number }>`select count(*)::int as n from idempotency_keys
        where response::text like ${`%${note}%`}`.execute(server.handle.db);
    expect((await quoting()).rows[0]!.n).toBe(1);
    await eraseContact(server.ctx, world.contactId, captureIo());
    expect((await quoting()).rows[0]!.n).toBe(0);
  });

  it("exports and erases an accepted custom offer's terms as the billing ledger recorded them", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await submitFormAsCustomer(server, c.id);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget." });
    await act(world.am, c.id, "no-suitable-offer", { reason: "Nothing in the catalog fits." });
    await act(world.am, c.id, "escalate");
    const terms = `Two months free while the owner recovers from surgery ${randomUUID().slice(0, 6)}`;
    const retained = await act(world.csm, c.id, "csm/outcome", {
      outcome: "retained",
      offerCode: "custom_csm",
      customTerms: terms,
      notes: "Agreed on the call.",
    });
    expect(retained.case).toMatchObject({ outcome: "retained" });
    const exportOf = async () =>
      (
        await admin.request({ method: "GET", url: `/api/contacts/${world.contactId}/export` })
      ).json();
    expect((await exportOf()).subscriptionEffects).toMatchObject([
      { caseReference: c.reference, kind: "offer_custom", details: { customTerms: terms } },
    ]);
    await eraseContact(server.ctx, world.contactId, captureIo());
    expect(await tablesQuoting(terms)).toEqual([]);
    expect((await exportOf()).subscriptionEffects).toMatchObject([
      { kind: "offer_custom", details: { offerCode: "custom_csm", customTerms: "[erased]" } },
    ]);
  });

  it("does not send what was still waiting to go to the erased contact; staff notices still go", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    // A notice to staff about the case, waiting like the form link to the customer.
    await enqueueMessages(
      server.handle.db,
      [
        {
          caseId: c.id,
          topic: "staff_notification",
          channel: "staff",
          recipient: { userId: randomUUID() },
          payload: { kind: "staff_notification", topic: "case_escalated", reference: c.reference },
          dedupeKey: `erasure-staff-${c.id}`,
        },
      ],
      server.clock.now,
    );
    await eraseContact(server.ctx, world.contactId, captureIo());
    const messages = await server.handle.db
      .selectFrom("outbox")
      .select(["topic", "status", "last_error"])
      .where("case_id", "=", c.id)
      .execute();
    expect(messages.find((m) => m.topic === "form_link")).toMatchObject({
      status: "failed",
      last_error: expect.stringContaining("erased"),
    });
    expect(messages.find((m) => m.topic === "staff_notification")).toMatchObject({
      status: "pending",
    });
  });

  it("the CLI records the admin who carried out the erasure (--by), and refuses anyone else", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const adminUser = await server.handle.db
      .selectFrom("users")
      .select(["email", "name"])
      .where("role", "=", "admin")
      .where("active", "=", true)
      .executeTakeFirstOrThrow();
    const amUser = await server.handle.db
      .selectFrom("users")
      .select("email")
      .where("role", "=", "account_manager")
      .executeTakeFirstOrThrow();
    await expect(
      eraseContact(server.ctx, world.contactId, captureIo(), amUser.email),
    ).rejects.toThrow(/is not an active admin user/);
    await expect(
      eraseContact(server.ctx, world.contactId, captureIo(), "nobody@example.test"),
    ).rejects.toThrow(/is not an active admin user/);
    // Nothing was erased by the refused attempts.
    expect(
      (
        await admin.request({ method: "GET", url: `/api/contacts/${world.contactId}/export` })
      ).json().contact.name,
    ).not.toBe("Erased contact");
    const io = captureIo();
    await eraseContact(server.ctx, world.contactId, io, adminUser.email.toUpperCase());
    expect(io.out).toMatch(/^erased contact /);
    const doc = (
      await admin.request({ method: "GET", url: `/api/cases/${c.id}/documentation` })
    ).json();
    expect(doc.audit.entries.at(-1)).toMatchObject({
      type: "personal_data_erased",
      by: expect.stringContaining(adminUser.name),
    });
  });

  it("still refuses any other change to the audit log, even under the erasure setting", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    await expect(
      server.handle.db.transaction().execute(async (trx) => {
        await sql`select set_config('canceldesk.erasure', 'on', true)`.execute(trx);
        await sql`update case_events set hash = 'x', erased_at = now() where case_id = ${c.id}`.execute(
          trx,
        );
      }),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`update case_events set body = '{}'::jsonb, erased_at = now() where case_id = ${c.id}`.execute(
        server.handle.db,
      ),
    ).rejects.toThrow(/append-only/);
    // An erasure that keeps the salt would leave the digest able to confirm a guess: refused.
    await expect(
      server.handle.db.transaction().execute(async (trx) => {
        await sql`select set_config('canceldesk.erasure', 'on', true)`.execute(trx);
        await sql`update case_events set body = '{}'::jsonb, erased_at = now() where case_id = ${c.id}`.execute(
          trx,
        );
      }),
    ).rejects.toThrow(/append-only/);
    await expect(
      server.handle.db.transaction().execute(async (trx) => {
        await sql`select set_config('canceldesk.erasure', 'on', true)`.execute(trx);
        await sql`delete from case_events where case_id = ${c.id}`.execute(trx);
      }),
    ).rejects.toThrow(/append-only/);
  });
});
