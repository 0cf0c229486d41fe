// Identity code entry: the customer of a staff-opened case types the case reference and the
// code from their message; wrong codes count towards the policy's limit as the staff path does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invalidFields, startTestServer, type TestServer } from "./app.ts";
import { act, makeWorld, openCaseFor, sentCode } from "./cases.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** The email of the requester of the case with this reference (where its code was sent). */
async function emailOf(reference: string): Promise<string> {
  const row = await server.handle.db
    .selectFrom("cases")
    .innerJoin("contacts", "contacts.id", "cases.requester_contact_id")
    .select("contacts.email")
    .where("cases.reference", "=", reference.toUpperCase())
    .executeTakeFirst();
  return row?.email ?? "nobody@example.test";
}

const enter = async (reference: string, code: string, contact?: string) =>
  server.app.inject({
    method: "POST",
    url: "/api/public/identity/confirm-code",
    payload: { reference, contact: contact ?? (await emailOf(reference)), code },
  });

async function caseWithCodeSent() {
  const world = await makeWorld(server);
  const c = await openCaseFor(world);
  await act(world.am, c.id, "identity/send-code");
  return { world, c, code: await sentCode(server, { caseId: c.id }) };
}

const wrongOf = (code: string) => (code === "000000" ? "111111" : "000000");

describe("identity code entry", () => {
  it("refuses input that is not a reference and a code, naming the field", async () => {
    const response = await enter("not-a-ref", "12ab");
    expect(response.statusCode).toBe(400);
    expect(invalidFields(response)).toEqual(["code", "reference"]);
  });

  it("verifies the requester as the customer, and the AM sees it", async () => {
    const { world, c, code } = await caseWithCodeSent();
    const response = await enter(c.reference.toLowerCase(), code);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ reference: c.reference });
    const view = (await world.am.request({ method: "GET", url: `/api/cases/${c.id}` })).json();
    expect(view.case.identity).toMatchObject({ method: "code" });
    expect(view.case.identity.verifiedAt).not.toBeNull();
    const timeline = (
      await world.am.request({ method: "GET", url: `/api/cases/${c.id}/timeline` })
    ).json();
    const verified = timeline.items.find((e: { type: string }) => e.type === "identity_verified");
    expect(verified.actor).toMatchObject({ kind: "customer", contactId: world.contactId });
    // A used code, or a second try, gets the same answer as a wrong one.
    const again = await enter(c.reference, code);
    expect(again.statusCode).toBe(400);
    expect(again.json().fields[0].field).toBe("code");
  });

  it("takes the phone number the way people type it at home, not only in international form", async () => {
    // The contact's number on file is +1 415 555 0123.
    const { c, code } = await caseWithCodeSent();
    expect((await enter(c.reference, code, "(415) 555-0199")).statusCode).toBe(400);
    const response = await enter(c.reference, code, "(415) 555-0123");
    expect(response.statusCode, response.body).toBe(200);
  });

  it("answers an unknown reference exactly as a wrong code", async () => {
    const { c, code } = await caseWithCodeSent();
    const unknown = await enter("CD-1999-99999", code);
    const wrong = await enter(c.reference, wrongOf(code));
    expect(unknown.statusCode).toBe(400);
    expect(wrong.statusCode).toBe(400);
    expect(unknown.json()).toEqual(wrong.json());
  });

  it("counts wrong codes towards the policy's limit, with the staff path's count", async () => {
    const { world, c, code } = await caseWithCodeSent();
    expect((await enter(c.reference, wrongOf(code))).statusCode).toBe(400);
    // One wrong code read back to the AM: the same count.
    const staff = await world.am.request({
      method: "POST",
      url: `/api/cases/${c.id}/identity/confirm-code`,
      payload: { code: wrongOf(code) },
    });
    expect(staff.statusCode, staff.body).toBe(200);
    expect(staff.json().case.identity.attempts).toBe(2);
    // The third wrong code reaches the limit of 3: the case closes unverified, and even the
    // right code no longer opens it.
    expect((await enter(c.reference, wrongOf(code))).statusCode).toBe(400);
    const view = (await world.am.request({ method: "GET", url: `/api/cases/${c.id}` })).json();
    expect(view.case).toMatchObject({ state: "closed", outcome: "unverified" });
    expect((await enter(c.reference, code)).statusCode).toBe(400);
  });

  it("refuses a code after it expired", async () => {
    const { c, code } = await caseWithCodeSent();
    server.clock.advance(24 * 3_600_000);
    const response = await enter(c.reference, code);
    server.clock.advance(-24 * 3_600_000);
    expect(response.statusCode).toBe(400);
  });

  it("is rate limited per address", async () => {
    let limited = false;
    for (let i = 0; i < 40 && !limited; i++) {
      const response = await server.app.inject({
        method: "POST",
        url: "/api/public/identity/confirm-code",
        remoteAddress: "203.0.113.9",
        payload: { reference: "CD-1999-99999", code: "123456" },
      });
      limited = response.statusCode === 429;
    }
    expect(limited).toBe(true);
  });

  it("spends no attempt for a caller who does not know where the code was sent", async () => {
    const { world, c, code } = await caseWithCodeSent();
    // A stranger who guessed the reference tries more codes than the policy's limit...
    for (let i = 0; i < 5; i++) {
      const response = await enter(c.reference, wrongOf(code), "someone.else@example.test");
      expect(response.statusCode).toBe(400);
      expect(response.json().fields[0].field).toBe("code");
    }
    // ...and the case is untouched: the customer still confirms with the right code.
    const view = (await world.am.request({ method: "GET", url: `/api/cases/${c.id}` })).json();
    expect(view.case.identity.attempts).toBe(0);
    expect((await enter(c.reference, code)).statusCode).toBe(200);
  });
});
