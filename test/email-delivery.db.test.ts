// Email through a real SMTP server on 127.0.0.1: the code in the email is the one that verifies,
// the form link in the email opens the form; refusals and dropped connections are retried and no
// message is lost; the last failure shows in the admin list, where it can be retried.
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, startTestServer, type TestServer } from "./app.ts";
import {
  act,
  makeWorld,
  openCaseFor,
  openWithFormSent,
  sentCode,
  submitFormAsCustomer,
} from "./cases.ts";
import { smtpTo, startSmtpServer, type TestSmtpServer, testWorker } from "./messaging.ts";

let server: TestServer;
let smtp: TestSmtpServer;
beforeAll(async () => {
  server = await startTestServer();
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp?.close();
  await server?.close();
});

// Past the first retries' backoff (15-60 s) and inside the identity code's 15 minutes: a code
// that ran out is not sent at all (see the test of out-of-date messages).
const PAST_BACKOFF = 2 * 60_000;

async function messagesOf(caseId: string) {
  const admin = await clientFor(server, "admin");
  const response = await admin.request({ method: "GET", url: `/api/cases/${caseId}/messages` });
  return response.json().items as {
    topic: string;
    status: string;
    attempts: number;
    lastError: string | null;
  }[];
}

describe("email over SMTP", () => {
  it("delivers the code and the form link; the code verifies and the link opens the form", async () => {
    const world = await makeWorld(server);
    const email = smtpTo(smtp);
    const worker = testWorker(server, { email });
    const c = await openCaseFor(world);
    await act(world.am, c.id, "identity/send-code");
    const before = smtp.received.length;
    await worker.drain();
    const codeMail = smtp.received
      .slice(before)
      .find((m) => m.subject?.includes("verification code"));
    expect(codeMail, "the code email arrived").toBeDefined();
    const code = /verification code is (\d+)/.exec(codeMail!.text ?? "")?.[1];
    expect(code).toMatch(/^\d{6,}$/);
    expect(codeMail!.html).toContain("WootRecruit");
    expect(codeMail!.html).toContain(code);
    // The messages invite a reply: it goes to the case's account manager, not to no-reply.
    expect(codeMail!.replyTo?.value).toEqual([
      { name: world.am.user!.name, address: world.am.user!.email },
    ]);
    await act(world.am, c.id, "identity/confirm-code", { code });

    await act(world.am, c.id, "form/send");
    await worker.drain();
    const formMail = smtp.received.find((m) =>
      m.subject?.startsWith("Your cancellation request form"),
    );
    expect(formMail).toBeDefined();
    // The AM sent it after speaking with the customer.
    expect(formMail!.text).toContain("As we discussed, here is the Cancellation Request Form");
    const url = /http:\/\/localhost:3000\/c\/(\S+)/.exec(formMail!.text ?? "");
    expect(url, formMail!.text).not.toBeNull();
    expect(formMail!.html).toContain(`/c/${url![1]}`);
    const opened = await server.app.inject({ method: "GET", url: `/api/public/links/${url![1]}` });
    expect(opened.statusCode, opened.body).toBe(200);
    await submitFormAsCustomer(server, c.id);

    const messages = await messagesOf(c.id);
    const sent = messages.filter((m) => ["identity_code", "form_link"].includes(m.topic));
    expect(sent.map((m) => m.status)).toEqual(["sent", "sent"]);
    await email.close();
  });

  it("words the form email of a self-service start without a conversation that never took place", async () => {
    const world = await makeWorld(server);
    const email = smtpTo(smtp);
    const worker = testWorker(server, { email });
    const address = (
      await server.handle.db
        .selectFrom("contacts")
        .select("email")
        .where("id", "=", world.contactId)
        .executeTakeFirstOrThrow()
    ).email!;
    const start = await server.app.inject({
      method: "POST",
      url: "/api/public/self-service/start",
      payload: { email: address },
    });
    expect(start.statusCode, start.body).toBe(202);
    const verified = await server.app.inject({
      method: "POST",
      url: "/api/public/self-service/verify",
      payload: { email: address, code: await sentCode(server, { contactId: world.contactId }) },
    });
    expect(verified.statusCode, verified.body).toBe(201);
    const { reference } = verified.json();
    const before = smtp.received.length;
    await worker.drain();
    const formMail = smtp.received
      .slice(before)
      .find((m) => m.subject === `Your cancellation request form (${reference})`);
    expect(formMail, "the form email arrived").toBeDefined();
    expect(formMail!.text).not.toContain("As we discussed");
    expect(formMail!.text).toContain("Thank you for confirming your email address");
    expect(formMail!.text).toMatch(/http:\/\/localhost:3000\/c\/\S+/);
    await email.close();
  });

  it("tells a colleague who may not cancel who can, once an hour, and sends no code", async () => {
    const world = await makeWorld(server, { authorised: false, role: "user" });
    const email = smtpTo(smtp);
    const worker = testWorker(server, { email });
    const contact = await server.handle.db
      .selectFrom("contacts")
      .select(["email", "name"])
      .where("id", "=", world.contactId)
      .executeTakeFirstOrThrow();
    const account = await server.handle.db
      .selectFrom("accounts")
      .select("name")
      .where("id", "=", world.accountId)
      .executeTakeFirstOrThrow();
    const ask = () =>
      server.app.inject({
        method: "POST",
        url: "/api/public/self-service/start",
        // Typed as people do: another case, a space.
        payload: { email: ` ${contact.email!.toUpperCase()}` },
      });
    const unknown = await server.app.inject({
      method: "POST",
      url: "/api/public/self-service/start",
      payload: { email: "nobody-here@example.org" },
    });
    const first = await ask();
    // The page answers them as it answers anyone: only their own mailbox learns more.
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toEqual(unknown.json());
    expect((await ask()).statusCode).toBe(202);

    const before = smtp.received.length;
    await worker.drain();
    const toContact = (m: (typeof smtp.received)[number]) =>
      JSON.stringify(m.to ?? "").includes(contact.email!);
    const mails = smtp.received.slice(before).filter(toContact);
    expect(mails.map((m) => m.subject)).toEqual([
      `About your request to cancel ${account.name}'s WootRecruit subscription`,
    ]);
    const [mail] = mails;
    expect(mail!.text).toContain(`Hello ${contact.name}`);
    expect(mail!.text).toContain("only by the account's owner or billing administrator");
    expect(mail!.text).toContain(`reply to this message and ${world.am.user!.name} will help`);
    expect(mail!.text).not.toMatch(/code is \d/);
    expect(mail!.replyTo?.value).toEqual([
      { name: world.am.user!.name, address: world.am.user!.email },
    ]);
    const codes = await server.handle.db
      .selectFrom("identity_codes")
      .select("id")
      .where("contact_id", "=", world.contactId)
      .execute();
    expect(codes).toEqual([]);

    // An hour later they may be told again.
    server.clock.advance(3_600_000);
    expect((await ask()).statusCode).toBe(202);
    await worker.drain();
    expect(smtp.received.filter(toContact)).toHaveLength(2);
    await email.close();
  });

  it("retries a 451 refusal with backoff and delivers once", async () => {
    const world = await makeWorld(server);
    const email = smtpTo(smtp);
    const worker = testWorker(server, { email });
    const c = await openCaseFor(world);
    smtp.refuseNext(451, 451);
    await act(world.am, c.id, "identity/send-code");
    const before = smtp.received.length;
    await worker.drain();
    let code = (await messagesOf(c.id)).find((m) => m.topic === "identity_code")!;
    expect(code).toMatchObject({ status: "pending", attempts: 1 });
    expect(code.lastError).toContain("451");
    // Not due yet: the backoff holds it back until the clock moves.
    await worker.drain();
    expect((await messagesOf(c.id)).find((m) => m.topic === "identity_code")!.attempts).toBe(1);
    server.clock.advance(PAST_BACKOFF);
    await worker.drain();
    server.clock.advance(PAST_BACKOFF);
    await worker.drain();
    code = (await messagesOf(c.id)).find((m) => m.topic === "identity_code")!;
    expect(code).toMatchObject({ status: "sent", lastError: null });
    expect(code.attempts).toBeGreaterThanOrEqual(2);
    const arrived = smtp.received
      .slice(before)
      .filter((m) => m.subject?.includes("verification code"));
    expect(arrived).toHaveLength(1);
    await email.close();
  });

  it("a dropped connection is retried and the message is not lost", async () => {
    // A server that accepts TCP and hangs up at once, then a real SMTP server on the same port.
    const dropper: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropper.listen(0, "127.0.0.1", () => resolve()));
    const port = (dropper.address() as { port: number }).port;
    const world = await makeWorld(server);
    const email = smtpTo({ url: `smtp://127.0.0.1:${port}` });
    const worker = testWorker(server, { email });
    const c = await openCaseFor(world);
    await act(world.am, c.id, "identity/send-code");
    await worker.drain();
    const failed = (await messagesOf(c.id)).find((m) => m.topic === "identity_code")!;
    expect(failed.status).toBe("pending");
    expect(failed.lastError).toMatch(/SMTP/);
    await new Promise<void>((resolve) => dropper.close(() => resolve()));

    const revived = await startSmtpServer(port);
    try {
      server.clock.advance(PAST_BACKOFF);
      await worker.drain();
      expect((await messagesOf(c.id)).find((m) => m.topic === "identity_code")!.status).toBe(
        "sent",
      );
      expect(revived.received.filter((m) => m.subject?.includes("verification code"))).toHaveLength(
        1,
      );
    } finally {
      await email.close();
      await revived.close();
    }
  });

  it("after the last attempt a message is failed, listed for admins, and a retry delivers it", async () => {
    const world = await makeWorld(server);
    const email = smtpTo(smtp);
    const worker = testWorker(
      server,
      { email },
      { messages: { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 1000 } },
    );
    const admin = await clientFor(server, "admin");
    const c = await openCaseFor(world);
    smtp.refuseNext(451, 451);
    await act(world.am, c.id, "identity/send-code");
    await worker.drain();
    server.clock.advance(PAST_BACKOFF);
    await worker.drain();
    const failed = (await messagesOf(c.id)).find((m) => m.topic === "identity_code")!;
    expect(failed).toMatchObject({ status: "failed", attempts: 2 });

    const list = await admin.request({ method: "GET", url: "/api/messages/failed" });
    expect(list.statusCode).toBe(200);
    const item = list.json().items.find((m: { caseId: string }) => m.caseId === c.id);
    expect(item).toMatchObject({ topic: "identity_code", caseReference: c.reference });
    expect(JSON.stringify(item)).not.toContain("codeNonce");

    const am = await clientFor(server, "account_manager");
    expect(
      (await am.request({ method: "POST", url: `/api/messages/${item.id}/retry`, payload: {} }))
        .statusCode,
    ).toBe(403);
    const retry = await admin.request({
      method: "POST",
      url: `/api/messages/${item.id}/retry`,
      payload: {},
    });
    expect(retry.statusCode, retry.body).toBe(202);
    const again = await admin.request({
      method: "POST",
      url: `/api/messages/${item.id}/retry`,
      payload: {},
    });
    expect(again.json().code).toBe("MESSAGE_NOT_FAILED");
    await worker.drain();
    expect((await messagesOf(c.id)).find((m) => m.topic === "identity_code")!.status).toBe("sent");
    await email.close();
  });

  it("a 550 refusal is final at once", async () => {
    const world = await makeWorld(server);
    const email = smtpTo(smtp);
    const worker = testWorker(server, { email });
    const c = await openCaseFor(world);
    smtp.refuseNext(550);
    await act(world.am, c.id, "identity/send-code");
    await worker.drain();
    expect((await messagesOf(c.id)).find((m) => m.topic === "identity_code")).toMatchObject({
      status: "failed",
      attempts: 1,
    });
    await email.close();
  });
});

