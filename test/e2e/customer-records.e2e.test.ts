// Journey: an account manager keeps a customer's records on the account pages: a contact's new
// phone number, told when a colleague changed the contact meanwhile; and the accounts list fits a
// phone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Customer,
  type E2e,
  expectAccessible,
  findCustomers,
  hasChromium,
  signIn,
  staffContext,
  startE2e,
} from "./harness.ts";

// Like the other journeys: without Chromium a laptop skips them (saying why); CI fails instead.
describe.skipIf(!hasChromium)("customer records on the account pages", () => {
  let e2e: E2e;
  let customer: Customer;
  beforeAll(async () => {
    e2e = await startE2e();
    [customer] = (await findCustomers(e2e, 1)) as [Customer];
  });
  afterAll(() => e2e?.close());

  it("the AM changes a contact's phone, and is told when a colleague changed the contact first", async () => {
    const am = await (await staffContext(e2e)).newPage();
    await signIn(am, customer.amEmail);
    await am.goto(`/accounts/${customer.accountId}`);
    await am.getByRole("heading", { name: customer.accountName }).waitFor();

    await am.getByRole("button", { name: `Edit ${customer.contactName}` }).click();
    const dialog = am.getByRole("dialog", { name: `Edit ${customer.contactName}` });
    await dialog.getByLabel("Phone").fill("+1 404 555 0123");
    await expectAccessible(am, "the contact form");
    await dialog.getByRole("button", { name: "Save the contact" }).click();
    await am
      .getByRole("status")
      .filter({ hasText: `${customer.contactName} is saved.` })
      .waitFor();
    const phone = am.getByRole("link", { name: "+1 404 555 0123" });
    expect(await phone.getAttribute("href")).toBe("tel:+14045550123");

    // A colleague changes the contact while the form is open.
    await am.getByRole("button", { name: `Edit ${customer.contactName}` }).click();
    await dialog.getByLabel("Name").fill(`${customer.contactName} Jr`);
    await e2e.handle.db
      .updateTable("contacts")
      .set((eb) => ({ version: eb("version", "+", 1) }))
      .where("id", "=", customer.contactId)
      .execute();
    await dialog.getByRole("button", { name: "Save the contact" }).click();
    await dialog
      .getByRole("alert")
      .filter({ hasText: "Someone else changed this contact" })
      .waitFor();
    expect(await dialog.getByLabel("Name").inputValue()).toBe(`${customer.contactName} Jr`);
    await dialog.getByRole("button", { name: "Reload the contact" }).click();
    await expect.poll(() => dialog.getByLabel("Name").inputValue()).toBe(customer.contactName);
  });

  it("the accounts list fits a 390 px phone", async () => {
    const context = await staffContext(e2e);
    const page = await context.newPage();
    await signIn(page, customer.amEmail);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/accounts");
    await page.getByRole("button", { name: "New account" }).waitFor();
    await page.getByRole("table", { name: "Accounts" }).getByRole("link").first().waitFor();
    // The page's own width: what the phone scrolls sideways when something sticks out.
    const width = await page.evaluate<number>("document.documentElement.scrollWidth");
    expect(width).toBeLessThanOrEqual(390);
  });
});
