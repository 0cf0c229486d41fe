import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createQueryClient } from "../../../app/query-client.ts";
import type { AccountJson, ContactJson, SubscriptionJson } from "../../../lib/types.ts";
import { AccountPage } from "./account-page.tsx";
import { AccountsPage } from "./accounts-page.tsx";

configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });
afterEach(() => vi.unstubAllGlobals());

const account: AccountJson = {
  id: "acc-1",
  externalRef: "CRM-1001",
  name: "Acme Staffing",
  accountManagerId: "u-am",
  csmId: "u-csm",
  country: "US",
  timeZone: "America/New_York",
  segment: "smb",
  version: 3,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
};
const contact: ContactJson = {
  id: "con-1",
  accountId: "acc-1",
  externalRef: null,
  name: "Dana Reyes",
  email: "dana@acme.example",
  phone: "+14045550159",
  role: "owner",
  authorisedToCancel: true,
  preferredChannel: "email",
  version: 2,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
};
const subscription: SubscriptionJson = {
  id: "sub-1",
  accountId: "acc-1",
  planId: "plan-pro",
  externalRef: "SUB-77",
  seats: 25,
  monthlyValueMinor: 250_000,
  currency: "USD",
  status: "active",
  currentPeriodStart: "2026-01-01T00:00:00.000Z",
  currentPeriodEnd: "2027-01-01T00:00:00.000Z",
  cancelAt: null,
  cancelledAt: null,
  discount: null,
  pausedUntil: null,
  version: 5,
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
};
const user = (id: string, name: string, role: string) => ({
  id,
  name,
  email: `${id}@wootrecruit.example`,
  role,
  active: true,
  lockedUntil: null,
});

interface Reply {
  status?: number;
  body: unknown;
}
type Answer = unknown | ((body: Record<string, unknown>) => Reply);

/**
 * A fake server signed in as `role`: GETs answered from `pages` by path (the account page's
 * records by default), each write recorded with its body and answered by `pages["METHOD /path"]`
 * (a function of the body may answer with a status, e.g. a 409).
 */
function fakeApi(role: string, pages: Record<string, Answer> = {}) {
  const writes: { call: string; body: Record<string, unknown> }[] = [];
  const all: Record<string, Answer> = {
    "/api/auth/session": { user: user("u-me", "Me", role), csrfToken: "t" },
    "/api/accounts": { items: [account], nextCursor: null },
    "/api/accounts/acc-1": account,
    "/api/contacts": { items: [contact], nextCursor: null },
    "/api/subscriptions": { items: [subscription], nextCursor: null },
    "/api/plans": {
      items: [
        {
          id: "plan-pro",
          code: "pro",
          name: "Pro",
          monthlyPriceMinor: 10_000,
          currency: "USD",
          active: true,
        },
      ],
      nextCursor: null,
    },
    "/api/users": {
      items: [user("u-am", "Priya Shah", "account_manager"), user("u-csm", "Sam Lee", "csm")],
      nextCursor: null,
    },
    "/api/cases": { items: [], nextCursor: null },
    ...pages,
  };
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const path = new URL(input, "http://desk.test").pathname;
    const method = init?.method ?? "GET";
    let reply: Reply = { body: {} };
    if (method === "GET") reply = { body: all[path] ?? {} };
    else {
      const body = JSON.parse(String(init?.body ?? "{}")) as Record<string, unknown>;
      writes.push({ call: `${method} ${path}`, body });
      const answer = all[`${method} ${path}`];
      reply = typeof answer === "function" ? answer(body) : { body: answer ?? {} };
    }
    return new Response(JSON.stringify(reply.body), {
      status: reply.status ?? 200,
      headers: { "content-type": "application/json" },
    });
  });
  return { writes, pages: all };
}

function Where() {
  return <span data-testid="location">{useLocation().pathname}</span>;
}

