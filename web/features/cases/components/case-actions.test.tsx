import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { Actor } from "../../../../src/domain/actor.ts";
import type { Case } from "../../../../src/domain/case.ts";
import { buildChecklist, nextActions } from "../../../../src/domain/checklist.ts";
import type { DecisionContext } from "../../../../src/domain/context.ts";
import {
  ADMIN,
  AM,
  AM2,
  apply,
  CSM,
  caseIn,
  commands,
  escalatedWithCsmOffer,
  makeContext,
  nextMinute,
} from "../../../../src/domain/test-factories.ts";
import { ApiError } from "../../../lib/api-client.ts";
import { formatDateInWords } from "../../../lib/format.ts";
import type {
  CaseView,
  OfferOption,
  PolicyDefinition,
  SubscriptionJson,
  UserJson,
} from "../../../lib/types.ts";
import { CaseActions, ReassignForm, WithdrawButton } from "./case-actions.tsx";
import type { RunCommand } from "./command-form.tsx";

/** The case's view as GET /api/cases/:id gives it to `actor`, built by the engine. */
function viewAs(c: Case, context: DecisionContext, actor: Actor, now: Date): CaseView {
  return {
    case: c,
    checklist: buildChecklist(c, context, now),
    nextActions: nextActions(c, context, actor, now),
  } as unknown as CaseView;
}

/** The case's actions as the workspace shows them, for a view built by the engine. */
function renderActions(
  view: CaseView,
  policy: PolicyDefinition,
  run: RunCommand,
  subscription?: SubscriptionJson,
  offerOptions: OfferOption[] = [],
) {
  return render(
    <MantineProvider>
      <CaseActions
        view={view}
        policy={policy}
        offerOptions={offerOptions}
        subscription={subscription}
        requester={undefined}
        staff={[]}
        run={run}
      />
    </MantineProvider>,
  );
}

describe("CaseActions: processing", () => {
  it("says a cancellation whose term is already over takes effect now", async () => {
    const context = makeContext();
    const c = caseIn("finalizing", context);
    const view = viewAs(c, context, AM, nextMinute(c));
    const subscription = {
      id: "sub-1",
      externalRef: "SUB-1",
      seats: 5,
      monthlyValueMinor: 49_900,
      currency: "USD",
      currentPeriodEnd: "2025-03-20T00:00:00.000Z",
    } as SubscriptionJson;
    renderActions(view, context.policy as PolicyDefinition, vi.fn(), subscription);
    fireEvent.click(screen.getByRole("button", { name: "Process cancellation…" }));
    const dialog = await screen.findByRole("dialog", { name: "Process the cancellation" });
    expect(dialog.textContent).toContain("Immediately: the term already ended on");
    expect(dialog.textContent).toContain("takes effect now");
    expect(dialog.textContent).not.toContain("At the end of the term");
  });
});

describe("CaseActions: the CSM's outcome", () => {
  it("offers the save of the open custom offer with its terms, and sends them", async () => {
    // An escalated case of a larger customer on which the CSM presented the custom offer.
    const context = makeContext({ subscription: { monthlyValueMinor: 149_900 } });
    const c = escalatedWithCsmOffer(context, {
      offerCode: "custom_csm",
      customTerms: "Three months at half price.",
    });
    const now = nextMinute(c);
    const view = viewAs(c, context, CSM, now);
    const run = vi.fn<RunCommand>(async () => ({ ok: true }));
    renderActions(view, context.policy, run);
    // Either outcome is final: neither is chosen for the CSM.
    expect(screen.queryByLabelText(/Terms agreed with the customer/)).toBeNull();
    fireEvent.click(screen.getByLabelText("Retained with an offer"));
    const terms = screen.getByLabelText(/Terms agreed with the customer/) as HTMLTextAreaElement;
    expect(terms.value).toBe("Three months at half price.");
    fireEvent.change(screen.getByLabelText(/Outcome notes/), {
      target: { value: "Agreed on the call." },
    });
    fireEvent.click(screen.getByRole("button", { name: "Record outcome" }));
    // A save closes the case and changes billing at once: the CSM is asked first, in words.
    const dialog = await screen.findByRole("dialog", { name: "Close the case as retained?" });
    expect(dialog.textContent).toContain(
      "This closes the case as retained and applies Custom offer to the subscription, on these terms: “Three months at half price.”",
    );
    expect(run).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole("button", { name: "Close as retained" }));
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1));
    expect(run.mock.calls[0]?.[0]).toBe("csm/outcome");
    expect(run.mock.calls[0]?.[1]).toEqual({
      outcome: "retained",
      offerCode: "custom_csm",
      customTerms: "Three months at half price.",
      notes: "Agreed on the call.",
    });
  });
});

