// A customer world for case tests (AM, CSM, account, owner contact, growth subscription), and
// what the customer would find in their messages: the code and the link tokens, derived from the
// outbox exactly as the delivery worker derives them.
import { expect } from "vitest";
import { identityCode, linkToken } from "../src/app/customer-secrets.ts";
import { insertPlan } from "../src/db/repositories/plans.repository.ts";
import type { StaffRole } from "../src/domain/staff.ts";
import { type Client, signInAs, TEST_SECRET, type TestServer } from "./app.ts";
import { makeAccount, makeContact, makeSubscription, makeUser } from "./factories.ts";

export async function ensurePlan(server: TestServer, code: string, price: number) {
  const existing = await server.handle.db
    .selectFrom("plans")
    .select("id")
    .where("code", "=", code)
    .executeTakeFirst();
  if (existing) return existing.id;
  return (
    await insertPlan(server.handle.db, {
      code,
      name: code,
      monthlyPriceMinor: price,
      currency: "USD",
    })
  ).id;
}

/** An admin publishes a policy version (`{ definition, notes?, basedOnVersion? }`). */
export function publishPolicy(admin: Client, payload: Record<string, unknown>) {
  return admin.request({ method: "POST", url: "/api/policy/versions", payload });
}

/** The four plans WootRecruit's default policy's offers name, so it can be published again. */
export async function ensureWootRecruitPlans(server: TestServer) {
  for (const [code, price] of [
    ["starter", 19_900],
    ["growth", 49_900],
    ["scale", 99_900],
    ["enterprise", 199_900],
  ] as const) {
    await ensurePlan(server, code, price);
  }
}

export interface World {
  am: Client;
  csm: Client;
  accountId: string;
  contactId: string;
  subscriptionId: string;
}

export async function makeWorld(
  server: TestServer,
  options: {
    preferredChannel?: "email" | "sms" | "phone";
    authorised?: boolean;
    role?: "owner" | "user";
  } = {},
): Promise<World> {
  const db = server.handle.db;
  const planId = await ensurePlan(server, "growth", 49_900);
  await ensurePlan(server, "starter", 19_900);
  const amUser = await makeUser(db, "account_manager");
  const csmUser = await makeUser(db, "csm");
  const account = await makeAccount(db, { accountManagerId: amUser.id, csmId: csmUser.id });
  const contact = await makeContact(db, account.id, {
    preferredChannel: options.preferredChannel ?? "email",
    authorisedToCancel: options.authorised ?? true,
    role: options.role ?? "owner",
  });
  const subscription = await makeSubscription(db, account.id, planId, server.clock.now);
  return {
    am: await signInAs(server.app, amUser),
    csm: await signInAs(server.app, csmUser),
    accountId: account.id,
    contactId: contact.id,
    subscriptionId: subscription.id,
  };
}

/** The body of POST /api/cases for the world's subscription and requester. */
export function openCasePayload(world: World, channel = "phone") {
  return {
    accountId: world.accountId,
    subscriptionId: world.subscriptionId,
    requesterContactId: world.contactId,
    channel,
  };
}

