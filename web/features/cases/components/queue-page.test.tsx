import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { act, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter, useLocation } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Case } from "../../../../src/domain/case.ts";
import { caseIn, makeContext } from "../../../../src/domain/test-factories.ts";
import { createQueryClient } from "../../../app/query-client.ts";
import type { UserJson } from "../../../lib/types.ts";
import { QueuePage } from "./queue-page.tsx";

configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const AM_USER = { id: "u-am", name: "Priya Shah", role: "account_manager" } as UserJson;

/** A fake server for the queue page: `server.cases` are the AM's cases, `server.counts` the tabs'. */
function fakeQueueApi(cases: Case[]) {
  const server = {
    cases,
    counts: {
      mine: cases.length,
      unassigned: 0,
      escalated_to_me: 0,
      sla_at_risk: 0,
      sla_breached: 0,
      all: cases.length,
    },
    requests: [] as URL[],
  };
  vi.stubGlobal("fetch", async (input: string) => {
    const url = new URL(input, "http://desk.test");
    server.requests.push(url);
    const body =
      url.pathname === "/api/cases/counts"
        ? server.counts
        : url.pathname === "/api/cases"
          ? {
              items: server.cases.map((c) => ({
                case: c,
                accountName: "Acme",
                requesterName: "Jo",
              })),
              nextCursor: null,
              total: server.cases.length,
            }
          : { items: [], nextCursor: null };
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  });
  return server;
}

/** Where the browser is: the URL's path and query. */
function Where() {
  const location = useLocation();
  return <output data-testid="where">{`${location.pathname}${location.search}`}</output>;
}

function renderQueues(at = "/queues") {
  return render(
    <MantineProvider>
      <QueryClientProvider client={createQueryClient()}>
        <MemoryRouter initialEntries={[at]}>
          <QueuePage user={AM_USER} />
          <Where />
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

describe("QueuePage: other people's changes", () => {
  it("reloads the counts and the list every 30 seconds while the page is visible", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const context = makeContext();
    const first = caseIn("intake", context);
    const server = fakeQueueApi([first]);
    renderQueues();
    const mine = await screen.findByRole("tab", { name: /My open cases/ });
    await waitFor(() => expect(mine.textContent).toBe("My open cases1"));
    await screen.findByText(first.reference);

    // A colleague assigns another case to this AM.
    const second = { ...caseIn("form", context), id: "case-2", reference: "CX-2025-0002" };
    server.cases = [first, second];
    server.counts = { ...server.counts, mine: 2, all: 2 };
    await act(() => vi.advanceTimersByTimeAsync(30_000));
    await waitFor(() => expect(mine.textContent).toBe("My open cases2"));
    expect(
      within(screen.getByRole("table", { name: "Cases" })).getByText("CX-2025-0002"),
    ).toBeTruthy();
  });
});

describe("QueuePage: opened between", () => {
  it("asks for the chosen days from the start of the first to the end of the last, in local time", async () => {
    // An AM in California: their 3 March ends at 08:00 UTC on 4 March.
    const zone = process.env.TZ;
    process.env.TZ = "America/Los_Angeles";
    try {
      const server = fakeQueueApi([]);
      renderQueues();
      fireEvent.change(screen.getByLabelText("Opened from"), { target: { value: "2025-03-01" } });
      fireEvent.change(screen.getByLabelText("Opened to"), { target: { value: "2025-03-03" } });
      await waitFor(() => {
        const last = server.requests.filter((u) => u.pathname === "/api/cases").at(-1);
        expect(last?.searchParams.get("openedFrom")).toBe("2025-03-01T08:00:00.000Z");
        expect(last?.searchParams.get("openedTo")).toBe("2025-03-04T08:00:00.000Z");
      });
    } finally {
      process.env.TZ = zone;
    }
  });
});

describe("QueuePage: the list the user was looking at", () => {
  it("keeps its tab, filters and search in the URL, so back from a case shows the same list", async () => {
    const server = fakeQueueApi([]);
    const first = renderQueues();
    const all = await screen.findByRole("tab", { name: /All cases/ });
    // A tab, then a search typed before the page renders again: both are kept.
    act(() => {
      all.click();
      const input = screen.getByLabelText("Search") as HTMLInputElement;
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!;
      setValue.call(input, "acme");
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await waitFor(() =>
      expect(screen.getByTestId("where").textContent).toBe("/queues?queue=all&q=acme"),
    );
    first.unmount();

    // Back from a case: the browser returns to that URL.
    server.requests.length = 0;
    renderQueues("/queues?queue=all&q=acme&state=escalated&sort=updated&order=asc");
    expect(screen.getByRole("tab", { name: /All cases/ }).getAttribute("aria-selected")).toBe(
      "true",
    );
    expect((screen.getByLabelText("Search") as HTMLInputElement).value).toBe("acme");
    await waitFor(() => {
      const list = server.requests.find((u) => u.pathname === "/api/cases");
      expect(list?.searchParams.get("queue")).toBe("all");
      expect(list?.searchParams.get("q")).toBe("acme");
      expect(list?.searchParams.get("state")).toBe("escalated");
      expect(list?.searchParams.get("sort")).toBe("updated");
      expect(list?.searchParams.get("order")).toBe("asc");
    });
  });
});

describe("QueuePage: open and closed cases", () => {
  it("asks for closed cases and outcomes on All cases only; the other queues hold open ones", async () => {
    const server = fakeQueueApi([]);
    renderQueues("/queues?queue=all&status=closed&outcome=cancelled");
    await waitFor(() => {
      const list = server.requests.filter((u) => u.pathname === "/api/cases").at(-1);
      expect(list?.searchParams.get("status")).toBe("closed");
      expect(list?.searchParams.get("outcome")).toBe("cancelled");
    });

    server.requests.length = 0;
    act(() => screen.getByRole("tab", { name: /My open cases/ }).click());
    await waitFor(() => {
      const list = server.requests.filter((u) => u.pathname === "/api/cases").at(-1);
      expect(list?.searchParams.get("queue")).toBe("mine");
      expect(list?.searchParams.has("status")).toBe(false);
      expect(list?.searchParams.has("outcome")).toBe(false);
    });
    const status = screen
      .getAllByLabelText("Status")
      .find((e): e is HTMLInputElement => e instanceof HTMLInputElement && e.type !== "hidden")!;
    expect(status.disabled).toBe(true);
    expect(status.value).toBe("Open");
    expect(screen.getByText("Closed cases are in All cases")).toBeTruthy();
  });
});

describe("QueuePage: the CSM's queues", () => {
  it("lists escalations soonest due first, and says how long is left or how late one is", async () => {
    const context = makeContext();
    const escalated = caseIn("escalated", context);
    const overdue = {
      ...escalated,
      escalation: {
        ...escalated.escalation!,
        engagedAt: null,
        slaDueAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
      },
    };
    const server = fakeQueueApi([overdue]);
    renderQueues("/queues?queue=escalated_to_me");
    await waitFor(() => {
      const list = server.requests.filter((u) => u.pathname === "/api/cases").at(-1);
      expect(list?.searchParams.get("sort")).toBe("sla_due");
      expect(list?.searchParams.get("order")).toBe("asc");
    });
    const table = screen.getByRole("table", { name: "Cases" });
    expect(await within(table).findByText("3 h overdue")).toBeTruthy();
    expect(
      within(table)
        .getByRole("columnheader", { name: /CSM due/ })
        .getAttribute("aria-sort"),
    ).toBe("ascending");
  });
});
