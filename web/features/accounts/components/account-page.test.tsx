import { MantineProvider } from "@mantine/core";
import { render, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Case } from "../../../../src/domain/case.ts";
import {
  AM,
  apply,
  CSM,
  CSM2,
  caseIn,
  commands,
  makeContext,
  minutesAfter,
  nextMinute,
  run,
  runToUnverified,
  SYSTEM,
} from "../../../../src/domain/test-factories.ts";
import { DocumentationRecord } from "./account-page.tsx";

const context = makeContext();
const names = new Map([
  [AM.userId, "Priya Shah"],
  [CSM.userId, "Sam Lee"],
  [CSM2.userId, "Noor Khan"],
]);

function record(c: Case) {
  const { container } = render(
    <MantineProvider>
      <DocumentationRecord c={c} names={names} />
    </MantineProvider>,
  );
  return within(container).getByTestId(`documentation-${c.reference}`);
}

describe("the account page's documentation record", () => {
  it("names who decided for the CSM, an expired survey, and the trail", () => {
    // Escalated to Sam Lee, decided by Noor Khan; confirmed by a voicemail; survey unanswered.
    const escalated = caseIn("escalated", context);
    const reassigned = apply(
      escalated,
      commands.reassign(nextMinute(escalated), { slot: "csm", toUserId: CSM2.userId }),
      context,
    );
    const { case: c } = run(
      context,
      [
        (now) => commands.csmEngage(now, { actor: CSM2 }),
        (now) => commands.recordCsmOutcome(now, { actor: CSM2 }),
        (now) => commands.processCancellation(now),
        (now) => commands.recordConfirmation(now),
        (now) => commands.requestFeedback(now),
      ],
      reassigned,
    );
    const expiresAt = new Date(c.feedback!.expiresAt);
    const expired = apply(c, commands.expireFeedbackRequest(expiresAt, { actor: SYSTEM }), context);
    const closed = apply(
      expired,
      commands.closeCase(minutesAfter(expiresAt, 1), { actor: SYSTEM, summary: null }),
      context,
    );
    const shown = record(closed);
    expect(shown.textContent).toContain(
      "Escalated to CSM Sam Lee; CSM outcome: Proceed by Noor Khan",
    );
    expect(shown.textContent).toContain("the request expired unanswered");
    expect(shown.textContent).toContain(
      "Offer 20% off for 3 months (presented by Priya Shah): declined",
    );
    const trail = within(within(shown).getByRole("list", { name: `Trail of ${closed.reference}` }));
    expect(trail.getAllByRole("listitem").at(-1)?.textContent).toMatch(
      /CancelDesk: Closed the case: cancelled$/,
    );
  });

  it("says why a request was withdrawn, and that an unverified requester was never verified", () => {
    const retention = caseIn("retention", context);
    const withdrawn = apply(
      retention,
      commands.withdraw(nextMinute(retention), { actor: AM, reason: "Budget came back." }),
      context,
    );
    const shown = record(withdrawn);
    expect(shown.textContent).toContain("recorded by Priya Shah: “Budget came back.”");
    expect(shown.textContent).toContain("not answered before the case closed");

    const { case: unverified } = runToUnverified(context);
    const unverifiedShown = record(unverified);
    expect(unverifiedShown.textContent).toContain("Identity not verified (3 failed attempts)");
    expect(unverifiedShown.textContent).not.toContain("Identity verified by");
  });
});
