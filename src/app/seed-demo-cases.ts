// The demo's sample cases: eleven cancellation requests at every state a desk shows, opened and
// worked over the last weeks, so a first start has queues, case pages and analytics to look at.
// Every case goes through the same use cases the API runs (openCase, runCaseCommand, the
// customer's link actions) with the clock set to each step's moment, so each audit chain, link
// and outbox message is as real as one made by hand. The messages they queue are delivered at
// once, at their own moment, to the dev mailbox: none goes out later as if new.

import type { StaffActor } from "../domain/actor.ts";
import type { CaseOutcome, CaseState, FormStatus } from "../domain/case.ts";
import type { FormSubmissionInput } from "../domain/commands.ts";
import { feedbackExpiresAt, formLinkExpiresAt, identityCodeExpiresAt } from "../domain/sla.ts";
import type { StaffRole } from "../domain/staff.ts";
import { subscriptionLedger } from "../integrations/billing/subscription-ledger.ts";
import { devMailboxTransport } from "../integrations/email/email-transport.ts";
import { devSmsProvider } from "../integrations/sms/sms-provider.ts";
import { createOutboxWorker } from "../jobs/outbox-worker.ts";
import type { AppContext, Db } from "./context.ts";
import { answerOfferByLink, submitFeedbackByLink, submitFormByLink } from "./customer-actions.ts";
import { identityCode, linkToken } from "./customer-secrets.ts";
import { type CommandBuilder, openCase, runCaseCommand } from "./run-case-command.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface DemoCaseOptions {
  /** Signs the customers' links and derives their codes: the server's SESSION_SECRET. */
  sessionSecret: string;
  /** Where the links in the dev mailbox's messages point. */
  publicUrl: string;
  /** The moment the cases' steps are laid before. */
  now: Date;
  /** The demo's AMs and CSMs in the order the README names them: the cases go round them. */
  accountManagerIds: string[];
  csmIds: string[];
}

/** One sample case as the README lists it: where it stands and how it got there. */
export interface DemoCasePlan {
  title: string;
  state: CaseState;
  outcome: CaseOutcome | null;
  /** The form's own status beside the state: "sent" while the customer has not filled it in. */
  formStatus: FormStatus;
}

interface Staff {
  id: string;
  role: StaffRole;
}

/** A demo customer a case is opened for: an account whose owner may cancel, and its subscription. */
interface DemoCustomer {
  accountId: string;
  contactId: string;
  subscriptionId: string;
  am: Staff;
  csm: Staff;
}

/** The steps a case can take, each at an offset before the seed's `now`. */
type Step =
  | { at: number; do: "open"; channel: "phone" | "email" | "chat" | "portal"; summary: string }
  | { at: number; do: "verify" }
  | { at: number; do: "sendForm" }
  | { at: number; do: "submitForm"; answers: Partial<FormSubmissionInput> }
  | { at: number; do: "reason"; reasonCode: string; notes: string }
  | { at: number; do: "present"; offerCode: string }
  | { at: number; do: "answer"; answer: "accepted" | "declined" }
  | { at: number; do: "noOffer"; reason: string }
  | { at: number; do: "escalate"; notes: string }
  | {
      at: number;
      do: "csmOutcome";
      outcome: "proceed" | "retained";
      offerCode?: string;
      notes: string;
    }
  | { at: number; do: "process" }
  | { at: number; do: "confirm" }
  | { at: number; do: "requestFeedback" }
  | { at: number; do: "feedback"; rating: number; decisionReason: string; comments: string }
  | { at: number; do: "withdraw"; reason: string }
  | { at: number; do: "close"; summary: string };

const FORM: FormSubmissionInput = {
  reasonCode: "too_expensive",
  details: "Our hiring budget for next year was cut and we cannot justify the seats.",
  requestedEffective: "end_of_term",
  preferredConfirmationChannel: "email",
  authorityConfirmed: true,
};

