// The one read a command decides with carries the account, requester and subscription as JSON
// records (src/db/repositories/case-snapshot.repository.ts): they must come back exactly as the
// repositories read them, timestamps included, or the engine would decide on other facts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findAccountById } from "../src/db/repositories/accounts.repository.ts";
import {
  readCaseSnapshot,
  readOpeningSnapshot,
} from "../src/db/repositories/case-snapshot.repository.ts";
import { findContactById } from "../src/db/repositories/contacts.repository.ts";
import { findSubscriptionById } from "../src/db/repositories/subscriptions.repository.ts";
import { startTestServer, type TestServer } from "./app.ts";
import { act, makeWorld, openCaseFor } from "./cases.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe("the case snapshot", () => {
  it("reads the account, requester and subscription as the repositories do", async () => {
    const world = await makeWorld(server);
    const c = await openCaseFor(world);
    await act(world.am, c.id, "identity/send-code");
    const db = server.handle.db;
    const expected = {
      account: await findAccountById(db, world.accountId),
      requester: await findContactById(db, world.contactId),
      subscription: await findSubscriptionById(db, world.subscriptionId),
    };
    expect(expected.subscription?.currentPeriodEnd).toBeInstanceOf(Date);

    const byId = await readCaseSnapshot(db, c.id, { withIdentityCode: true });
    expect(byId).toMatchObject(expected);
    expect(byId?.case.id).toBe(c.id);
    expect(byId?.liveIdentityCode?.expiresAt).toBeInstanceOf(Date);
    const byReference = await readCaseSnapshot(db, c.reference);
    expect(byReference).toMatchObject(expected);
    expect(byReference).not.toHaveProperty("liveIdentityCode");

    const opening = await readOpeningSnapshot(db, {
      accountId: world.accountId,
      subscriptionId: world.subscriptionId,
      requesterContactId: world.contactId,
      namedStaffIds: [],
    });
    expect(opening).toMatchObject(expected);
  });

  it("answers no record for ids that are not there, when opening", async () => {
    const world = await makeWorld(server);
    const opening = await readOpeningSnapshot(server.handle.db, {
      accountId: world.accountId,
      subscriptionId: "00000000-0000-4000-8000-000000000000",
      requesterContactId: "00000000-0000-4000-8000-000000000001",
      namedStaffIds: [],
    });
    expect(opening.account?.id).toBe(world.accountId);
    expect(opening.subscription).toBeUndefined();
    expect(opening.requester).toBeUndefined();
  });
});
