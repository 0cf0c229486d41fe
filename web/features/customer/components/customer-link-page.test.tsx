// The link pages as the customer sees them, against a stubbed server answering as the API does.
import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CustomerLinkView } from "../../../lib/types.ts";
import { CustomerLinkPage } from "./customer-link-page.tsx";

const TOKEN = "token-0123456789";

function linkView(overrides: Partial<CustomerLinkView> = {}): CustomerLinkView {
  return {
    purpose: "form",
    reference: "CD-2026-00042",
    expiresAt: "2026-03-04T10:00:00.000Z",
    companyName: "WootRecruit",
    reasons: [
      { code: "too_expensive", label: "Too expensive", requiresDetails: false },
      { code: "other", label: "Something else", requiresDetails: true },
    ],
    effectiveChoices: ["end_of_term", "immediately"],
    confirmationChannels: ["email", "sms", "phone"],
    detailsMaxLength: 2000,
    offer: null,
    ...overrides,
  };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** A stub server: the link view on GET, the branding, and `post` for the link's action. */
function serve(view: CustomerLinkView, post: (init: RequestInit) => Promise<Response> | Response) {
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    if (url === "/api/public/branding") return json({ companyName: "WootRecruit", logoUrl: null });
    if (init.method === "POST") return post(init);
    if (url === `/api/public/links/${TOKEN}`) return json(view);
    return json({ code: "NOT_FOUND", message: "No such page." }, 404);
  });
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

function showPage() {
  return render(
    <MantineProvider>
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter initialEntries={[`/c/${TOKEN}`]}>
          <Routes>
            <Route path="/c/:token" element={<CustomerLinkPage />} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("the offer page", () => {
  it("shows a custom offer's own terms and what it does to the monthly price", async () => {
    const terms = "40% off for 12 months if you sign a 1-year renewal by the end of the month.";
    serve(
      linkView({
        purpose: "offer",
        offer: {
          code: "custom_csm",
          label: "Custom offer",
          description: terms,
          effect: {
            currency: "USD",
            monthlyValueBeforeMinor: 1_832_298,
            monthlyValueDuringMinor: 1_832_298,
            durationMonths: null,
            monthlyValueAfterMinor: 1_832_298,
            oneTimeCreditMinor: 0,
          },
        },
      }),
      () => json({}),
    );
    showPage();
    expect(await screen.findByText(terms)).toBeTruthy();
    // A custom offer changes no price the server knows of: its terms say it all.
    expect(screen.queryByText(/a month instead of/)).toBeNull();
  });

  it("shows a catalog offer's new monthly price against today's, and for how long", async () => {
    serve(
      linkView({
        purpose: "offer",
        offer: {
          code: "discount_20_3m",
          label: "20% off for 3 months",
          description: "Stay on your plan and pay 20% less for the next 3 months.",
          effect: {
            currency: "USD",
            monthlyValueBeforeMinor: 1_832_298,
            monthlyValueDuringMinor: 1_465_838,
            durationMonths: 3,
            monthlyValueAfterMinor: 1_832_298,
            oneTimeCreditMinor: 0,
          },
        },
      }),
      () => json({}),
    );
    showPage();
    expect(
      await screen.findByText(
        "$14,658.38 a month instead of $18,322.98, for 3 months. Then $18,322.98 a month.",
      ),
    ).toBeTruthy();
  });
});
