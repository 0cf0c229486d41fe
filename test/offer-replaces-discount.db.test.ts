// A customer who already has a discount and is offered another one: billing keeps one discount,
// so accepting the new offer replaces the running one. The customer's offer page and the offer
// email say so, and say nothing of it for an offer that leaves the discount alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./app.ts";
import {
  act,
  makeWorld,
  openWithFormSent,
  saveByDiscount,
  sentLink,
  submitFormAsCustomer,
} from "./cases.ts";
import { testWorker } from "./messaging.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** The text of the offer email the case's customer received for `offerCode`. */
async function offerEmailText(caseId: string, offerCode: string): Promise<string> {
  const rows = await server.handle.db
    .selectFrom("dev_mailbox")
    .innerJoin("outbox", "outbox.id", "dev_mailbox.outbox_id")
    .select(["dev_mailbox.text_body", "outbox.payload"])
    .where("outbox.case_id", "=", caseId)
    .where("outbox.topic", "=", "offer_link")
    .execute();
  const row = rows.find((r) => (r.payload as { offerCode?: string }).offerCode === offerCode);
  if (!row) throw new Error(`no offer email for ${offerCode}`);
  return row.text_body;
}

describe("an offer to a customer whose discount still runs", () => {
  it("says on the offer page and in the email that a discount offer replaces it, and nothing for other offers", async () => {
    const world = await makeWorld(server);
    const accepted = new Date(server.clock.now);
    await saveByDiscount(server, world); // 20% off 49,900 for 3 months: 39,920 a month
    const endsAt = new Date(accepted);
    endsAt.setUTCMonth(endsAt.getUTCMonth() + 3);

    // The customer asks to cancel again while it runs; the AM presents a discount and a downgrade.
    const c = await openWithFormSent(server, world);
    await submitFormAsCustomer(server, c.id);
    await act(world.am, c.id, "reason", { reasonCode: "too_expensive", notes: "Still too dear." });
    await act(world.am, c.id, "offers", { offerCode: "discount_20_3m" });
    const discountLink = await sentLink(server, c.id, "offer_link");
    await act(world.am, c.id, "offers", { offerCode: "downgrade_starter" });
    const downgradeLink = await sentLink(server, c.id, "offer_link");

    const discountPage = await server.app.inject({
      method: "GET",
      url: `/api/public/links/${discountLink}`,
    });
    expect(discountPage.statusCode, discountPage.body).toBe(200);
    expect(discountPage.json().offer).toMatchObject({
      code: "discount_20_3m",
      replacesDiscount: { percent: 20, endsAt: endsAt.toISOString(), monthlyValueMinor: 39_920 },
    });
    const downgradePage = await server.app.inject({
      method: "GET",
      url: `/api/public/links/${downgradeLink}`,
    });
    expect(downgradePage.json().offer).toMatchObject({
      code: "downgrade_starter",
      replacesDiscount: null,
    });

    await testWorker(server).drain();
    // The account has no time zone: the customer's messages name days in UTC.
    const until = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" }).format(
      endsAt,
    );
    const discountEmail = await offerEmailText(c.id, "discount_20_3m");
    expect(discountEmail).toContain(
      `You already have 20% off until ${until} ($399.20 a month). Accepting this offer replaces that discount: the two do not add up.`,
    );
    expect(await offerEmailText(c.id, "downgrade_starter")).not.toContain("You already have");
  });
});