function show(at: string) {
  render(
    <MantineProvider>
      <QueryClientProvider client={createQueryClient()}>
        <MemoryRouter initialEntries={[at]}>
          <Routes>
            <Route path="/accounts" element={<AccountsPage />} />
            <Route path="/accounts/:id" element={<AccountPage />} />
          </Routes>
          <Where />
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

/** The messages shown for an input (its description and error), as a screen reader hears them. */
function describedBy(input: HTMLElement): string {
  return (input.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .map((id) => document.getElementById(id)?.textContent ?? "")
    .join(" ");
}

function type(dialog: HTMLElement, label: string | RegExp, value: string) {
  fireEvent.change(within(dialog).getByLabelText(label), { target: { value } });
}

/** Opens a Mantine select found by its label and picks the option with this text. */
async function pick(scope: HTMLElement, label: RegExp, option: string) {
  const input = within(scope)
    .getAllByLabelText(label)
    .find((e) => e.tagName === "INPUT" && (e as HTMLInputElement).type !== "hidden")!;
  fireEvent.click(input);
  fireEvent.focus(input);
  await waitFor(() => expect(input.getAttribute("aria-controls")).toBeTruthy());
  const listbox = document.getElementById(input.getAttribute("aria-controls")!)!;
  const options = await within(listbox).findAllByRole("option", { hidden: true });
  fireEvent.click(options.find((o) => o.textContent === option)!);
}

const refusal = (status: number, body: Record<string, unknown>) => () => ({ status, body });

async function openDialog(button: string, title: string) {
  fireEvent.click(await screen.findByRole("button", { name: button }));
  return screen.findByRole("dialog", { name: title });
}

describe("the account's own details", () => {
  it("sends only what changed, with the version the page loaded", async () => {
    const { writes } = fakeApi("account_manager", {
      "PATCH /api/accounts/acc-1": { ...account, name: "Acme Holdings", version: 4 },
    });
    show("/accounts/acc-1");
    const dialog = await openDialog("Edit account", "Edit Acme Staffing");
    expect((within(dialog).getByLabelText(/^Name/) as HTMLInputElement).value).toBe(
      "Acme Staffing",
    );
    type(dialog, /^Name/, "Acme Holdings");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save the account" }));
    expect((await screen.findByRole("status")).textContent).toContain("Acme Holdings is saved.");
    expect(writes).toEqual([
      { call: "PATCH /api/accounts/acc-1", body: { name: "Acme Holdings", expectedVersion: 3 } },
    ]);
  });

  it("shows a field's problem under its input", async () => {
    fakeApi("admin", {
      "PATCH /api/accounts/acc-1": refusal(400, {
        code: "VALIDATION",
        message: "The request is not valid.",
        fields: [
          { field: "country", message: "must be a two-letter ISO 3166 country code, e.g. US" },
        ],
      }),
    });
    show("/accounts/acc-1");
    const dialog = await openDialog("Edit account", "Edit Acme Staffing");
    type(dialog, /^Country/, "XX");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save the account" }));
    expect((await within(dialog).findByRole("alert")).textContent).toContain(
      "The account was not saved: check the fields marked below.",
    );
    expect(describedBy(within(dialog).getByLabelText(/^Country/))).toContain(
      "must be a two-letter ISO 3166 country code, e.g. US",
    );
  });

  it("says when someone else changed it, keeps what was typed, and reloads it on request", async () => {
    const { writes, pages } = fakeApi("account_manager", {
      "PATCH /api/accounts/acc-1": refusal(409, {
        code: "ACCOUNT_CHANGED",
        message: "The account changed since you read it (it is at version 4 now).",
        details: { currentVersion: 4 },
      }),
    });
    show("/accounts/acc-1");
    const dialog = await openDialog("Edit account", "Edit Acme Staffing");
    type(dialog, /^Name/, "Acme Holdings");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save the account" }));
    const problem = await within(dialog).findByRole("alert");
    expect(problem.textContent).toContain("Someone else changed this account");
    expect(problem.textContent).toContain("What you typed is still below.");
    expect((within(dialog).getByLabelText(/^Name/) as HTMLInputElement).value).toBe(
      "Acme Holdings",
    );

    pages["/api/accounts/acc-1"] = { ...account, name: "Acme Staffing Ltd", version: 4 };
    pages["PATCH /api/accounts/acc-1"] = { ...account, segment: "enterprise", version: 5 };
    fireEvent.click(within(problem).getByRole("button", { name: "Reload the account" }));
    await waitFor(() =>
      expect((within(dialog).getByLabelText(/^Name/) as HTMLInputElement).value).toBe(
        "Acme Staffing Ltd",
      ),
    );
    expect(within(dialog).queryByRole("alert")).toBeNull();
    type(dialog, /^Country/, "ca");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save the account" }));
    await waitFor(() => expect(writes).toHaveLength(2));
    expect(writes[1]).toEqual({
      call: "PATCH /api/accounts/acc-1",
      body: { country: "CA", expectedVersion: 4 },
    });
  });

  it("creates an account from the list and opens it", async () => {
    const { writes } = fakeApi("account_manager", {
      "POST /api/accounts": { ...account, id: "acc-2", name: "Globex", version: 1 },
    });
    show("/accounts");
    const dialog = await openDialog("New account", "New account");
    type(dialog, /^Name/, "Globex");
    type(dialog, /^External reference/, "CRM-2002");
    fireEvent.click(within(dialog).getByRole("button", { name: "Create the account" }));
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/accounts/acc-2"));
    expect(writes).toEqual([
      {
        call: "POST /api/accounts",
        body: {
          name: "Globex",
          externalRef: "CRM-2002",
          segment: "smb",
          country: null,
          timeZone: null,
          accountManagerId: null,
          csmId: null,
        },
      },
    ]);
  });

  it("is read-only for a CSM: no form to create or change a record", async () => {
    fakeApi("csm");
    show("/accounts/acc-1");
    await screen.findByText("Dana Reyes");
    await screen.findByText("SUB-77");
    for (const name of ["Edit account", "Add contact", "Edit Dana Reyes", "Add subscription"])
      expect(screen.queryByRole("button", { name })).toBeNull();
    expect(screen.queryByRole("button", { name: /Edit subscription/ })).toBeNull();
  });
});

describe("contacts", () => {
  it("sends a changed phone as the API takes it, with the version the page loaded", async () => {
    const { writes } = fakeApi("account_manager", {
      "PATCH /api/contacts/con-1": { ...contact, phone: "+14045550199", version: 3 },
    });
    show("/accounts/acc-1");
    // Subscriptions are the billing system's: an account manager does not change them.
    expect(screen.queryByRole("button", { name: "Add subscription" })).toBeNull();
    const dialog = await openDialog("Edit Dana Reyes", "Edit Dana Reyes");
    expect(within(dialog).getByTestId("who-may-cancel").textContent).toBe(
      "Only an owner or a billing admin who is authorised to cancel may request a cancellation. This contact may.",
    );
    expect(dialog.textContent).toContain(
      "a change to their email, phone or preferred channel is recorded on that case",
    );
    type(dialog, /^Phone/, "+1 404 555 0199");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save the contact" }));
    expect((await screen.findByRole("status")).textContent).toContain("Dana Reyes is saved.");
    expect(writes).toEqual([
      { call: "PATCH /api/contacts/con-1", body: { phone: "+14045550199", expectedVersion: 2 } },
    ]);
  });

  it("adds a contact to the account, and says a user may not cancel even when authorised", async () => {
    const { writes } = fakeApi("admin", {
      "POST /api/contacts": refusal(400, {
        code: "VALIDATION",
        message: "The request is not valid.",
        fields: [{ field: "email", message: "is required when the preferred channel is email" }],
      }),
    });
    show("/accounts/acc-1");
    const dialog = await openDialog("Add contact", "Add a contact");
    type(dialog, /^Name/, "Lee Park");
    fireEvent.click(within(dialog).getByLabelText("Authorised to cancel"));
    expect(within(dialog).getByTestId("who-may-cancel").textContent).toContain(
      "As a user, this contact may not, even when authorised",
    );
    fireEvent.click(within(dialog).getByRole("button", { name: "Add the contact" }));
    await waitFor(() =>
      expect(describedBy(within(dialog).getByLabelText(/^Email/))).toContain(
        "is required when the preferred channel is email",
      ),
    );
    expect(writes).toEqual([
      {
        call: "POST /api/contacts",
        body: {
          accountId: "acc-1",
          name: "Lee Park",
          email: null,
          phone: null,
          role: "user",
          authorisedToCancel: true,
          preferredChannel: "email",
        },
      },
    ]);
  });

  it("says when someone else changed the contact, and keeps what was typed", async () => {
    fakeApi("account_manager", {
      "PATCH /api/contacts/con-1": refusal(409, {
        code: "CONTACT_CHANGED",
        message: "The contact changed since you read it (it is at version 3 now).",
        details: { currentVersion: 3 },
      }),
    });
    show("/accounts/acc-1");
    const dialog = await openDialog("Edit Dana Reyes", "Edit Dana Reyes");
    type(dialog, /^Email/, "dana.reyes@acme.example");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save the contact" }));
    const problem = await within(dialog).findByRole("alert");
    expect(problem.textContent).toContain("Someone else changed this contact");
    expect(within(problem).getByRole("button", { name: "Reload the contact" })).toBeTruthy();
    expect((within(dialog).getByLabelText(/^Email/) as HTMLInputElement).value).toBe(
      "dana.reyes@acme.example",
    );
  });
});

describe("subscriptions, for admins", () => {
  it("sends what changed with the version, and shows a field's problem under its input", async () => {
    const { writes } = fakeApi("admin", {
      "PATCH /api/subscriptions/sub-1": refusal(400, {
        code: "VALIDATION",
        message: "The request is not valid.",
        fields: [{ field: "seats", message: "must be at most 1,000,000" }],
      }),
    });
    show("/accounts/acc-1");
    const dialog = await openDialog("Edit subscription SUB-77", "Edit subscription SUB-77");
    type(dialog, /^Seats/, "2000000");
    type(dialog, /^Monthly value/, "2600.5");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save the subscription" }));
    await waitFor(() =>
      expect(describedBy(within(dialog).getByLabelText(/^Seats/))).toContain(
        "must be at most 1,000,000",
      ),
    );
    expect(writes).toEqual([
      {
        call: "PATCH /api/subscriptions/sub-1",
        body: { seats: 2_000_000, monthlyValueMinor: 260_050, expectedVersion: 5 },
      },
    ]);
  });

  it("shows the refusal of a cancellation made around its case as a sentence", async () => {
    const { writes } = fakeApi("admin", {
      "PATCH /api/subscriptions/sub-1": refusal(409, {
        code: "CASE_OPEN",
        message:
          "Case CX-1042 is open for this subscription: finish the cancellation there (or withdraw it) instead of changing the subscription directly.",
      }),
    });
    show("/accounts/acc-1");
    const dialog = await openDialog("Edit subscription SUB-77", "Edit subscription SUB-77");
    await pick(dialog, /^Status/, "Cancelled (ended by billing, e.g. a failed payment)");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save the subscription" }));
    expect((await within(dialog).findByRole("alert")).textContent).toBe(
      "The subscription was not savedCase CX-1042 is open for this subscription: finish the cancellation there (or withdraw it) instead of changing the subscription directly.",
    );
    expect(writes[0]?.body).toMatchObject({ status: "cancelled", expectedVersion: 5 });
    expect(writes[0]?.body.cancelledAt).toEqual(expect.any(String));
  });

  it("says when someone else changed the subscription", async () => {
    fakeApi("admin", {
      "PATCH /api/subscriptions/sub-1": refusal(409, {
        code: "SUBSCRIPTION_CHANGED",
        message: "The subscription changed since you read it (it is at version 6 now).",
        details: { currentVersion: 6 },
      }),
    });
    show("/accounts/acc-1");
    const dialog = await openDialog("Edit subscription SUB-77", "Edit subscription SUB-77");
    type(dialog, /^Seats/, "30");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save the subscription" }));
    const problem = await within(dialog).findByRole("alert");
    expect(problem.textContent).toContain("Someone else changed this subscription");
    expect(within(problem).getByRole("button", { name: "Reload the subscription" })).toBeTruthy();
    expect((within(dialog).getByLabelText(/^Seats/) as HTMLInputElement).value).toBe("30");
  });

  it("adds one with its value in minor units", async () => {
    const { writes } = fakeApi("admin", {
      "POST /api/subscriptions": { ...subscription, id: "sub-2", version: 1 },
    });
    show("/accounts/acc-1");
    const dialog = await openDialog("Add subscription", "Add a subscription");
    await pick(dialog, /^Plan/, "Pro (USD)");
    type(dialog, /^Seats/, "10");
    type(dialog, /^Monthly value/, "1000");
    type(dialog, /^Current period starts/, "2026-12-01");
    type(dialog, /^Current period ends/, "2027-12-01");
    fireEvent.click(within(dialog).getByRole("button", { name: "Add the subscription" }));
    expect((await screen.findByRole("status")).textContent).toContain("The subscription is added.");
    expect(writes).toEqual([
      {
        call: "POST /api/subscriptions",
        body: {
          accountId: "acc-1",
          planId: "plan-pro",
          externalRef: null,
          seats: 10,
          monthlyValueMinor: 100_000,
          currency: "USD",
          status: "active",
          currentPeriodStart: "2026-12-01",
          currentPeriodEnd: "2027-12-01",
        },
      },
    ]);
  });
});

describe("undoing a scheduled cancellation", () => {
  it("lets an AM reactivate it after a dialog that says what happens, and says it is done", async () => {
    const scheduled = {
      ...subscription,
      status: "cancellation_scheduled",
      cancelAt: "2027-01-01T00:00:00.000Z",
    };
    const { writes } = fakeApi("account_manager", {
      "/api/subscriptions": { items: [scheduled], nextCursor: null },
      "POST /api/subscriptions/sub-1/reactivate": {
        ...scheduled,
        status: "active",
        cancelAt: null,
      },
    });
    show("/accounts/acc-1");
    fireEvent.click(await screen.findByRole("button", { name: "Reactivate SUB-77" }));
    const dialog = await screen.findByRole("dialog", { name: "Undo the scheduled cancellation?" });
    expect(dialog.textContent).toContain("the customer gets a confirmation");
    expect(writes).toEqual([]);
    fireEvent.click(within(dialog).getByRole("button", { name: "Reactivate" }));
    await waitFor(() =>
      expect(writes.map((w) => w.call)).toEqual(["POST /api/subscriptions/sub-1/reactivate"]),
    );
    expect((await screen.findByRole("status")).textContent).toContain(
      "The subscription is reactivated",
    );
  });

  it("offers no reactivation for a subscription that is not scheduled to end", async () => {
    fakeApi("account_manager");
    show("/accounts/acc-1");
    await screen.findByRole("table", { name: "Subscriptions" });
    await screen.findByText("SUB-77");
    expect(screen.queryByRole("button", { name: /Reactivate/ })).toBeNull();
  });
});

describe("how the account pages read", () => {
  it("names the segment as people say it and writes a phone number for reading", async () => {
    fakeApi("csm");
    show("/accounts/acc-1");
    const phone = await screen.findByRole("link", { name: "+1 404 555 0159" });
    // The link dials the number as stored.
    expect(phone.getAttribute("href")).toBe("tel:+14045550159");
    expect(screen.getByText(/CRM-1001 · SMB · US/)).toBeTruthy();
  });

  it("names the segment as people say it in the list", async () => {
    fakeApi("csm", {
      "/api/accounts": {
        items: [account, { ...account, id: "acc-2", name: "Globex", segment: "mid_market" }],
        nextCursor: null,
      },
    });
    show("/accounts");
    const rows = within(await screen.findByRole("table", { name: "Accounts" }));
    await rows.findByText("Globex");
    expect(rows.getByText("SMB")).toBeTruthy();
    expect(rows.getByText("Mid-market")).toBeTruthy();
  });
});
