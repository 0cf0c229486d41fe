import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../../lib/api-client.ts";
import { CommandForm, type RunCommand } from "./command-form.tsx";

function renderForm(run: RunCommand) {
  return render(
    <MantineProvider>
      <CommandForm
        title="Record the CSM outcome"
        submitLabel="Record outcome"
        path="csm/outcome"
        run={run}
        fields={[
          {
            name: "outcome",
            label: "Outcome",
            kind: "radio",
            initial: "proceed",
            keep: true,
            options: [
              { value: "proceed", label: "Proceed" },
              { value: "retained", label: "Retained" },
            ],
          },
          {
            name: "offerCode",
            label: "Offer accepted",
            kind: "text",
            when: (v) => v.outcome === "retained",
          },
          { name: "notes", label: "Outcome notes", kind: "textarea", required: true },
        ]}
      />
    </MantineProvider>,
  );
}

describe("CommandForm", () => {
  it("sends its labelled fields to its command and clears them when done", async () => {
    const run = vi.fn<RunCommand>(async () => ({ ok: true }));
    renderForm(run);
    expect(screen.queryByLabelText("Offer accepted")).toBeNull();
    fireEvent.change(screen.getByLabelText(/Outcome notes/), { target: { value: "Budget cut." } });
    fireEvent.click(screen.getByRole("button", { name: "Record outcome" }));
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1));
    expect(run).toHaveBeenCalledWith(
      "csm/outcome",
      { outcome: "proceed", offerCode: "", notes: "Budget cut." },
      { showErrorInline: true },
    );
    await waitFor(() =>
      expect((screen.getByLabelText(/Outcome notes/) as HTMLTextAreaElement).value).toBe(""),
    );
  });

  it("shows the API's field problem next to its field, and keeps what was typed", async () => {
    const run = vi.fn<RunCommand>(async () => ({
      ok: false,
      error: new ApiError(400, {
        code: "VALIDATION_FAILED",
        message: "notes: must not be empty",
        fields: [{ field: "notes", message: "must not be empty" }],
      }),
    }));
    renderForm(run);
    fireEvent.change(screen.getByLabelText(/Outcome notes/), { target: { value: "  " } });
    fireEvent.click(screen.getByRole("button", { name: "Record outcome" }));
    const notes = screen.getByLabelText(/Outcome notes/);
    await waitFor(() => expect(notes.getAttribute("aria-invalid")).toBe("true"));
    const describedBy = notes.getAttribute("aria-describedby") ?? "";
    const message = describedBy
      .split(" ")
      .map((id) => document.getElementById(id)?.textContent)
      .join(" ");
    expect(message).toContain("must not be empty");
    expect(screen.queryByTestId("command-error")).toBeNull();
  });

  it("shows a refusal's rule sentence in the form", async () => {
    const run = vi.fn<RunCommand>(async () => ({
      ok: false,
      error: new ApiError(409, {
        code: "CSM_ROLE_REQUIRED",
        message: "Only a customer success manager can do this; ask the case's CSM.",
      }),
    }));
    renderForm(run);
    fireEvent.change(screen.getByLabelText(/Outcome notes/), { target: { value: "x" } });
    fireEvent.click(screen.getByRole("button", { name: "Record outcome" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Not done (CSM_ROLE_REQUIRED)");
    expect(alert.textContent).toContain("Only a customer success manager can do this");
    expect((screen.getByLabelText(/Outcome notes/) as HTMLTextAreaElement).value).toBe("x");
  });

  it("shows a field only when its condition holds", async () => {
    renderForm(vi.fn<RunCommand>(async () => ({ ok: true })));
    fireEvent.click(screen.getByLabelText("Retained"));
    expect(await screen.findByLabelText("Offer accepted")).toBeTruthy();
  });
});
