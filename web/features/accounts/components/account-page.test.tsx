import { MantineProvider } from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
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
import { createQueryClient } from "../../../app/query-client.ts";
import { formatDateInWords } from "../../../lib/format.ts";
import type { SubscriptionJson } from "../../../lib/types.ts";
import { DocumentationRecord, SubscriptionsTable } from "./account-page.tsx";

const context = makeContext();
const names = new Map([
  [AM.userId, "Priya Shah"],
  [CSM.userId, "Sam Lee"],
  [CSM2.userId, "Noor Khan"],
]);

function record(c: Case) {
  const { container } = render(
    <MantineProvider>
      <QueryClientProvider client={createQueryClient()}>
        <DocumentationRecord c={c} names={names} />
      </QueryClientProvider>
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
      "Escalated to CSM Sam Lee; CSM outcome: proceed with the cancellation by Noor Khan",
    );
    expect(shown.textContent).toContain("the request expired unanswered");
    // In words, not the engine's codes ("by Code", "Processed End of term").
    expect(shown.textContent).toMatch(/Identity verified by (a one-time code|a security check) at/);
    expect(shown.textContent).toMatch(/Processed (at the end of the term|immediately),/);
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

describe("the account page's subscriptions", () => {
  const growth = {
    id: "plan-growth",
    code: "growth",
    name: "Growth",
    monthlyPriceMinor: 8_455,
    currency: "USD",
    active: true,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  };
  const base: SubscriptionJson = {
    id: "5b0e6a57-0000-4000-8000-000000000001",
    accountId: "acct-1",
    planId: growth.id,
    externalRef: "SUB-1",
    seats: 77,
    monthlyValueMinor: 651_035,
    currency: "USD",
    status: "active",
    currentPeriodStart: "2026-11-03T12:00:00.000Z",
    currentPeriodEnd: "2026-12-03T12:00:00.000Z",
    cancelAt: null,
    cancelledAt: null,
    discount: null,
    pausedUntil: null,
    version: 3,
    createdAt: "2025-12-03T12:00:00.000Z",
    updatedAt: "2026-12-03T12:00:00.000Z",
  };

  function statusOf(subscription: SubscriptionJson) {
    const { container } = render(
      <MantineProvider>
        <SubscriptionsTable subscriptions={[subscription]} plans={[growth]} />
      </MantineProvider>,
    );
    const table = within(container).getByRole("table", { name: "Subscriptions" });
    const [row] = within(table).getAllByRole("row").slice(1);
    const cells = within(row!).getAllByRole("cell");
    // Each line of the status cell, as the reader sees them one under the other.
    const lines = Array.from(cells[4]!.children, (line) => line.textContent);
    return { row: row!.textContent, status: lines };
  }

  it("says a save's discount, until when, and what the customer pays meanwhile", () => {
    const shown = statusOf({
      ...base,
      discount: { percent: 20, endsAt: "2027-03-03T12:00:00.000Z", monthlyValueMinor: 520_828 },
    });
    expect(shown.row).toContain("Growth");
    expect(shown.row).toContain("$6,510.35");
    expect(shown.status).toEqual([
      "Active",
      `20% off until ${formatDateInWords("2027-03-03T12:00:00.000Z")}: $5,208.28 a month`,
    ]);
  });

  it("says until when a subscription is paused, and for when its cancellation is scheduled", () => {
    expect(
      statusOf({ ...base, status: "paused", pausedUntil: "2027-02-03T12:00:00.000Z" }).status,
    ).toEqual([`Paused until ${formatDateInWords("2027-02-03T12:00:00.000Z")}`]);
    expect(
      statusOf({ ...base, status: "cancellation_scheduled", cancelAt: base.currentPeriodEnd })
        .status,
    ).toEqual([`Cancellation scheduled for ${formatDateInWords(base.currentPeriodEnd)}`]);
    expect(statusOf(base).status).toEqual(["Active"]);
  });
});
