import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createQueryClient } from "../../../app/query-client.ts";
import { UsersAdmin } from "./users-admin.tsx";

configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });
afterEach(() => vi.unstubAllGlobals());

const user = (id: string, name: string, role: string, lockedUntil: string | null = null) => ({
  id,
  name,
  email: `${id}@wootrecruit.example`,
  role,
  active: true,
  lockedUntil,
});

/** The server's refusal of a role the user's open cases cannot follow. */
const STRANDED: Answer = {
  status: 409,
  body: {
    code: "OPEN_CASES_NEED_SUCCESSOR",
    message: "Zoe Chen holds open cases as CSM, which the account manager role cannot hold.",
    details: { openCases: { am: 0, csm: 2 } },
  },
};

const USERS = {
  items: [
    user("u-lee", "Lee Admin", "admin"),
    user("u-am", "Priya Shah", "account_manager", "2999-01-01T00:00:00.000Z"),
    user("u-zoe", "Zoe Chen", "csm"),
    user("u-max", "Max Berg", "csm"),
  ],
  nextCursor: null,
};

type Answer = { status?: number; body: unknown };

/**
 * A fake server: answers by "METHOD /path" (a list answers its calls in turn); writes recorded
 * with their bodies.
 */
function fakeApi(answers: Record<string, Answer | Answer[]>) {
  const writes: { call: string; body: unknown }[] = [];
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const path = new URL(input, "http://desk.test").pathname;
    const call = `${init?.method ?? "GET"} ${path}`;
    if (!call.startsWith("GET ")) {
      writes.push({ call, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    }
    const given = answers[call];
    const answer = (Array.isArray(given) ? given.shift() : given) ?? { body: {} };
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { "content-type": "application/json" },
    });
  });
  return writes;
}

function show() {
  render(
    <MantineProvider>
      <QueryClientProvider client={createQueryClient()}>
        <UsersAdmin />
      </QueryClientProvider>
    </MantineProvider>,
  );
}

/** Opens a Mantine select found by its label and picks the option with this text. */
async function pick(scope: HTMLElement, label: string | RegExp, option: string) {
  const input = within(scope)
    .getAllByLabelText(label)
    .find((e) => e.tagName === "INPUT" && (e as HTMLInputElement).type !== "hidden")!;
  fireEvent.click(input);
  fireEvent.focus(input);
  await waitFor(() => expect(input.getAttribute("aria-controls")).toBeTruthy());
  const listbox = document.getElementById(input.getAttribute("aria-controls")!)!;
  const options = await within(listbox).findAllByRole("option", { hidden: true });
  fireEvent.click(options.find((o) => o.textContent === option)!);
  return options.map((o) => o.textContent);
}

describe("changing a user's role", () => {
  it("asks first, and hands over the open cases the new role cannot hold before changing it", async () => {
    const writes = fakeApi({
      "GET /api/users": { body: USERS },
      "GET /api/users/u-zoe/open-cases": { body: { am: 0, csm: 2 } },
      "POST /api/users/u-zoe/open-cases/hand-over": {
        body: {
          moved: [
            { caseId: "c-1", reference: "CD-1", slot: "csm", toUserId: "u-max" },
            { caseId: "c-2", reference: "CD-2", slot: "csm", toUserId: "u-max" },
          ],
          notMoved: [],
          left: { am: 0, csm: 0 },
        },
      },
      "PATCH /api/users/u-zoe": [STRANDED, { body: user("u-zoe", "Zoe Chen", "account_manager") }],
    });
    show();
    await screen.findByText("Zoe Chen");
    await pick(document.body, "Role of Zoe Chen", "Account manager");
    const dialog = await screen.findByRole("dialog", { name: "Make Zoe Chen an Account manager?" });
    // Nothing changes until the admin confirms.
    expect(writes).toEqual([]);
    const change = within(dialog).getByRole("button", { name: "Change the role" });
    await within(dialog).findByText("An account manager cannot hold them.");
    expect((change as HTMLButtonElement).disabled).toBe(true);
    const offered = await pick(
      dialog,
      /^Give the 2 open cases where Zoe Chen is the assigned CSM to/,
      "Max Berg",
    );
    // Only another CSM can take a CSM's cases.
    expect(offered).toEqual(["Max Berg"]);
    fireEvent.click(change);
    await waitFor(() =>
      expect(writes).toEqual([
        // Asked first: any other refusal (the last admin) comes before a case moves.
        { call: "PATCH /api/users/u-zoe", body: { role: "account_manager" } },
        { call: "POST /api/users/u-zoe/open-cases/hand-over", body: { csmSuccessorId: "u-max" } },
        { call: "PATCH /api/users/u-zoe", body: { role: "account_manager" } },
      ]),
    );
    expect((await screen.findByRole("status")).textContent).toBe(
      "Zoe Chen is now an account manager; 2 open cases went to the colleague you chose.",
    );
  });
});

