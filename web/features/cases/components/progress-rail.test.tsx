import { MantineProvider } from "@mantine/core";
import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { formatDateTime } from "../../../lib/format.ts";
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
  evidenceParts: [],
  blockedBy: null,
  policyText: "",
  guidance: "",
  script: "",
  scriptParts: [],
  ...extra,
});

function renderRail(checklist: ChecklistItem[], names = new Map<string, string>()) {
  return render(
    <MantineProvider>
      <ProgressRail checklist={checklist} names={names} />
    </MantineProvider>,
  );
}

describe("ProgressRail", () => {
  it("shows the seven steps in order with done, current and pending, and marks the current step", () => {
    renderRail([
      step(1, "done", {
        evidence: ["Identity verified by code at 2026-01-01T10:00:00.000Z."],
        evidenceParts: [
          [
            { text: "Identity verified by code at " },
            { at: "2026-01-01T10:00:00.000Z" },
            { text: "." },
          ],
        ],
      }),
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

  it("puts a time the engine names in what a step waits for into the reader's locale", () => {
    const expiresAt = "2026-12-09T12:22:36.449Z";
    renderRail([
      step(1, "done"),
      step(2, "done"),
      step(3, "done"),
      step(4, "done"),
      step(5, "done"),
      step(6, "done"),
      step(7, "blocked", {
        blockedBy: {
          code: "FEEDBACK_PENDING",
          message: `Wait for the customer's feedback, or for the request to expire at ${expiresAt}, before closing.`,
        } as ChecklistItem["blockedBy"],
      }),
    ]);
    const text = screen.getByTestId("step-7").textContent ?? "";
    expect(text).not.toContain(expiresAt);
    expect(text).toContain(`to expire at ${formatDateTime(expiresAt)}, before closing.`);
  });

  it("shows who by name and when in the reader's locale and time zone, not ids and ISO times", () => {
    const escalatedAt = "2026-03-04T15:30:00.000Z";
    const dueAt = "2026-03-05T15:30:00.000Z";
    const csmId = "0b6f7c1e-0000-4000-8000-000000000001";
    const amId = "0b6f7c1e-0000-4000-8000-000000000002";
    const parts = [
      { text: "Escalated to CSM " },
      { userId: csmId },
      { text: " at " },
      { at: escalatedAt },
      { text: " by " },
      { userId: amId },
      { text: "; engagement due by " },
      { at: dueAt },
      { text: " (on_track)." },
    ];
    renderRail(
      [
        step(1, "done"),
        step(2, "done"),
        step(3, "done"),
        step(4, "current", {
          evidence: [parts.map((p) => Object.values(p)[0]).join("")],
          evidenceParts: [parts],
        }),
        step(5, "pending"),
        step(6, "pending"),
        step(7, "pending"),
      ],
      new Map([
        [csmId, "Dana Whitfield"],
        [amId, "Priya Shah"],
      ]),
    );
    const text = screen.getByTestId("step-4").textContent ?? "";
    expect(text).toContain("Escalated to CSM Dana Whitfield at ");
    expect(text).toContain("by Priya Shah;");
    expect(text).not.toContain(csmId);
    expect(text).not.toContain("2026-03-04T");
    const expected = new Intl.DateTimeFormat(undefined, {
      dateStyle: "medium",
      timeStyle: "short",
    }).format(new Date(escalatedAt));
    const times = screen.getByTestId("step-4").querySelectorAll("time");
    expect(times).toHaveLength(2);
    expect(times[0]!.textContent).toBe(expected);
    expect(times[0]!.getAttribute("datetime")).toBe(escalatedAt);
  });

  it("does not show an id for a user it cannot name", () => {
    renderRail([
      step(1, "done", {
        evidence: ["x"],
        evidenceParts: [
          [{ text: "Recorded by " }, { userId: "0b6f7c1e-0000-4000-8000-00000000000f" }],
        ],
      }),
      step(2, "current"),
      step(3, "pending"),
      step(4, "pending"),
      step(5, "pending"),
      step(6, "pending"),
      step(7, "pending"),
    ]);
    expect(screen.getByTestId("step-1").textContent).toContain("Recorded by a staff member");
  });
});
