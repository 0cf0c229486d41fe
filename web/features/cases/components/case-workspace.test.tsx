import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { nextActions } from "../../../../src/domain/checklist.ts";
import type { Command } from "../../../../src/domain/commands.ts";
import {
  AM,
  apply,
  CSM,
  caseIn,
  commands,
  escalatedWithCsmOffer,
  makeContext,
  run,
  testPolicy,
} from "../../../../src/domain/test-factories.ts";
import { wootrecruitPolicy } from "../../../../src/policy/wootrecruit.ts";
import {
  type FakeApi,
  type FakeCall,
  fakeCaseApi,
  renderWorkspace,
  STAFF,
} from "./workspace-harness.tsx";

const SAM_LEE = STAFF[1]!;

afterEach(() => vi.unstubAllGlobals());

/** The AM reads back the customer's code: "123456" is the right one. */
function identityCommands(path: string, body: Record<string, unknown>, now: Date): Command {
  if (path === "identity/confirm-code") {
    return commands.confirmIdentityCode(now, { actor: AM, codeMatches: body.code === "123456" });
  }
  throw new Error(`not faked: ${path}`);
}

describe("CaseWorkspace: confirming the identity code", () => {
  const context = makeContext();

  const codeField = () => screen.getByLabelText(/Code the customer reads back/) as HTMLInputElement;
  const confirmCode = async (code: string) => {
    fireEvent.change(codeField(), { target: { value: code } });
    fireEvent.click(screen.getByRole("button", { name: "Confirm code" }));
  };

  it("says a wrong code is not right with the attempts left, and keeps it", async () => {
    const fake = fakeCaseApi({
      start: caseIn("intake", context),
      context,
      toCommand: identityCommands,
    });
    renderWorkspace(fake.current.id);
    await screen.findByRole("button", { name: "Confirm code" });
    await confirmCode("111111");
    await waitFor(() => expect(codeField().getAttribute("aria-invalid")).toBe("true"));
    const describedBy = codeField().getAttribute("aria-describedby") ?? "";
    const message = describedBy
      .split(" ")
      .map((id) => document.getElementById(id)?.textContent)
      .join(" ");
    expect(message).toContain("That code is not right — 2 attempts left.");
    expect(codeField().value).toBe("111111");
    expect(screen.queryByText("Saved to the case.")).toBeNull();
  });

  it("asks before the last attempt, and says plainly when the case closed as unverified", async () => {
    const intake = caseIn("intake", context);
    const start = [1, 2].reduce(
      (c, i) =>
        apply(
          c,
          commands.confirmIdentityCode(new Date(Date.parse(c.updatedAt) + i * 60_000), {
            codeMatches: false,
          }),
          context,
        ),
      intake,
    );
    const fake = fakeCaseApi({ start, context, toCommand: identityCommands });
    renderWorkspace(fake.current.id);
    await screen.findByRole("button", { name: "Confirm code" });
    await confirmCode("222222");
    const dialog = await screen.findByRole("dialog", { name: "Last verification attempt" });
    expect(dialog.textContent).toContain("If this code is wrong, the case closes as unverified");
    expect(fake.calls.some((c) => c.method === "POST")).toBe(false);
    fireEvent.click(within(dialog).getByRole("button", { name: "Confirm this code" }));
    const closed = await screen.findByTestId("unverified");
    expect(closed.textContent).toContain("Closed as unverified");
    expect(closed.textContent).toContain("that was the last of the 3 attempts the policy allows");
    expect(screen.queryByText("Saved to the case.")).toBeNull();
  });
});

describe("CaseWorkspace: the CSM panel", () => {
  it("shows the AM's hand-over notes and the CSM's engagement notes", async () => {
    const context = makeContext();
    const retention = caseIn("retention", context);
    const { case: engaged } = run(
      context,
      [
        (now) => commands.submitForm(now),
        (now) => commands.answerOffer(now, { answer: "declined" }),
        (now) =>
          commands.escalateToCsm(now, {
            notes: "Budget cut; declined the discount. Prefers calls after 3pm.",
          }),
        (now) => commands.csmEngage(now, { notes: "Left a voicemail, calling back Friday." }),
      ],
      retention,
    );
    const fake = fakeCaseApi({ start: engaged, context, actor: CSM, toCommand: identityCommands });
    renderWorkspace(fake.current.id);
    const panel = (await screen.findByRole("heading", { name: "CSM" })).parentElement!;
    expect(within(panel).getByTestId("handover-notes").textContent).toBe(
      "Hand-over notes: “Budget cut; declined the discount. Prefers calls after 3pm.”",
    );
    expect(within(panel).getByTestId("engagement-notes").textContent).toBe(
      "Engagement notes: “Left a voicemail, calling back Friday.”",
    );
    await waitFor(() => expect(panel.textContent).toContain("Escalated to Sam Lee at "));
    expect(panel.textContent).toMatch(/by Priya Shah\./);
  });
});

