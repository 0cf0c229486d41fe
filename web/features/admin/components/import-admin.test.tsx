import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createQueryClient } from "../../../app/query-client.ts";
import { ImportAdmin } from "./import-admin.tsx";

configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });
afterEach(() => vi.unstubAllGlobals());

const KINDS = {
  maxBytes: 5 * 1024 * 1024,
  kinds: [
    { kind: "accounts", required: ["external_ref", "name"], optional: ["country"] },
    { kind: "contacts", required: ["account_external_ref", "external_ref"], optional: [] },
    { kind: "subscriptions", required: ["plan_code"], optional: [] },
  ],
};

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A fake server: GET /api/imports answers the kinds; each import is recorded and answered. */
function fakeServer(answer: { status: number; body: unknown }) {
  const sent: Sent[] = [];
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    if ((init?.method ?? "GET") === "GET") return Response.json(KINDS);
    sent.push({
      url: input,
      headers: init?.headers as Record<string, string>,
      body: String(init?.body),
    });
    return Response.json(answer.body, { status: answer.status });
  });
  return sent;
}

function show() {
  render(
    <MantineProvider>
      <QueryClientProvider client={createQueryClient()}>
        <ImportAdmin />
      </QueryClientProvider>
    </MantineProvider>,
  );
}

const report = {
  kind: "accounts",
  dryRun: false,
  refused: false,
  total: 3,
  valid: 3,
  imported: 3,
  invalidRows: 0,
  problemCount: 0,
  problems: [],
};

function csvFile(text: string, name = "accounts.csv") {
  return new File([text], name, { type: "text/csv" });
}

describe("importing a CSV file from the admin screens", () => {
  it("shows a refused file's problems by line and column, announced, with focus on them", async () => {
    const problems = [
      { line: 3, field: "name", message: "is required" },
      { line: 4, field: "country", message: "must be a two-letter ISO 3166 country code, e.g. US" },
    ];
    const sent = fakeServer({
      status: 400,
      body: {
        code: "IMPORT_REFUSED",
        message: "Nothing was imported: 2 of 3 rows have problems.",
        details: {
          report: {
            ...report,
            refused: true,
            valid: 1,
            imported: 0,
            invalidRows: 2,
            problemCount: 2,
            problems,
          },
        },
      },
    });
    show();
    expect(await screen.findByText("external_ref, name")).toBeTruthy();
    const importButton = screen.getByRole("button", { name: "Import" });
    expect(importButton.hasAttribute("disabled")).toBe(true);
    const file = "external_ref,name,country\nA-1,Northwind,US\nA-2,,US\nA-3,Summit,Canada\n";
    fireEvent.change(screen.getByLabelText("CSV file"), { target: { files: [csvFile(file)] } });
    fireEvent.click(importButton);

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Nothing was imported");
    expect(alert.textContent).toContain(
      "2 of 3 rows have problems. Fix them in the file and check it again, or choose “Skip the rows with problems” to import the other 1 row.",
    );
    const table = screen.getByRole("table", { name: "Problems to fix in the file" });
    const cells = within(table)
      .getAllByRole("row")
      .slice(1)
      .map((row) =>
        within(row)
          .getAllByRole("cell")
          .map((c) => c.textContent),
      );
    expect(cells).toEqual([
      ["3", "name", "is required"],
      ["4", "country", "must be a two-letter ISO 3166 country code, e.g. US"],
    ]);
    await waitFor(() =>
      expect(screen.getByRole("region", { name: "Import result" })).toBe(document.activeElement),
    );

    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe("/api/imports/accounts");
    expect(sent[0]!.headers["content-type"]).toBe("text/csv");
    expect(sent[0]!.headers["idempotency-key"]).toMatch(/^[0-9a-f]{32}$/);
    expect(sent[0]!.body).toBe(file);
  });

  it("checks a dropped file of contacts first, and says nothing was changed", async () => {
    const sent = fakeServer({
      status: 200,
      body: { ...report, kind: "contacts", dryRun: true, total: 2, valid: 2, imported: 0 },
    });
    show();
    fireEvent.click(await screen.findByRole("radio", { name: "Contacts" }));
    expect(await screen.findByText("account_external_ref, external_ref")).toBeTruthy();
    const dropZone = screen.getByLabelText("CSV file").closest(".mantine-Paper-root")!;
    fireEvent.drop(dropZone, { dataTransfer: { files: [csvFile("x\n", "contacts.csv")] } });
    expect(screen.getByText(/Chosen: contacts\.csv/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Check the file" }));

    const status = await screen.findByRole("status");
    expect(status.textContent).toContain(
      "The file is ready: 2 of 2 rows would be imported. Nothing was changed.",
    );
    expect(sent.map((s) => s.url)).toEqual(["/api/imports/contacts?dryRun=true"]);
  });

  it("says at once that a file over the limit is too large, and sends nothing", async () => {
    const sent = fakeServer({ status: 200, body: report });
    show();
    await screen.findByText("external_ref, name");
    const big = csvFile("x");
    Object.defineProperty(big, "size", { value: 7 * 1024 * 1024 });
    const input = screen.getByLabelText("CSV file");
    fireEvent.change(input, { target: { files: [big] } });
    expect(
      screen.getByText(/This file is 7 MiB: the desk takes at most 5 MiB at a time/),
    ).toBeTruthy();
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("button", { name: "Import" }).hasAttribute("disabled")).toBe(true);
    expect(sent).toEqual([]);
  });

  it("asks for a file changed since it was chosen to be chosen again, and sends nothing", async () => {
    const sent = fakeServer({ status: 200, body: report });
    show();
    await screen.findByText("external_ref, name");
    const changed = csvFile("external_ref,name\n");
    changed.text = () => Promise.reject(new DOMException("changed", "NotReadableError"));
    fireEvent.change(screen.getByLabelText("CSV file"), { target: { files: [changed] } });
    fireEvent.click(screen.getByRole("button", { name: "Import" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(
      "The file could not be read: it may have changed since you chose it. Choose it again.",
    );
    expect(screen.getByRole("button", { name: "Import" }).hasAttribute("disabled")).toBe(true);
    expect(sent).toEqual([]);
  });
});
