import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createQueryClient } from "../../../app/query-client.ts";
import { formatDateTime } from "../../../lib/format.ts";
import { WebhooksAdmin } from "./webhooks-admin.tsx";

configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });
afterEach(() => vi.unstubAllGlobals());

const endpoint = (over: Record<string, unknown> = {}) => ({
  id: "ep-1",
  url: "https://billing.example/hooks",
  description: "Billing",
  events: ["case.retained", "cancellation.processed"],
  secretHint: "a1b2",
  active: true,
  createdBy: "u-admin",
  createdAt: "2026-03-01T09:00:00.000Z",
  updatedAt: "2026-03-01T09:00:00.000Z",
  ...over,
});

const delivery = (over: Record<string, unknown>) => ({
  endpointId: "ep-1",
  caseId: "c-1",
  eventId: "ev-1",
  topic: "case.retained",
  attempts: 1,
  lastStatusCode: 200,
  lastError: null,
  replayOf: null,
  createdAt: "2026-03-02T10:00:00.000Z",
  deliveredAt: null,
  nextAttemptAt: null,
  ...over,
});

type Answer = unknown | { status: number; body: unknown };

/**
 * A fake server: calls answered by "METHOD /path" (an answer with a `status` is sent with it);
 * writes and the deliveries' queries are recorded.
 */
function fakeApi(answers: Record<string, Answer>) {
  const writes: { call: string; body: unknown }[] = [];
  const reads: string[] = [];
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const url = new URL(input, "http://desk.test");
    const call = `${init?.method ?? "GET"} ${url.pathname}`;
    if (call.startsWith("GET ")) reads.push(`${url.pathname}${url.search}`);
    else writes.push({ call, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const answer = (answers[call] ?? {}) as { status?: number; body?: unknown };
    if (typeof answer.status === "number") {
      return new Response(JSON.stringify(answer.body), {
        status: answer.status,
        headers: { "content-type": "application/json" },
      });
    }
    if (call.startsWith("DELETE ")) return new Response(null, { status: 204 });
    return new Response(JSON.stringify(answer), {
      headers: { "content-type": "application/json" },
    });
  });
  return { writes, reads };
}