describe("CaseActions: the CSM's outcome with a discount running", () => {
  const endsAt = "2027-03-03T12:00:00.000Z";
  const running = { percent: 30, endsAt, monthlyValueMinor: 34_930 };
  const warning = `Already 30% off until ${formatDateInWords(endsAt)} ($349.30/month): accepting this replaces that discount, the two do not add up.`;
  const subscription = {
    id: "sub-1",
    monthlyValueMinor: 49_900,
    currency: "USD",
    discount: running,
  } as SubscriptionJson;
  const option = (code: string, kind: string, label: string): OfferOption => ({
    code,
    kind,
    label,
    description: label,
    parameters: {},
    effect: {
      currency: "USD",
      monthlyValueBeforeMinor: 49_900,
      monthlyValueDuringMinor: 49_900,
      durationMonths: null,
      monthlyValueAfterMinor: 49_900,
      oneTimeCreditMinor: 0,
    },
    replacesDiscount: kind === "discount" ? running : null,
  });
  /** The outcome form: the offer picker above it warns of its own offers too. */
  const outcomeForm = () => within(screen.getByRole("region", { name: "Record the CSM outcome" }));
  const offerField = () =>
    outcomeForm().getByLabelText(/Offer the customer accepted/, { selector: "input" });
  const choose = async (label: string) => {
    fireEvent.click(offerField());
    // The list opens with a transition (still hidden to queries when it opens a second time).
    fireEvent.click(await screen.findByRole("option", { name: label, hidden: true }));
  };

  it("warns under a discount offer from the offer options, and in the dialog, that it replaces the running one", async () => {
    const context = makeContext();
    const c = caseIn("escalated", context);
    const view = viewAs(c, context, CSM, nextMinute(c));
    const options = [
      option("discount_20_3m", "discount", "20% off for 3 months"),
      option("training_session", "training", "Free training session"),
    ];
    renderActions(view, context.policy, vi.fn(), subscription, options);
    fireEvent.click(screen.getByLabelText("Retained with an offer"));
    await choose("Free training session");
    expect((offerField() as HTMLInputElement).value).toBe("Free training session");
    expect(outcomeForm().queryByText(warning)).toBeNull();
    await choose("20% off for 3 months");
    expect(await outcomeForm().findByText(warning)).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/Outcome notes/), { target: { value: "Agreed." } });
    fireEvent.click(screen.getByRole("button", { name: "Record outcome" }));
    const dialog = await screen.findByRole("dialog", { name: "Close the case as retained?" });
    expect(dialog.textContent).toContain(warning);
  });

  it("warns under the open discount offer the customer may still accept", async () => {
    const context = makeContext();
    const c = escalatedWithCsmOffer(context, { offerCode: "discount_20_3m" });
    const view = viewAs(c, context, CSM, nextMinute(c));
    // The open offer is not presentable again, so it is not among the offer options.
    renderActions(view, context.policy, vi.fn(), subscription, [
      option("training_session", "training", "Free training session"),
    ]);
    fireEvent.click(screen.getByLabelText("Retained with an offer"));
    expect((offerField() as HTMLInputElement).value).toBe("20% off for 3 months");
    expect(await outcomeForm().findByText(warning)).toBeTruthy();
  });
});

describe("CaseActions: a custom offer's answer", () => {
  it("shows the terms the customer is answering", () => {
    const context = makeContext({ subscription: { monthlyValueMinor: 149_900 } });
    const c = escalatedWithCsmOffer(context, {
      offerCode: "custom_csm",
      customTerms: "Three months at half price.",
    });
    renderActions(viewAs(c, context, CSM, nextMinute(c)), context.policy, vi.fn<RunCommand>());
    const card = screen.getByRole("heading", { name: "Customer's answer: Custom offer" })
      .parentElement!;
    expect(card.textContent).toContain("Terms: Three months at half price.");
  });
});

