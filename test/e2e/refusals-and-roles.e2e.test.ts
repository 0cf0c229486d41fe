// Journeys 3 and 4: the AM cannot process before escalation and is told why, in the engine's
// words; a stale screen is reloaded with a message; sign-in problems are explained; admin screens
// are for admins only; link problems get a kind page.

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../src/app/seed-demo.ts";
import {
  findUserCredentialsByEmail,
  toStaffUser,
} from "../../src/db/repositories/users.repository.ts";
import { wootrecruitPolicy } from "../../src/policy/wootrecruit.ts";
import { signInAs } from "../app.ts";
import { act, publishPolicy, submitFormAsCustomer, verifyByCode } from "../cases.ts";
import {
  blockedMessage,
  type Customer,
  caseIdOf,
  caseReferenceFromUrl,
  choose,
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

/** A 1x1 PNG: the logo as a data URL, so the page loads nothing from outside. */
const LOGO =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/** On a 390 px phone the page's tables scroll inside themselves: the page never scrolls sideways. */
async function fitsAPhone(page: Page) {
  const desk = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("button", { name: "Menu" }).waitFor();
  // Measured once the layout has settled after the resize.
  await page.waitForTimeout(300);
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
    390,
  );
  // Nor is a heading or a message's title (one naming a long URL, say) cut off at the edge.
  const cut = await page.evaluate<
    string[]
  >(`[...document.querySelectorAll("h1, h2, h3, h4, .mantine-Alert-title")]
    .filter((e) => e.scrollWidth > e.clientWidth + 1)
    .map((e) => e.textContent)`);
  expect(cut).toEqual([]);
  await page.setViewportSize(desk);
  await page.waitForTimeout(300);
}

