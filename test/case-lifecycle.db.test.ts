// Cases driven through the HTTP API to every outcome the policy allows, as the AM, the CSM and
// the customer (through their links) would do it, on PGlite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, startTestServer, type TestServer } from "./app.ts";
import {
  act,
  FORM_ANSWERS,
  makeWorld,
  openCaseFor,
  openWithFormSent,
  refused,
  sentCode,
  sentLink,
  staffClient,
  submitFormAsCustomer,
  verifyByCode,
  type World,
} from "./cases.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const customer = (path: string, payload: unknown) =>
  server.app.inject({
    method: "POST",
    url: `/api/public/links/${path}`,
    payload: payload as Record<string, unknown>,
  });

async function subscriptionOf(world: World) {
  const response = await world.am.request({
    method: "GET",
    url: `/api/subscriptions/${world.subscriptionId}`,
  });
  return response.json();
}

/** Steps 1 and 2: verify identity by code, send the form, the customer submits it. */
async function verifiedWithForm(world: World, form: Record<string, unknown> = {}) {
  const c = await openWithFormSent(server, world);
  await submitFormAsCustomer(server, c.id, form);
  return c;
}

async function escalatedToProceed(world: World, c: { id: string }) {
  await act(world.am, c.id, "reason", {
    reasonCode: "too_expensive",
    notes: "Budget halved for 2027.",
  });
  await act(world.am, c.id, "no-suitable-offer", {
    reason: "They are closing the recruiting team entirely.",
  });
  await act(world.am, c.id, "escalate");
  await act(world.csm, c.id, "csm/engage", { notes: "Called the owner." });
  return act(world.csm, c.id, "csm/outcome", {
    outcome: "proceed",
    notes: "No option fits; they leave on good terms.",
  });
}

