import { MantineProvider } from "@mantine/core";
import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ChecklistItem } from "../../../lib/types.ts";
import { ProgressRail } from "./progress-rail.tsx";

const step = (
  number: number,
  status: ChecklistItem["status"],
  extra: Partial<ChecklistItem> = {},
): ChecklistItem => ({
  number,
  key: (
    [
      "initial_contact",
      "cancellation_request_form",
      "assistance_and_alternatives",
      "escalation_to_csm",
      "finalize_cancellation",
      "feedback",
      "documentation",
    ] as const
  )[number - 1]!,
  title: `Step title ${number}`,
  status,
  evidence: [],
  blockedBy: null,
  policyText: "",
  guidance: "",
  script: "",
  ...extra,
});

function renderRail(checklist: ChecklistItem[]) {
  return render(
    <MantineProvider>
      <ProgressRail checklist={checklist} />
    </MantineProvider>,
  );
}

describe("ProgressRail", () => {
  it("shows the seven steps in order with done, current and pending, and marks the current step", () => {
    renderRail([
      step(1, "done", { evidence: ["Identity verified by code at 2026-01-01T10:00:00.000Z."] }),
      step(2, "current"),
      step(3, "pending"),
      step(4, "pending"),
      step(5, "pending"),
      step(6, "pending"),
      step(7, "pending"),
    ]);
    const items = within(screen.getByRole("navigation", { name: "Policy steps" })).getAllByRole(
      "listitem",
    );
    const steps = items.filter((li) => li.dataset.status);
    expect(steps).toHaveLength(7);
    expect(steps.map((li) => li.dataset.status)).toEqual([
      "done",
      "current",
      "pending",
      "pending",
      "pending",
      "pending",
      "pending",
    ]);
    expect(steps[0]!.textContent).toContain("1. Step title 1");
    expect(steps[0]!.textContent).toContain("Done");
    expect(steps[0]!.textContent).toContain("Identity verified by code");
    expect(steps[1]!.getAttribute("aria-current")).toBe("step");
    expect(steps[2]!.getAttribute("aria-current")).toBeNull();
  });

  it("shows what a blocked step waits for, in the engine's words", () => {
    renderRail([
      step(1, "done"),
      step(2, "done"),
      step(3, "blocked", {
        blockedBy: {
          code: "OFFER_ANSWER_PENDING",
          message: "Record the customer's answer to the offers still open first.",
        } as ChecklistItem["blockedBy"],
      }),
      step(4, "pending"),
      step(5, "pending"),
      step(6, "pending"),
      step(7, "skipped"),
    ]);
    const blocked = screen.getByTestId("step-3");
    expect(blocked.getAttribute("aria-current")).toBe("step");
    expect(blocked.textContent).toContain("Blocked");
    expect(blocked.textContent).toContain(
      "Waiting: Record the customer's answer to the offers still open first.",
    );
    expect(screen.getByTestId("step-7").textContent).toContain("Skipped");
  });
});