describe("changing a role when a case cannot be handed over", () => {
  it("keeps the role, and says which case stayed and why", async () => {
    const writes = fakeApi({
      "GET /api/users": { body: USERS },
      "GET /api/users/u-zoe/open-cases": { body: { am: 0, csm: 1 } },
      "PATCH /api/users/u-zoe": [STRANDED],
      "POST /api/users/u-zoe/open-cases/hand-over": {
        body: {
          moved: [],
          notMoved: [
            {
              caseId: "c-1",
              reference: "CD-1",
              slot: "csm",
              code: "CSM_IS_CASE_AM",
              message: "The CSM must be a different person from the case's account manager.",
            },
          ],
          left: { am: 0, csm: 1 },
        },
      },
    });
    show();
    await screen.findByText("Zoe Chen");
    await pick(document.body, "Role of Zoe Chen", "Account manager");
    const dialog = await screen.findByRole("dialog", { name: "Make Zoe Chen an Account manager?" });
    await pick(dialog, /^Give the 1 open case where Zoe Chen is the assigned CSM to/, "Max Berg");
    fireEvent.click(within(dialog).getByRole("button", { name: "Change the role" }));
    const stopped = await within(dialog).findByRole("alert");
    expect(stopped.textContent).toContain("The role is unchanged");
    expect(stopped.textContent).toContain(
      "CD-1: The CSM must be a different person from the case's account manager.",
    );
    // The role is not asked for again.
    expect(writes.map((w) => w.call)).toEqual([
      "PATCH /api/users/u-zoe",
      "POST /api/users/u-zoe/open-cases/hand-over",
    ]);
  });
});

describe("resetting a password", () => {
  it("asks for the new one, names a short one under its field, and says the user is signed out and unlocked", async () => {
    const writes = fakeApi({
      "GET /api/users": { body: USERS },
      "PATCH /api/users/u-am": {
        status: 400,
        body: {
          code: "VALIDATION_FAILED",
          message: "password: must be at least 12 characters",
          fields: [{ field: "password", message: "must be at least 12 characters" }],
        },
      },
    });
    show();
    fireEvent.click(await screen.findByRole("button", { name: "Reset password of Priya Shah" }));
    const dialog = await screen.findByRole("dialog", { name: "Reset the password of Priya Shah?" });
    fireEvent.change(within(dialog).getByLabelText(/New password/), {
      target: { value: "short" },
    });
    fireEvent.click(within(dialog).getByRole("button", { name: "Set the new password" }));
    await within(dialog).findByText("must be at least 12 characters");

    fakeApi({
      "GET /api/users": { body: USERS },
      "PATCH /api/users/u-am": { body: user("u-am", "Priya Shah", "account_manager") },
    });
    fireEvent.change(within(dialog).getByLabelText(/New password/), {
      target: { value: "a-much-longer-password" },
    });
    fireEvent.click(within(dialog).getByRole("button", { name: "Set the new password" }));
    expect((await screen.findByRole("status")).textContent).toBe(
      "Priya Shah's password is changed and their sign-in unlocked: they are signed out everywhere. Give them the new password in person or by phone.",
    );
    expect(writes).toEqual([{ call: "PATCH /api/users/u-am", body: { password: "short" } }]);
  });
});
