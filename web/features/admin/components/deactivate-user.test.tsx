import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createQueryClient } from "../../../app/query-client.ts";
import { UsersAdmin } from "./users-admin.tsx";

configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });
afterEach(() => vi.unstubAllGlobals());

const user = (id: string, name: string, role: string, active = true) => ({
  id,
  name,
  email: `${id}@wootrecruit.example`,
  role,
  active,
  lockedUntil: null,
});

const USERS = {
  items: [
    user("u-ann", "Ann Gone", "account_manager", false),
    user("u-lee", "Lee Admin", "admin"),
    user("u-omar", "Omar Reyes", "account_manager"),
    user("u-am", "Priya Shah", "account_manager"),
    user("u-zoe", "Zoe Chen", "csm"),
  ],
  nextCursor: null,
};

/** A fake server: GETs and writes answered by "METHOD /path"; writes recorded with their bodies. */
function fakeApi(answers: Record<string, unknown>) {
  const writes: { call: string; body: unknown }[] = [];
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const path = new URL(input, "http://desk.test").pathname;
    const call = `${init?.method ?? "GET"} ${path}`;
    if (!call.startsWith("GET ")) {
      writes.push({ call, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    }
    return new Response(JSON.stringify(answers[call] ?? {}), {
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

async function openDialog() {
  fireEvent.click(await screen.findByRole("button", { name: "Deactivate Priya Shah" }));
  return screen.findByRole("dialog", { name: "Deactivate Priya Shah?" });
}

describe("deactivating a user with open cases", () => {
  it("counts their cases, offers only eligible colleagues, hands the cases over and reports what moved", async () => {
    const writes = fakeApi({
      "GET /api/users": USERS,
      "GET /api/users/u-am/open-cases": { am: 2, csm: 0 },
      "PATCH /api/users/u-am": {
        ...user("u-am", "Priya Shah", "account_manager", false),
        openCases: { am: 2, csm: 0 },
      },
      "POST /api/users/u-am/open-cases/hand-over": {
        moved: [{ caseId: "c-1", reference: "CD-2026-00001", slot: "am", toUserId: "u-omar" }],
        notMoved: [
          {
            caseId: "c-2",
            reference: "CD-2026-00002",
            slot: "am",
            code: "CSM_IS_CASE_AM",
            message: "The CSM must be a different person from the case's AM.",
          },
        ],
        left: { am: 1, csm: 0 },
      },
    });
    show();
    const dialog = await openDialog();
    await within(dialog).findByText(/Priya Shah holds 2 open cases \(2 as assigned AM\)/);
    // Only the AM cases are asked about: there are no CSM cases.
    const picker = within(dialog)
      .getAllByLabelText("Give the 2 cases where Priya Shah is the assigned AM to")
      .find((e) => e.tagName === "INPUT")!;
    expect(within(dialog).queryByLabelText(/assigned CSM to/)).toBeNull();
    fireEvent.click(picker);
    fireEvent.focus(picker);
    // The picker's own list (the table's role selects have options too).
    await waitFor(() => expect(picker.getAttribute("aria-controls")).toBeTruthy());
    const listbox = document.getElementById(picker.getAttribute("aria-controls")!)!;
    const options = await within(listbox).findAllByRole("option", { hidden: true });
    // Active account managers and admins, not Priya herself, the CSM or the deactivated user.
    expect(options.map((o) => o.textContent)).toEqual(["Lee Admin", "Omar Reyes"]);
    fireEvent.click(options.find((o) => o.textContent === "Omar Reyes")!);
    expect(writes).toEqual([]);
    fireEvent.click(within(dialog).getByRole("button", { name: "Deactivate the user" }));

    await waitFor(() =>
      expect(writes).toEqual([
        { call: "PATCH /api/users/u-am", body: { active: false } },
        {
          call: "POST /api/users/u-am/open-cases/hand-over",
          body: { amSuccessorId: "u-omar" },
        },
      ]),
    );
    const report = await screen.findByRole("status");
    expect(report.textContent).toContain("Priya Shah is deactivated.");
    expect(report.textContent).toContain("1 open case moved to Omar Reyes.");
    expect(report.textContent).toContain(
      "CD-2026-00002: The CSM must be a different person from the case's AM. (CSM_IS_CASE_AM)",
    );
    expect(report.textContent).toContain("Priya Shah still holds 1 open case (1 as assigned AM).");
  });

  it("leaves the cases with the user when no successor is picked, and says how many", async () => {
    const writes = fakeApi({
      "GET /api/users": USERS,
      "GET /api/users/u-am/open-cases": { am: 2, csm: 1 },
      "PATCH /api/users/u-am": {
        ...user("u-am", "Priya Shah", "account_manager", false),
        openCases: { am: 2, csm: 1 },
      },
    });
    show();
    const dialog = await openDialog();
    await within(dialog).findByText(
      /Priya Shah holds 3 open cases \(2 as assigned AM, 1 as assigned CSM\)/,
    );
    const csmPicker = within(dialog)
      .getAllByLabelText("Give the 1 case where Priya Shah is the assigned CSM to")
      .find((e) => e.tagName === "INPUT")!;
    expect(csmPicker.getAttribute("placeholder")).toBe("Leave them with Priya Shah");
    fireEvent.click(within(dialog).getByRole("button", { name: "Deactivate the user" }));
    await waitFor(() =>
      expect(writes).toEqual([{ call: "PATCH /api/users/u-am", body: { active: false } }]),
    );
    const report = await screen.findByRole("status");
    expect(report.textContent).toContain(
      "Priya Shah still holds 3 open cases (2 as assigned AM, 1 as assigned CSM).",
    );
    expect(report.textContent).not.toContain("moved");
  });
});