/** Verified, form sent and submitted, reason recorded: where most cases stand at step 3. */
function throughReason(
  start: number,
  answers: Partial<FormSubmissionInput>,
  reason: { reasonCode: string; notes: string },
): Step[] {
  return [
    { at: start, do: "open", channel: "phone", summary: "Called to cancel the subscription." },
    { at: start - 0.2 * HOUR, do: "verify" },
    { at: start - 0.3 * HOUR, do: "sendForm" },
    { at: start - 3 * HOUR, do: "submitForm", answers },
    { at: start - 5 * HOUR, do: "reason", ...reason },
  ];
}

/** Through step 4: no offer suited, escalated to the account's CSM. */
function throughEscalation(start: number, escalatedAt: number): Step[] {
  return [
    ...throughReason(
      start,
      {},
      { reasonCode: "too_expensive", notes: "Budget halved for next year." },
    ),
    {
      at: escalatedAt + 0.1 * HOUR,
      do: "noOffer",
      reason: "They have already moved to a cheaper tool.",
    },
    { at: escalatedAt, do: "escalate", notes: "Firm decision; please make the final call." },
  ];
}

/** Steps 5-7 after the CSM's go-ahead, ending closed as cancelled. */
function fromProceedToClosed(proceedAt: number): Step[] {
  return [
    {
      at: proceedAt,
      do: "csmOutcome",
      outcome: "proceed",
      notes: "Spoke with the owner: they leave.",
    },
    { at: proceedAt - 1 * HOUR, do: "process" },
    { at: proceedAt - 1.1 * HOUR, do: "confirm" },
    { at: proceedAt - 1.2 * HOUR, do: "requestFeedback" },
    {
      at: proceedAt - 1 * DAY,
      do: "feedback",
      rating: 4,
      decisionReason: "too_expensive",
      comments: "Friendly team; the price was the only problem.",
    },
    { at: proceedAt - 1.1 * DAY, do: "close", summary: "Cancelled at the end of the term." },
  ];
}

