import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { formatDateInWords } from "../../../lib/format.ts";
import type { OfferOption } from "../../../lib/types.ts";
import { describeEffect, OfferPicker } from "./offer-picker.tsx";

const effect = (
  during: number | null,
  months: number | null,
  after: number | null,
  credit = 0,
) => ({
  currency: "USD",
  monthlyValueBeforeMinor: 49_900,
  monthlyValueDuringMinor: during,
  durationMonths: months,
  monthlyValueAfterMinor: after,
  oneTimeCreditMinor: credit,
});

const OPTIONS: OfferOption[] = [
  {
    code: "discount_20_3m",
    kind: "discount",
    label: "20% off for 3 months",
    description: "Lower invoices.",
    parameters: {},
    replacesDiscount: null,
    effect: effect(39_920, 3, 49_900),
  },
  {
    code: "downgrade_starter",
    kind: "downgrade",
    label: "Move to the Starter plan",
    description: "Cheaper plan.",
    parameters: {},
    replacesDiscount: null,
    effect: effect(4_900, null, 4_900),
  },
  {
    code: "training_session",
    kind: "training",
    label: "Free training session",
    description: "One hour.",
    parameters: {},
    replacesDiscount: null,
    effect: effect(49_900, null, 49_900),
  },
  {
    code: "extension_30d",
    kind: "extension",
    label: "30 extra days",
    description: "On us.",
    parameters: {},
    replacesDiscount: null,
    effect: effect(49_900, null, 49_900, 49_200),
  },
  {
    code: "custom_csm",
    kind: "custom",
    label: "Custom offer",
    description: "Agreed terms.",
    parameters: {},
    replacesDiscount: null,
    effect: effect(49_900, null, 49_900),
  },
];

function renderPicker(onPresent = vi.fn(), options = OPTIONS) {
  render(
    <MantineProvider>
      <OfferPicker options={options} onPresent={onPresent} />
    </MantineProvider>,
  );
  return onPresent;
}

describe("OfferPicker", () => {
  it("lists only the offers it is given, each with its effect on the monthly value", () => {
    renderPicker();
    expect(screen.getAllByRole("radio")).toHaveLength(5);
    expect(screen.getByTestId("effect-discount_20_3m").textContent).toContain(
      "$499.00/month → $399.20/month for 3 months, then $499.00",
    );
    expect(screen.getByTestId("effect-downgrade_starter").textContent).toContain(
      "$499.00/month → $49.00/month",
    );
    expect(screen.getByTestId("effect-training_session").textContent).toContain(
      "$499.00/month unchanged",
    );
    expect(screen.getByTestId("effect-extension_30d").textContent).toContain("worth $492.00 once");
  });

  it("presents nothing until an offer is chosen, then the chosen one", () => {
    const onPresent = renderPicker();
    const button = screen.getByRole("button", { name: "Present offer" });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole("radio", { name: /20% off for 3 months/ }));
    fireEvent.click(button);
    expect(onPresent).toHaveBeenCalledWith({
      offerCode: "discount_20_3m",
      customTerms: null,
      sendToCustomer: true,
    });
  });

  it("asks for written terms for a custom offer and can keep the link from the customer", () => {
    const onPresent = renderPicker();
    fireEvent.click(screen.getByRole("radio", { name: /Custom offer/ }));
    fireEvent.change(screen.getByLabelText(/Terms of the custom offer/), {
      target: { value: "Two months at half price" },
    });
    fireEvent.click(screen.getByLabelText("Also send the customer a link to answer online"));
    fireEvent.click(screen.getByRole("button", { name: "Present offer" }));
    expect(onPresent).toHaveBeenCalledWith({
      offerCode: "custom_csm",
      customTerms: "Two months at half price",
      sendToCustomer: false,
    });
  });

  it("warns that a discount offer replaces the discount already running, on that offer only", () => {
    const running = { percent: 20, endsAt: "2027-03-03T12:00:00.000Z", monthlyValueMinor: 39_920 };
    renderPicker(
      vi.fn(),
      OPTIONS.map((o) => (o.kind === "discount" ? { ...o, replacesDiscount: running } : o)),
    );
    expect(screen.getByTestId("replaces-discount_20_3m").textContent).toBe(
      `Already 20% off until ${formatDateInWords(running.endsAt)} ($399.20/month): accepting this replaces that discount, the two do not add up.`,
    );
    expect(screen.queryByTestId("replaces-downgrade_starter")).toBeNull();
  });

  it("says nothing of a running discount when the subscription has none", () => {
    renderPicker();
    expect(screen.queryByText(/Already .*% off/)).toBeNull();
  });

  it("says so when no offer is open to the case", () => {
    renderPicker(vi.fn(), []);
    expect(screen.getByText("No offer in the catalog is open to this case now.")).toBeTruthy();
  });

  it("says it is loading while the list reloads, not that no offer is open", () => {
    render(
      <MantineProvider>
        <OfferPicker options={undefined} onPresent={vi.fn()} />
      </MantineProvider>,
    );
    expect(screen.getByRole("status", { name: "Loading the eligible offers" })).toBeTruthy();
    expect(screen.queryByText(/No offer in the catalog/)).toBeNull();
  });

  it("describes an unknown target price honestly", () => {
    expect(describeEffect({ ...OPTIONS[1]!, effect: effect(null, null, null) })).toBe(
      "$499.00/month → new plan's price (unknown)",
    );
  });

  it("says a custom offer's effect is what its terms decide, not that nothing changes", () => {
    renderPicker(vi.fn());
    expect(screen.getByTestId("effect-custom_csm").textContent).toBe(
      "Effect: decided by the terms you write (now $499.00/month)",
    );
  });
});
