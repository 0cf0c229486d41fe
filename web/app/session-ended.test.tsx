import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { focusManager, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter, useLocation } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Command } from "../../src/domain/commands.ts";
import { AM, caseIn, commands, makeContext } from "../../src/domain/test-factories.ts";
import { watchSession } from "../features/auth/api/session.ts";
import {
  type FakeCall,
  fakeCaseApi,
  SIGNED_IN_AM,
} from "../features/cases/components/workspace-harness.tsx";
import { setSessionHandlers } from "../lib/api-client.ts";
import { createQueryClient } from "./query-client.ts";
import { AppRoutes } from "./routes.tsx";

afterEach(() => {
  vi.unstubAllGlobals();
  setSessionHandlers(null);
});

function notes(_path: string, body: Record<string, unknown>, now: Date): Command {
  return commands.addNote(now, { actor: AM, text: String(body.text) });
}

/** Where the browser is: the URL's path. */
function Where() {
  return <output data-testid="where">{useLocation().pathname}</output>;
}

/** The staff desk against a fake server whose session can end, and whose CSRF token can change. */
function deskWithSession() {
  const context = makeContext();
  const server = { signedIn: true, token: "token-1", user: SIGNED_IN_AM };
  const json = (status: number, body: unknown) => ({ status, body });
  const auth = (call: FakeCall) => {
    if (call.path === "/api/auth/session") {
      return server.signedIn
        ? json(200, { user: server.user, csrfToken: server.token })
        : json(401, { code: "UNAUTHENTICATED", message: "Sign in first." });
    }
    if (call.path === "/api/auth/sign-in") {
      server.signedIn = true;
      server.token = "token-2";
      return json(200, { user: SIGNED_IN_AM, csrfToken: server.token });
    }
    if (!server.signedIn) return json(401, { code: "UNAUTHENTICATED", message: "Sign in first." });
    if (call.method !== "GET" && call.headers["x-csrf-token"] !== server.token) {
      return json(403, { code: "CSRF_TOKEN_INVALID", message: "The CSRF token is missing." });
    }
    return undefined;
  };
  const fake = fakeCaseApi({
    start: caseIn("retention", context),
    context,
    toCommand: notes,
    extra: auth,
  });
  const client = createQueryClient();
  watchSession(client);
  render(
    <MantineProvider>
      <Notifications />
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={[`/cases/${fake.current.id}`]}>
          <AppRoutes />
          <Where />
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
  return { server, fake };
}

const noteField = () => screen.getByLabelText("New note") as HTMLTextAreaElement;
const addNote = (text: string) => {
  fireEvent.change(noteField(), { target: { value: text } });
  fireEvent.click(screen.getByRole("button", { name: "Add note" }));
};

describe("a session that ends under the user", () => {
  it("asks to sign in again on the same page, keeps what was typed, and the next try works", async () => {
    const { server, fake } = deskWithSession();
    await screen.findByLabelText("New note");
    server.signedIn = false; // 12 hours passed, or an admin deactivated and reactivated the user
    addNote("Customer asked for a call back on Monday.");
    const dialog = await screen.findByRole("dialog", { name: "Your session has ended" });
    expect(screen.getByTestId("where").textContent).toBe(`/cases/${fake.current.id}`);
    expect(noteField().value).toBe("Customer asked for a call back on Monday.");
    expect((within(dialog).getByLabelText(/Email/) as HTMLInputElement).value).toBe(
      "priya.shah@wootrecruit.example",
    );
    fireEvent.change(within(dialog).getByLabelText(/Password/), {
      target: { value: "demo-password-2026" },
    });
    fireEvent.click(within(dialog).getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(screen.getByTestId("where").textContent).toBe(`/cases/${fake.current.id}`);
    fireEvent.click(screen.getByRole("button", { name: "Add note" }));
    await screen.findByText(/Customer asked for a call back on Monday\./, { selector: "p" });
    expect(await screen.findByText("Saved to the case.")).toBeTruthy();
  });

  it("keeps the case and what was typed when a background reload is the first to hear the session ended", async () => {
    const { server } = deskWithSession();
    await screen.findByLabelText("New note");
    fireEvent.change(noteField(), { target: { value: "Half-written note." } });
    server.signedIn = false;
    // The user comes back to the tab: everything on screen reloads.
    act(() => {
      focusManager.setFocused(false);
      focusManager.setFocused(true);
    });
    await screen.findByRole("dialog", { name: "Your session has ended" });
    expect(noteField().value).toBe("Half-written note.");
    expect(screen.queryByText("Could not open the case")).toBeNull();
  });

  it("after signing in again in another tab, a write takes the new token and goes through", async () => {
    const { server } = deskWithSession();
    await screen.findByLabelText("New note");
    server.token = "token-from-the-other-tab";
    addNote("Sent from the first tab.");
    await screen.findByText(/Sent from the first tab\./, { selector: "p" });
    expect(await screen.findByText("Saved to the case.")).toBeTruthy();
    expect(screen.queryByText(/CSRF_TOKEN_INVALID/)).toBeNull();
  });

  it("never sends the write again as someone else who signed in on this browser", async () => {
    const { server, fake } = deskWithSession();
    await screen.findByLabelText("New note");
    server.user = {
      ...SIGNED_IN_AM,
      id: "u-someone-else",
      email: "alex.morgan@wootrecruit.example",
    };
    server.token = "token-of-someone-else";
    addNote("Written by Priya.");
    await screen.findByRole("dialog", { name: "Your session has ended" });
    const notesSent = fake.calls.filter((c) => c.method === "POST" && c.path.endsWith("/notes"));
    expect(notesSent.map((c) => c.headers["x-csrf-token"])).not.toContain("token-of-someone-else");
    expect(noteField().value).toBe("Written by Priya.");
  });
});