// Offsets are how long before `now` each step happened; each case's steps run oldest first.
const PLANS: (DemoCasePlan & { steps: Step[] })[] = [
  {
    title: "A new request at intake, identity not verified yet",
    state: "intake",
    outcome: null,
    formStatus: "not_sent",
    steps: [
      { at: 2 * HOUR, do: "open", channel: "email", summary: "Emailed asking how to cancel." },
    ],
  },
  {
    // Sending the form completes step 2; the case waits in step 3 for the customer's submission.
    title: "Waiting for the customer's Cancellation Request Form (sent, not submitted)",
    state: "retention",
    outcome: null,
    formStatus: "sent",
    steps: [
      { at: 20 * HOUR, do: "open", channel: "chat", summary: "Asked in chat to cancel." },
      { at: 19.8 * HOUR, do: "verify" },
      { at: 19.7 * HOUR, do: "sendForm" },
    ],
  },
  {
    title: "In retention, an offer presented and awaiting the customer's answer",
    state: "retention",
    outcome: null,
    formStatus: "submitted",
    steps: [
      ...throughReason(
        2 * DAY,
        { reasonCode: "hiring_freeze", details: "We have paused hiring until spring." },
        { reasonCode: "hiring_freeze", notes: "Hiring freeze until spring; may come back." },
      ),
      { at: 3 * HOUR, do: "present", offerCode: "pause_3m" },
    ],
  },
  {
    title: "Escalated to the CSM, SLA at risk",
    state: "escalated",
    outcome: null,
    formStatus: "submitted",
    steps: throughEscalation(2.2 * DAY, 21 * HOUR),
  },
  {
    title: "Ready to process: the CSM said proceed",
    state: "finalizing",
    outcome: null,
    formStatus: "submitted",
    steps: [
      ...throughEscalation(4 * DAY, 3 * DAY),
      { at: 2.5 * DAY, do: "csmOutcome", outcome: "proceed", notes: "Decision is final." },
    ],
  },
  {
    title: "Cancellation processed, waiting for the customer's feedback",
    state: "feedback",
    outcome: null,
    formStatus: "submitted",
    steps: [...throughEscalation(6 * DAY, 5 * DAY), ...fromProceedToClosed(4 * DAY).slice(0, 4)],
  },
  {
    title: "Closed: cancelled at the end of the term",
    state: "closed",
    outcome: "cancelled",
    formStatus: "submitted",
    steps: [...throughEscalation(38 * DAY, 37 * DAY), ...fromProceedToClosed(36 * DAY)],
  },
  {
    title: "Closed: retained by the AM's offer (a training session)",
    state: "closed",
    outcome: "retained",
    formStatus: "submitted",
    steps: [
      // Saved over 30 days ago by an offer that does not hold them by itself (a discount or a
      // pause would): the analytics count it as a validated save.
      ...throughReason(
        45 * DAY,
        { reasonCode: "too_complex", details: "Our recruiters never learned the pipeline views." },
        { reasonCode: "too_complex", notes: "The team finds it hard to use." },
      ),
      { at: 44.7 * DAY, do: "present", offerCode: "training_session" },
      { at: 44 * DAY, do: "answer", answer: "accepted" },
    ],
  },
  {
    title: "Closed: retained by the CSM (billing paused for 3 months)",
    state: "closed",
    outcome: "retained",
    formStatus: "submitted",
    steps: [
      ...throughReason(
        23 * DAY,
        { reasonCode: "hiring_freeze", details: "No open roles this quarter." },
        { reasonCode: "hiring_freeze", notes: "No open roles this quarter." },
      ),
      { at: 22.7 * DAY, do: "present", offerCode: "discount_20_3m" },
      { at: 22.5 * DAY, do: "answer", answer: "declined" },
      { at: 22.4 * DAY, do: "escalate", notes: "Declined the discount; a pause may suit." },
      {
        at: 22 * DAY,
        do: "csmOutcome",
        outcome: "retained",
        offerCode: "pause_3m",
        notes: "Agreed to pause billing until hiring resumes.",
      },
    ],
  },
  {
    title: "Closed: withdrawn by the customer",
    state: "closed",
    outcome: "withdrawn",
    formStatus: "sent",
    steps: [
      { at: 15 * DAY, do: "open", channel: "portal", summary: "Asked to cancel from the portal." },
      { at: 14.9 * DAY, do: "verify" },
      { at: 14.8 * DAY, do: "sendForm" },
      { at: 14 * DAY, do: "withdraw", reason: "Their new director wants to keep WootRecruit." },
    ],
  },
  {
    title: "Closed: cancelled at the end of the term (the week before)",
    state: "closed",
    outcome: "cancelled",
    formStatus: "submitted",
    steps: [...throughEscalation(10 * DAY, 9 * DAY), ...fromProceedToClosed(8 * DAY)],
  },
];

/** The sample cases the demo seeds, in the order they are made (the README lists them). */
export const DEMO_CASES: readonly DemoCasePlan[] = PLANS.map(
  ({ title, state, outcome, formStatus }) => ({ title, state, outcome, formStatus }),
);

/**
 * Demo customers for the cases: one active subscription on the Starter or Enterprise plan, an
 * owner who may cancel and prefers email. The i-th case goes to an account of the i-th AM (and
 * CSM, where one has both) in turn, so every AM has open cases in "My cases". Growth and Scale
 * accounts are left for the browser journeys, which open their own cases there.
 */
