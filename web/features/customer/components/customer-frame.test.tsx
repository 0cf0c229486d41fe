import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../../lib/api-client.ts";
import { ProblemAlert } from "./customer-frame.tsx";
import { LINK_PROBLEM_TEXT } from "./customer-link-page.tsx";

const show = (error: unknown, fieldsShown?: string[]) =>
  render(
    <MantineProvider>
      <ProblemAlert error={error} known={LINK_PROBLEM_TEXT} fieldsShown={fieldsShown} />
    </MantineProvider>,
  );

describe("the customer's pages: problems", () => {
  it("words a policy refusal for the customer, not in the staff sentence", () => {
    show(
      new ApiError(409, {
        code: "OFFER_NOT_ELIGIBLE",
        message: "Record the answer as declined and choose an eligible offer.",
      }),
    );
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("no longer applies to your subscription");
    expect(alert.textContent).not.toContain("declined");
  });

  it("shows a field problem above the form when no field beside it can", () => {
    const error = new ApiError(400, {
      code: "VALIDATION_FAILED",
      message: "submission.somethingElse: is wrong",
      fields: [{ field: "submission.somethingElse", message: "is wrong" }],
    });
    show(error, ["reasonCode", "details"]);
    expect(screen.getByRole("alert").textContent).toContain("is wrong");
  });

  it("leaves a problem with a shown field (named submission.details) to that field", () => {
    const error = new ApiError(400, {
      code: "VALIDATION_FAILED",
      message: "submission.details: is required",
      fields: [{ field: "submission.details", message: "is required" }],
    });
    show(error, ["reasonCode", "details"]);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(error.fieldMessage("details")).toBe("is required");
  });
});
