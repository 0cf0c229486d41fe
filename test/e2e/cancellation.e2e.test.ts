// Journey 1: an AM and a CSM take a case from the request to cancellation, confirmation,
// feedback and documentation; the customer fills the form and the survey in their own browser.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blockedMessage,
  type Customer,
  caseIdOf,
  caseReferenceFromUrl,
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

describe.skipIf(!hasChromium)("an AM and a CSM take a case to cancellation", () => {
  let e2e: E2e;
  let customer: Customer;
  beforeAll(async () => {
    e2e = await startE2e();
    [customer] = (await findCustomers(e2e, 1)) as [Customer];
  });
  afterAll(() => e2e?.close());

  it("runs all seven steps", async () => {
    const am = await (await staffContext(e2e)).newPage();
    await signIn(am, customer.amEmail);
    await am.getByRole("tab", { name: "All cases" }).click();
    await expectAccessible(am, "the queues");

    // Step 1: log the request as it came in, then verify the requester by code.
    await am.getByRole("link", { name: "New case" }).first().click();
    await am.getByLabel("Find the account").fill(customer.accountName);
    await choose(am, "Account", customer.accountName);
    await choose(am, "Who is asking", new RegExp(customer.contactName));
    await choose(am, "Subscription", /month/);
    await am.getByRole("radio", { name: "Phone" }).check();
    await am.getByLabel("What the customer said (optional)").fill("Budget for next year was cut.");
    await expectAccessible(am, "the new case page");
    await screenshot(am, "new-case");
    await am.getByRole("button", { name: "Open the case" }).click();
    const reference = await caseReferenceFromUrl(am);
    const caseId = await caseIdOf(e2e, reference);
    await expect.poll(() => am.getByTestId("step-1").getAttribute("data-status")).toBe("current");
    await expectAccessible(am, "the case workspace at intake");
    await am.getByRole("button", { name: "Send verification code" }).click();
    await am.getByLabel("Code the customer reads back").waitFor();
    // The customer enters the code themselves on the page their message links to, with the
    // reference filled in; a wrong code is refused next to its field (and counts as an attempt).
    const code = await codeSentFor(e2e, { caseId });
    const phone = await (await customerContext(e2e)).newPage();
    await phone.goto(`/verify?ref=${encodeURIComponent(reference)}`);
    await phone.getByRole("heading", { name: "Confirm it's you" }).waitFor();
    expect(await phone.getByLabel("Case reference").inputValue()).toBe(reference);
    await phone.getByLabel("Your email address or phone number").fill(customer.contactEmail);
    await phone
      .getByLabel("The code from the message")
      .fill(code === "000000" ? "111111" : "000000");
    await phone.getByRole("button", { name: "Confirm" }).click();
    await phone.getByText(/is not right for this case reference/).waitFor();
    await expectAccessible(phone, "the identity code entry page with an error");
    await screenshot(phone, "identity-code-entry", true);
    await phone.getByLabel("The code from the message").fill(code);
    await phone.getByRole("button", { name: "Confirm" }).click();
    await phone.getByRole("heading", { name: "Thank you, we know it's you" }).waitFor();
    await expectAccessible(phone, "the identity confirmed page");
    await am.reload();
    await expect.poll(() => am.getByTestId("step-1").getAttribute("data-status")).toBe("done");
    // The rail's evidence names people and shows local times, never ids or ISO instants.
    const stepOne = (await am.getByTestId("step-1").textContent()) ?? "";
    expect(stepOne).toContain("recorded by the customer");
    expect(stepOne).toContain("Failed verification attempts: 1 of 3");
    expect(stepOne).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    // Later steps say what they need first, so nobody tries to jump ahead.
    expect(await am.getByTestId("ahead-processCancellation").textContent()).toContain(
      "Step 5: Process cancellation",
    );

    // Step 2: the form goes to the customer, who fills it on their phone.
    await am.getByRole("button", { name: "Send the Cancellation Request Form" }).click();
    await expect.poll(() => am.getByText("Status: Sent").isVisible()).toBe(true);
    // What went to the customer, and whether it went, is on the case.
    await am
      .getByRole("table", { name: "Messages to the customer" })
      .getByText("Cancellation Request Form")
      .waitFor();
    // On a 390 px phone the case page does not scroll sideways, and each message's status reads
    // in full ("SENT", not "SE…").
    const desk = am.viewportSize()!;
    await am.setViewportSize({ width: 390, height: 844 });
    await am.waitForTimeout(300);
    expect(await am.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
      390,
    );
    expect(
      await am.evaluate(`[...document.querySelectorAll("table[aria-label='Messages to the customer'] .mantine-Badge-label")]
        .filter((label) => label.scrollWidth > label.clientWidth + 1)
        .map((label) => label.textContent)`),
    ).toEqual([]);
    await am.setViewportSize(desk);
    await am.waitForTimeout(300);
    expect((await am.getByTestId("step-2").textContent()) ?? "").not.toMatch(
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/,
    );
    const formToken = await linkSentFor(e2e, caseId, "form_link");
    const scripts: { url: string; encoding: string | undefined }[] = [];
    phone.on("response", (response) => {
      if (response.request().resourceType() === "script") {
        scripts.push({ url: response.url(), encoding: response.headers()["content-encoding"] });
      }
    });
    await phone.goto(`/c/${formToken}`);
    await phone.getByRole("heading", { name: "Cancellation Request Form" }).waitFor();
    // The phone loads the customer pages alone, compressed: the staff desk is a chunk of its own.
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => s.url.includes("staff-area"))).toEqual([]);
    for (const script of scripts) expect(["br", "gzip"]).toContain(script.encoding);
    await expectAccessible(phone, "the customer's form");
    // Every missing answer is named next to its field, all in one round: the reason and the
    // engine's own check (authority not confirmed).
    await phone.getByRole("button", { name: "Submit my request" }).click();
    await phone.getByText("choose a reason").waitFor();
    await phone.getByText("must confirm you are authorised to cancel this subscription").waitFor();
    await screenshot(phone, "customer-form", true);
    await choose(phone, "Why do you want to cancel?", "It's too expensive");
    await phone
      .getByLabel("Tell us more (optional)")
      .fill("Our hiring budget for next year was halved.");
    await phone.getByRole("radio", { name: "At the end of my current billing period" }).check();
    await phone.getByRole("radio", { name: "Email" }).check();
    await phone.getByLabel(/I confirm I am authorised/).check();
    await phone.getByRole("button", { name: "Submit my request" }).click();
    await phone.getByRole("heading", { name: "Thank you, we have your request" }).waitFor();
    await expectAccessible(phone, "the form's confirmation page");
    await screenshot(phone, "customer-form-done", true);
    // The link works once.
    await phone.goto(`/c/${formToken}`);
    await phone.getByRole("heading", { name: "This link has already been used" }).waitFor();
    await expectAccessible(phone, "the used-link page");
    await screenshot(phone, "customer-link-used", true);

    // Step 3: the reason conversation, the offers, and "no suitable offer".
    await am.reload();
    await expect.poll(() => am.getByTestId("step-2").getAttribute("data-status")).toBe("done");
    await choose(am, "Reason", "It's too expensive");
    await am
      .getByLabel("What the customer said")
      .fill("Budget halved; they hire again in the autumn.");
    await am.getByRole("button", { name: "Record reason" }).click();
    await am.getByRole("radio", { name: /20% off for 3 months/ }).waitFor();
    await expectAccessible(am, "the case workspace with the offer picker");
    await screenshot(am, "case-workspace");
    await am
      .getByLabel("Why no offer suits")
      .fill("They are moving recruiting in-house; no discount changes that.");
    await am.getByRole("button", { name: "Record no suitable offer" }).click();
    await am.getByRole("button", { name: "Escalate to CSM" }).waitFor();

    // Step 4: escalation; the AM cannot process before the CSM's outcome, and is told why.
    await am
      .getByLabel("Hand-over notes")
      .fill("Customer is polite and decided; please call this week.");
    await am.getByRole("button", { name: "Escalate to CSM" }).click();
    await am.getByTestId("blocked-processCancellation").waitFor();
    expect(await am.getByTestId("blocked-processCancellation").textContent()).toContain(
      await blockedMessage(am, reference, "processCancellation"),
    );
    expect(await am.getByRole("button", { name: /Process cancellation/ }).count()).toBe(0);

    const csm = await (await staffContext(e2e)).newPage();
    await signIn(csm, customer.csmEmail);
    await csm.getByRole("link", { name: reference }).click();
    await csm.getByRole("button", { name: "Start engagement" }).click();
    await csm.getByRole("radio", { name: "Proceed with the cancellation" }).check();
    await csm
      .getByLabel("Outcome notes")
      .fill("Spoke with the owner; the decision stands. Left the door open.");
    await expectAccessible(csm, "the CSM's case workspace");
    await screenshot(csm, "csm-outcome");
    await csm.getByRole("button", { name: "Record outcome" }).click();
    await csm
      .getByRole("dialog", { name: "Proceed with the cancellation?" })
      .getByRole("button", { name: "Record: proceed" })
      .click();
    await expect.poll(() => csm.getByTestId("step-4").getAttribute("data-status")).toBe("done");
    // The form went away with the step: focus is above what the case offers now, not lost.
    await expect
      .poll(() => csm.evaluate("document.activeElement?.textContent"))
      .toBe("What you can do now");

    // Step 5: process as the form asks, then confirm on the customer's channel.
    await am.reload();
    await am.getByRole("button", { name: "Process cancellation…" }).click();
    const dialog = am.getByRole("dialog", { name: "Process the cancellation" });
    await dialog.getByText("At the end of the term").waitFor();
    await expectAccessible(am, "the processing dialog");
    await screenshot(am, "processing-dialog", false);
    await dialog.getByRole("button", { name: "Process cancellation" }).click();
    await am.getByRole("button", { name: "Send confirmation" }).click();
    await expect.poll(() => am.getByTestId("step-5").getAttribute("data-status")).toBe("done");

    // Step 6: the survey, answered by the customer.
    await am.getByRole("button", { name: "Send the feedback survey" }).click();
    await am.getByText("Waiting for the customer.").waitFor();
    await phone.goto(`/c/${await linkSentFor(e2e, caseId, "feedback_request")}`);
    await phone.getByRole("heading", { name: "How did we do?" }).waitFor();
    await phone.getByRole("radio", { name: "4" }).check();
    await choose(
      phone,
      "What led to your decision?",
      "We're moving recruiting in-house or to an agency",
    );
    await phone.getByLabel(/Anything else/).fill("Friendly people, thank you.");
    await expectAccessible(phone, "the feedback survey");
    await screenshot(phone, "customer-feedback", true);
    await phone.getByRole("button", { name: "Send feedback" }).click();
    await phone.getByRole("heading", { name: "Thank you for your feedback" }).waitFor();

    // Step 7: close; the documentation record is on the account.
    await am.reload();
    await am
      .getByLabel("Closing summary")
      .fill("Cancelled at term end: budget cut, moving in-house. Feedback 4/5.");
    await am.getByRole("button", { name: "Close case and write documentation" }).click();
    await am
      .getByRole("dialog", { name: "Close the case?" })
      .getByRole("button", { name: "Close the case" })
      .click();
    await am.getByText("Outcome: Cancelled").first().waitFor();
    await expect.poll(() => am.getByTestId("step-7").getAttribute("data-status")).toBe("done");
    await screenshot(am, "case-closed");
    await am.getByRole("link", { name: customer.accountName }).first().click();
    await am.getByRole("button", { name: new RegExp(reference) }).click();
    const record = am.getByTestId(`documentation-${reference}`);
    await record.waitFor();
    const text = (await record.textContent()) ?? "";
    expect(text).toContain("Outcome: Cancelled");
    expect(text).toContain("Feedback: 4/5");
    expect(text).toContain("CSM");
    await expectAccessible(am, "the account page");
    await screenshot(am, "account");
    await checkSubscription(am, customer);
    // The case's documentation: printable, with the seven steps and the verified audit chain.
    await am
      .getByRole("link", { name: /^Documentation \(print/ })
      .first()
      .click();
    await am.getByRole("heading", { name: `Case ${reference}: documentation` }).waitFor();
    await am.getByText("The hash chain verifies").waitFor();
    await expect
      .poll(() => am.getByRole("table", { name: "Audit entries" }).locator("tbody tr").count())
      .toBeGreaterThan(10);
    await expectAccessible(am, "the case documentation");
    await screenshot(am, "case-documentation", true);
    await am.getByRole("link", { name: "Queues" }).click();
    // Each queue's tab shows its count; the columns sort, and say how.
    await expect
      .poll(async () => (await am.getByRole("tab", { name: /All cases/ }).textContent()) ?? "")
      .toMatch(/All cases\s*\d+/);
    await am.getByRole("tab", { name: "All cases" }).click();
    await am.getByRole("link", { name: reference }).waitFor();
    const updated = am.getByRole("columnheader", { name: /Updated/ });
    expect(await updated.getAttribute("aria-sort")).toBe("none");
    await updated.getByRole("button").click();
    await expect.poll(() => updated.getAttribute("aria-sort")).toBe("descending");
    // The case just closed is the most recently updated.
    await expect
      .poll(
        async () =>
          (await am
            .getByRole("table", { name: "Cases" })
            .locator("tbody tr")
            .first()
            .textContent()) ?? "",
      )
      .toContain(reference);
    await expect.poll(() => am.getByTestId("queue-total").textContent()).toMatch(/\d+ cases?/);
    await expectAccessible(am, "the sorted queue");
    // At 1366 px every state badge reads in full ("ESCALATED", not "ESCA…").
    expect(
      await am.evaluate(`[...document.querySelectorAll("table[aria-label=Cases] .mantine-Badge-label")]
        .filter((label) => label.scrollWidth > label.clientWidth + 1)
        .map((label) => label.textContent)`),
    ).toEqual([]);
    await screenshot(am, "queues");
  });
});

async function checkSubscription(page: Page, customer: Customer) {
  // The subscription shows the scheduled cancellation.
  await page
    .getByRole("table", { name: "Subscriptions" })
    .getByText("Cancellation scheduled")
    .waitFor();
  expect(customer.subscriptionId).toBeTruthy();
}
