import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { wootrecruitPolicy } from "../../../../src/policy/wootrecruit.ts";
import { createQueryClient } from "../../../app/query-client.ts";
import { PolicyAdmin } from "./policy-admin.tsx";

configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });
afterEach(() => vi.unstubAllGlobals());

function showPolicy(onPublish?: (body: unknown) => Response) {
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const path = new URL(input, "http://desk.test").pathname;
    if (path === "/api/policy") {
      return json({
        version: 3,
        definition: wootrecruitPolicy,
        publishedAt: "2026-01-01T00:00:00.000Z",
      });
    }
    if (path === "/api/policy/versions" && init?.method === "POST" && onPublish) {
      return onPublish(JSON.parse(String(init.body)));
    }
    return json({ items: [], nextCursor: null });
  });
  render(
    <MantineProvider>
      <QueryClientProvider client={createQueryClient()}>
        <PolicyAdmin />
      </QueryClientProvider>
    </MantineProvider>,
  );
}

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

describe("the offer catalog", () => {
  it("names who may present an offer and its reasons in words, not codes", async () => {
    showPolicy();
    const catalog = await screen.findByRole("table", { name: "Offer catalog" });
    await waitFor(() =>
      expect(catalog.textContent).toContain("Account manager, Customer success manager"),
    );
    expect(catalog.textContent).not.toContain("Csm");
    const hiringFreeze = wootrecruitPolicy.reasons.find((r) => r.code === "hiring_freeze")!;
    expect(catalog.textContent).toContain(hiringFreeze.label);
    expect(catalog.textContent).not.toContain("Hiring freeze,");
  });
});

describe("publishing a policy version", () => {
  it("keeps a cleared number empty instead of 0, and names its problem under the field", async () => {
    const published: { definition: { slas: Record<string, unknown> } }[] = [];
    showPolicy((body) => {
      published.push(body as (typeof published)[number]);
      return json(
        {
          code: "VALIDATION_FAILED",
          message: "definition.slas.csmEngagementDueHours: must be a number",
          fields: [{ field: "definition.slas.csmEngagementDueHours", message: "must be a number" }],
        },
        400,
      );
    });
    fireEvent.click(await screen.findByRole("tab", { name: "Publish a new version" }));
    const due = (await screen.findByLabelText("CSM engagement due (hours)")) as HTMLInputElement;
    fireEvent.change(due, { target: { value: "" } });
    fireEvent.click(screen.getByRole("button", { name: "Publish new version" }));
    fireEvent.click(
      within(await screen.findByRole("dialog")).getByRole("button", { name: "Publish" }),
    );
    await waitFor(() => expect(published).toHaveLength(1));
    expect(published[0]!.definition.slas.csmEngagementDueHours).toBeNull();

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("CSM engagement due (hours): must be a number");
    // Said once, in the admin's words, not the message and then the same path again.
    expect(alert.textContent).not.toContain("definition.slas");
    expect(due.value).toBe("");
    expect(due.getAttribute("aria-invalid")).toBe("true");
  });
});
