import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createQueryClient } from "../../../app/query-client.ts";
import { ApiKeysAdmin } from "./api-keys-admin.tsx";
import { UsersAdmin } from "./users-admin.tsx";

configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });
afterEach(() => vi.unstubAllGlobals());

/**
 * A fake server answering GETs from `pages`; every write is recorded and answered from
 * `pages["METHOD /path"]`, else `{}`.
 */
function fakeApi(pages: Record<string, unknown>) {
  const writes: string[] = [];
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const path = new URL(input, "http://desk.test").pathname;
    const method = init?.method ?? "GET";
    if (method !== "GET") writes.push(`${method} ${path}`);
    const body = (method === "GET" ? pages[path] : pages[`${method} ${path}`]) ?? {};
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  });
  return writes;
}

function show(page: ReactNode) {
  render(
    <MantineProvider>
      <QueryClientProvider client={createQueryClient()}>{page}</QueryClientProvider>
    </MantineProvider>,
  );
}

describe("irreversible admin actions ask first", () => {
  it("revokes an API key only after the dialog that says what it does", async () => {
    const writes = fakeApi({
      "/api/api-keys": {
        items: [
          {
            id: "key-1",
            name: "Help desk",
            prefix: "cd_live_ab",
            role: "account_manager",
            createdAt: "2025-03-01T09:00:00.000Z",
            lastUsedAt: null,
            revokedAt: null,
          },
        ],
      },
    });
    show(<ApiKeysAdmin />);
    fireEvent.click(await screen.findByRole("button", { name: "Revoke Help desk" }));
    const dialog = await screen.findByRole("dialog", { name: "Revoke the API key “Help desk”?" });
    expect(dialog.textContent).toContain("Every system that uses this key is refused from now on");
    expect(writes).toEqual([]);
    fireEvent.click(within(dialog).getByRole("button", { name: "Revoke the key" }));
    await waitFor(() => expect(writes).toEqual(["POST /api/api-keys/key-1/revoke"]));
  });

  it("deactivates a user only after the dialog, and going back does nothing", async () => {
    const writes = fakeApi({
      "/api/users": {
        items: [
          {
            id: "u-am",
            name: "Priya Shah",
            email: "priya.shah@wootrecruit.example",
            role: "account_manager",
            active: true,
            lockedUntil: null,
          },
        ],
        nextCursor: null,
      },
      "/api/users/u-am/open-cases": { am: 0, csm: 0 },
      "PATCH /api/users/u-am": { id: "u-am", name: "Priya Shah", openCases: { am: 0, csm: 0 } },
    });
    show(<UsersAdmin />);
    fireEvent.click(await screen.findByRole("button", { name: "Deactivate Priya Shah" }));
    let dialog = await screen.findByRole("dialog", { name: "Deactivate Priya Shah?" });
    expect(dialog.textContent).toContain("signed out everywhere at once");
    await within(dialog).findByText("Priya Shah holds no open cases.");
    fireEvent.click(within(dialog).getByRole("button", { name: "Go back" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(writes).toEqual([]);
    fireEvent.click(screen.getByRole("button", { name: "Deactivate Priya Shah" }));
    dialog = await screen.findByRole("dialog", { name: "Deactivate Priya Shah?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Deactivate the user" }));
    await waitFor(() => expect(writes).toEqual(["PATCH /api/users/u-am"]));
  });
});

describe("a new API key", () => {
  it("is shown beside the form with a copy button, and no longer once it is revoked", async () => {
    const key = {
      id: "key-2",
      name: "Billing",
      prefix: "cdk_9f3a",
      role: "admin",
      createdAt: "2025-03-01T09:00:00.000Z",
      lastUsedAt: null,
      revokedAt: null as string | null,
    };
    const pages: Record<string, unknown> = {
      "/api/api-keys": { items: [] },
      "POST /api/api-keys": { ...key, key: "cdk_9f3a_the-whole-secret" },
    };
    fakeApi(pages);
    show(<ApiKeysAdmin />);
    fireEvent.change(await screen.findByLabelText(/Name/), { target: { value: "Billing" } });
    pages["/api/api-keys"] = { items: [key] };
    fireEvent.click(screen.getByRole("button", { name: "Create key" }));
    const shown = await screen.findByRole("status");
    expect(shown.textContent).toContain(
      "The key for “Billing”: copy it now, it is shown only once",
    );
    expect(shown.textContent).toContain("cdk_9f3a_the-whole-secret");
    expect(within(shown).getByRole("button", { name: "Copy the key" })).toBeTruthy();
    // Focus goes to it, beside the form that made it.
    await waitFor(() => expect(document.activeElement).toBe(shown));

    pages["/api/api-keys"] = { items: [{ ...key, revokedAt: "2025-03-01T10:00:00.000Z" }] };
    fireEvent.click(screen.getByRole("button", { name: "Revoke Billing" }));
    fireEvent.click(
      within(await screen.findByRole("dialog")).getByRole("button", { name: "Revoke the key" }),
    );
    await waitFor(() => expect(screen.queryByText("cdk_9f3a_the-whole-secret")).toBeNull());
  });
});
