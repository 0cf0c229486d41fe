import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createQueryClient } from "../../../app/query-client.ts";
import { PlansAdmin } from "./plans-admin.tsx";

configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });
afterEach(() => vi.unstubAllGlobals());

const plan = (over: Record<string, unknown> = {}) => ({
  id: "p-growth",
  code: "growth",
  name: "Growth",
  monthlyPriceMinor: 4900,
  currency: "USD",
  active: true,
  createdAt: "2026-01-01T09:00:00.000Z",
  updatedAt: "2026-01-01T09:00:00.000Z",
  ...over,
});

type Answer = unknown | { status: number; body: unknown };

/** A fake server: calls answered by "METHOD /path" (an answer with a `status` is sent with it). */
function fakeApi(answers: Record<string, Answer>) {
  const writes: { call: string; body: unknown }[] = [];
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const call = `${init?.method ?? "GET"} ${new URL(input, "http://desk.test").pathname}`;
    if (!call.startsWith("GET ")) {
      writes.push({ call, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    }
    const answer = (answers[call] ?? {}) as { status?: number; body?: unknown };
    const [status, body] =
      typeof answer.status === "number" ? [answer.status, answer.body] : [200, answer];
    return new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });
  });
  return writes;
}

function show() {
  render(
    <MantineProvider>
      <QueryClientProvider client={createQueryClient()}>
        <PlansAdmin />
      </QueryClientProvider>
    </MantineProvider>,
  );
}

const inForm = () => within(screen.getByRole("heading", { name: "Add a plan" }).closest("form")!);

function fill(scope: ReturnType<typeof within>, values: Record<string, string>) {
  for (const [label, value] of Object.entries(values)) {
    fireEvent.change(scope.getByRole("textbox", { name: new RegExp(`^${label}`) }), {
      target: { value },
    });
  }
}

describe("the plans page", () => {
  it("lists each plan with its code, name, price, currency and whether it is on sale", async () => {
    fakeApi({
      "GET /api/plans": {
        items: [
          plan(),
          plan({
            id: "p-old",
            code: "legacy",
            name: "Legacy",
            monthlyPriceMinor: 1250,
            active: false,
          }),
        ],
        nextCursor: null,
      },
    });
    show();
    const table = await screen.findByRole("table", { name: "Plans" });
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(3));
    const [, growth, legacy] = within(table).getAllByRole("row");
    expect(growth!.textContent).toContain("growthGrowth$49.00USDOn sale");
    expect(legacy!.textContent).toContain("legacyLegacy$12.50USDNot on sale");
  });

  it("sends a new plan with its price in cents, and says it was added", async () => {
    const writes = fakeApi({
      "GET /api/plans": { items: [], nextCursor: null },
      "POST /api/plans": plan({ code: "scale", name: "Scale", monthlyPriceMinor: 9950 }),
    });
    show();
    await screen.findByRole("heading", { name: "Add a plan" });
    fill(inForm(), { Code: "scale", Name: "Scale", Price: "99.50" });
    fireEvent.click(inForm().getByRole("button", { name: "Add plan" }));
    await waitFor(() =>
      expect(writes).toEqual([
        {
          call: "POST /api/plans",
          body: {
            code: "scale",
            name: "Scale",
            monthlyPriceMinor: 9950,
            currency: "USD",
            active: true,
          },
        },
      ]),
    );
    const status = await screen.findByRole("status");
    expect(status.textContent).toContain("Plan “Scale” (scale) added at $99.50 a seat a month.");
    await waitFor(() => expect(document.activeElement).toBe(status));
  });

  it("shows a refused code under its field, with focus on it", async () => {
    fakeApi({
      "GET /api/plans": { items: [plan()], nextCursor: null },
      "POST /api/plans": {
        status: 409,
        body: {
          code: "ALREADY_EXISTS",
          message: "A plan with the code growth already exists.",
          fields: [{ field: "code", message: "is already used by another plan" }],
        },
      },
    });
    show();
    await screen.findByRole("heading", { name: "Add a plan" });
    fill(inForm(), { Code: "growth", Name: "Growth again", Price: "10" });
    fireEvent.click(inForm().getByRole("button", { name: "Add plan" }));
    const code = inForm().getByRole("textbox", { name: /^Code/ });
    await waitFor(() => expect(code.getAttribute("aria-invalid")).toBe("true"));
    const described = (code.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .map((id) => document.getElementById(id)?.textContent);
    expect(described).toContain("is already used by another plan");
    await waitFor(() => expect(document.activeElement).toBe(code));
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("asks for a price before sending anything", async () => {
    const writes = fakeApi({ "GET /api/plans": { items: [], nextCursor: null } });
    show();
    await screen.findByRole("heading", { name: "Add a plan" });
    fill(inForm(), { Code: "scale", Name: "Scale" });
    fireEvent.click(inForm().getByRole("button", { name: "Add plan" }));
    await inForm().findByText("Enter the price per seat a month, e.g. 49.00");
    expect(writes).toEqual([]);
  });

  it("changes a plan's price and takes it off sale, sending only what changed", async () => {
    const answers: Record<string, Answer> = {
      "GET /api/plans": { items: [plan()], nextCursor: null },
      "PATCH /api/plans/p-growth": plan({ monthlyPriceMinor: 5900, active: false }),
    };
    const writes = fakeApi(answers);
    show();
    fireEvent.click(await screen.findByRole("button", { name: "Edit Growth" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit the plan “Growth”" });
    fill(within(dialog), { Price: "59.00" });
    fireEvent.click(within(dialog).getByRole("checkbox", { name: /^On sale/ }));
    answers["GET /api/plans"] = { items: [plan({ monthlyPriceMinor: 5900, active: false })] };
    fireEvent.click(within(dialog).getByRole("button", { name: "Save changes" }));
    await waitFor(() =>
      expect(writes).toEqual([
        { call: "PATCH /api/plans/p-growth", body: { monthlyPriceMinor: 5900, active: false } },
      ]),
    );
    const status = await screen.findByRole("status");
    expect(status.textContent).toContain(
      "Plan “Growth” (growth): now $59.00 a seat a month (was $49.00); taken off sale.",
    );
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("shows a refused currency under its field in the edit dialog, which stays open", async () => {
    fakeApi({
      "GET /api/plans": { items: [plan()], nextCursor: null },
      "PATCH /api/plans/p-growth": {
        status: 400,
        body: {
          code: "VALIDATION_FAILED",
          message: "The request is not valid.",
          fields: [
            { field: "currency", message: "must be a three-letter ISO 4217 code, e.g. USD" },
          ],
        },
      },
    });
    show();
    fireEvent.click(await screen.findByRole("button", { name: "Edit Growth" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit the plan “Growth”" });
    fill(within(dialog), { Currency: "U1" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save changes" }));
    await within(dialog).findByText("must be a three-letter ISO 4217 code, e.g. USD");
    await waitFor(() =>
      expect(document.activeElement).toBe(
        within(dialog).getByRole("textbox", { name: /^Currency/ }),
      ),
    );
  });
});
