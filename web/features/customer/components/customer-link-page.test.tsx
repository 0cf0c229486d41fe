// The link pages as the customer sees them, against a stubbed server answering as the API does.
import { MantineProvider } from "@mantine/core";
import { focusManager, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createQueryClient } from "../../../app/query-client.ts";
import { formatDate, formatDateInWords } from "../../../lib/format.ts";
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
    subscription: {
      accountName: "Acme Hiring",
      planName: "Growth",
      seats: 5,
      monthlyValueMinor: 49_900,
      currency: "USD",
      currentPeriodEnd: "2026-03-31T00:00:00.000Z",
    },
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

function showPage(client = new QueryClient()) {
  return render(
    <MantineProvider>
      <QueryClientProvider client={client}>
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
          replacesDiscount: null,
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
          replacesDiscount: null,
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

  it("says a discount offer replaces the discount the customer already has, and says nothing otherwise", async () => {
    const endsAt = "2027-03-03T12:00:00.000Z";
    const discount = {
      code: "discount_30_6m",
      label: "30% off for 6 months",
      description: "Stay on your plan and pay 30% less for the next 6 months.",
      effect: {
        currency: "USD",
        monthlyValueBeforeMinor: 49_900,
        monthlyValueDuringMinor: 34_930,
        durationMonths: 6,
        monthlyValueAfterMinor: 49_900,
        oneTimeCreditMinor: 0,
      },
      replacesDiscount: { percent: 20, endsAt, monthlyValueMinor: 39_920 },
    };
    serve(linkView({ purpose: "offer", offer: discount }), () => json({}));
    const { unmount } = showPage();
    expect(
      await screen.findByText(
        `You already have 20% off until ${formatDateInWords(endsAt)}. Accepting this offer replaces that discount: the two do not add up.`,
      ),
    ).toBeTruthy();
    unmount();

    serve(linkView({ purpose: "offer", offer: { ...discount, replacesDiscount: null } }), () =>
      json({}),
    );
    showPage();
    expect(await screen.findByText("30% off for 6 months")).toBeTruthy();
    expect(screen.queryByText(/You already have/)).toBeNull();
  });
});

const DONE = { reference: "CD-2026-00042", state: "retention", outcome: null };

/** Fills the form's required answers the way a customer does. */
async function fillForm() {
  const reason = (await screen.findAllByLabelText(/Why do you want to cancel/)).find(
    (e) => e.tagName === "INPUT",
  )!;
  fireEvent.click(reason);
  fireEvent.focus(reason);
  const options = await screen.findAllByRole("option", { hidden: true });
  fireEvent.click(options.find((o) => o.textContent === "Too expensive")!);
  fireEvent.click(screen.getByRole("checkbox", { name: /I confirm I am authorised/ }));
}

const keyOf = (init: RequestInit) => (init.headers as Record<string, string>)["idempotency-key"];

describe("the form", () => {
  it("says what is being cancelled, and when the end of the term is", async () => {
    serve(linkView(), () => json({}));
    showPage();
    const what = await screen.findByTestId("cancelling-what");
    expect(what.textContent).toBe(
      "You are asking to cancel Growth for Acme Hiring (5 seats, $499.00 a month).",
    );
    expect(
      screen.getByRole("radio", {
        name: new RegExp(
          `At the end of my current billing period, on ${formatDate("2026-03-31T00:00:00.000Z")}`,
        ),
      }),
    ).toBeTruthy();
  });
});