describe("CaseWorkspace: in words, not codes", () => {
  it("says how identity was verified, how often the form went, the reason's label and a readable phone", async () => {
    const context = makeContext({
      policy: {
        ...testPolicy,
        reasons: testPolicy.reasons.map((r) =>
          r.code === "too_expensive" ? { ...r, label: "It's too expensive" } : r,
        ),
      },
    });
    const { case: start } = run(context, [
      (now) => commands.openCase(now),
      (now) => commands.verifyBySecurityCheck(now),
      (now) => commands.sendForm(now),
      (now) => commands.submitForm(now),
    ]);
    const fake = fakeCaseApi({
      start,
      context,
      toCommand: identityCommands,
      extra: (call) =>
        call.path === `/api/contacts/${start.requesterContactId}`
          ? {
              status: 200,
              body: {
                id: start.requesterContactId,
                name: "Dana Reyes",
                role: "billing_admin",
                preferredChannel: "sms",
                phone: "+14045550159",
                email: "dana@acme.test",
              },
            }
          : undefined,
    });
    renderWorkspace(fake.current.id);
    const rail = await screen.findByRole("navigation", { name: "Policy steps" });
    expect(within(rail).getByTestId("step-1").textContent).toContain(
      "Identity verified by a security check at",
    );
    const form = screen.getByRole("heading", { name: "Cancellation Request Form" }).parentElement!;
    expect(form.textContent).toContain("Sent once by email");
    // Once the case's policy has loaded.
    await waitFor(() =>
      expect(form.textContent).toContain("Reason: It's too expensive; at the end of the term"),
    );
    expect(form.textContent).not.toMatch(/time\(s\)|Too expensive|End of term/);
    const phone = await screen.findByRole("link", { name: "+1 404 555 0159" });
    expect(phone.getAttribute("href")).toBe("tel:+14045550159");
    expect(screen.getByText(/Dana Reyes \(Billing admin, prefers text message\)/)).toBeTruthy();
  });
});

describe("CaseWorkspace: the suggested script", () => {
  it("names the CSM the case went to, where the policy wrote [CSM]", async () => {
    // The test policy with WootRecruit's scripts, which carry the placeholders.
    const context = makeContext({
      policy: {
        ...testPolicy,
        steps: testPolicy.steps.map((step) => ({
          ...step,
          script: wootrecruitPolicy.steps.find((s) => s.key === step.key)!.script,
        })),
      },
    });
    const fake = fakeCaseApi({
      start: caseIn("escalated", context),
      context,
      toCommand: identityCommands,
    });
    renderWorkspace(fake.current.id);
    const script = await screen.findByTestId("suggested-script");
    await waitFor(() =>
      expect(script.textContent).toContain(
        "I'm passing your request to Sam Lee, our Customer Success Manager",
      ),
    );
    expect(script.textContent).not.toContain("[");
  });
});

