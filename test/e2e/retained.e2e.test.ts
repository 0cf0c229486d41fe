// Journey 2: the customer starts on the self-service page, submits the form, and accepts an offer
// the AM presents from the offer picker: the case closes as retained.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Customer,
  caseIdOf,
  choose,
  codeSentFor,
  customerContext,
  type E2e,
  expectAccessible,
  findCustomers,
  hasChromium,
  linkSentFor,
  screenshot,
  signIn,
  staffContext,
  startE2e,
} from "./harness.ts";

const PHONE = { width: 390, height: 844 };
const ZOOMED_PHONE = { width: PHONE.width / 2, height: PHONE.height / 2 };

/**
 * The page's buttons whose label is cut off (wider or taller than the button shows). A string,
 * since the tests are type-checked without the DOM's types.
 */
function clippedButtons(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll("main button")]
    .filter((button) => {
      const label = button.querySelector(".mantine-Button-label") ?? button;
      const outer = button.getBoundingClientRect();
      const inner = label.getBoundingClientRect();
      return (
        label.scrollWidth > label.clientWidth + 1 ||
        label.scrollHeight > label.clientHeight + 1 ||
        inner.right > outer.right + 1 ||
        inner.bottom > outer.bottom + 1
      );
    })
    .map((button) => button.textContent ?? "")`);
}

describe.skipIf(!hasChromium)("a customer retained by an offer", () => {
  let e2e: E2e;
  let customer: Customer;
  beforeAll(async () => {
    e2e = await startE2e();
    [, customer] = (await findCustomers(e2e, 2)) as [Customer, Customer];
  });
  afterAll(() => e2e?.close());

  it("self-service start, form, offer accepted by the customer", async () => {
    const phone = await (await customerContext(e2e)).newPage();
    await phone.goto("/cancel");
    await phone
      .getByRole("heading", { name: /I want to cancel my WootRecruit subscription/ })
      .waitFor();
    await expectAccessible(phone, "the self-service start");
    await phone.getByLabel("Work email").fill(customer.contactEmail);
    await phone.getByRole("button", { name: "Send me a code" }).click();
    const codeField = phone.getByLabel("The code from the email");
    await codeField.waitFor();
    await screenshot(phone, "self-service-code", true);
    // A reload (or coming back from the mail app) keeps the code step.
    await phone.reload();
    await codeField.waitFor();
    // At 200% zoom the 390px phone is 195 CSS pixels wide: every label still reads in full.
    await phone.setViewportSize(ZOOMED_PHONE);
    expect(await clippedButtons(phone)).toEqual([]);
    await phone.getByRole("button", { name: "Use another email" }).click();
    expect(await clippedButtons(phone)).toEqual([]);
    await phone.getByRole("button", { name: "Send me a code" }).click();
    await codeField.waitFor();
    await phone.setViewportSize(PHONE);
    await codeField.fill(await codeSentFor(e2e, { contactId: customer.contactId }));
    // Keyboard only: Enter submits the form.
    await codeField.press("Enter");
    await phone.getByRole("heading", { name: "Cancellation Request Form" }).waitFor();
    await choose(phone, "Why do you want to cancel?", "It's too expensive");
    await phone.getByLabel(/I confirm I am authorised/).check();
    await phone.getByRole("button", { name: "Submit my request" }).click();
    await phone.getByRole("heading", { name: "Thank you, we have your request" }).waitFor();
    const reference = (await phone.locator("strong").first().textContent())!;
    const caseId = await caseIdOf(e2e, reference);

    const am = await (await staffContext(e2e)).newPage();
    await signIn(am, customer.amEmail);
    await am.getByRole("tab", { name: "All cases" }).click();
    await am.getByLabel("Search").fill(reference);
    await am.getByRole("link", { name: reference }).click();
    // Back from the case: the same tab and search, as the desk left them.
    await am.goBack();
    expect(await am.getByLabel("Search").inputValue()).toBe(reference);
    expect(await am.getByRole("tab", { name: /All cases/ }).getAttribute("aria-selected")).toBe(
      "true",
    );
    await am.getByRole("link", { name: reference }).click();
    await choose(am, "Reason", "It's too expensive");
    await am.getByLabel("What the customer said").fill("Invoices went up with the new seats.");
    await am.getByRole("button", { name: "Record reason" }).click();
    const discount = am.getByRole("radio", { name: /20% off for 3 months/ });
    await discount.waitFor();
    // Only the offers the engine allows are listed: the CSM-only offers are not.
    expect(await am.getByRole("radio", { name: /30% off for 6 months/ }).count()).toBe(0);
    expect(await am.getByRole("radio", { name: /Custom offer/ }).count()).toBe(0);
    expect(await am.getByTestId("effect-discount_20_3m").textContent()).toMatch(
      /→ .* for 3 months/,
    );
    await discount.check();
    await am.getByRole("heading", { name: "Present an offer" }).scrollIntoViewIfNeeded();
    await screenshot(am, "offer-picker");
    await am.getByRole("button", { name: "Present offer" }).click();
    await am.getByRole("heading", { name: /Customer's answer: 20% off for 3 months/ }).waitFor();

    await phone.goto(`/c/${await linkSentFor(e2e, caseId, "offer_link")}`);
    await phone.getByRole("heading", { name: "An offer for you" }).waitFor();
    // Reading starts at the step's heading, which takes focus without a ring round it.
    expect(
      await phone.evaluate(
        `[document.activeElement?.textContent, getComputedStyle(document.activeElement).outlineStyle]`,
      ),
    ).toEqual(["An offer for you", "none"]);
    await expectAccessible(phone, "the offer page");
    await screenshot(phone, "customer-offer", true);
    await phone.setViewportSize(ZOOMED_PHONE);
    expect(await clippedButtons(phone)).toEqual([]);
    await phone.setViewportSize(PHONE);
    await phone.getByRole("button", { name: "Yes, I accept this offer" }).click();
    await phone.getByRole("heading", { name: "The offer is yours" }).waitFor();

    await am.reload();
    await am.getByText("Outcome: Retained").waitFor();
    await expectAccessible(am, "a retained case");
  });
});