describe("the confirmation channel", () => {
  it("starts on one the contact can be reached on", async () => {
    serve(linkView({ confirmationChannels: ["sms", "phone"] }), () => json({}));
    showPage();
    const sms = await screen.findByRole("radio", { name: "Text message (SMS)" });
    expect((sms as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByRole("radio", { name: "Email" })).toBeNull();
  });
});

describe("sending the form", () => {
  it("sends again with the same Idempotency-Key when the answer was lost, and shows what happens next", async () => {
    const keys: string[] = [];
    serve(linkView(), (init) => {
      keys.push(keyOf(init)!);
      // The server got the first send, but the connection broke before its answer came back.
      if (keys.length === 1) throw new TypeError("Failed to fetch");
      return json(DONE);
    });
    showPage();
    await fillForm();
    fireEvent.click(screen.getByRole("button", { name: "Submit my request" }));
    expect(await screen.findByText(/could not be reached/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Submit my request" }));
    expect(
      await screen.findByRole("heading", { name: "Thank you, we have your request" }),
    ).toBeTruthy();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it("shows what happens next when the link turns out used by this page's earlier send", async () => {
    serve(linkView(), () =>
      json({ code: "LINK_USED", message: "This link has already been used." }, 409),
    );
    showPage();
    await fillForm();
    fireEvent.click(screen.getByRole("button", { name: "Submit my request" }));
    expect(
      await screen.findByRole("heading", { name: "Thank you, we have your request" }),
    ).toBeTruthy();
    expect(screen.getByText("What happens next")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Submit my request" })).toBeNull();
    expect(screen.queryByText(/We have your answer/)).toBeNull();
  });

  it("keeps showing what happens next when the customer comes back to the tab", async () => {
    let used = false;
    const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
      if (url === "/api/public/branding")
        return json({ companyName: "WootRecruit", logoUrl: null });
      if (init.method === "POST") {
        used = true;
        return json(DONE);
      }
      if (url === `/api/public/links/${TOKEN}`) {
        return used
          ? json({ code: "LINK_USED", message: "This link has already been used." }, 409)
          : json(linkView());
      }
      return json({ code: "NOT_FOUND", message: "No such page." }, 404);
    });
    vi.stubGlobal("fetch", fetch);
    showPage(createQueryClient());
    await fillForm();
    fireEvent.click(screen.getByRole("button", { name: "Submit my request" }));
    await screen.findByRole("heading", { name: "Thank you, we have your request" });
    // Back from the mail app: the app's queries reload on focus.
    act(() => {
      focusManager.setFocused(false);
      focusManager.setFocused(true);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(screen.getByRole("heading", { name: "Thank you, we have your request" })).toBeTruthy();
    expect(screen.queryByText(/already been used/)).toBeNull();
  });

  it("sends once however often the button is tapped while sending", async () => {
    let answer: (r: Response) => void = () => {};
    const fetch = serve(
      linkView(),
      () =>
        new Promise<Response>((resolve) => {
          answer = resolve;
        }),
    );
    showPage();
    await fillForm();
    const button = screen.getByRole("button", { name: "Submit my request" });
    fireEvent.click(button);
    fireEvent.click(button);
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(true));
    fireEvent.click(button);
    answer(json(DONE));
    expect(
      await screen.findByRole("heading", { name: "Thank you, we have your request" }),
    ).toBeTruthy();
    expect(fetch.mock.calls.filter(([, init]) => init?.method === "POST")).toHaveLength(1);
  });

  it("sends a corrected form as a new request after the server named a field to fix", async () => {
    const keys: string[] = [];
    serve(linkView(), (init) => {
      keys.push(keyOf(init)!);
      if (keys.length === 1)
        return json(
          {
            code: "VALIDATION_FAILED",
            message: "details: tell us a little more",
            fields: [{ field: "details", message: "tell us a little more" }],
          },
          400,
        );
      return json(DONE);
    });
    showPage();
    await fillForm();
    fireEvent.click(screen.getByRole("button", { name: "Submit my request" }));
    expect(await screen.findByText("tell us a little more")).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/Tell us more/), {
      target: { value: "Our hiring stopped." },
    });
    fireEvent.click(screen.getByRole("button", { name: "Submit my request" }));
    expect(
      await screen.findByRole("heading", { name: "Thank you, we have your request" }),
    ).toBeTruthy();
    expect(keys[1]).not.toBe(keys[0]);
  });
});

describe("answering an offer", () => {
  it("says the answer is in when the link was used by this page's earlier send", async () => {
    serve(linkView({ purpose: "offer", offer: null }), () =>
      json({ code: "LINK_USED", message: "This link has already been used." }, 409),
    );
    showPage();
    fireEvent.click(await screen.findByRole("button", { name: "Yes, I accept this offer" }));
    expect(await screen.findByRole("heading", { name: "We have your answer" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Yes, I accept this offer" })).toBeNull();
  });
});

describe("the survey", () => {
  it("says which questions need an answer, as the server asks for them", async () => {
    serve(linkView({ purpose: "feedback" }), () => json(DONE));
    showPage();
    await screen.findByRole("heading", { name: "How did we do?" });
    // The rating and what led to the decision are required (the engine refuses a survey without
    // them); only the comments are optional.
    expect(screen.queryByText(/all optional/)).toBeNull();
    expect(screen.getByText(/Two short questions and room for anything else/)).toBeTruthy();
    expect(screen.getByRole("radiogroup", { name: /How was your experience/ })).toBeTruthy();
    expect(
      screen.getAllByLabelText(/What led to your decision/).some((e) => e.hasAttribute("required")),
    ).toBe(true);
    expect(
      screen.getByLabelText(/Anything else you'd like to tell us\? \(optional\)/),
    ).toBeTruthy();
  });
});

describe("focus and the page's title", () => {
  it("starts on the form's heading, names the page, and goes to the first field to fix", async () => {
    serve(linkView(), () =>
      json(
        {
          code: "VALIDATION_FAILED",
          message: "reasonCode: choose a reason",
          fields: [
            { field: "reasonCode", message: "choose a reason" },
            { field: "authorityConfirmed", message: "must confirm you are authorised" },
          ],
        },
        400,
      ),
    );
    showPage();
    const heading = await screen.findByRole("heading", { name: "Cancellation Request Form" });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    await waitFor(() => expect(document.title).toBe("Cancellation Request Form — WootRecruit"));
    fireEvent.click(screen.getByRole("button", { name: "Submit my request" }));
    expect(await screen.findByText("must confirm you are authorised")).toBeTruthy();
    const reason = screen
      .getAllByLabelText(/Why do you want to cancel/)
      .find((e) => e.tagName === "INPUT");
    await waitFor(() => expect(document.activeElement).toBe(reason));
  });

  it("moves to the confirmation's heading once the form is in", async () => {
    serve(linkView(), () => json(DONE));
    showPage();
    await fillForm();
    fireEvent.click(screen.getByRole("button", { name: "Submit my request" }));
    const heading = await screen.findByRole("heading", { name: "Thank you, we have your request" });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(document.title).toBe("Thank you, we have your request — WootRecruit");
  });

  it("goes to the survey's rating when it was left out", async () => {
    serve(linkView({ purpose: "feedback" }), () =>
      json(
        {
          code: "VALIDATION_FAILED",
          message: "rating: must be from 1 to 5",
          fields: [
            { field: "rating", message: "must be from 1 to 5" },
            { field: "decisionReason", message: "choose what led to the decision" },
          ],
        },
        400,
      ),
    );
    showPage();
    fireEvent.click(await screen.findByRole("button", { name: "Send feedback" }));
    expect(await screen.findByText("must be from 1 to 5")).toBeTruthy();
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole("radio", { name: "1 (poor)" })),
    );
  });

  it("goes to the problem when no field is to blame", async () => {
    serve(linkView({ purpose: "offer", offer: null }), () =>
      json({ code: "OFFER_EXPIRED", message: "The offer expired." }, 409),
    );
    showPage();
    fireEvent.click(await screen.findByRole("button", { name: "No thanks" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("This offer has expired");
    await waitFor(() => expect(document.activeElement).toBe(alert));
  });
});
