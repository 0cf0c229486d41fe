import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AdherenceJson, OverviewJson, SaveRatesJson } from "../api/analytics.ts";
import { AdherenceReport, OverviewReport, SaveRatesReport } from "./analytics-page.tsx";

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

function renderWith(json: unknown, report: React.ReactNode) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => new Response(JSON.stringify(json), { status: 200 })),
  );
  render(
    <MantineProvider>
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter>{report}</MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

const PERIOD = {
  from: "2026-01-01T00:00:00.000Z",
  to: "2026-02-01T00:00:00.000Z",
  bucket: "month" as const,
  buckets: ["2026-01-01"],
};
const COUNTS = {
  requests: 2,
  closed: 2,
  retained: 1,
  cancelled: 1,
  withdrawn: 0,
  unverified: 0,
  reactivated: 0,
  validated: 0,
  pending: 1,
  lost: 0,
  saveRate: 0.5,
  validatedSaveRate: 0,
};

describe("value in several currencies", () => {
  it("shows the overview's value kept and lost once per currency, never added together", async () => {
    const overview: OverviewJson = {
      period: PERIOD,
      saveValidationDays: 30,
      totals: {
        ...COUNTS,
        value: [
          { currency: "EUR", keptMinor: 45_000, validatedKeptMinor: 0, lostMinor: 0 },
          { currency: "USD", keptMinor: 0, validatedKeptMinor: 0, lostMinor: 49_900 },
        ],
      },
      series: [{ bucket: "2026-01-01", ...COUNTS }],
      value: [
        {
          bucket: "2026-01-01",
          currency: "EUR",
          keptMinor: 45_000,
          validatedKeptMinor: 0,
          lostMinor: 0,
        },
        {
          bucket: "2026-01-01",
          currency: "USD",
          keptMinor: 0,
          validatedKeptMinor: 0,
          lostMinor: 49_900,
        },
      ],
    };
    renderWith(overview, <OverviewReport period={{ bucket: "month" }} />);
    const value = await screen.findByRole("region", { name: "Monthly value kept and lost" });
    const stat = (label: string) =>
      within(value).getByText(label, { selector: "dt" }).nextElementSibling?.textContent;
    expect(stat("Kept by saves")).toBe("€450.00$0.00");
    expect(stat("Lost to cancellations")).toBe("€0.00$499.00");
    expect(within(value).getByText(/Monthly value kept and lost \(EUR\)/)).toBeTruthy();
    expect(within(value).getByText(/Monthly value kept and lost \(USD\)/)).toBeTruthy();
  });

  it("shows a save rate row's value kept and lost per currency", async () => {
    const rates: SaveRatesJson = {
      period: PERIOD,
      dimension: "offer",
      saveValidationDays: 30,
      rows: [
        {
          key: "discount_20_3m",
          label: "20% off for 3 months",
          decided: 2,
          retained: 1,
          cancelled: 1,
          validated: 0,
          pending: 1,
          lost: 0,
          value: [
            { currency: "EUR", keptMinor: 45_000, lostMinor: 0 },
            { currency: "USD", keptMinor: 0, lostMinor: 49_900 },
          ],
          saveRate: 0.5,
          validatedSaveRate: 0,
        },
      ],
    };
    renderWith(rates, <SaveRatesReport period={{ bucket: "month" }} />);
    const table = await screen.findByRole("table", { name: "Saves and cancellations by offer" });
    const row = within(table).getByRole("row", { name: /20% off/ });
    const cells = within(row).getAllByRole("cell");
    const headers = within(table)
      .getAllByRole("columnheader")
      .map((h) => h.textContent);
    expect(cells[headers.indexOf("Value kept")]?.textContent).toBe("€450.00");
    expect(cells[headers.indexOf("Value lost")]?.textContent).toBe("$499.00");
  });
});

describe("the overview's headline and periods", () => {
  const overviewWith = (counts: typeof COUNTS): OverviewJson => ({
    period: PERIOD,
    saveValidationDays: 30,
    totals: { ...counts, value: [] },
    series: [{ bucket: "2026-01-01", ...counts }],
    value: [],
  });

  it("says the validated save rate is not known while every save is still pending", async () => {
    renderWith(
      overviewWith({ ...COUNTS, retained: 2, cancelled: 0, pending: 2, saveRate: 1 }),
      <OverviewReport period={{ bucket: "month" }} />,
    );
    const stats = await screen.findByRole("region", { name: "Requests, saves and cancellations" });
    const stat = within(stats).getByText("Save rate, validated (30 days)", { selector: "dt" });
    // Not "0.0%", which reads as "every save was lost".
    expect(stat.nextElementSibling?.textContent).toBe("Not yet known");
    expect(stat.nextElementSibling?.nextElementSibling?.textContent).toBe("2 saves still pending");
  });

  it("names each period as people read it", async () => {
    renderWith(overviewWith(COUNTS), <OverviewReport period={{ bucket: "month" }} />);
    const table = await screen.findByRole("table", { name: "Requests and outcomes per period" });
    expect(within(table).getByRole("columnheader", { name: "Period" })).toBeTruthy();
    expect(within(table).getByRole("cell", { name: "Jan 2026" })).toBeTruthy();
  });
});

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
    // A row is one step and one rule: its cases are those that missed that rule at that step.
    expect(
      within(misses)
        .getByRole("link", { name: /^1: show/ })
        .getAttribute("href"),
    ).toBe(
      "/analytics/cases?from=2026-01-01T00%3A00%3A00.000Z&to=2026-02-01T00%3A00%3A00.000Z&adherent=false&missedStep=escalation_to_csm&missedRule=CSM_SLA_MISSED",
    );
    const download = screen.getByRole("link", { name: "Download CSV of Steps missed" });
    expect(download.getAttribute("href")).toBe(
      "/api/analytics/adherence?bucket=month&from=2026-01-01&to=2026-02-01&format=csv&table=misses",
    );
    // The chart has a caption pointing to its table.
    expect(screen.getByText("Adherence by account manager (%)")).toBeTruthy();
  });
});
