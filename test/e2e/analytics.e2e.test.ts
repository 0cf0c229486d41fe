// Journey: an AM withdraws a request on the customer's word, then opens Analytics: the figures
// show the closed case, each report tab is accessible, and a figure opens the cases behind it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Customer,
  type E2e,
  expectAccessible,
  findCustomers,
  hasChromium,
  screenshot,
  signIn,
  staffContext,
  startE2e,
} from "./harness.ts";

describe.skipIf(!hasChromium)("analytics", () => {
  let e2e: E2e;
  let customer: Customer;
  beforeAll(async () => {
    e2e = await startE2e();
    [, , , customer] = (await findCustomers(e2e, 4)) as Customer[] as [
      Customer,
      Customer,
      Customer,
      Customer,
    ];
  });
  afterAll(() => e2e?.close());

  it("shows the figures, accessible on every tab, with a drill-down to the cases", async () => {
    const page = await (await staffContext(e2e)).newPage();
    await signIn(page, customer.amEmail);
    // A case closed as withdrawn, through the API with the page's own session.
    const session = await (await page.request.get("/api/auth/session")).json();
    const headers = { "x-csrf-token": session.csrfToken as string };
    const opened = await page.request.post("/api/cases", {
      headers,
      data: {
        accountId: customer.accountId,
        subscriptionId: customer.subscriptionId,
        requesterContactId: customer.contactId,
        channel: "phone",
      },
    });
    expect(opened.status()).toBe(201);
    const caseId = (await opened.json()).case.id as string;
    const withdrawn = await page.request.post(`/api/cases/${caseId}/withdraw`, {
      headers,
      data: { reason: "Decided to stay after all." },
    });
    expect(withdrawn.status()).toBe(200);

    await page.getByRole("link", { name: "Analytics" }).click();
    await page.getByRole("heading", { name: "Analytics", level: 1 }).waitFor();
    await page.getByRole("table", { name: "Requests and outcomes per period" }).waitFor();
    await expectAccessible(page, "analytics overview");
    await screenshot(page, "analytics-overview", true);

    for (const tab of ["Save rates", "Reasons", "Time and SLA", "Form and feedback"]) {
      await page.getByRole("tab", { name: tab }).click();
      await page
        .getByRole("link", { name: /^Download CSV of / })
        .first()
        .waitFor();
      await expectAccessible(page, `analytics: ${tab}`);
    }
    await page.getByRole("tab", { name: "Policy adherence" }).click();
    await page.getByRole("table", { name: "Adherence by account manager" }).waitFor();
    await expectAccessible(page, "analytics: policy adherence");
    await screenshot(page, "analytics-adherence", true);

    await page.getByRole("tab", { name: "Overview" }).click();
    await page
      .getByRole("link", { name: /show the withdrawn cases/ })
      .first()
      .click();
    await page.getByRole("heading", { name: "Cases behind the figure" }).waitFor();
    await page
      .getByRole("table", { name: "Closed cases, newest first" })
      .getByRole("link")
      .first()
      .waitFor();
    await expectAccessible(page, "cases behind a figure");
  });
});