describe("CaseWorkspace: the CSM's turn", () => {
  it("puts the hand-over and the CSM's own forms first, and folds step 3's away", async () => {
    const context = makeContext();
    const retention = caseIn("retention", context);
    const { case: escalated } = run(
      context,
      [
        (now) => commands.submitForm(now),
        (now) => commands.answerOffer(now, { answer: "declined" }),
        (now) => commands.escalateToCsm(now, { notes: "Call after 3pm; the CFO decides." }),
      ],
      retention,
    );
    const fake = fakeCaseApi({
      start: escalated,
      context,
      actor: CSM,
      toCommand: identityCommands,
    });
    renderWorkspace(fake.current.id, SAM_LEE);
    const handover = await screen.findByRole("heading", {
      name: "Escalated to you: the hand-over",
    });
    const engage = await screen.findByRole("heading", { name: "Start the CSM engagement" });
    const outcome = screen.getByRole("heading", { name: "Record the CSM outcome" });
    const blocked = screen.getByTestId("blocked-processCancellation");
    const guidance = screen.getByRole("heading", { name: /^Step 4: / });
    /** True when `a` comes before `b` on the page. */
    const precedes = (a: Element, b: Element) =>
      Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    expect(precedes(handover, engage)).toBe(true);
    expect(precedes(engage, outcome)).toBe(true);
    expect(precedes(outcome, blocked)).toBe(true);
    expect(precedes(blocked, guidance)).toBe(true);
    expect(screen.getByTestId("handover-notes").textContent).toBe(
      "Hand-over notes: “Call after 3pm; the CFO decides.”",
    );
    // The panel is not shown twice.
    expect(screen.queryByRole("heading", { name: "CSM" })).toBeNull();
    // Step 3's work is still there for the CSM, one click away.
    expect(screen.queryByRole("button", { name: "Record reason" })).toBeNull();
    const show = screen.getByRole("button", { name: "Show step 3" });
    expect(show.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(show);
    await screen.findByRole("button", { name: "Record reason" });
    expect(screen.getByRole("button", { name: "Hide step 3" }).getAttribute("aria-expanded")).toBe(
      "true",
    );
  });
});

describe("CaseWorkspace: another person's change", () => {
  afterEach(() => {
    vi.useRealTimers();
    setVisibility("visible");
  });

  function setVisibility(state: "visible" | "hidden") {
    Object.defineProperty(document, "visibilityState", { configurable: true, value: state });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  }

  it("shows up within 30 seconds while the page is visible, and not in a background tab", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const context = makeContext();
    const fake = fakeCaseApi({
      start: caseIn("intake", context),
      context,
      toCommand: identityCommands,
    });
    renderWorkspace(fake.current.id);
    await screen.findByRole("button", { name: "Confirm code" });
    const caseReads = () =>
      fake.calls.filter((c) => c.method === "GET" && c.path === `/api/cases/${fake.current.id}`)
        .length;

    // In a background tab nothing is fetched.
    setVisibility("hidden");
    const before = caseReads();
    await act(() => vi.advanceTimersByTimeAsync(65_000));
    expect(caseReads()).toBe(before);

    // The customer enters the code on /verify meanwhile; coming back to the tab shows it.
    fake.current = apply(
      fake.current,
      commands.confirmIdentityCode(new Date(Date.parse(fake.current.updatedAt) + 60_000)),
      context,
    );
    setVisibility("visible");
    await screen.findByRole("button", { name: "Send the Cancellation Request Form" });

    // Another AM sends the form: the open page shows it on the next poll.
    fake.current = apply(
      fake.current,
      commands.sendForm(new Date(Date.parse(fake.current.updatedAt) + 60_000)),
      context,
    );
    await act(() => vi.advanceTimersByTimeAsync(30_000));
    await waitFor(() =>
      expect(
        screen.queryByRole("button", { name: "Send the Cancellation Request Form" }),
      ).toBeNull(),
    );
    expect(screen.getByText("Form: Sent")).toBeTruthy();
  });
});