describe("a case through every outcome", () => {
  it("cancelled at the end of the term: confirmation, feedback and documentation", async () => {
    const world = await makeWorld(server);
    const c = await verifiedWithForm(world);
    await escalatedToProceed(world, c);
    const processed = await act(world.am, c.id, "process");
    expect(processed.case.state).toBe("cancelled");
    expect(processed.case.processing.mode).toBe("end_of_term");
    const subscription = await subscriptionOf(world);
    expect(subscription.status).toBe("cancellation_scheduled");
    expect(subscription.cancelAt).toBe(processed.case.processing.effectiveAt);

    await act(world.am, c.id, "confirmation", { channel: "email" });
    const requested = await act(world.am, c.id, "feedback/request");
    expect(requested.case.state).toBe("feedback");
    const survey = await customer(`${await sentLink(server, c.id, "feedback_request")}/feedback`, {
      rating: 4,
      decisionReason: "too_expensive",
      comments: "Thanks for making it easy.",
    });
    expect(survey.statusCode, survey.body).toBe(200);
    const closed = await act(world.am, c.id, "close", {
      summary: "Cancelled at term end; left on good terms.",
    });
    expect(closed.case).toMatchObject({ state: "closed", outcome: "cancelled" });
    expect(closed.case.documentation).toMatchObject({
      outcome: "cancelled",
      reason: { code: "too_expensive" },
    });
    expect(closed.checklist.map((s: { status: string }) => s.status)).toEqual(
      Array(7).fill("done"),
    );

    // Everything the case did is on the account's timeline.
    const accountCases = await world.am.request({
      method: "GET",
      url: "/api/cases",
      query: { accountId: world.accountId },
    });
    expect(accountCases.json().items[0].case.documentation.outcome).toBe("cancelled");
    const timeline = await world.am.request({ method: "GET", url: `/api/cases/${c.id}/timeline` });
    const types = timeline.json().items.map((e: { type: string }) => e.type);
    expect(types[0]).toBe("case_opened");
    expect(types).toContain("cancellation_processed");
    expect(types.at(-1)).toBe("case_closed");
  });

  it("a cancellation scheduled for the end of the term can be reactivated until it takes effect", async () => {
    const world = await makeWorld(server);
    const c = await verifiedWithForm(world);
    await escalatedToProceed(world, c);
    await act(world.am, c.id, "process");
    const url = `/api/subscriptions/${world.subscriptionId}/reactivate`;
    const reactivated = await world.am.request({ method: "POST", url });
    expect(reactivated.statusCode, reactivated.body).toBe(200);
    expect(reactivated.json()).toMatchObject({ status: "active", cancelAt: null });
    const again = await world.am.request({ method: "POST", url });
    expect(again.json().code).toBe("NOT_SCHEDULED_FOR_CANCELLATION");
    const timeline = await world.am.request({ method: "GET", url: `/api/cases/${c.id}/timeline` });
    expect(timeline.json().items.at(-1)).toMatchObject({ type: "subscription_reactivated" });
    const messages = await world.am.request({ method: "GET", url: `/api/cases/${c.id}/messages` });
    expect(messages.json().items.map((m: { topic: string }) => m.topic)).toContain(
      "reactivation_confirmation",
    );
  });

  it("cannot reactivate once the cancellation has taken effect", async () => {
    const world = await makeWorld(server);
    const c = await verifiedWithForm(world);
    await escalatedToProceed(world, c);
    await act(world.am, c.id, "process");
    server.clock.advance(21 * 86_400_000);
    // Three weeks on, the AM's session has long ended: a colleague signs in.
    const admin = await staffClient(server, "admin");
    const late = await admin.request({
      method: "POST",
      url: `/api/subscriptions/${world.subscriptionId}/reactivate`,
    });
    server.clock.advance(-21 * 86_400_000);
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe("CANCELLATION_IN_EFFECT");
  });

  it("cancelled immediately when the form asks for it", async () => {
    const world = await makeWorld(server);
    const c = await verifiedWithForm(world, { requestedEffective: "immediately" });
    await escalatedToProceed(world, c);
    const processed = await act(world.am, c.id, "process");
    expect(processed.case.processing.mode).toBe("immediately");
    const subscription = await subscriptionOf(world);
    expect(subscription.status).toBe("cancelled");
    expect(subscription.cancelledAt).not.toBeNull();
  });

  it("retained by the AM's offer, accepted by the customer through their link", async () => {
    const world = await makeWorld(server);
    const c = await verifiedWithForm(world);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget pressure." });
    await act(world.am, c.id, "offers", { offerCode: "discount_20_3m" });
    const answered = await customer(`${await sentLink(server, c.id, "offer_link")}/offer`, {
      answer: "accepted",
    });
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json()).toMatchObject({ state: "closed", outcome: "retained" });
    const row = await server.handle.db
      .selectFrom("subscriptions")
      .selectAll()
      .where("id", "=", world.subscriptionId)
      .executeTakeFirstOrThrow();
    expect(row.discount_percent).toBe(20);
    expect(row.status).toBe("active");
  });

  it("retained by the CSM with a downgrade", async () => {
    const world = await makeWorld(server);
    const c = await verifiedWithForm(world);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget pressure." });
    await act(world.am, c.id, "offers", { offerCode: "discount_20_3m", sendToCustomer: false });
    await act(world.am, c.id, "offers/discount_20_3m/answer", { answer: "declined" });
    await act(world.am, c.id, "escalate");
    const outcome = await act(world.csm, c.id, "csm/outcome", {
      outcome: "retained",
      offerCode: "downgrade_starter",
      notes: "Starter covers their two open roles.",
    });
    expect(outcome.case).toMatchObject({ state: "closed", outcome: "retained" });
    const subscription = await subscriptionOf(world);
    expect(subscription.monthlyValueMinor).toBe(19_900);
    expect(subscription.status).toBe("active");
  });

  it("withdrawn by the customer before processing", async () => {
    const world = await makeWorld(server);
    const c = await verifiedWithForm(world);
    const withdrawn = await act(world.am, c.id, "withdraw", {
      reason: "They found budget after all.",
    });
    expect(withdrawn.case).toMatchObject({ state: "closed", outcome: "withdrawn" });
    expect((await subscriptionOf(world)).status).toBe("active");
    await refused(world.am, c.id, "notes", "CASE_CLOSED", { text: "too late" });
  });

  it("closed unverified after the attempt limit of wrong codes", async () => {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    await act(world.am, c.id, "identity/send-code");
    const real = await sentCode(server, { caseId: c.id });
    const wrong = real === "000000" ? "111111" : "000000";
    await act(world.am, c.id, "identity/confirm-code", { code: wrong });
    await act(world.am, c.id, "identity/confirm-code", { code: wrong });
    const last = await act(world.am, c.id, "identity/confirm-code", { code: wrong });
    expect(last.case).toMatchObject({ state: "closed", outcome: "unverified" });
  });
});