describe("CaseActions: the CSM's decision to proceed", () => {
  it("asks first, saying the account manager can then process the cancellation", async () => {
    const context = makeContext();
    const escalated = caseIn("escalated", context);
    const view = viewAs(escalated, context, CSM, nextMinute(escalated));
    const run = vi.fn<RunCommand>(async () => ({ ok: true }));
    renderActions(view, context.policy, run);
    fireEvent.click(screen.getByLabelText("Proceed with the cancellation"));
    fireEvent.change(screen.getByLabelText(/Outcome notes/), {
      target: { value: "The decision stands." },
    });
    fireEvent.click(screen.getByRole("button", { name: "Record outcome" }));
    const dialog = await screen.findByRole("dialog", { name: "Proceed with the cancellation?" });
    expect(dialog.textContent).toContain("The account manager can then process the cancellation");
    expect(run).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole("button", { name: "Record: proceed" }));
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1));
    expect(run.mock.calls[0]?.[1]).toMatchObject({ outcome: "proceed", offerCode: null });
  });
});

describe("WithdrawButton", () => {
  it("shows the engine's refusal inside the dialog, where the user is", async () => {
    const run = vi.fn<RunCommand>(async () => ({
      ok: false,
      error: new ApiError(409, {
        code: "WITHDRAWAL_TOO_LATE",
        message: "The cancellation is already processed; it can no longer be withdrawn.",
      }),
    }));
    render(
      <MantineProvider>
        <WithdrawButton run={run} />
      </MantineProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "Withdraw request…" }));
    fireEvent.change(await screen.findByLabelText(/How the customer withdrew the request/), {
      target: { value: "They called back to keep it." },
    });
    fireEvent.click(screen.getByRole("button", { name: "Close as withdrawn" }));
    const dialog = await screen.findByRole("dialog");
    await waitFor(() => expect(dialog.textContent).toContain("can no longer be withdrawn"));
    expect(run).toHaveBeenCalledWith(
      "withdraw",
      { reason: "They called back to keep it." },
      { showErrorInline: true, action: "withdraw" },
    );
  });
});

describe("CaseActions: an open offer's answer", () => {
  it("offers only Declined for an offer that no longer fits the case", () => {
    const context = makeContext();
    const retention = caseIn("retention", context);
    const c = apply(
      retention,
      commands.recordReasonConversation(nextMinute(retention), { reasonCode: "missing_features" }),
      context,
    );
    const now = nextMinute(c);
    const view = viewAs(c, context, AM, now);
    renderActions(
      view,
      context.policy,
      vi.fn<RunCommand>(async () => ({ ok: true })),
    );
    expect(screen.getByRole("button", { name: "Declined: 20% off for 3 months" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: /^Accepted/ })).toBeNull();
  });
});

describe("ReassignForm", () => {
  it("offers only people the engine would take for the slot", async () => {
    const context = makeContext();
    const c = caseIn("escalated", context);
    const now = nextMinute(c);
    const view = viewAs(c, context, ADMIN, now);
    const user = (id: string, name: string, role: string) =>
      ({ id, name, role, active: true, email: `${id}@example.test` }) as unknown as UserJson;
    const staff = [
      user(AM.userId, "Alex AM", "account_manager"),
      user(AM2.userId, "Ana AM", "account_manager"),
      user(CSM.userId, "Casey CSM", "csm"),
      user(ADMIN.userId, "Ada Admin", "admin"),
    ];
    render(
      <MantineProvider>
        <ReassignForm view={view} staff={staff} run={vi.fn<RunCommand>()} />
      </MantineProvider>,
    );
    const picker = screen.getAllByLabelText("Give the case to").find((e) => e.tagName === "INPUT")!;
    fireEvent.click(picker);
    fireEvent.focus(picker);
    const names = (await screen.findAllByRole("option")).map((o) => o.textContent);
    // The AM slot: not the AM it has, not its CSM; admins may hold it.
    expect(names.sort()).toEqual(["Ada Admin", "Ana AM"]);
  });
});

describe("CaseActions: closing the case", () => {
  it("asks before closing and writing the documentation", async () => {
    const context = makeContext();
    const feedback = caseIn("feedback", context);
    const c = apply(feedback, commands.submitFeedback(nextMinute(feedback)), context);
    const view = viewAs(c, context, AM, nextMinute(c));
    const run = vi.fn<RunCommand>(async () => ({ ok: true }));
    renderActions(view, context.policy, run);
    fireEvent.click(screen.getByRole("button", { name: "Close case and write documentation" }));
    const dialog = await screen.findByRole("dialog", { name: "Close the case?" });
    expect(dialog.textContent).toContain(
      "its documentation record is written to the customer's account",
    );
    expect(run).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole("button", { name: "Close the case" }));
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1));
    expect(run.mock.calls[0]?.[0]).toBe("close");
  });
});