describe("CaseWorkspace: the CSM's outcome", () => {
  const context = makeContext();
  /** An escalated case the CSM has engaged on; the customer gave "too expensive". */
  const engagedCase = () => {
    const escalated = caseIn("escalated", context);
    return apply(
      escalated,
      commands.csmEngage(new Date(Date.parse(escalated.updatedAt) + 60_000)),
      context,
    );
  };
  /** GET offer-options as the server answers it: the offers the caller may present now. */
  const offerOptions = (fake: FakeApi) => (call: FakeCall) => {
    if (call.path !== `/api/cases/${fake.current.id}/offer-options`) return undefined;
    const view = nextActions(
      fake.current,
      context,
      CSM,
      new Date(Date.parse(fake.current.updatedAt) + 60_000),
    );
    const items = view.allowed
      .filter((a) => a.kind === "presentOffer")
      .map((a) => context.policy.offers.find((o) => o.code === a.offerCode)!)
      .map((o) => ({
        ...o,
        effect: {
          currency: "USD",
          monthlyValueBeforeMinor: 49_900,
          monthlyValueDuringMinor: null,
          durationMonths: null,
          monthlyValueAfterMinor: null,
          oneTimeCreditMinor: 0,
        },
      }));
    return { status: 200, body: { items } };
  };
  const outcomeCommand = (_path: string, body: Record<string, unknown>, now: Date): Command =>
    commands.recordCsmOutcome(now, {
      actor: CSM,
      outcome: body.outcome as "retained",
      offerCode: body.offerCode as string,
      notes: String(body.notes),
    });

  it("lists only the offers open to this customer", async () => {
    const fake = fakeCaseApi({
      start: engagedCase(),
      context,
      actor: CSM,
      toCommand: outcomeCommand,
    });
    fake.extra = offerOptions(fake);
    renderWorkspace(fake.current.id, SAM_LEE);
    fireEvent.click(await screen.findByLabelText("Retained with an offer"));
    const picker = (await screen.findAllByLabelText(/Offer the customer accepted/)).find(
      (e) => e.tagName === "INPUT",
    )!;
    fireEvent.click(picker);
    // The open list (its options are hidden while Mantine's opening transition runs in jsdom).
    const list = () => document.getElementById(picker.getAttribute("aria-controls") ?? "")!;
    await waitFor(() => expect(list()).toBeTruthy());
    const offered = within(list())
      .getAllByRole("option", { hidden: true })
      .map((o) => o.textContent);
    expect(offered).toEqual([
      "20% off for 3 months",
      "Move to Starter",
      "Free training session",
      "Custom offer",
    ]);
    // Pausing is for a hiring freeze or an unused account, not for "too expensive".
    expect(offered).not.toContain("Pause for 3 months");
  });

  it("asks before a save, then takes focus to what the case offers now", async () => {
    // A larger customer, to whom the CSM presented the custom offer on the call.
    const ctx = makeContext({ subscription: { monthlyValueMinor: 149_900 } });
    const fake = fakeCaseApi({
      start: escalatedWithCsmOffer(ctx, {
        offerCode: "custom_csm",
        customTerms: "Three months at half price.",
      }),
      context: ctx,
      actor: CSM,
      toCommand: (_path, body, now) =>
        commands.recordCsmOutcome(now, {
          actor: CSM,
          outcome: "retained",
          offerCode: String(body.offerCode),
          customTerms: String(body.customTerms),
          notes: String(body.notes),
        }),
    });
    renderWorkspace(fake.current.id, SAM_LEE);
    fireEvent.click(await screen.findByLabelText("Retained with an offer"));
    fireEvent.change(screen.getByLabelText(/Outcome notes/), { target: { value: "Agreed." } });
    const submit = screen.getByRole("button", { name: "Record outcome" });
    submit.focus();
    fireEvent.click(submit);
    const dialog = await screen.findByRole("dialog", { name: "Close the case as retained?" });
    expect(dialog.textContent).toContain(
      "This closes the case as retained and applies Custom offer to the subscription",
    );
    expect(fake.calls.some((c) => c.method === "POST")).toBe(false);
    const confirm = within(dialog).getByRole("button", { name: "Close as retained" });
    confirm.focus();
    fireEvent.click(confirm);
    await screen.findByText("This case is closed.");
    expect(fake.current.outcome).toBe("retained");
    // The AM who honours the save reads the offer by its label, and the terms agreed.
    expect(screen.getByTestId("csm-outcome").textContent).toBe(
      "Outcome: retained with Custom offer, on these terms: “Three months at half price.” — Agreed.",
    );
    const rail = screen.getByRole("navigation", { name: "Policy steps" });
    expect(within(rail).getByTestId("step-3").textContent).toContain(
      "accepted. Terms: Three months at half price.",
    );
    expect(rail.textContent).not.toContain("custom_csm");
    // Not left on the page's body: on the heading above what the case now offers.
    await waitFor(() => expect(document.activeElement?.textContent).toBe("What you can do now"));
  });

  it("shows a refusal once, in the form", async () => {
    const fake = fakeCaseApi({
      start: engagedCase(),
      context,
      actor: CSM,
      toCommand: outcomeCommand,
    });
    const options = offerOptions(fake);
    fake.extra = (call) =>
      call.method === "POST" && call.path.endsWith("/csm/outcome")
        ? {
            status: 409,
            body: {
              code: "OFFER_NOT_ELIGIBLE",
              message: "This offer is not open to this customer's plan, value or reason.",
            },
          }
        : options(call);
    renderWorkspace(fake.current.id, SAM_LEE);
    fireEvent.click(await screen.findByLabelText("Proceed with the cancellation"));
    fireEvent.change(screen.getByLabelText(/Outcome notes/), { target: { value: "Tried." } });
    fireEvent.click(screen.getByRole("button", { name: "Record outcome" }));
    fireEvent.click(await screen.findByRole("button", { name: "Record: proceed" }));
    await screen.findByText(/not open to this customer's plan/);
    await waitFor(() =>
      expect(fake.calls.filter((c) => c.path === `/api/cases/${fake.current.id}`).length).toBe(2),
    );
    expect(screen.getAllByText(/not open to this customer's plan/)).toHaveLength(1);
    expect(screen.queryByTestId("command-error")?.closest("form")).toBeTruthy();
  });
});
