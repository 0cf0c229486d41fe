import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { type AuditVerification, addSlice } from "../api/documentation.ts";
import { AuditReport, CheckProgress } from "./audit-verify-page.tsx";

const slice = (over: Partial<AuditVerification>): AuditVerification => ({
  ok: true,
  cases: 10_000,
  entries: 120_000,
  erasedEntries: 0,
  brokenCases: 0,
  breaks: [],
  checkedAt: "2026-03-01T10:00:00.000Z",
  ...over,
});

function renderIn(node: React.ReactNode) {
  return render(
    <MantineProvider>
      <MemoryRouter>{node}</MemoryRouter>
    </MantineProvider>,
  );
}

describe("the audit chain check, slice by slice", () => {
  it("adds the slices up: one broken chain anywhere makes the whole check fail", () => {
    const broken = {
      caseId: "c9",
      reference: "CD-2026-00009",
      seq: 4,
      problem: "entry 4 does not match its hash",
    };
    const sum = [
      slice({}),
      slice({ ok: false, brokenCases: 1, breaks: [broken], erasedEntries: 3 }),
      slice({ cases: 2_500, entries: 30_000, checkedAt: "2026-03-01T10:00:09.000Z" }),
    ].reduce<AuditVerification | undefined>(addSlice, undefined);
    expect(sum).toEqual({
      ok: false,
      cases: 22_500,
      entries: 270_000,
      erasedEntries: 3,
      brokenCases: 1,
      breaks: [broken],
      checkedAt: "2026-03-01T10:00:09.000Z",
    });
  });

  it("shows how far the check has got, and the report with each break linked to its case", () => {
    renderIn(<CheckProgress progress={{ checked: 250_000, total: 1_000_000 }} />);
    const bar = screen.getByRole("progressbar", { name: "Checked 250,000 of 1,000,000 cases" });
    expect(bar.getAttribute("aria-valuenow")).toBe("25");
    renderIn(
      <AuditReport
        report={slice({
          ok: false,
          brokenCases: 1,
          breaks: [{ caseId: "c9", reference: "CD-2026-00009", seq: 4, problem: "edited" }],
        })}
      />,
    );
    expect(screen.getByText("1 broken chain(s)")).toBeTruthy();
    expect(screen.getByRole("link", { name: "CD-2026-00009" }).getAttribute("href")).toBe(
      "/cases/CD-2026-00009/documentation",
    );
  });
});
