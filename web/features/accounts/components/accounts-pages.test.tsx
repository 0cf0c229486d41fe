import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { configure, render, screen, within } from "@testing-library/react";
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