describe.skipIf(!hasChromium)("refusals, roles and problems", () => {
  let e2e: E2e;
  let customer: Customer;
  let waiting: Customer;
  beforeAll(async () => {
    e2e = await startE2e();
    [, , customer, waiting] = (await findCustomers(e2e, 4)) as [
      Customer,
      Customer,
      Customer,
      Customer,
    ];
  });
  afterAll(() => e2e?.close());

  it("the AM is told why the case cannot be processed yet, and a stale screen is reloaded", async () => {
    const am = await (await staffContext(e2e)).newPage();
    await signIn(am, customer.amEmail);
    await am.goto("/cases/new");
    await am.getByLabel("Find the account").fill(customer.accountName);
    await choose(am, "Account", customer.accountName);
    await choose(am, "Who is asking", new RegExp(customer.contactName));
    await choose(am, "Subscription", /month/);
    await am.getByRole("button", { name: "Open the case" }).click();
    const reference = await caseReferenceFromUrl(am);
    const caseId = await caseIdOf(e2e, reference);
    // Step 1 by security check this time.
    await am.getByLabel("Facts checked").fill("Billing postcode and last invoice amount");
    await am.getByRole("button", { name: "Record security check" }).click();
    await am.getByRole("button", { name: "Send the Cancellation Request Form" }).click();
    await am.getByText("Status: Sent").waitFor();
    const form = await am.request.post(
      `/api/public/links/${await linkSentFor(e2e, caseId, "form_link")}/form`,
      {
        data: {
          reasonCode: "too_expensive",
          details: "",
          requestedEffective: "immediately",
          preferredConfirmationChannel: "email",
          authorityConfirmed: true,
        },
      },
    );
    expect(form.status()).toBe(200);

    // The form is in, but the policy needs the offers and the CSM first: no Process button, and
    // the current step's blocked command says what to do, as the engine words it.
    await am.reload();
    await am.getByRole("heading", { name: "Step 3: Offer Assistance and Alternatives" }).waitFor();
    expect(await am.getByRole("button", { name: /Process cancellation/ }).count()).toBe(0);
    const escalate = am.getByTestId("blocked-escalateToCsm");
    expect(await escalate.textContent()).toContain(
      await blockedMessage(am, reference, "escalateToCsm"),
    );
    await choose(am, "Reason", "It's too expensive");
    await am.getByLabel("What the customer said").fill("The hiring budget is gone this year.");
    await am.getByRole("button", { name: "Record reason" }).click();
    await am.getByLabel("Why no offer suits").fill("The company is closing its hiring team.");
    await am.getByRole("button", { name: "Record no suitable offer" }).click();
    await am.getByRole("button", { name: "Escalate to CSM" }).click();
    const processing = am.getByTestId("blocked-processCancellation");
    await processing.waitFor();
    expect(await processing.textContent()).toContain(
      await blockedMessage(am, reference, "processCancellation"),
    );
    expect(await am.getByRole("button", { name: /Process cancellation/ }).count()).toBe(0);
    await expectAccessible(am, "the workspace with a blocked step");
    await processing.scrollIntoViewIfNeeded();
    await screenshot(am, "refusal");

    // Someone else changes the case meanwhile: the stale command is refused, the screen reloads.
    const other = await am.context().newPage();
    await other.goto(`/cases/${reference}`);
    await other.getByLabel("New note").fill("Called back; customer on holiday until Monday.");
    await other.getByRole("button", { name: "Add note" }).click();
    await other.getByText("Called back; customer on holiday until Monday.").first().waitFor();
    await am.getByLabel("New note").fill("A note from a screen that is out of date.");
    await am.getByRole("button", { name: "Add note" }).click();
    await am.getByRole("alert").filter({ hasText: "This case changed" }).waitFor();
    await am.getByText("Called back; customer on holiday until Monday.").first().waitFor();
  });

  it("explains a wrong password and a locked account", async () => {
    const page = await (await staffContext(e2e)).newPage();
    await page.goto("/");
    await page.getByLabel("Email").fill(customer.csmEmail);
    for (let attempt = 1; attempt <= 6; attempt++) {
      await page
        .locator('input[autocomplete="current-password"]')
        .fill(`wrong-password-${attempt}`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").waitFor();
      if (attempt === 1) {
        expect(await page.getByRole("alert").textContent()).toContain(
          "The email or password is not right",
        );
        await expectAccessible(page, "the sign-in page with an error");
        await screenshot(page, "sign-in-error");
      }
    }
    await page.getByRole("alert").filter({ hasText: "This account is locked" }).waitFor();
  });

  it("an AM or a CSM does not see the admin screens; an admin does", async () => {
    const am = await (await staffContext(e2e)).newPage();
    await signIn(am, customer.amEmail);
    expect(await am.getByRole("link", { name: "Users and roles" }).count()).toBe(0);
    expect(await am.getByRole("link", { name: "Dev mailbox" }).count()).toBe(0);
    await am.goto("/admin/users");
    await am.getByRole("heading", { name: "Not available to your role" }).waitFor();
    expect(await am.getByRole("table", { name: "Users" }).count()).toBe(0);
    await am.goto("/admin/policy");
    await am.getByRole("heading", { name: "Not available to your role" }).waitFor();

    const admin = await (await staffContext(e2e)).newPage();
    await signIn(admin, "alex.morgan@wootrecruit.example");
    await admin.getByRole("link", { name: "Users and roles" }).click();
    await admin.getByRole("table", { name: "Users" }).waitFor();
    await expectAccessible(admin, "users and roles");
    await screenshot(admin, "admin-users");
    // Deactivating asks what becomes of the user's open cases (going back changes nothing).
    await admin
      .getByRole("row")
      .filter({ hasText: customer.amEmail })
      .getByRole("button", { name: /^Deactivate / })
      .click();
    const dialog = admin.getByRole("dialog");
    await dialog.getByText(/ holds (no|\d+) open cases?/).waitFor();
    await expectAccessible(admin, "the deactivate dialog");
    await dialog.getByRole("button", { name: "Go back" }).click();
    await dialog.waitFor({ state: "hidden" });
    await admin.getByRole("link", { name: "Dev mailbox" }).click();
    await admin.getByRole("heading", { name: "Dev mailbox" }).waitFor();
    await expectAccessible(admin, "the dev mailbox");
    // The company's name and logo on the customer pages come from the settings.
    await admin.getByRole("link", { name: "Settings", exact: true }).click();
    await admin.getByRole("heading", { name: "Settings" }).waitFor();
    await admin.getByLabel("Company name").fill("  ");
    await admin.getByLabel("Logo URL").fill(LOGO);
    await admin.getByRole("button", { name: "Save settings" }).click();
    await admin.getByText("must be 1 to 120 characters").waitFor();
    await admin.getByLabel("Company name").fill("WootRecruit Talent Ltd");
    await admin.getByLabel("Save validation period (days)").fill("45");
    await admin.getByRole("button", { name: "Save settings" }).click();
    await admin.getByText("Settings saved.").waitFor();
    await expectAccessible(admin, "the settings");
    await screenshot(admin, "admin-settings");
    // The audit chain check walks the log slice by slice and reports every case checked.
    await admin.getByRole("link", { name: "Audit chain" }).click();
    await admin.getByRole("button", { name: "Verify every case now" }).click();
    await admin.getByRole("alert").filter({ hasText: "Every chain verifies" }).waitFor();
    await admin.getByText("Cases checked").waitFor();
    await expectAccessible(admin, "the audit chain check");
    // The quick start's server holds the embedded database, so the CLI cannot import beside it:
    // the admin imports from this page, fixes the line the report names, and imports again.
    await admin.getByRole("link", { name: "Import from CSV" }).click();
    await admin.getByRole("heading", { name: "Import from CSV" }).waitFor();
    const accountsFile = (rows: string[]) => ({
      name: "accounts.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`external_ref,name,country\n${rows.join("\n")}\n`),
    });
    await admin
      .getByLabel("CSV file")
      .setInputFiles(accountsFile(["E2E-1,Larkspur Staffing,US", "E2E-2,,CA"]));
    await admin.getByRole("button", { name: "Import", exact: true }).click();
    await admin.getByRole("alert").filter({ hasText: "Nothing was imported" }).waitFor();
    await admin
      .getByRole("table", { name: "Problems to fix in the file" })
      .getByRole("row", { name: "3 name is required" })
      .waitFor();
    await expectAccessible(admin, "a refused import");
    await screenshot(admin, "admin-import");
    await admin
      .getByLabel("CSV file")
      .setInputFiles(accountsFile(["E2E-1,Larkspur Staffing,US", "E2E-2,Marigold Health,CA"]));
    await admin.getByRole("button", { name: "Import", exact: true }).click();
    await admin.getByRole("status").filter({ hasText: "Imported 2 accounts of 2 rows." }).waitFor();
    await admin.getByRole("link", { name: "Policy settings" }).click();
    await admin.getByRole("table", { name: "Offer catalog" }).waitFor();
    await expectAccessible(admin, "policy settings");
    await screenshot(admin, "admin-policy");
    await admin.getByRole("tab", { name: "Publish a new version" }).click();
    await admin.getByLabel("Feedback expiry (days)").fill("21");
    await admin
      .getByLabel("What changed (shown in the versions list)")
      .fill("Feedback open for three weeks");
    await publishNewVersion(admin);
    await admin.getByText("Version 2 is published.").waitFor();
    // Another admin publishes while this page still holds a copy of version 2: publishing over
    // it is refused, and the page offers to start again from the current version.
    const otherAdmin = await signInAs(
      e2e.server.app,
      toStaffUser(
        (await findUserCredentialsByEmail(e2e.handle.db, "alex.morgan@wootrecruit.example"))!,
      ),
      DEMO_PASSWORD,
    );
    const meanwhile = await publishPolicy(otherAdmin, {
      definition: wootrecruitPolicy,
      notes: "Published from the API meanwhile",
    });
    expect(meanwhile.statusCode, meanwhile.body).toBe(201);
    await admin.getByLabel("Feedback expiry (days)").fill("20");
    await publishNewVersion(admin);
    await admin.getByText("Version 3 was published after the version 2").waitFor();
    await admin.getByRole("button", { name: "Load the current version" }).click();
    await expect.poll(() => admin.getByLabel("Feedback expiry (days)").inputValue()).toBe("14");
    await admin.getByLabel("Feedback expiry (days)").fill("21");
    await publishNewVersion(admin);
    await admin.getByText("Version 4 is published.").waitFor();
    await admin.getByRole("link", { name: "Policy article" }).click();
    await admin
      .getByRole("heading", { name: "What do I do if someone wants to cancel?" })
      .waitFor();
    await admin.getByRole("button", { name: "Print" }).waitFor();
    await expectAccessible(admin, "the policy article");
    await screenshot(admin, "policy-article");
    await admin.emulateMedia({ media: "print" });
    await admin.evaluate("window.scrollTo(0, 0)");
    expect(await admin.getByRole("button", { name: "Print" }).isVisible()).toBe(false);
    await admin.screenshot({ path: "docs/screenshots/policy-article-print.png", fullPage: false });
  });

  it("a link that is not valid gets a kind page", async () => {
    const phone = await (await customerContext(e2e)).newPage();
    await phone.goto("/c/not-a-real-link-0123456789");
    await phone.getByRole("heading", { name: "This link is not valid" }).waitFor();
    await expectAccessible(phone, "the invalid-link page");
    // Branded from the settings the admin saved above.
    await expect
      .poll(() => phone.getByTestId("company-name").textContent())
      .toBe("WootRecruit Talent Ltd");
    expect(await phone.locator("header img").getAttribute("src")).toBe(LOGO);
  });

  it("an admin adds a plan and a webhook endpoint from the admin screens", async () => {
    const admin = await (await staffContext(e2e)).newPage();
    await signIn(admin, "alex.morgan@wootrecruit.example");
    // Plans: a refused code is named under its field; the fixed one is added and listed.
    await admin.getByRole("link", { name: "Plans", exact: true }).click();
    await admin.getByRole("heading", { name: "Plans", exact: true }).waitFor();
    await admin.getByRole("textbox", { name: "Code" }).fill("Growth Plus");
    await admin.getByRole("textbox", { name: "Name" }).fill("Growth Plus");
    await admin.getByRole("textbox", { name: "Price" }).fill("59");
    await admin.getByRole("button", { name: "Add plan" }).click();
    await admin.getByText("must be 2-40 lowercase letters, digits, - or _").waitFor();
    await expectAccessible(admin, "a refused plan");
    await admin.getByRole("textbox", { name: "Code" }).fill("growth-plus");
    await admin.getByRole("button", { name: "Add plan" }).click();
    await admin
      .getByRole("status")
      .filter({ hasText: "Plan “Growth Plus” (growth-plus) added at $59.00 a seat a month." })
      .waitFor();
    await admin.getByRole("table", { name: "Plans" }).getByText("growth-plus").waitFor();
    await expectAccessible(admin, "the plans");
    await screenshot(admin, "admin-plans");
    await fitsAPhone(admin);
    // Webhooks: an endpoint is added with its secret shown once, then deleted after the dialog
    // (before any event is sent to an address that is not there).
    await admin.getByRole("link", { name: "Webhooks" }).click();
    await admin.getByRole("heading", { name: "Webhooks" }).waitFor();
    await admin
      .getByRole("textbox", { name: "URL" })
      .fill("https://billing.example.com/canceldesk");
    await admin.getByRole("textbox", { name: "Description" }).fill("Billing");
    await admin.getByRole("checkbox", { name: "case.retained" }).check();
    await admin.getByRole("checkbox", { name: "cancellation.processed" }).check();
    await admin.getByRole("button", { name: "Add endpoint" }).click();
    await admin.getByRole("button", { name: "Copy the secret" }).waitFor();
    await expect
      .poll(() => admin.getByRole("status").filter({ hasText: "whsec_" }).count())
      .toBe(1);
    await expectAccessible(admin, "the webhooks with a new secret");
    await screenshot(admin, "admin-webhooks");
    await fitsAPhone(admin);
    await admin
      .getByRole("button", { name: "Deliveries to https://billing.example.com/canceldesk" })
      .click();
    await admin.getByText("Nothing sent yet.").waitFor();
    await admin
      .getByRole("button", { name: "Delete https://billing.example.com/canceldesk" })
      .click();
    await admin.getByRole("dialog").getByRole("button", { name: "Delete the endpoint" }).click();
    await admin
      .getByRole("status")
      .filter({ hasText: "https://billing.example.com/canceldesk is deleted" })
      .waitFor();
    await admin.getByText("No webhook endpoints yet.").waitFor();
    await expectAccessible(admin, "the webhooks");
  });

  it("a refusal caused by time passing reloads the case: an offer that ran out is no longer answered", async () => {
    // The AM presented an offer; the page stays open while its time to answer runs out. Offers
    // of this policy version last an hour, less than a staff session.
    const signedIn = async (email: string) =>
      signInAs(
        e2e.server.app,
        toStaffUser((await findUserCredentialsByEmail(e2e.handle.db, email))!),
        DEMO_PASSWORD,
      );
    const admin = await signedIn("alex.morgan@wootrecruit.example");
    const publish = async (definition: typeof wootrecruitPolicy, notes: string) => {
      const published = await publishPolicy(admin, { definition, notes });
      expect(published.statusCode, published.body).toBe(201);
    };
    await publish(
      { ...wootrecruitPolicy, slas: { ...wootrecruitPolicy.slas, offerAnswerExpiryHours: 1 } },
      "Offers are answered within the hour",
    );
    const api = await signedIn(waiting.amEmail);
    const opened = await api.request({
      method: "POST",
      url: "/api/cases",
      payload: {
        accountId: waiting.accountId,
        subscriptionId: waiting.subscriptionId,
        requesterContactId: waiting.contactId,
        channel: "phone",
      },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    // The case keeps its version; cases opened later get the usual policy again.
    await publish(wootrecruitPolicy, "Back to the usual policy");
    const { id: caseId, reference } = opened.json().case as { id: string; reference: string };
    await verifyByCode(e2e.server, api, caseId);
    await act(api, caseId, "form/send");
    await submitFormAsCustomer(e2e.server, caseId);
    await act(api, caseId, "reason", { reasonCode: "too_expensive", notes: "Seats went up." });
    const view = await act(api, caseId, "offers", { offerCode: "discount_20_3m" });
    const [offer] = view.case.offers as { expiresAt: string }[];

    const am = await (await staffContext(e2e)).newPage();
    await signIn(am, waiting.amEmail);
    await am.goto(`/cases/${reference}`);
    const accept = am.getByRole("button", { name: "Accepted: 20% off for 3 months" });
    await accept.waitFor();
    const shift = Date.parse(offer!.expiresAt) - Date.now() + 60_000;
    e2e.server.clock.advance(shift);
    try {
      await accept.click();
      // The engine's sentence, and the screen as the case is now: nothing left to answer.
      await am.getByRole("alert").filter({ hasText: "expired" }).waitFor();
      await am.getByRole("heading", { name: /Customer's answer/ }).waitFor({ state: "detached" });
      expect(await accept.count()).toBe(0);
    } finally {
      e2e.server.clock.advance(-shift);
    }
  });
});

/** Publishes the policy draft on the page, through the dialog that asks first. */
async function publishNewVersion(admin: Page) {
  await admin.getByRole("button", { name: "Publish new version" }).click();
  await admin
    .getByRole("dialog", { name: "Publish a new policy version?" })
    .getByRole("button", { name: "Publish", exact: true })
    .click();
}