describe("the policy cannot be skipped through the API", () => {
  it("refuses each step taken too early with the rule's code", async () => {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    await refused(world.am, c.id, "form/send", "IDENTITY_NOT_VERIFIED");
    await refused(world.am, c.id, "process", "IDENTITY_NOT_VERIFIED");
    await verifyByCode(server, world.am, c.id);
    await refused(world.am, c.id, "escalate", "FORM_NOT_SENT");
    await act(world.am, c.id, "form/send");
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget." });
    await refused(world.am, c.id, "escalate", "NO_OFFER_PRESENTED");
    await refused(world.am, c.id, "process", "NOT_ESCALATED");
    await act(world.am, c.id, "no-suitable-offer", { reason: "Closing the team." });
    await act(world.am, c.id, "escalate");
    await refused(world.am, c.id, "process", "CSM_OUTCOME_MISSING");
    await act(world.csm, c.id, "csm/outcome", { outcome: "proceed", notes: "Proceed." });
    // The customer never submitted the form: processing must wait for it.
    const refusal = await refused(world.am, c.id, "process", "FORM_NOT_SUBMITTED");
    expect(refusal.message).toMatch(/form/i);
    const view = await world.am.request({ method: "GET", url: `/api/cases/${c.id}` });
    expect(
      view.json().nextActions.blocked.map((b: { refusal: { code: string } }) => b.refusal.code),
    ).toContain("FORM_NOT_SUBMITTED");
  });

  it("lets only a CSM engage and record the CSM outcome: others get the rule's 409", async () => {
    const world = await makeWorld(server);
    const c = await verifiedWithForm(world);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget." });
    await act(world.am, c.id, "no-suitable-offer", { reason: "Closing the team." });
    const escalated = await act(world.am, c.id, "escalate");
    const admin = await clientFor(server, "admin");
    for (const [client, path, payload] of [
      [world.am, "csm/outcome", { outcome: "proceed", notes: "I will just do it." }],
      [world.am, "csm/engage", {}],
      [admin, "csm/outcome", { outcome: "proceed", notes: "Admin override." }],
    ] as const) {
      const refusal = await refused(client, c.id, path, "CSM_ROLE_REQUIRED", payload);
      expect(refusal.message).toMatch(/customer success manager/i);
    }
    const view = await world.am.request({ method: "GET", url: `/api/cases/${c.id}` });
    expect(view.json().case).toMatchObject({
      state: "escalated",
      version: escalated.case.version,
      escalation: { outcome: null },
    });
    await act(world.csm, c.id, "csm/outcome", { outcome: "proceed", notes: "Proceed." });
  });

  it("refuses a requester who is not authorised to cancel", async () => {
    const world = await makeWorld(server, { authorised: false, role: "user" });
    const response = await world.am.request({
      method: "POST",
      url: "/api/cases",
      payload: {
        accountId: world.accountId,
        subscriptionId: world.subscriptionId,
        requesterContactId: world.contactId,
        channel: "phone",
      },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe("REQUESTER_NOT_AUTHORISED");
  });

  it("answers a stale version with CASE_CHANGED and the current version", async () => {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    await act(world.am, c.id, "notes", { text: "First note", expectedVersion: c.version });
    const stale = await world.am.request({
      method: "POST",
      url: `/api/cases/${c.id}/notes`,
      payload: { text: "Second", expectedVersion: c.version },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({
      code: "CASE_CHANGED",
      details: { currentVersion: c.version + 1 },
    });
  });

  it("keeps one open case per subscription", async () => {
    const world = await makeWorld(server);
    await openCaseFor(world);
    const second = await world.am.request({
      method: "POST",
      url: "/api/cases",
      payload: {
        accountId: world.accountId,
        subscriptionId: world.subscriptionId,
        requesterContactId: world.contactId,
        channel: "email",
      },
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe("CASE_ALREADY_OPEN");
  });
});

describe("customer links", () => {
  it("work once, reach only their own case, and say kindly when used or forged", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const token = await sentLink(server, c.id, "form_link");
    const view = await server.app.inject({ method: "GET", url: `/api/public/links/${token}` });
    expect(view.json()).toMatchObject({
      purpose: "form",
      reference: c.reference,
      companyName: "WootRecruit",
      // What the customer is cancelling, and when the term ends.
      subscription: { planName: "growth", monthlyValueMinor: 49_900, currency: "USD" },
    });
    expect(Date.parse(view.json().subscription.currentPeriodEnd)).toBeGreaterThan(Date.now());
    const form = {
      reasonCode: "unused",
      details: "",
      requestedEffective: "end_of_term",
      preferredConfirmationChannel: "email",
      authorityConfirmed: true,
    };
    expect((await customer(`${token}/form`, form)).statusCode).toBe(200);
    const again = await customer(`${token}/form`, form);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("LINK_USED");
    const forged = await customer(`${token.slice(0, -2)}xx/form`, form);
    expect(forged.statusCode).toBe(404);
    expect(forged.json().code).toBe("LINK_INVALID");
    // Only hashes are stored: the token itself is nowhere in the database.
    const stored = await server.handle.db
      .selectFrom("customer_links")
      .select("token_hash")
      .execute();
    expect(stored.map((r) => r.token_hash)).not.toContain(token);
  });

  it("offer only the confirmation channels the contact can be reached on", async () => {
    const world = await makeWorld(server);
    // A contact with an email address and no phone number on file.
    await server.handle.db
      .updateTable("contacts")
      .set({ phone: null })
      .where("id", "=", world.contactId)
      .execute();
    const c = await openWithFormSent(server, world);
    const token = await sentLink(server, c.id, "form_link");
    const view = await server.app.inject({ method: "GET", url: `/api/public/links/${token}` });
    expect(view.json().confirmationChannels).toEqual(["email"]);
    const bySms = await customer(`${token}/form`, {
      ...FORM_ANSWERS,
      preferredConfirmationChannel: "sms",
    });
    expect(bySms.statusCode).toBe(400);
    expect(bySms.json().fields).toEqual([
      {
        field: "preferredConfirmationChannel",
        message: "cannot be sms: we have no phone number on file for you; choose email",
      },
    ]);
    expect((await customer(`${token}/form`, FORM_ANSWERS)).statusCode).toBe(200);
  });

  it("show an offer as it was presented, with its effect on the monthly price", async () => {
    const world = await makeWorld(server);
    const c = await verifiedWithForm(world);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget." });
    await act(world.am, c.id, "offers", { offerCode: "discount_20_3m" });
    const discount = await server.app.inject({
      method: "GET",
      url: `/api/public/links/${await sentLink(server, c.id, "offer_link")}`,
    });
    expect(discount.json().offer).toMatchObject({
      code: "discount_20_3m",
      effect: {
        currency: "USD",
        monthlyValueBeforeMinor: 49_900,
        monthlyValueDuringMinor: 39_920,
        durationMonths: 3,
        monthlyValueAfterMinor: 49_900,
      },
    });
    await customer(`${await sentLink(server, c.id, "offer_link")}/offer`, { answer: "declined" });
    await act(world.am, c.id, "escalate");
    const terms = "40% off for 12 months if you sign a 1-year renewal by the end of the month.";
    await act(world.csm, c.id, "offers", {
      offerCode: "custom_csm",
      customTerms: terms,
    });
    const custom = await server.app.inject({
      method: "GET",
      url: `/api/public/links/${await sentLink(server, c.id, "offer_link")}`,
    });
    expect(custom.statusCode, custom.body).toBe(200);
    // The customer reads the CSM's terms, as the email quoted them, not the catalog's blurb.
    expect(custom.json().offer).toMatchObject({
      code: "custom_csm",
      label: "Custom offer",
      description: terms,
      effect: { monthlyValueBeforeMinor: 49_900, monthlyValueDuringMinor: 49_900 },
    });
  });

  it("expire, and a resend supersedes the earlier link", async () => {
    const world = await makeWorld(server);
    const c = await openWithFormSent(server, world);
    const first = await sentLink(server, c.id, "form_link");
    server.clock.advance(1000);
    await act(world.am, c.id, "form/resend");
    const superseded = await server.app.inject({
      method: "GET",
      url: `/api/public/links/${first}`,
    });
    expect(superseded.json().code).toBe("LINK_SUPERSEDED");
    const second = await sentLink(server, c.id, "form_link");
    server.clock.advance(73 * 3_600_000);
    const expired = await server.app.inject({ method: "GET", url: `/api/public/links/${second}` });
    expect(expired.json().code).toBe("LINK_EXPIRED");
    server.clock.advance(-(73 * 3_600_000 + 1000));
  });

  it("self-service: email, code, and the form opens as a new case on the portal channel", async () => {
    const world = await makeWorld(server);
    const contact = await world.am.request({
      method: "GET",
      url: `/api/contacts/${world.contactId}`,
    });
    const email = contact.json().email;
    const start = await server.app.inject({
      method: "POST",
      url: "/api/public/self-service/start",
      payload: { email },
    });
    expect(start.statusCode).toBe(202);
    const unknown = await server.app.inject({
      method: "POST",
      url: "/api/public/self-service/start",
      payload: { email: "nobody@nowhere.test" },
    });
    expect(unknown.json()).toEqual(start.json());
    const wrong = await server.app.inject({
      method: "POST",
      url: "/api/public/self-service/verify",
      payload: { email, code: "0000000" },
    });
    expect(wrong.statusCode).toBe(400);
    const code = await sentCode(server, { contactId: world.contactId });
    const verified = await server.app.inject({
      method: "POST",
      url: "/api/public/self-service/verify",
      payload: { email, code },
    });
    expect(verified.statusCode, verified.body).toBe(201);
    const { reference, formToken } = verified.json();
    const view = await server.app.inject({ method: "GET", url: `/api/public/links/${formToken}` });
    expect(view.json()).toMatchObject({ purpose: "form", reference });
    const opened = await world.am.request({ method: "GET", url: `/api/cases/${reference}` });
    // The form is provided (step 2); retention can start while the customer fills it in.
    expect(opened.json().case).toMatchObject({
      channel: "portal",
      state: "retention",
      formStatus: "sent",
    });
    expect(opened.json().case.identity.method).toBe("self_service");
  });

  it("self-service: a right code that cannot open a case is not used up; a wrong one still counts", async () => {
    const world = await makeWorld(server);
    // The AM already logged this customer's request: self-service cannot open a second case.
    const first = await openCaseFor(world);
    const email = (
      await world.am.request({ method: "GET", url: `/api/contacts/${world.contactId}` })
    ).json().email;
    await server.app.inject({
      method: "POST",
      url: "/api/public/self-service/start",
      payload: { email },
    });
    const code = await sentCode(server, { contactId: world.contactId });
    const verify = (given: string) =>
      server.app.inject({
        method: "POST",
        url: "/api/public/self-service/verify",
        payload: { email, code: given },
      });
    const refused = await verify(code);
    expect(refused.statusCode, refused.body).toBe(409);
    // Told in the customer's words where their request stands, not the desk's.
    expect(refused.json()).toMatchObject({
      code: "REQUEST_ALREADY_OPEN",
      details: { reference: first.reference },
    });
    expect(refused.json().message).toMatch(
      new RegExp(
        `^You already have a cancellation request in progress \\(${first.reference}\\)\\. Your account manager, .+, is looking after it`,
      ),
    );
    const codeRow = () =>
      server.handle.db
        .selectFrom("identity_codes")
        .select(["attempts", "used_at"])
        .where("contact_id", "=", world.contactId)
        .where("case_id", "is", null)
        .executeTakeFirstOrThrow();
    expect(await codeRow()).toEqual({ attempts: 0, used_at: null });
    expect((await verify(code === "000000" ? "111111" : "000000")).statusCode).toBe(400);
    expect(await codeRow()).toEqual({ attempts: 1, used_at: null });
  });
});
