import { describe, expect, it } from "vitest";
import { wootrecruitPolicy } from "../policy/wootrecruit.ts";
import { buildChecklist } from "./checklist.ts";
import type { PolicyStep } from "./policy-definition.ts";
import { fillScript, type ScriptValues, scriptText } from "./script.ts";
import { apply, caseIn, commands, makeContext, nextMinute, testPolicy } from "./test-factories.ts";

const NOTHING_KNOWN: ScriptValues = {
  csm: null,
  date: null,
  channel: null,
  offer: null,
  summary: null,
  reason: null,
};

/** The test policy with WootRecruit's scripts, which carry the placeholders. */
const context = makeContext({
  policy: {
    ...testPolicy,
    steps: testPolicy.steps.map(
      (step): PolicyStep => ({
        ...step,
        script: wootrecruitPolicy.steps.find((s) => s.key === step.key)?.script ?? step.script,
      }),
    ),
  },
});
const scriptOf = (c: ReturnType<typeof caseIn>, step: number) =>
  buildChecklist(c, context, nextMinute(c))[step - 1]!.scriptParts;

describe("a step's script, filled in from the case", () => {
  it("names the CSM the case is escalated to, for the reader to show by name", () => {
    const parts = scriptOf(caseIn("escalated", context), 4);
    expect(parts).toContainEqual({ userId: "u-csm", placeholder: "[CSM]" });
    expect(scriptText(parts)).toContain(
      "I'm passing your request to u-csm, our Customer Success Manager",
    );
  });

  it("names the CSM who holds the case now, after a reassignment", () => {
    const escalated = caseIn("escalated", context);
    const reassigned = apply(
      escalated,
      commands.reassign(nextMinute(escalated), { slot: "csm", toUserId: "u-csm2" }),
      context,
    );
    expect(scriptOf(reassigned, 4)).toContainEqual({ userId: "u-csm2", placeholder: "[CSM]" });
  });

  it("gives the effective date and the channel once the cancellation is processed", () => {
    const c = caseIn("cancelled", context);
    const parts = scriptOf(c, 5);
    expect(parts).toContainEqual({ date: c.processing!.effectiveAt, placeholder: "[date]" });
    expect(scriptText(parts)).toContain("I've sent a confirmation to email.");
    // Before processing the date is not known yet: the placeholder stays.
    expect(scriptText(scriptOf(caseIn("finalizing", context), 5))).toContain("will end on [date]");
  });

  it("names the offer discussed by its label, and a custom offer by its terms", () => {
    const retention = caseIn("retention", context);
    expect(scriptText(scriptOf(retention, 3))).toContain("we could 20% off for 3 months.");
    const ctx = makeContext({
      policy: context.policy,
      subscription: { monthlyValueMinor: 149_900 },
    });
    const escalated = caseIn("escalated", ctx);
    const custom = apply(
      escalated,
      commands.presentOffer(nextMinute(escalated), {
        offerCode: "custom_csm",
        customTerms: "three months at half price",
        actor: { kind: "staff", userId: "u-csm", role: "csm" },
      }),
      ctx,
    );
    expect(scriptText(buildChecklist(custom, ctx, nextMinute(custom))[2]!.scriptParts)).toContain(
      "we could three months at half price.",
    );
  });

  it("fills the closing summary's reason, channel, date and feedback", () => {
    const feedback = caseIn("feedback", context);
    const c = apply(feedback, commands.submitFeedback(nextMinute(feedback)), context);
    const text = scriptText(scriptOf(c, 7));
    expect(text).toMatch(/^Closing summary: Budget cut for the next two quarters; /);
    expect(text).toContain(`cancellation effective ${c.processing!.effectiveAt}`);
    expect(text).toContain("confirmed by email");
    expect(text).toMatch(/feedback rated \d\/5, decided because of /);
    expect(text).not.toMatch(/\[/);
  });

  it("leaves a placeholder it does not know, or cannot fill yet, as typed", () => {
    const script = "Hello [account name], [CSM] will call on [Date] about [offer] [ and [].";
    expect(
      fillScript(script, { ...NOTHING_KNOWN, date: "2026-12-31T00:00:00.000Z", offer: "" }),
    ).toEqual([
      { text: "Hello [account name], [CSM] will call on " },
      { date: "2026-12-31T00:00:00.000Z", placeholder: "[Date]" },
      { text: " about [offer] [ and []." },
    ]);
    expect(fillScript("No placeholders.", NOTHING_KNOWN)).toEqual([{ text: "No placeholders." }]);
  });
});
