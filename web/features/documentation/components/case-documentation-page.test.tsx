import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import type { CaseDocumentation } from "../api/documentation.ts";
import { CaseDocumentationView } from "./case-documentation-page.tsx";

const STEP_TITLES = [
  "Initial contact",
  "Cancellation Request Form",
  "Assistance and alternatives",
  "Escalation to CSM",
  "Finalize the cancellation",
  "Feedback",
  "Documentation",
];

const doc: CaseDocumentation = {
  generatedAt: "2026-03-01T10:00:00.000Z",
  caseId: "c1",
  reference: "CD-2026-00042",
  state: "closed",
  outcome: "cancelled",
  policyVersion: 1,
  account: { id: "a1", name: "Acme Hiring" },
  subscription: {
    id: "s1",
    planName: "Growth",
    monthlyValueMinor: 49_900,
    currency: "USD",
    status: "cancellation_scheduled",
  },
  request: {
    channel: "phone",
    openedAt: "2026-02-01T09:00:00.000Z",
    openedBy: "Priya Shah (account manager)",
    summary: "Wants to cancel at the end of the term.",
    requester: {
      id: "k1",
      name: "Dana Owner",
      email: "dana@acme.test",
      phone: null,
      role: "owner",
    },
  },
  steps: STEP_TITLES.map((title, i) => ({
    number: i + 1,
    key: `step_${i + 1}`,
    title,
    status: "done",
    evidence: [`Evidence of step ${i + 1}.`],
    records:
      i === 0
        ? [
            {
              what: "Request logged",
              by: "Priya Shah (account manager)",
              at: "2026-02-01T09:00:00.000Z",
              how: "phone",
            },
          ]
        : [],
  })),
  reason: { code: "too_expensive", label: "Too expensive", formDetails: "Budget halved." },
  offers: [],
  noSuitableOffer: null,
  csm: null,
  processing: null,
  confirmation: null,
  feedback: null,
  withdrawal: null,
  notes: [],
  closing: { closedAt: null, summary: null, writtenBy: null },
  audit: {
    verified: false,
    break: { seq: 2, problem: "its content does not match its hash: it was edited" },
    erasedEntries: [],
    entries: [
      {
        seq: 1,
        type: "case_opened",
        at: "2026-02-01T09:00:00.000Z",
        by: "Priya Shah (account manager)",
        prevHash: "0".repeat(64),
        hash: "a".repeat(64),
        erased: false,
      },
    ],
  },
};

function renderView(d: CaseDocumentation) {
  return render(
    <MantineProvider>
      <MemoryRouter>
        <CaseDocumentationView d={d} />
      </MemoryRouter>
    </MantineProvider>,
  );
}

describe("the case documentation page", () => {
  it("shows the seven steps with who did what, the hashes, and where the chain breaks", () => {
    renderView(doc);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe(
      "Case CD-2026-00042: documentation",
    );
    for (const title of STEP_TITLES)
      expect(screen.getByText(new RegExp(`\\d\\. ${title}`))).toBeTruthy();
    expect(screen.getAllByText("Priya Shah (account manager)").length).toBeGreaterThan(1);
    expect(screen.getByText("a".repeat(64))).toBeTruthy();
    expect(screen.getByText("The hash chain is broken")).toBeTruthy();
    expect(screen.getByText(/Entry 2: its content does not match/)).toBeTruthy();
  });

  it("shows the steps' times in the reader's time zone, not as ISO instants", () => {
    renderView({
      ...doc,
      steps: doc.steps.map((step, i) =>
        i === 0
          ? {
              ...step,
              evidence: ["Request received by phone at 2026-02-01T09:00:00.000Z."],
              evidenceParts: [
                [
                  { text: "Request received by phone at " },
                  { at: "2026-02-01T09:00:00.000Z" },
                  { text: "." },
                ],
              ],
            }
          : step,
      ),
    });
    const line = screen.getByText(/Request received by phone at/).closest("li");
    expect(line?.textContent).not.toContain("2026-02-01T09:00");
    expect(line?.querySelector("time")?.getAttribute("datetime")).toBe("2026-02-01T09:00:00.000Z");
  });

  it("says how the cancellation was confirmed and why the request was withdrawn", () => {
    renderView({
      ...doc,
      confirmation: {
        channel: "phone",
        recordedAt: "2026-02-03T09:00:00.000Z",
        recordedBy: "Priya Shah (account manager)",
        callOutcome: "left_voicemail",
      },
      withdrawal: {
        withdrawnAt: "2026-02-04T09:00:00.000Z",
        withdrawnBy: "Priya Shah (account manager)",
        reason: "Their budget came back.",
      },
      closing: { closedAt: null, summary: "Closed after the call.", writtenBy: null },
    });
    expect(screen.getByText(/^Voicemail left \(phone\) by Priya Shah/)).toBeTruthy();
    expect(screen.getByText(/: Their budget came back\.$/)).toBeTruthy();
    expect(screen.getByText("Wants to cancel at the end of the term.")).toBeTruthy();
    expect(screen.getByText("Closed after the call.")).toBeTruthy();
  });

  it("prints, and links the Markdown and JSON exports", () => {
    const print = vi.spyOn(window, "print").mockImplementation(() => {});
    renderView({ ...doc, audit: { ...doc.audit, verified: true, break: null } });
    fireEvent.click(screen.getByRole("button", { name: "Print" }));
    expect(print).toHaveBeenCalledOnce();
    expect(screen.getByRole("link", { name: "Markdown" }).getAttribute("href")).toBe(
      "/api/cases/c1/documentation?format=markdown",
    );
    expect(screen.getByRole("link", { name: "JSON" }).getAttribute("href")).toBe(
      "/api/cases/c1/documentation?format=json",
    );
    expect(screen.getByText("The hash chain verifies")).toBeTruthy();
  });
});
