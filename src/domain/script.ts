// A step's suggested script with the placeholders the case can already answer filled in: the
// policy writes "I'm passing your request to [CSM]…", the AM reads the CSM's name. Pure: the
// values come from the case and its policy; names and local dates are the reader's to show.

import { type Case, confirmationChannelFor } from "./case.ts";
import type { DecisionContext } from "./context.ts";
import { findOffer, findReason } from "./policy-definition.ts";
import { CONFIRMATION_CHANNEL_WORDS } from "./words.ts";

/**
 * A piece of a filled script: words, a staff user (shown by name) or a date (shown in the
 * reader's own time zone). `placeholder` is the policy's own text, for a reader who cannot name
 * the user.
 */
export type ScriptPart =
  | { text: string }
  | { userId: string; placeholder: string }
  | { date: string; placeholder: string };

/** What the case knows for each placeholder; null while it is not known yet. */
export interface ScriptValues {
  /** [CSM]: the CSM's user id. */
  csm: string | null;
  /** [date]: when the cancellation takes effect (an instant). */
  date: string | null;
  /** [channel]: the confirmation's channel, in words. */
  channel: string | null;
  /** [offer]: the offer discussed, by its label (a custom offer by its terms). */
  offer: string | null;
  /** [summary]: the customer's feedback, in a few words. */
  summary: string | null;
  /** [reason], [reason in the customer's words]: why they want to cancel, as they said it. */
  reason: string | null;
}

/** The placeholders the engine knows, by their name in lower case. */
const PLACEHOLDERS: Record<string, keyof ScriptValues> = {
  csm: "csm",
  date: "date",
  channel: "channel",
  offer: "offer",
  summary: "summary",
  reason: "reason",
  "reason in the customer's words": "reason",
  "reason in the customer’s words": "reason",
};

const PLACEHOLDER = /\[([^[\]\n]{1,80})\]/g;

/** What the values are read from besides the case: a decision's context has it all. */
export type ScriptContext = Pick<DecisionContext, "policy"> & {
  account: Pick<DecisionContext["account"], "assignedCsmId">;
  requester: Pick<DecisionContext["requester"], "preferredChannel">;
};

export function scriptValues(c: Case, context: ScriptContext): ScriptValues {
  const { policy } = context;
  // The offer in discussion: the latest still waiting for an answer, else the latest presented.
  const offer = c.offers.findLast((o) => o.answer === "pending") ?? c.offers.at(-1);
  const feedback = c.feedback;
  const submission = feedback?.submission;
  // Set into a sentence of the script: without a full stop of its own.
  const words = (text: string | undefined) => text?.trim().replace(/[.\s]+$/, "") || null;
  return {
    // The case's CSM now (a reassignment moves the slot, not the escalation's record of who
    // it first went to), as the staff notices name them.
    csm: c.assignedCsmId ?? c.escalation?.csmId ?? context.account.assignedCsmId ?? null,
    date: c.processing?.effectiveAt ?? null,
    channel:
      CONFIRMATION_CHANNEL_WORDS[
        c.confirmation?.channel ?? confirmationChannelFor(c, context.requester.preferredChannel)
      ],
    offer: offer
      ? (offer.customTerms ?? findOffer(policy, offer.offerCode)?.label ?? offer.label)
      : null,
    summary: submission
      ? `rated ${submission.rating}/5, decided because of ${findReason(policy, submission.decisionReason)?.label ?? submission.decisionReason}${submission.comments.trim() ? `: “${submission.comments.trim()}”` : ""}`
      : feedback?.expiredAt
        ? "none given (the survey expired unanswered)"
        : null,
    reason: words(c.form?.submission?.details) ?? words(c.reasonConversations.at(-1)?.notes),
  };
}

/**
 * `script` in parts, each placeholder the engine knows replaced by its value. A placeholder whose
 * value is not known yet, or that the engine does not know (a policy version may write its own),
 * stays as typed.
 */
export function fillScript(script: string, values: ScriptValues): ScriptPart[] {
  const parts: ScriptPart[] = [];
  const text = (t: string) => {
    if (t === "") return;
    const last = parts.at(-1);
    if (last && "text" in last) parts[parts.length - 1] = { text: last.text + t };
    else parts.push({ text: t });
  };
  let from = 0;
  for (const match of script.matchAll(PLACEHOLDER)) {
    text(script.slice(from, match.index));
    from = match.index + match[0].length;
    const key = PLACEHOLDERS[(match[1] ?? "").trim().toLowerCase()];
    const value = key ? values[key] : null;
    if (!key || !value) text(match[0]);
    else if (key === "csm") parts.push({ userId: value, placeholder: match[0] });
    else if (key === "date") parts.push({ date: value, placeholder: match[0] });
    else text(value);
  }
  text(script.slice(from));
  return parts;
}

/** The plain text of a filled script: users by id, dates as ISO instants. */
export function scriptText(parts: ScriptPart[]): string {
  return parts.map((p) => ("text" in p ? p.text : "userId" in p ? p.userId : p.date)).join("");
}