function show() {
  render(
    <MantineProvider>
      <QueryClientProvider client={createQueryClient()}>
        <MemoryRouter>
          <WebhooksAdmin />
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

/** The body rows of a table, once it holds `count` of them. */
async function rowsOf(table: HTMLElement, count: number) {
  await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(count + 1));
  return within(table).getAllByRole("row");
}

describe("the webhooks page", () => {
  it("lists each endpoint with its events, status and creation time", async () => {
    fakeApi({
      "GET /api/webhooks/endpoints": {
        items: [endpoint(), endpoint({ id: "ep-2", url: "https://crm.example/in", active: false })],
      },
    });
    show();
    const table = await screen.findByRole("table", { name: "Webhook endpoints" });
    const rows = await rowsOf(table, 2);
    expect(rows[1]!.textContent).toContain("https://billing.example/hooks");
    expect(rows[1]!.textContent).toContain("Billing");
    expect(rows[1]!.textContent).toContain("case.retained");
    expect(rows[1]!.textContent).toContain("cancellation.processed");
    expect(rows[1]!.textContent).toContain("Active");
    expect(rows[1]!.textContent).toContain("…a1b2");
    expect(rows[1]!.textContent).toContain(formatDateTime("2026-03-01T09:00:00.000Z"));
    expect(rows[2]!.textContent).toContain("Disabled");
    expect(within(rows[2]!).getByRole("button", { name: "Enable https://crm.example/in" }));
  });

  it("sends the new endpoint and shows its signing secret once, beside the form, with a copy button", async () => {
    const answers: Record<string, Answer> = {
      "GET /api/webhooks/endpoints": { items: [] },
      "POST /api/webhooks/endpoints": { ...endpoint(), secret: "whsec_the-whole-secret" },
    };
    const { writes } = fakeApi(answers);
    show();
    fireEvent.change(await screen.findByRole("textbox", { name: /^URL/ }), {
      target: { value: " https://billing.example/hooks " },
    });
    fireEvent.change(screen.getByRole("textbox", { name: /^Description/ }), {
      target: { value: "Billing" },
    });
    fireEvent.click(screen.getByRole("checkbox", { name: "case.retained" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "cancellation.processed" }));
    answers["GET /api/webhooks/endpoints"] = { items: [endpoint()] };
    fireEvent.click(screen.getByRole("button", { name: "Add endpoint" }));

    await waitFor(() =>
      expect(writes).toEqual([
        {
          call: "POST /api/webhooks/endpoints",
          body: {
            url: "https://billing.example/hooks",
            description: "Billing",
            events: ["case.retained", "cancellation.processed"],
          },
        },
      ]),
    );
    const shown = await screen.findByRole("status");
    expect(shown.textContent).toContain(
      "The signing secret for https://billing.example/hooks: copy it now, it is shown only once",
    );
    expect(shown.textContent).toContain("whsec_the-whole-secret");
    expect(within(shown).getByRole("button", { name: "Copy the secret" })).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(shown));
    // The form is emptied for the next one.
    expect((screen.getByRole("textbox", { name: /^URL/ }) as HTMLInputElement).value).toBe("");

    fireEvent.click(within(shown).getByRole("button", { name: "I have stored it" }));
    await waitFor(() => expect(screen.queryByText("whsec_the-whole-secret")).toBeNull());
  });

  it("shows a refused field under its input, with focus on it", async () => {
    fakeApi({
      "GET /api/webhooks/endpoints": { items: [] },
      "POST /api/webhooks/endpoints": {
        status: 400,
        body: {
          code: "VALIDATION_FAILED",
          message: "The request is not valid: url must be an http:// or https:// URL",
          fields: [{ field: "url", message: "must be an http:// or https:// URL" }],
        },
      },
    });
    show();
    const url = await screen.findByRole("textbox", { name: /^URL/ });
    fireEvent.change(url, { target: { value: "ftp://billing.example" } });
    fireEvent.click(screen.getByRole("checkbox", { name: "case.opened" }));
    fireEvent.click(screen.getByRole("button", { name: "Add endpoint" }));
    await waitFor(() => expect(url.getAttribute("aria-invalid")).toBe("true"));
    const described = (url.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .map((id) => document.getElementById(id)?.textContent);
    expect(described).toContain("must be an http:// or https:// URL");
    await waitFor(() => expect(document.activeElement).toBe(url));
    expect(screen.queryByText("whsec_", { exact: false })).toBeNull();
  });

  it("deletes an endpoint only after the dialog that says it cannot be undone", async () => {
    const answers: Record<string, Answer> = {
      "GET /api/webhooks/endpoints": { items: [endpoint()] },
    };
    const { writes } = fakeApi(answers);
    show();
    fireEvent.click(
      await screen.findByRole("button", { name: "Delete https://billing.example/hooks" }),
    );
    let dialog = await screen.findByRole("dialog", {
      name: "Delete the endpoint https://billing.example/hooks?",
    });
    expect(dialog.textContent).toContain("A deleted endpoint cannot be brought back");
    fireEvent.click(within(dialog).getByRole("button", { name: "Go back" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(writes).toEqual([]);

    fireEvent.click(screen.getByRole("button", { name: "Delete https://billing.example/hooks" }));
    dialog = await screen.findByRole("dialog");
    answers["GET /api/webhooks/endpoints"] = { items: [] };
    fireEvent.click(within(dialog).getByRole("button", { name: "Delete the endpoint" }));
    await waitFor(() =>
      expect(writes.map((w) => w.call)).toEqual(["DELETE /api/webhooks/endpoints/ep-1"]),
    );
    const status = await screen.findByRole("status");
    expect(status.textContent).toContain("https://billing.example/hooks is deleted");
    await waitFor(() => expect(document.activeElement).toBe(status));
  });

  it("rotates the secret only after the dialog, then shows the new one once", async () => {
    const { writes } = fakeApi({
      "GET /api/webhooks/endpoints": { items: [endpoint()] },
      "POST /api/webhooks/endpoints/ep-1/rotate-secret": {
        ...endpoint({ secretHint: "z9y8" }),
        secret: "whsec_new-z9y8",
      },
    });
    show();
    fireEvent.click(
      await screen.findByRole("button", {
        name: "Rotate secret of https://billing.example/hooks",
      }),
    );
    const dialog = await screen.findByRole("dialog", {
      name: "Rotate the signing secret of https://billing.example/hooks?",
    });
    expect(dialog.textContent).toContain("The current one stops working at once");
    expect(writes).toEqual([]);
    fireEvent.click(within(dialog).getByRole("button", { name: "Rotate the secret" }));
    await waitFor(() =>
      expect(writes.map((w) => w.call)).toEqual([
        "POST /api/webhooks/endpoints/ep-1/rotate-secret",
      ]),
    );
    const shown = await screen.findByRole("status");
    expect(shown.textContent).toContain(
      "The new signing secret for https://billing.example/hooks: copy it now, it is shown only once",
    );
    expect(shown.textContent).toContain("whsec_new-z9y8");
    expect(within(shown).getByRole("button", { name: "Copy the secret" })).toBeTruthy();
  });

  it("disables an endpoint at once (it can be enabled again) and says what that does", async () => {
    const answers: Record<string, Answer> = {
      "GET /api/webhooks/endpoints": { items: [endpoint()] },
      "PATCH /api/webhooks/endpoints/ep-1": endpoint({ active: false }),
    };
    const { writes } = fakeApi(answers);
    show();
    answers["GET /api/webhooks/endpoints"] = { items: [endpoint({ active: false })] };
    fireEvent.click(
      await screen.findByRole("button", { name: "Disable https://billing.example/hooks" }),
    );
    await waitFor(() =>
      expect(writes).toEqual([
        { call: "PATCH /api/webhooks/endpoints/ep-1", body: { active: false } },
      ]),
    );
    const status = await screen.findByRole("status");
    expect(status.textContent).toContain(
      "https://billing.example/hooks is disabled: new events are not sent to it",
    );
    await screen.findByRole("button", { name: "Enable https://billing.example/hooks" });
  });

  it("shows an endpoint's recent deliveries with what happened, and sends a failed one again", async () => {
    const { writes, reads } = fakeApi({
      "GET /api/webhooks/endpoints": { items: [endpoint()] },
      "GET /api/webhooks/deliveries": {
        items: [
          delivery({
            id: "d-pending",
            status: "pending",
            attempts: 2,
            lastStatusCode: 503,
            lastError: "the endpoint answered 503",
            nextAttemptAt: "2026-03-02T10:05:00.000Z",
          }),
          delivery({
            id: "d-failed",
            topic: "cancellation.processed",
            status: "failed",
            attempts: 10,
            lastStatusCode: null,
            lastError: "connection refused",
          }),
          delivery({ id: "d-ok", status: "delivered", deliveredAt: "2026-03-02T10:00:01.000Z" }),
        ],
        nextCursor: null,
      },
      "POST /api/webhooks/deliveries/d-failed/replay": { deliveryId: "d-new" },
    });
    show();
    fireEvent.click(
      await screen.findByRole("button", { name: "Deliveries to https://billing.example/hooks" }),
    );
    const table = await screen.findByRole("table", {
      name: "Deliveries to https://billing.example/hooks",
    });
    const rows = await rowsOf(table, 3);
    expect(reads).toContain("/api/webhooks/deliveries?endpointId=ep-1&limit=20");
    expect(rows[1]!.textContent).toContain("Pending");
    expect(rows[1]!.textContent).toContain(
      `Next attempt ${formatDateTime("2026-03-02T10:05:00.000Z")}; last of 2 attempts: the endpoint answered 503 — HTTP 503`,
    );
    expect(rows[2]!.textContent).toContain("Failed");
    expect(rows[2]!.textContent).toContain("Failed after 10 attempts: connection refused");
    expect(rows[3]!.textContent).toContain(
      `Delivered ${formatDateTime("2026-03-02T10:00:01.000Z")} (HTTP 200)`,
    );
    // Nothing to send again while a delivery is still on its way.
    expect(within(rows[1]!).queryByRole("button")).toBeNull();

    fireEvent.click(
      within(rows[2]!).getByRole("button", { name: /^Send again: cancellation.processed/ }),
    );
    await waitFor(() =>
      expect(writes.map((w) => w.call)).toEqual(["POST /api/webhooks/deliveries/d-failed/replay"]),
    );
    const status = await screen.findByRole("status");
    expect(status.textContent).toContain(
      "The cancellation.processed event goes to https://billing.example/hooks again, as a new delivery",
    );
  });

  it("offers no “Send again” for a disabled endpoint, and says why", async () => {
    fakeApi({
      "GET /api/webhooks/endpoints": { items: [endpoint({ active: false })] },
      "GET /api/webhooks/deliveries": {
        items: [delivery({ id: "d-failed", status: "failed", lastError: "timed out" })],
        nextCursor: null,
      },
    });
    show();
    fireEvent.click(
      await screen.findByRole("button", { name: "Deliveries to https://billing.example/hooks" }),
    );
    const table = await screen.findByRole("table", {
      name: "Deliveries to https://billing.example/hooks",
    });
    await within(table).findByText(/timed out/);
    expect(within(table).queryByRole("button", { name: /^Send/ })).toBeNull();
    expect(
      screen.getByText(/The endpoint is disabled: enable it to send an event again/),
    ).toBeTruthy();
  });
});
