import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AdherenceJson } from "../api/analytics.ts";
import { AdherenceReport } from "./analytics-page.tsx";

const REPORT: AdherenceJson = {
  period: {
    from: "2026-01-01T00:00:00.000Z",
    to: "2026-02-01T00:00:00.000Z",
    bucket: "month",
    buckets: ["2026-01-01"],
  },
  totals: { closed: 4, adherent: 3, notAdherent: 1, adherenceRate: 0.75 },
  byAm: [
    {
      amId: "5f1c3a52-0000-4000-8000-000000000001",
      amName: "Priya Shah",
      closed: 4,
      adherent: 3,
      notAdherent: 1,
      adherenceRate: 0.75,
    },
  ],
  misses: [
    {
      step: "escalation_to_csm",
      stepTitle: "Escalation to Customer Success Manager (CSM)",
      rule: "CSM_SLA_MISSED",
      cases: 1,
    },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe("AdherenceReport", () => {
  it("shows the share, the table by AM with drill-down links and CSV downloads", async () => {
    const fetch = vi.fn(
      async (_url: string) => new Response(JSON.stringify(REPORT), { status: 200 }),
    );
    vi.stubGlobal("fetch", fetch);
    render(
      <MantineProvider>
        <QueryClientProvider client={new QueryClient()}>
          <MemoryRouter>
            <AdherenceReport period={{ bucket: "month", from: "2026-01-01", to: "2026-02-01" }} />
          </MemoryRouter>
        </QueryClientProvider>
      </MantineProvider>,
    );
    expect(await screen.findByText("75.0%", { selector: "dd" })).toBeTruthy();
    expect(String(fetch.mock.calls[0]?.[0])).toBe(
      "/api/analytics/adherence?bucket=month&from=2026-01-01&to=2026-02-01",
    );

    const byAm = screen.getByRole("table", { name: "Adherence by account manager" });
    const row = within(byAm).getByRole("row", { name: /Priya Shah/ });
    const drill = within(row).getByRole("link", { name: /show the cases of Priya Shah/ });
    expect(drill.getAttribute("href")).toBe(
      "/analytics/cases?from=2026-01-01T00%3A00%3A00.000Z&to=2026-02-01T00%3A00%3A00.000Z&adherent=false&amId=5f1c3a52-0000-4000-8000-000000000001",
    );

    const misses = screen.getByRole("table", { name: "Steps missed" });
    expect(within(misses).getByText("Csm sla missed")).toBeTruthy();
    const download = screen.getByRole("link", { name: "Download CSV of Steps missed" });
    expect(download.getAttribute("href")).toBe(
      "/api/analytics/adherence?bucket=month&from=2026-01-01&to=2026-02-01&format=csv&table=misses",
    );
    // The chart has a caption pointing to its table.
    expect(screen.getByText("Adherence by account manager (%)")).toBeTruthy();
  });
});