describe("times in customers' messages", () => {
  it("are in the account's time zone when it has one, named, and UTC otherwise", async () => {
    const world = await makeWorld(server);
    const admin = await clientFor(server, "admin");
    const bad = await admin.request({
      method: "PATCH",
      url: `/api/accounts/${world.accountId}`,
      payload: { timeZone: "Mars/Olympus_Mons" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields).toEqual([
      {
        field: "timeZone",
        message: "must be an IANA time zone such as Europe/London or America/New_York",
      },
    ]);
    const set = await admin.request({
      method: "PATCH",
      url: `/api/accounts/${world.accountId}`,
      payload: { timeZone: "Australia/Sydney" },
    });
    expect(set.json()).toMatchObject({ timeZone: "Australia/Sydney" });

    const email = smtpTo(smtp);
    const c = await openWithFormSent(server, world);
    await testWorker(server, { email }).drain();
    const form = smtp.received.find(
      (m) => m.subject?.includes(c.reference) && m.text?.includes("/c/"),
    );
    expect(form, "the form email arrived").toBeDefined();
    const expiresAt = (
      await server.handle.db
        .selectFrom("customer_links")
        .select("expires_at")
        .where("case_id", "=", c.id)
        .executeTakeFirstOrThrow()
    ).expires_at;
    const local = new Intl.DateTimeFormat("en-US", {
      dateStyle: "long",
      timeStyle: "short",
      timeZone: "Australia/Sydney",
    }).format(expiresAt);
    expect(form!.text).toContain(local);
    expect(form!.text).toMatch(/GMT\+1[01]/);
    expect(form!.text).not.toContain(" UTC");
    await email.close();
  });
});

describe("who a customer's reply goes to", () => {
  it("is never a deactivated account manager", async () => {
    const world = await makeWorld(server);
    const email = smtpTo(smtp);
    const c = await openCaseFor(world);
    await act(world.am, c.id, "identity/send-code");
    // The AM leaves before the message goes out.
    await server.handle.db
      .updateTable("users")
      .set({ active: false })
      .where("id", "=", world.am.user!.id)
      .execute();
    const before = smtp.received.length;
    await testWorker(server, { email }).drain();
    const code = smtp.received
      .slice(before)
      .find((m) => m.subject?.includes("verification code") && m.text?.includes(c.reference));
    expect(code, "the code email arrived").toBeDefined();
    expect(code!.replyTo).toBeUndefined();
    expect(code!.text).not.toContain(world.am.user!.email);
    await email.close();
  });
});

describe("dev mailbox", () => {
  it("keeps email when no SMTP server is configured; admins read it", async () => {
    const world = await makeWorld(server);
    const worker = testWorker(server);
    const c = await openCaseFor(world);
    await act(world.am, c.id, "identity/send-code");
    await worker.drain();
    const admin = await clientFor(server, "admin");
    const list = await admin.request({ method: "GET", url: "/api/dev/mailbox?limit=200" });
    expect(list.statusCode).toBe(200);
    const mail = list
      .json()
      .items.find((m: { subject: string }) => m.subject?.includes("verification code"));
    expect(mail).toMatchObject({ channel: "email" });
    const one = await admin.request({ method: "GET", url: `/api/dev/mailbox/${mail.id}` });
    expect(one.json().html).toContain("<!doctype html>");
    const am = await clientFor(server, "account_manager");
    expect((await am.request({ method: "GET", url: "/api/dev/mailbox" })).statusCode).toBe(403);
  });

  it("signs messages with the company name from the workspace settings", async () => {
    const admin = await clientFor(server, "admin");
    const renamed = await admin.request({
      method: "PATCH",
      url: "/api/settings",
      payload: { companyName: "Acme Hiring" },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    try {
      const world = await makeWorld(server);
      const c = await openCaseFor(world);
      await act(world.am, c.id, "identity/send-code");
      await testWorker(server).drain();
      const mail = await server.handle.db
        .selectFrom("dev_mailbox")
        .innerJoin("outbox", "outbox.id", "dev_mailbox.outbox_id")
        .select(["dev_mailbox.subject", "dev_mailbox.text_body"])
        .where("outbox.case_id", "=", c.id)
        .executeTakeFirstOrThrow();
      expect(`${mail.subject}\n${mail.text_body}`).toContain("Acme Hiring");
      expect(mail.text_body).not.toContain("WootRecruit");
    } finally {
      await admin.request({
        method: "PATCH",
        url: "/api/settings",
        payload: { companyName: "WootRecruit" },
      });
    }
  });
});