async function findDemoCustomers(
  db: Db,
  count: number,
  amIds: string[],
  csmIds: string[],
): Promise<DemoCustomer[]> {
  const rows = await db
    .selectFrom("accounts as a")
    .innerJoin("contacts as c", (join) =>
      join
        .onRef("c.account_id", "=", "a.id")
        .on("c.role", "=", "owner")
        .on("c.authorised_to_cancel", "=", true)
        .on("c.preferred_channel", "=", "email"),
    )
    .innerJoin("subscriptions as s", (join) =>
      join.onRef("s.account_id", "=", "a.id").on("s.status", "=", "active"),
    )
    .innerJoin("plans as p", "p.id", "s.plan_id")
    .innerJoin("users as am", "am.id", "a.account_manager_id")
    .innerJoin("users as csm", "csm.id", "a.csm_id")
    .where("p.code", "in", ["starter", "enterprise"])
    .where((eb) =>
      eb(
        eb
          .selectFrom("subscriptions as s2")
          .select(eb.fn.countAll().as("n"))
          .whereRef("s2.account_id", "=", "a.id"),
        "=",
        1,
      ),
    )
    .select([
      "a.id as accountId",
      "c.id as contactId",
      "s.id as subscriptionId",
      "am.id as amId",
      "am.role as amRole",
      "csm.id as csmId",
      "csm.role as csmRole",
    ])
    .orderBy("a.external_ref")
    .execute();
  const chosen: DemoCustomer[] = [];
  for (let i = 0; i < count; i++) {
    const am = amIds[i % amIds.length];
    const csm = csmIds[i % csmIds.length];
    const free = rows.filter((r) => !chosen.some((c) => c.accountId === r.accountId));
    const r =
      free.find((r) => r.amId === am && r.csmId === csm) ??
      free.find((r) => r.amId === am) ??
      free[0];
    if (!r) throw new Error("the demo data has too few accounts for its cases");
    chosen.push({
      accountId: r.accountId,
      contactId: r.contactId,
      subscriptionId: r.subscriptionId,
      am: { id: r.amId, role: r.amRole },
      csm: { id: r.csmId, role: r.csmRole },
    });
  }
  return chosen;
}

/** The latest message of `topic` the case queued: what the customer would find in their inbox. */
async function latestPayload(db: Db, caseId: string, topic: string) {
  const row = await db
    .selectFrom("outbox")
    .select("payload")
    .where("case_id", "=", caseId)
    .where("topic", "=", topic)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  return row.payload as Record<string, string>;
}