export async function openCaseFor(world: World, channel = "phone") {
  const response = await world.am.request({
    method: "POST",
    url: "/api/cases",
    payload: openCasePayload(world, channel),
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().case as { id: string; reference: string; version: number };
}

/** Runs a command as `client` and expects it to be accepted; returns the case view. */
export async function act(
  client: Client,
  caseId: string,
  path: string,
  payload: Record<string, unknown> = {},
) {
  const response = await client.request({
    method: "POST",
    url: `/api/cases/${caseId}/${path}`,
    payload,
  });
  expect(response.statusCode, `${path}: ${response.body}`).toBe(200);
  return response.json();
}

/** Runs a command and expects the policy to refuse it with `code`. */
export async function refused(
  client: Client,
  caseId: string,
  path: string,
  code: string,
  payload: Record<string, unknown> = {},
) {
  const response = await client.request({
    method: "POST",
    url: `/api/cases/${caseId}/${path}`,
    payload,
  });
  expect(response.statusCode, `${path}: ${response.body}`).toBe(409);
  expect(response.json().code).toBe(code);
  return response.json();
}

async function latestPayload(server: TestServer, caseId: string, topic: string) {
  const row = await server.handle.db
    .selectFrom("outbox")
    .select("payload")
    .where("case_id", "=", caseId)
    .where("topic", "=", topic)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  return row.payload as Record<string, string>;
}

/** The code in the latest identity-code message of the case (or of the contact's self-service start). */
export async function sentCode(
  server: TestServer,
  where: { caseId: string } | { contactId: string },
): Promise<string> {
  const rows = await server.handle.db
    .selectFrom("outbox")
    .select(["payload", "recipient", "case_id"])
    .where("topic", "=", "identity_code")
    .orderBy("created_at")
    .execute();
  const row = rows
    .reverse()
    .find((r) =>
      "caseId" in where
        ? r.case_id === where.caseId
        : (r.recipient as { contactId: string }).contactId === where.contactId,
    );
  if (!row) throw new Error("no identity code was sent");
  const payload = row.payload as Record<string, string>;
  return identityCode(TEST_SECRET, payload.codeNonce!, Number(payload.codeLength));
}

export async function sentLink(
  server: TestServer,
  caseId: string,
  topic: "form_link" | "offer_link" | "feedback_request",
) {
  const payload = await latestPayload(server, caseId, topic);
  return linkToken(TEST_SECRET, payload.linkNonce!);
}

export async function staffClient(server: TestServer, role: StaffRole) {
  return signInAs(server.app, await makeUser(server.handle.db, role));
}

/** Step 1 by code: send it, and confirm it as the customer reads it back. */
export async function verifyByCode(server: TestServer, am: Client, caseId: string) {
  await act(am, caseId, "identity/send-code");
  return act(am, caseId, "identity/confirm-code", { code: await sentCode(server, { caseId }) });
}

/** Opens a case, verifies the requester and sends the form (steps 1 and 2 as the AM does them). */
export async function openWithFormSent(server: TestServer, world: World) {
  const c = await openCaseFor(world);
  await verifyByCode(server, world.am, c.id);
  await act(world.am, c.id, "form/send");
  return c;
}

export const FORM_ANSWERS = {
  reasonCode: "too_expensive",
  details: "Our hiring budget for next year was halved.",
  requestedEffective: "end_of_term",
  preferredConfirmationChannel: "email",
  authorityConfirmed: true,
};

/** The customer submits the form through the latest link they were sent. */
export async function submitFormAsCustomer(
  server: TestServer,
  caseId: string,
  answers: Record<string, unknown> = {},
) {
  const token = await sentLink(server, caseId, "form_link");
  const response = await server.app.inject({
    method: "POST",
    url: `/api/public/links/${token}/form`,
    payload: { ...FORM_ANSWERS, ...answers },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/**
 * Steps 1 to 4 as the AM takes them when no offer suits: identity by code, the form sent and
 * submitted by the customer, the reason, "no suitable offer", escalated to the account's CSM.
 */
export async function escalateWithoutOffer(server: TestServer, world: World, caseId: string) {
  await verifyByCode(server, world.am, caseId);
  await act(world.am, caseId, "form/send");
  await submitFormAsCustomer(server, caseId);
  await act(world.am, caseId, "reason", { reasonCode: "too_expensive", notes: "Budget cut." });
  await act(world.am, caseId, "no-suitable-offer", { reason: "The team is closing." });
  await act(world.am, caseId, "escalate");
}

/**
 * Steps 1-3 ending in a save: the form submitted, the reason recorded, 20% off for 3 months
 * presented by the AM and accepted by the customer through their link.
 */
export async function saveByDiscount(server: TestServer, world: World) {
  const c = await openWithFormSent(server, world);
  await submitFormAsCustomer(server, c.id);
  await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Budget cut." });
  await act(world.am, c.id, "offers", { offerCode: "discount_20_3m" });
  const answered = await server.app.inject({
    method: "POST",
    url: `/api/public/links/${await sentLink(server, c.id, "offer_link")}/offer`,
    payload: { answer: "accepted" },
  });
  expect(answered.json()).toMatchObject({ outcome: "retained" });
  return c;
}

/**
 * Steps 4-7 after an escalation: the CSM decides to proceed, the AM processes and confirms by
 * email, the customer answers the survey through their link, and the AM closes the case.
 */
export async function proceedToClose(server: TestServer, world: World, caseId: string) {
  await act(world.csm, caseId, "csm/outcome", { outcome: "proceed", notes: "They leave." });
  await act(world.am, caseId, "process");
  await act(world.am, caseId, "confirmation", { channel: "email" });
  await act(world.am, caseId, "feedback/request");
  const survey = await server.app.inject({
    method: "POST",
    url: `/api/public/links/${await sentLink(server, caseId, "feedback_request")}/feedback`,
    payload: { rating: 4, decisionReason: "too_expensive", comments: "" },
  });
  expect(survey.statusCode, survey.body).toBe(200);
  await act(world.am, caseId, "close", { summary: "Cancelled at term end." });
}