/** Creates the demo's sample cases (DEMO_CASES); answers how many. */
export async function seedDemoCases(db: Db, options: DemoCaseOptions): Promise<number> {
  let clock = options.now;
  const ctx: AppContext = {
    db,
    now: () => clock,
    sessionSecret: options.sessionSecret,
    billing: subscriptionLedger,
  };
  // Delivered as a server without SMTP or an SMS provider would deliver them (the dev mailbox),
  // at the moment they were queued. No webhook endpoint exists yet in a new demo database.
  const worker = createOutboxWorker({
    db,
    now: () => clock,
    sessionSecret: options.sessionSecret,
    publicUrl: options.publicUrl,
    email: devMailboxTransport(db, () => clock),
    sms: devSmsProvider(db, () => clock),
    webhooks: async () => {
      throw new Error("the demo seed has no webhook endpoints");
    },
  });
  // One round takes what a step queued (a handful of messages, well under a batch).
  const deliver = () => worker.runOnce();
  const customers = await findDemoCustomers(
    db,
    PLANS.length,
    options.accountManagerIds,
    options.csmIds,
  );
  // Oldest first, so case references rise with the time they were opened, as on a real desk.
  const oldestFirst = [...PLANS.entries()].sort(([, a], [, b]) => b.steps[0]!.at - a.steps[0]!.at);

  for (const [i, plan] of oldestFirst) {
    const customer = customers[i]!;
    const am: StaffActor = { kind: "staff", userId: customer.am.id, role: customer.am.role };
    const csm: StaffActor = { kind: "staff", userId: customer.csm.id, role: customer.csm.role };
    let caseId = "";
    const run = (build: CommandBuilder) => runCaseCommand(ctx, caseId, build);
    const token = async (topic: "form_link" | "offer_link" | "feedback_request") =>
      linkToken(options.sessionSecret, (await latestPayload(db, caseId, topic)).linkNonce!);

    for (const step of plan.steps) {
      clock = new Date(options.now.getTime() - step.at);
      switch (step.do) {
        case "open": {
          const opened = await openCase(ctx, am, {
            accountId: customer.accountId,
            subscriptionId: customer.subscriptionId,
            requesterContactId: customer.contactId,
            channel: step.channel,
            summary: step.summary,
          });
          caseId = opened.case.id;
          break;
        }
        case "verify": {
          await run((_c, facts, now) => ({
            kind: "startIdentityVerification",
            method: "code",
            codeExpiresAt: identityCodeExpiresAt(facts.context.policy, now),
            actor: am,
            now,
          }));
          // The customer reads back the code they were sent (delivered first, as it would be).
          await deliver();
          const sent = await latestPayload(db, caseId, "identity_code");
          const code = identityCode(
            options.sessionSecret,
            sent.codeNonce!,
            Number(sent.codeLength),
          );
          await runCaseCommand(
            ctx,
            caseId,
            (_c, _f, now, checks) => ({
              kind: "confirmIdentityCode",
              codeMatches: checks.identityCodeMatches,
              actor: am,
              now,
            }),
            { identityCode: code },
          );
          break;
        }
        case "sendForm":
          await run((_c, facts, now) => ({
            kind: "sendForm",
            linkExpiresAt: formLinkExpiresAt(facts.context.policy, now),
            actor: am,
            now,
          }));
          break;
        case "submitForm":
          await submitFormByLink(ctx, await token("form_link"), { ...FORM, ...step.answers });
          break;
        case "reason":
          await run((_c, _f, now) => ({
            kind: "recordReasonConversation",
            reasonCode: step.reasonCode,
            notes: step.notes,
            actor: am,
            now,
          }));
          break;
        case "present":
          await run((_c, _f, now) => ({
            kind: "presentOffer",
            offerCode: step.offerCode,
            customTerms: null,
            actor: am,
            now,
          }));
          break;
        case "answer":
          await answerOfferByLink(ctx, await token("offer_link"), step.answer);
          break;
        case "noOffer":
          await run((_c, _f, now) => ({
            kind: "recordNoSuitableOffer",
            reason: step.reason,
            actor: am,
            now,
          }));
          break;
        case "escalate":
          await run((_c, _f, now) => ({
            kind: "escalateToCsm",
            csmId: null,
            notes: step.notes,
            actor: am,
            now,
          }));
          break;
        case "csmOutcome":
          await run((_c, _f, now) => ({
            kind: "recordCsmOutcome",
            outcome: step.outcome,
            offerCode: step.offerCode ?? null,
            customTerms: null,
            notes: step.notes,
            actor: csm,
            now,
          }));
          break;
        case "process":
          await run((_c, _f, now) => ({ kind: "processCancellation", actor: am, now }));
          break;
        case "confirm":
          await run((_c, _f, now) => ({
            kind: "recordConfirmation",
            channel: "email",
            callOutcome: null,
            notes: null,
            actor: am,
            now,
          }));
          break;
        case "requestFeedback":
          await run((_c, facts, now) => ({
            kind: "requestFeedback",
            linkExpiresAt: feedbackExpiresAt(facts.context.policy, now),
            actor: am,
            now,
          }));
          break;
        case "feedback":
          await submitFeedbackByLink(ctx, await token("feedback_request"), {
            rating: step.rating,
            decisionReason: step.decisionReason,
            comments: step.comments,
          });
          break;
        case "withdraw":
          await run((_c, _f, now) => ({
            kind: "withdraw",
            reason: step.reason,
            actor: am,
            now,
          }));
          break;
        case "close":
          await run((_c, _f, now) => ({
            kind: "closeCase",
            summary: step.summary,
            actor: am,
            now,
          }));
          break;
      }
      await deliver();
    }
  }
  return PLANS.length;
}
