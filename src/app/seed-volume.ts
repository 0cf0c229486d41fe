// Volume data for benchmarks and analytics: N cancellation cases over about two years, with their
// accounts, contacts, subscriptions, staff and hash-chained audit entries. Every case is produced
// by the real policy engine (decide) walking a scripted path (cancelled at the end of the term or
// at once, retained by an AM's offer or by the CSM, withdrawn, unverified), so the case rows, the
// event bodies and the documentation records are exactly what the engine writes; only ids, times,
// people, reasons and offers vary. Cases whose path runs past `now` stay open where they are, so
// the recent ones fill every state and SLA queue. Rows go in by the thousand in one statement each.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { caseColumns, caseReference } from "../db/repositories/cases.repository.ts";
import { findPlanIdsByCode, insertPlan } from "../db/repositories/plans.repository.ts";
import type { Actor, StaffActor } from "../domain/actor.ts";
import type { Case, ConfirmationChannel, EffectiveChoice, RequestChannel } from "../domain/case.ts";
import type { Command } from "../domain/commands.ts";
import type { DecisionContext } from "../domain/context.ts";
import type {
  ContactChannel,
  ContactRole,
  Segment,
  SubscriptionStatus,
} from "../domain/customer.ts";
import { decide } from "../domain/decide.ts";
import type { CaseEvent } from "../domain/events.ts";
import { eligibleOffers } from "../domain/offers.ts";
import type { OfferDefinition, PolicyDefinition } from "../domain/policy-definition.ts";
import { feedbackExpiresAt, formLinkExpiresAt, identityCodeExpiresAt } from "../domain/sla.ts";
import {
  type AuditEntryContent,
  digestAuditBody,
  GENESIS_HASH,
  hashSealedAuditEntry,
  newAuditSalt,
} from "./audit-chain.ts";
import { getCurrentPolicy } from "./case-facts.ts";
import type { Db } from "./context.ts";
import { hashPassword } from "./secrets.ts";
import { DEMO_PASSWORD, seededRandom } from "./seed-demo.ts";

export interface SeedVolumeProgress {
  cases: number;
  events: number;
  elapsedMs: number;
}

export interface SeedVolumeOptions {
  /** How many cases to create. */
  cases: number;
  /** The end of the two years the cases are spread over; defaults to the current time. */
  now?: Date;
  /** A source of numbers in [0, 1); defaults to a fixed-seed sequence. */
  random?: () => number;
  /** How many days before `now` the cases are spread over (default 730, about two years). */
  spanDays?: number;
  /** Accounts generated (and written) per round; each round is one transaction. */
  accountsPerRound?: number;
  /** Rounds written at the same time (PostgreSQL: give the pool as many connections). */
  parallelWrites?: number;
  onProgress?: (progress: SeedVolumeProgress) => void;
}

export interface SeedVolumeResult {
  cases: number;
  events: number;
  accounts: number;
  contacts: number;
  subscriptions: number;
  staff: { accountManagers: number; csms: number; admins: number };
  /** Closed cases by outcome, and open cases by state. */
  byOutcome: Record<string, number>;
  openByState: Record<string, number>;
  /** Emails of seeded staff, all with the demo password, for sign-in by benchmarks and tests. */
  signIns: { accountManager: string; csm: string; admin: string; password: string };
  elapsedMs: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

// Per-seat monthly prices in cents, as in the demo data (WootRecruit sells recruiter seats).
const PLANS = [
  { code: "starter", name: "Starter", monthlyPriceMinor: 4_900 },
  { code: "growth", name: "Growth", monthlyPriceMinor: 8_900 },
  { code: "scale", name: "Scale", monthlyPriceMinor: 13_900 },
  { code: "enterprise", name: "Enterprise", monthlyPriceMinor: 19_900 },
] as const;
type PlanCode = (typeof PLANS)[number]["code"];
const PLAN_PRICES: Record<string, number> = Object.fromEntries(
  PLANS.map((p) => [p.code, p.monthlyPriceMinor]),
);

function list(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

const STEMS = list(`Northwind, Bluebird, Harborview, Summit, Cedar Ridge, Ironwood, Lakeside,
  Meridian, Brightpath, Keystone, Silverline, Oakmont, Redwood, Pinnacle, Crescent, Evergreen,
  Granite, Horizon, Juniper, Beacon, Riverside, Westfield, Maple Leaf, Sterling, Copperfield,
  Highland, Bayside, Clearwater, Fairview, Foxglove, Lighthouse, Magnolia, Newbridge, Orchard,
  Parkside, Quarry Lane, Rosewood, Stonegate, Thornbury, Union Square, Valley, Willowbrook, Atlas,
  Brookline, Canopy, Driftwood, Emberly, Fieldstone, Greenleaf, Hawthorne, Kingsway, Larkspur,
  Midtown, Northstar, Old Mill, Prairie, Saltmarsh, Tidewater, Upland, Vantage, Wren, Zenith`);
const SUFFIXES: { suffixes: string[]; segments: Segment[] }[] = [
  {
    suffixes: list("Staffing, Talent Partners, Recruitment, Workforce Solutions, Search Group"),
    segments: ["smb", "smb", "smb", "mid_market"],
  },
  {
    suffixes: list("Health System, Medical Center, Hospital, Care Group, Clinics"),
    segments: ["mid_market", "enterprise", "enterprise"],
  },
  {
    suffixes: list("Retail Group, Markets, Outfitters, Home Stores, Grocers"),
    segments: ["smb", "mid_market", "mid_market", "enterprise"],
  },
  {
    suffixes: list("Software, Labs, Analytics, Cloud, Technologies, AI"),
    segments: ["smb", "smb", "mid_market", "enterprise"],
  },
  {
    suffixes: list("Logistics, Manufacturing, Hospitality Group, Construction, Foods"),
    segments: ["smb", "mid_market", "mid_market", "enterprise"],
  },
];
const PLACES = list(`Austin, Denver, Boston, Seattle, Chicago, Atlanta, Portland, Phoenix, Dallas,
  Toronto, Vancouver, London, Leeds, Dublin, Berlin, Amsterdam, Sydney, Melbourne, Brisbane, Ohio,
  Texas, Pacific, Atlantic, Midwest, Northeast, Coastal, Metro, Global, International, West`);
const FIRST = list(`Olivia, Liam, Emma, Noah, Ava, Ethan, Sophia, Mason, Isabella, Lucas, Mia,
  Aiden, Amelia, James, Harper, Benjamin, Evelyn, Elijah, Abigail, Daniel, Chloe, Mateo, Grace,
  Henry, Zoe, Leo, Nora, Owen, Aisha, Ravi, Mei, Kenji, Fatima, Diego, Ingrid, Tomás, Siobhan,
  Kwame, Leila, Anders, Priya, Jordan, Samuel, Hannah, Maria, Chris, Yusuf, Elena, Marcus, Ines`);
const LAST = list(`Smith, Johnson, Williams, Brown, Jones, Garcia, Miller, Davis, Martinez, Wilson,
  Anderson, Thomas, Taylor, Moore, Jackson, Martin, Lee, Thompson, White, Harris, Clark, Lewis,
  Robinson, Walker, Young, Allen, King, Wright, Nguyen, Patel, Kim, Okonkwo, Murphy, O'Brien,
  Schmidt, Van Dijk, Kowalski, Haddad, Tanaka, Lindqvist, Shah, Reyes, Okafor, Becker, Lopez`);
const COUNTRIES = [
  { code: "US", weight: 55 },
  { code: "CA", weight: 8 },
  { code: "GB", weight: 14 },
  { code: "IE", weight: 3 },
  { code: "DE", weight: 6 },
  { code: "NL", weight: 5 },
  { code: "AU", weight: 9 },
];
const PLANS_BY_SEGMENT: Record<Segment, PlanCode[]> = {
  smb: ["starter", "starter", "growth"],
  mid_market: ["growth", "growth", "scale"],
  enterprise: ["scale", "enterprise", "enterprise"],
};
const SEATS_BY_SEGMENT: Record<Segment, [number, number]> = {
  smb: [2, 15],
  mid_market: [15, 80],
  enterprise: [80, 600],
};

// Why customers leave a recruiting tool, roughly as often as each comes up.
const REASON_WEIGHTS: Record<string, number> = {
  too_expensive: 18,
  budget_cut: 12,
  unused: 11,
  switched_service: 10,
  missing_features: 9,
  hiring_freeze: 8,
  roles_filled: 6,
  seasonal_hiring: 5,
  too_complex: 5,
  customer_service: 4,
  low_quality: 3,
  hired_in_house: 3,
  ats_consolidation: 3,
  business_closing: 2,
  other: 1,
};
const REASON_NOTES: Record<string, string[]> = {
  too_expensive: [
    "Finance flagged the renewal; they feel the per-seat price is high for how many recruiters use it.",
    "Comparing us with a cheaper competitor quote; price is the main concern.",
  ],
  budget_cut: [
    "Company-wide budget cut this quarter; all software spend is under review.",
    "Their tooling budget was halved; they need to drop one subscription.",
  ],
  unused: [
    "Only two of the recruiters log in regularly; the rest went back to spreadsheets.",
    "Usage dropped after their hiring push ended.",
  ],
  switched_service: [
    "Moving to a competitor that bundles job-board credits.",
    "Leadership chose another vendor as part of a wider tools decision.",
  ],
  missing_features: [
    "Need structured interview scorecards, which we do not have yet.",
    "Missing an integration with their payroll system.",
  ],
  hiring_freeze: [
    "Hiring freeze until next fiscal year.",
    "All open requisitions are on hold after a reorganisation.",
  ],
  roles_filled: ["Filled the roles they opened the account for.", "Hiring plan completed early."],
  seasonal_hiring: [
    "They only hire for the summer season and do not want to pay in winter.",
    "Seasonal hiring; they would come back in spring.",
  ],
  too_complex: [
    "The team finds the pipeline setup confusing.",
    "Onboarding never finished; recruiters find it hard to use.",
  ],
  customer_service: [
    "Two support tickets took over a week to answer.",
    "Unhappy with how a billing question was handled.",
  ],
  low_quality: ["Candidate parsing errors keep coming back.", "Frustrated by recurring outages."],
  hired_in_house: ["Moving recruiting to an agency.", "Building an in-house recruiting team."],
  ats_consolidation: [
    "Consolidating onto the ATS that came with their new HR suite.",
    "Parent company mandates a single ATS.",
  ],
  business_closing: ["The business is closing its local office.", "Restructuring after a merger."],
  other: ["Personal circumstances of the owner; no further detail."],
};
const NO_OFFER_REASONS = [
  "Nothing in the catalog answers this: the customer is leaving for reasons we cannot change.",
  "The customer declined to discuss alternatives; no offer in the catalog fits their situation.",
];
const CSM_NOTES = [
  "Called the customer; they appreciated the outreach but the decision stands.",
  "Reviewed the account history with the customer; they want to proceed.",
  "Spoke with the decision maker; agreed terms that keep them with us.",
  "Walked through the roadmap and a plan that fits their budget; they will stay.",
];
const FEEDBACK_COMMENTS = [
  "The process was clear and respectful.",
  "Took a little longer than I hoped, but everyone was kind.",
  "Thanks for making it easy.",
  "",
  "Would come back if the price changes.",
];
const WITHDRAW_REASONS = [
  "The team decided to keep the subscription after all.",
  "Asked by mistake; the owner wants to continue.",
  "The customer found the budget for another year.",
];

type Rng = () => number;

function pick<T>(r: Rng, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

function weightedKey(r: Rng, weights: Record<string, number>): string {
  const entries = Object.entries(weights);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let roll = r() * total;
  for (const [key, w] of entries) {
    roll -= w;
    if (roll < 0) return key;
  }
  return entries[entries.length - 1]![0];
}

function between(r: Rng, min: number, max: number): number {
  return min + Math.floor(r() * (max - min + 1));
}

/** A duration between `min` and `max` ms, skewed towards the short end (people answer soon). */
function delay(r: Rng, min: number, max: number): number {
  return Math.round(min + (max - min) * r() * r());
}

function emailLocal(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z ]/g, "")
    .trim()
    .replace(/ +/g, ".");
}

function addMonths(ms: number, months: number): Date {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

// ---- What each round writes

interface Rows {
  accounts: Record<string, unknown>[];
  contacts: Record<string, unknown>[];
  subscriptions: Record<string, unknown>[];
  cases: Record<string, unknown>[];
  events: Record<string, unknown>[];
  effects: Record<string, unknown>[];
}

function emptyRows(): Rows {
  return { accounts: [], contacts: [], subscriptions: [], cases: [], events: [], effects: [] };
}

interface StaffMember {
  id: string;
  actor: StaffActor;
}

interface ContactSeed {
  id: string;
  role: ContactRole;
  authorisedToCancel: boolean;
  preferredChannel: ContactChannel;
}

/** The subscription as the ledger would hold it, carried through the account's cases. */
interface SubscriptionState {
  id: string;
  accountId: string;
  externalRef: string;
  planCode: string;
  seats: number;
  monthlyValueMinor: number;
  status: SubscriptionStatus;
  startedAt: number;
  /** Monthly periods run from here (moved by an extension offer). */
  anchor: number;
  cancelAt: number | null;
  cancelledAt: number | null;
  discountPercent: number | null;
  discountEndsAt: number | null;
  pausedUntil: number | null;
  version: number;
  /** Cancellation dates already undone by a reactivation. */
  reactivated: Set<number>;
}

type Path =
  | "cancel_end_of_term"
  | "cancel_immediately"
  | "retained_am"
  | "retained_csm"
  | "withdrawn"
  | "unverified";

const PATH_WEIGHTS: Record<Path, number> = {
  cancel_end_of_term: 27,
  cancel_immediately: 10,
  retained_am: 20,
  retained_csm: 13,
  withdrawn: 15,
  unverified: 4,
};

interface World {
  r: Rng;
  policy: PolicyDefinition;
  now: number;
  spanDays: number;
  ams: StaffMember[];
  csms: StaffMember[];
  staffRoles: DecisionContext["staff"];
  staffById: Map<string, StaffMember>;
  planIds: Map<string, string>;
  nextReference: () => number;
  runTag: number;
  accountsMade: number;
  counts: { byOutcome: Record<string, number>; openByState: Record<string, number> };
}

/** Raised when the engine refuses a scripted step: a bug in the script, not in the data. */
class ScriptRefused extends Error {}

/** Runs commands through the engine in time order; stops (the case stays open) at `now`. */
class CaseRun {
  c: Case | undefined;
  readonly events: CaseEvent[] = [];
  t: number;
  open = true;

  constructor(
    readonly ctx: DecisionContext,
    readonly now: number,
    start: number,
  ) {
    this.t = start;
  }

  /** Moves the clock on by `ms` and runs the command; false once the clock passes `now`. */
  step(ms: number, build: (at: Date) => Command): boolean {
    if (!this.open) return false;
    const at = this.t + Math.max(1, Math.round(ms));
    if (at > this.now) {
      this.open = false;
      return false;
    }
    this.t = at;
    const decision = decide(this.c, build(new Date(at)), this.ctx);
    if (!decision.ok) {
      throw new ScriptRefused(`${decision.refusal.code}: ${decision.refusal.message}`);
    }
    this.c = decision.case;
    this.events.push(...decision.events);
    return true;
  }

  get case(): Case {
    return this.c!;
  }
}

function staffActor(member: StaffMember): StaffActor {
  return member.actor;
}

function offersFor(world: World, run: CaseRun, actor: Actor): OfferDefinition[] {
  const reasonCode =
    run.case.reasonConversations.at(-1)?.reasonCode ?? run.case.form?.submission?.reasonCode;
  return eligibleOffers(
    world.policy,
    {
      planCode: run.ctx.subscription.planCode,
      monthlyValueMinor: run.ctx.subscription.monthlyValueMinor,
      currency: run.ctx.subscription.currency,
      reasonCode: reasonCode ?? null,
    },
    actor,
  );
}

function customTermsFor(offer: OfferDefinition, r: Rng): string | null {
  if (offer.kind !== "custom") return null;
  return pick(r, [
    "Two months free and a seat reduction to match their current team size.",
    "Price held at last year's rate for twelve months, with quarterly billing.",
    "Seats reduced by a third and a dedicated onboarding specialist for a month.",
  ]);
}

/** The end of the monthly period running at `at`. */
function periodEndAt(sub: SubscriptionState, at: number): number {
  const periods = Math.max(1, Math.ceil((at - sub.anchor) / (30 * DAY)));
  return sub.anchor + periods * 30 * DAY;
}

interface CaseOutcomeFacts {
  run: CaseRun;
  /** When the case closed, or null while open. */
  closedAt: number | null;
  /** The last entry of the case's audit chain. */
  tip: { seq: number; hash: string };
}

/**
 * One case on `sub`, walked along `path` until it closes or reaches `now`. Audit rows, billing
 * effects and the case row go into `rows`; the subscription state is updated as the ledger would.
 */
function simulateCase(
  world: World,
  rows: Rows,
  account: { id: string; amId: string | null; csmId: string | null },
  requester: ContactSeed,
  sub: SubscriptionState,
  path: Path,
  reasonCode: string,
  start: number,
): CaseOutcomeFacts {
  const { r, policy } = world;
  const am = account.amId ? world.staffById.get(account.amId) : undefined;
  const ctx: DecisionContext = {
    policy,
    requester: {
      contactId: requester.id,
      role: requester.role,
      authorisedToCancel: requester.authorisedToCancel,
      preferredChannel: requester.preferredChannel,
      // Every seeded contact has both an email address and a phone number.
      hasEmail: true,
      hasPhone: true,
    },
    subscription: {
      id: sub.id,
      planCode: sub.planCode,
      monthlyValueMinor: sub.monthlyValueMinor,
      currency: "USD",
      status: sub.status,
      currentPeriodEnd: new Date(periodEndAt(sub, start)),
      planMonthlyValuesMinor: PLAN_PRICES,
    },
    account: { id: account.id, accountManagerId: account.amId, assignedCsmId: account.csmId },
    staff: world.staffRoles,
  };
  const run = new CaseRun(ctx, world.now, start - 1);
  const customer: Actor = { kind: "customer", contactId: requester.id };
  const system: Actor = { kind: "system" };
  // Self-service starts verify themselves, so a failed verification came by another channel.
  const channel: RequestChannel = am
    ? (weightedKey(r, {
        email: 35,
        phone: 30,
        chat: 15,
        portal: path === "unverified" ? 0 : 15,
        api: 5,
      }) as RequestChannel)
    : (weightedKey(r, { portal: 80, api: 20 }) as RequestChannel);
  const opener: Actor =
    channel === "portal" ? customer : channel === "api" || !am ? system : staffActor(am);
  let amActor: Actor = am ? staffActor(am) : system;
  const caseId = randomUUID();
  const openedYear = new Date(start).getUTCFullYear();
  const reference = caseReference(openedYear, String(world.nextReference()));

  run.step(0, (now) => ({
    kind: "openCase",
    caseId,
    reference,
    accountId: account.id,
    subscriptionId: sub.id,
    requesterContactId: requester.id,
    channel,
    actor: opener,
    now,
    summary:
      channel === "portal"
        ? "Started on the self-service page"
        : r() < 0.5
          ? `Customer asked to cancel by ${channel}.`
          : null,
  }));

  const finish = (): CaseOutcomeFacts => {
    const tip = writeCase(world, rows, run);
    const c = run.case;
    return { run, closedAt: c.closedAt ? Date.parse(c.closedAt) : null, tip };
  };

  // A colleague covering for the account's AM now and then.
  if (am && r() < 0.03 && world.ams.length > 1) {
    const other = pick(
      r,
      world.ams.filter((m) => m.id !== am.id),
    );
    if (
      run.step(delay(r, 5 * MINUTE, 4 * HOUR), (now) => ({
        kind: "reassign",
        slot: "am",
        toUserId: other.id,
        actor: staffActor(am),
        now,
      }))
    ) {
      amActor = staffActor(other);
    }
  }

  // Step 1: identity.
  if (channel === "portal") {
    if (!run.step(40, (now) => ({ kind: "verifySelfService", actor: customer, now })))
      return finish();
  } else if (path === "unverified") {
    const bySecurity = amActor.kind === "staff" && r() < 0.4;
    for (let attempt = 0; attempt < policy.identity.attemptLimit; attempt++) {
      if (bySecurity) {
        if (
          !run.step(delay(r, 2 * MINUTE, 30 * MINUTE), (now) => ({
            kind: "verifyBySecurityCheck",
            passed: false,
            factsChecked: "billing postcode and the amount of the last invoice",
            actor: amActor,
            now,
          }))
        )
          return finish();
      } else {
        if (
          !run.step(delay(r, MINUTE, 20 * MINUTE), (now) => ({
            kind: "startIdentityVerification",
            method: "code",
            codeExpiresAt: identityCodeExpiresAt(policy, now),
            actor: amActor,
            now,
          }))
        )
          return finish();
        if (
          !run.step(delay(r, MINUTE, 10 * MINUTE), (now) => ({
            kind: "confirmIdentityCode",
            codeMatches: false,
            actor: amActor,
            now,
          }))
        )
          return finish();
      }
    }
    return finish();
  } else if (amActor.kind !== "staff" || r() < 0.65) {
    // Now and then the customer cannot be reached for a while: the case waits in intake.
    const wait = r() < 0.15 ? delay(r, HOUR, 3 * DAY) : delay(r, MINUTE, 30 * MINUTE);
    if (
      !run.step(wait, (now) => ({
        kind: "startIdentityVerification",
        method: "code",
        codeExpiresAt: identityCodeExpiresAt(policy, now),
        actor: amActor,
        now,
      }))
    )
      return finish();
    if (
      r() < 0.08 &&
      !run.step(delay(r, MINUTE, 4 * MINUTE), (now) => ({
        kind: "confirmIdentityCode",
        codeMatches: false,
        actor: amActor,
        now,
      }))
    )
      return finish();
    if (
      !run.step(delay(r, MINUTE, 8 * MINUTE), (now) => ({
        kind: "confirmIdentityCode",
        codeMatches: true,
        actor: amActor,
        now,
      }))
    )
      return finish();
  } else if (
    !run.step(delay(r, 2 * MINUTE, 40 * MINUTE), (now) => ({
      kind: "verifyBySecurityCheck",
      passed: true,
      factsChecked: "billing postcode and the amount of the last invoice",
      actor: amActor,
      now,
    }))
  ) {
    return finish();
  }

  // Withdrawn cases stop at some step before processing.
  const withdrawAt = path === "withdrawn" ? between(r, 0, 3) : -1;
  const withdraw = (): CaseOutcomeFacts => {
    run.step(delay(r, 10 * MINUTE, 3 * DAY), (now) => ({
      kind: "withdraw",
      reason: pick(r, WITHDRAW_REASONS),
      actor: r() < 0.4 ? customer : amActor,
      now,
    }));
    return finish();
  };
  if (withdrawAt === 0) return withdraw();

  // Step 2: the form.
  const formSender = channel === "portal" ? system : amActor;
  const formAfter =
    channel === "portal" ? 40 : r() < 0.12 ? delay(r, HOUR, 2 * DAY) : delay(r, MINUTE, 2 * HOUR);
  if (
    !run.step(formAfter, (now) => ({
      kind: "sendForm",
      linkExpiresAt: formLinkExpiresAt(policy, now),
      actor: formSender,
      now,
    }))
  )
    return finish();

  const cancelling = path === "cancel_end_of_term" || path === "cancel_immediately";
  const submitsForm = cancelling || r() < (path === "withdrawn" ? 0.3 : 0.5);
  const requestedEffective: EffectiveChoice =
    path === "cancel_immediately"
      ? "immediately"
      : path === "cancel_end_of_term"
        ? "end_of_term"
        : r() < 0.75
          ? "end_of_term"
          : "immediately";
  const confirmationChannel = weightedKey(r, {
    email: 65,
    phone: 20,
    sms: 15,
  }) as ConfirmationChannel;
  const submitForm = (): boolean => {
    const c = run.case;
    if (c.formStatus === "submitted" || !c.form) return true;
    const formExpiresAt = Date.parse(c.form.expiresAt);
    // One in ten lets the link run out: the expiry timer marks it, the AM resends it.
    if (r() < 0.1 || formExpiresAt <= run.t + 5 * MINUTE) {
      const gap = Math.max(1, formExpiresAt - run.t) + between(r, 0, 20) * MINUTE;
      if (!c.form.linkExpiredAt) {
        if (!run.step(gap, (now) => ({ kind: "expireForm", actor: system, now }))) return false;
      }
      if (
        !run.step(delay(r, 10 * MINUTE, 20 * HOUR), (now) => ({
          kind: "resendForm",
          linkExpiresAt: formLinkExpiresAt(policy, now),
          actor: amActor,
          now,
        }))
      )
        return false;
    }
    const expiresAt = Date.parse(run.case.form!.expiresAt);
    const latest = Math.min(expiresAt - run.t - MINUTE, 48 * HOUR);
    const wait = latest <= 5 * MINUTE ? Math.max(1, latest / 2) : delay(r, 5 * MINUTE, latest);
    return run.step(wait, (now) => ({
      kind: "submitForm",
      actor: customer,
      now,
      submission: {
        reasonCode,
        details: reasonCode === "other" || r() < 0.4 ? pick(r, REASON_NOTES[reasonCode]!) : "",
        requestedEffective,
        preferredConfirmationChannel: confirmationChannel,
        authorityConfirmed: true,
      },
    }));
  };
  // Half of those who fill the form do it before the conversation about alternatives.
  if (submitsForm && r() < 0.5 && !submitForm()) return finish();

  // Step 3: the reason conversation and offers.
  if (
    !run.step(delay(r, 5 * MINUTE, 30 * HOUR), (now) => ({
      kind: "recordReasonConversation",
      reasonCode,
      notes: pick(r, REASON_NOTES[reasonCode]!),
      actor: amActor,
      now,
    }))
  )
    return finish();
  if (withdrawAt === 1) return withdraw();

  const amOffers = offersFor(world, run, amActor);
  const presented: OfferDefinition[] = [];
  if (amOffers.length > 0 && (path === "retained_am" || r() < 0.85)) {
    const howMany = amOffers.length > 1 && r() < 0.3 ? 2 : 1;
    const shuffled = [...amOffers].sort(() => r() - 0.5);
    for (const offer of shuffled.slice(0, howMany)) {
      const sendToCustomer = r() < 0.6;
      if (
        !run.step(delay(r, MINUTE, 20 * MINUTE), (now) => ({
          kind: "presentOffer",
          offerCode: offer.code,
          customTerms: customTermsFor(offer, r),
          sendToCustomer,
          actor: amActor,
          now,
        }))
      )
        return finish();
      presented.push(offer);
    }
    for (const [i, offer] of presented.entries()) {
      const accept = path === "retained_am" && i === presented.length - 1;
      const answerer = r() < 0.5 ? customer : amActor;
      // Both offers are answered together, before they expire.
      const expiresAt = Date.parse(run.case.offers.at(-presented.length + i)!.expiresAt);
      const wait = i === 0 ? delay(r, 10 * MINUTE, 60 * HOUR) : delay(r, MINUTE, 30 * MINUTE);
      if (
        !run.step(Math.min(wait, Math.max(1, expiresAt - run.t - MINUTE)), (now) => ({
          kind: "answerOffer",
          offerCode: offer.code,
          answer: accept ? "accepted" : "declined",
          actor: answerer,
          now,
        }))
      )
        return finish();
      if (accept) {
        applyOffer(rows, sub, run, offer);
        return finish();
      }
    }
  } else {
    if (
      !run.step(delay(r, MINUTE, 30 * MINUTE), (now) => ({
        kind: "recordNoSuitableOffer",
        reason: pick(r, NO_OFFER_REASONS),
        actor: amActor,
        now,
      }))
    )
      return finish();
  }
  if (withdrawAt === 2) return withdraw();

  // Step 4: escalation to the CSM.
  const csm = account.csmId ? world.staffById.get(account.csmId)! : pick(r, world.csms);
  if (
    !run.step(delay(r, 10 * MINUTE, 20 * HOUR), (now) => ({
      kind: "escalateToCsm",
      csmId: account.csmId ? null : csm.id,
      notes: r() < 0.5 ? "Customer still wants to cancel after the offers above." : null,
      actor: amActor,
      now,
    }))
  )
    return finish();
  // Most CSMs engage within the SLA; about one in ten is late.
  const late = r() < 0.1;
  const engageAfter = late
    ? between(r, policy.slas.csmEngagementDueHours, policy.slas.csmEngagementDueHours + 20) * HOUR +
      between(r, 1, 59) * MINUTE
    : delay(r, 20 * MINUTE, (policy.slas.csmEngagementDueHours - 1) * HOUR);
  const csmActor = staffActor(csm);
  if (r() < 0.75) {
    if (
      !run.step(engageAfter, (now) => ({
        kind: "csmEngage",
        notes: r() < 0.4 ? "Reached out by phone." : null,
        actor: csmActor,
        now,
      }))
    )
      return finish();
    if (withdrawAt === 3) return withdraw();
  } else if (withdrawAt === 3) {
    return withdraw();
  }
  const outcomeAfter = run.case.escalation?.engagedAt ? delay(r, HOUR, 3 * DAY) : engageAfter;
  // A save the AM could not make (no offer fitted) is the CSM's to make.
  const csmOffers =
    path === "retained_csm" || path === "retained_am" ? offersFor(world, run, csmActor) : [];
  if (csmOffers.length > 0) {
    const preferred = csmOffers.filter((o) => o.presentableBy.length === 1);
    const offer = pick(r, preferred.length > 0 && r() < 0.6 ? preferred : csmOffers);
    if (
      !run.step(outcomeAfter, (now) => ({
        kind: "recordCsmOutcome",
        outcome: "retained",
        offerCode: offer.code,
        customTerms: customTermsFor(offer, r),
        notes: pick(r, CSM_NOTES.slice(2)),
        actor: csmActor,
        now,
      }))
    )
      return finish();
    applyOffer(rows, sub, run, offer);
    return finish();
  }
  if (
    !run.step(outcomeAfter, (now) => ({
      kind: "recordCsmOutcome",
      outcome: "proceed",
      notes: pick(r, CSM_NOTES.slice(0, 2)),
      actor: csmActor,
      now,
    }))
  )
    return finish();

  // Step 5: processing needs the customer's form.
  if (!submitForm()) return finish();
  run.ctx.subscription.currentPeriodEnd = new Date(periodEndAt(sub, run.t + 12 * HOUR));
  if (
    !run.step(delay(r, 10 * MINUTE, 24 * HOUR), (now) => ({
      kind: "processCancellation",
      actor: amActor,
      now,
    }))
  )
    return finish();
  applyCancellation(rows, sub, run);
  const confirmBy = run.case.form!.submission!.preferredConfirmationChannel;
  if (
    !run.step(
      confirmBy === "phone" ? delay(r, 10 * MINUTE, 26 * HOUR) : delay(r, 5_000, 2 * MINUTE),
      (now) => ({
        kind: "recordConfirmation",
        channel: confirmBy,
        callOutcome: confirmBy === "phone" ? (r() < 0.8 ? "reached" : "left_voicemail") : null,
        actor: amActor,
        now,
      }),
    )
  )
    return finish();

  // Step 6: feedback, then step 7: close.
  if (
    !run.step(delay(r, MINUTE, 2 * DAY), (now) => ({
      kind: "requestFeedback",
      linkExpiresAt: feedbackExpiresAt(policy, now),
      actor: r() < 0.7 ? amActor : system,
      now,
    }))
  )
    return finish();
  if (r() < 0.55) {
    const rating = weightedKey(r, { "1": 6, "2": 10, "3": 25, "4": 35, "5": 24 });
    if (
      !run.step(delay(r, 30 * MINUTE, 10 * DAY), (now) => ({
        kind: "submitFeedback",
        rating: Number(rating),
        decisionReason: r() < 0.85 ? reasonCode : weightedKey(r, REASON_WEIGHTS),
        comments: pick(r, FEEDBACK_COMMENTS),
        actor: customer,
        now,
      }))
    )
      return finish();
    run.step(delay(r, 10 * MINUTE, 3 * DAY), (now) => ({
      kind: "closeCase",
      summary:
        r() < 0.6
          ? `Cancelled (${requestedEffective.replace(/_/g, " ")}); reason: ${reasonCode.replace(/_/g, " ")}; feedback received.`
          : null,
      actor: amActor,
      now,
    }));
  } else {
    const expiresAt = Date.parse(run.case.feedback!.expiresAt);
    if (
      !run.step(expiresAt - run.t + between(r, 0, 30) * MINUTE, (now) => ({
        kind: "expireFeedbackRequest",
        actor: system,
        now,
      }))
    )
      return finish();
    run.step(1_000, (now) => ({ kind: "closeCase", actor: system, now }));
  }
  return finish();
}

function applyOffer(rows: Rows, sub: SubscriptionState, run: CaseRun, offer: OfferDefinition) {
  const c = run.case;
  const at = run.t;
  const accepted = run.events.findLast((e) => e.type === "offer_accepted");
  rows.effects.push({
    effect_key: `${c.id}:apply-offer:${offer.code}`,
    subscription_id: sub.id,
    case_id: c.id,
    kind: `offer_${offer.kind}`,
    details: {
      offerCode: offer.code,
      parameters: offer.parameters,
      customTerms: accepted?.type === "offer_accepted" ? accepted.customTerms : null,
    },
    applied_at: new Date(at).toISOString(),
  });
  sub.version++;
  switch (offer.kind) {
    case "discount":
      sub.discountPercent = offer.parameters.percentOff;
      sub.discountEndsAt = addMonths(at, offer.parameters.months).getTime();
      break;
    case "pause":
      sub.status = "paused";
      sub.pausedUntil = addMonths(at, offer.parameters.pauseMonths).getTime();
      break;
    case "downgrade":
      sub.planCode = offer.parameters.toPlanCode;
      sub.monthlyValueMinor = PLAN_PRICES[offer.parameters.toPlanCode] ?? sub.monthlyValueMinor;
      break;
    case "extension":
      sub.anchor += offer.parameters.extensionDays * DAY;
      break;
    default:
      break;
  }
}

function applyCancellation(rows: Rows, sub: SubscriptionState, run: CaseRun) {
  const processing = run.case.processing!;
  const effectiveAt = Date.parse(processing.effectiveAt);
  rows.effects.push({
    effect_key: `${run.case.id}:cancel`,
    subscription_id: sub.id,
    case_id: run.case.id,
    kind: `cancel_${processing.mode}`,
    details: { effectiveAt: processing.effectiveAt },
    applied_at: processing.processedAt,
  });
  sub.version++;
  sub.cancelAt = effectiveAt;
  if (processing.mode === "immediately") {
    sub.status = "cancelled";
    sub.cancelledAt = effectiveAt;
  } else {
    sub.status = "cancellation_scheduled";
  }
}

/** The case row and its audit entries, chained and sealed as the use cases write them. */
function writeCase(world: World, rows: Rows, run: CaseRun): { seq: number; hash: string } {
  const c = run.case;
  rows.cases.push({ id: c.id, ...caseColumns(c), data: c });
  const key = c.outcome ?? null;
  if (key) world.counts.byOutcome[key] = (world.counts.byOutcome[key] ?? 0) + 1;
  else world.counts.openByState[c.state] = (world.counts.openByState[c.state] ?? 0) + 1;
  return appendAuditRows(rows, c.id, run.events, 0, GENESIS_HASH);
}

function appendAuditRows(
  rows: Rows,
  caseId: string,
  events: readonly CaseEvent[],
  fromSeq: number,
  fromHash: string,
): { seq: number; hash: string } {
  let prevHash = fromHash;
  let seq = fromSeq;
  for (const { caseId: _c, version, at, actor, type, ...rest } of events) {
    seq++;
    const body = { type, ...rest };
    const content: AuditEntryContent = { caseId, seq, type, caseVersion: version, actor, at, body };
    const bodySalt = newAuditSalt();
    const bodyDigest = digestAuditBody(body, bodySalt);
    const hash = hashSealedAuditEntry(prevHash, content, bodyDigest);
    rows.events.push({
      case_id: caseId,
      seq,
      type,
      case_version: version,
      actor,
      at,
      body,
      prev_hash: prevHash,
      hash,
      body_digest: bodyDigest,
      body_salt: bodySalt,
      recorded_at: at,
    });
    prevHash = hash;
  }
  return { seq, hash: prevHash };
}

// ---- Accounts and their story

function generateAccount(world: World, rows: Rows, caseBudget: number): number {
  const { r, now } = world;
  const industry = pick(r, SUFFIXES);
  const name =
    r() < 0.7
      ? `${pick(r, STEMS)} ${pick(r, industry.suffixes)} ${pick(r, PLACES)}`
      : `${pick(r, STEMS)} ${pick(r, industry.suffixes)}`;
  const segment = pick(r, industry.segments);
  const accountId = randomUUID();
  const seqNo = rows.accounts.length;
  // Unique across runs: each run starts at its own first case number.
  const externalRef = `WR-V${world.runTag}-${++world.accountsMade}`;
  // One account in a hundred has no AM (its cases arrive unassigned); a few have no CSM.
  const amId = r() < 0.01 ? null : pick(r, world.ams).id;
  const csmId = r() < 0.03 ? null : pick(r, world.csms).id;
  const since = now - (world.spanDays + between(r, 30, 900)) * DAY;
  rows.accounts.push({
    id: accountId,
    external_ref: externalRef,
    name,
    account_manager_id: amId,
    csm_id: csmId,
    country: weightedKey(r, Object.fromEntries(COUNTRIES.map((c) => [c.code, c.weight]))),
    segment,
    created_at: new Date(since).toISOString(),
    updated_at: new Date(since).toISOString(),
  });

  const domain = `${emailLocal(name).replace(/\./g, "")}${seqNo % 7 === 0 ? "" : `-${accountId.slice(0, 4)}`}.example`;
  const contacts: ContactSeed[] = [];
  const people = new Set<string>();
  const contactCount = between(r, 1, 4);
  for (let n = 0; n < contactCount; n++) {
    let person: string;
    do person = `${pick(r, FIRST)} ${pick(r, LAST)}`;
    while (people.has(person));
    people.add(person);
    const role: ContactRole = n === 0 ? "owner" : n === 1 && r() < 0.7 ? "billing_admin" : "user";
    const preferredChannel = weightedKey(r, { email: 65, phone: 20, sms: 15 }) as ContactChannel;
    const contact: ContactSeed = {
      id: randomUUID(),
      role,
      authorisedToCancel: role === "owner" || (role === "billing_admin" && r() < 0.8),
      preferredChannel,
    };
    contacts.push(contact);
    rows.contacts.push({
      id: contact.id,
      account_id: accountId,
      external_ref: `${externalRef}-C${n + 1}`,
      name: person,
      email: `${emailLocal(person)}@${domain}`,
      phone: `+1555010${between(r, 1000, 9999)}`,
      role,
      authorised_to_cancel: contact.authorisedToCancel,
      preferred_channel: preferredChannel,
      created_at: new Date(since).toISOString(),
      updated_at: new Date(since).toISOString(),
    });
  }
  const requesters = contacts.filter((c) => c.authorisedToCancel);

  const subscriptions: SubscriptionState[] = [];
  const newSubscription = (startedAt: number, planCode?: string): SubscriptionState => {
    const code = planCode ?? pick(r, PLANS_BY_SEGMENT[segment]);
    const [minSeats, maxSeats] = SEATS_BY_SEGMENT[segment];
    const seats = between(r, minSeats, maxSeats);
    const discount =
      segment === "enterprise"
        ? between(r, 10, 25)
        : segment === "mid_market"
          ? pick(r, [0, 5, 10])
          : 0;
    const s: SubscriptionState = {
      id: randomUUID(),
      accountId,
      externalRef: `${externalRef}-S${subscriptions.length + 1}`,
      planCode: code,
      seats,
      monthlyValueMinor: Math.round((seats * PLAN_PRICES[code]! * (100 - discount)) / 100),
      status: "active",
      startedAt,
      anchor: startedAt,
      cancelAt: null,
      cancelledAt: null,
      discountPercent: null,
      discountEndsAt: null,
      pausedUntil: null,
      version: 1,
      reactivated: new Set(),
    };
    subscriptions.push(s);
    return s;
  };
  let sub = newSubscription(since);
  // A second product line now and then, never asked about.
  if (r() < 0.12) newSubscription(since + between(r, 0, 200) * DAY);

  // The account's cases, one after another on its subscription.
  const wanted = Math.min(caseBudget, 1 + Math.floor(-Math.log(1 - r()) * 3));
  const starts = Array.from(
    { length: wanted },
    () => now - Math.floor(r() * world.spanDays * DAY),
  ).sort((a, b) => a - b);
  let made = 0;
  let notBefore = now - world.spanDays * DAY;
  let forceCancel = false;
  for (let i = 0; i < wanted; i++) {
    let start = Math.max(starts[i]!, notBefore);
    if (forceCancel) start = notBefore;
    if (start >= now - MINUTE) break;
    // A pause that has run out: billing is back on.
    if (sub.status === "paused" && sub.pausedUntil !== null && sub.pausedUntil <= start) {
      sub.status = "active";
    }
    const reasonCode = weightedKey(r, REASON_WEIGHTS);
    let path = forceCancel
      ? (pick(r, ["cancel_end_of_term", "cancel_immediately"]) as Path)
      : (weightedKey(r, PATH_WEIGHTS) as Path);
    forceCancel = false;
    // An account without an AM comes in by the portal or the API: nobody asks for a code.
    if (path === "unverified" && !amId) path = "withdrawn";
    const requester = pick(r, requesters);
    const result = simulateCase(
      world,
      rows,
      { id: accountId, amId, csmId },
      requester,
      sub,
      path,
      reasonCode,
      start,
    );
    made++;
    if (result.closedAt === null) break;
    const c = result.run.case;
    notBefore = result.closedAt + between(r, 1, 60) * DAY;
    if (c.outcome === "retained" && r() < 0.2) {
      // A save that does not hold: the customer is back within 30 days and cancels.
      forceCancel = true;
      notBefore = result.closedAt + between(r, 3, 27) * DAY + between(r, 0, 23) * HOUR;
    }
    if (c.outcome === "cancelled" && c.processing) {
      const effectiveAt = Date.parse(c.processing.effectiveAt);
      const closedAt = result.closedAt;
      // The ledger keys a reactivation by the date it undoes: once per date (src/app/
      // reactivate-subscription.ts), so a second cancellation for the same period end stays.
      if (
        c.processing.mode === "end_of_term" &&
        effectiveAt - closedAt > 2 * DAY &&
        !sub.reactivated.has(effectiveAt) &&
        r() < 0.12
      ) {
        // Reactivated before the cancellation took effect: the subscription goes on.
        const at = closedAt + Math.floor(r() * (effectiveAt - closedAt - DAY));
        if (at < now) {
          reactivate(world, rows, result, sub, at);
          continue;
        }
      }
      if (effectiveAt <= now) {
        sub.status = "cancelled";
        sub.cancelledAt = effectiveAt;
      }
      // Some come back later on a new subscription.
      const back = Math.max(effectiveAt, closedAt) + between(r, 20, 200) * DAY;
      if (back >= now) break;
      sub = newSubscription(back);
      notBefore = back + between(r, 30, 120) * DAY;
    }
  }
  for (const s of subscriptions) {
    // A cancellation scheduled for a period end that has passed has taken effect.
    if (s.status === "cancellation_scheduled" && s.cancelAt !== null && s.cancelAt <= now) {
      s.status = "cancelled";
      s.cancelledAt = s.cancelAt;
    }
    if (s.status === "paused" && s.pausedUntil !== null && s.pausedUntil <= now)
      s.status = "active";
    if (s.discountEndsAt !== null && s.discountEndsAt <= now) {
      s.discountPercent = null;
      s.discountEndsAt = null;
    }
    const periodEnd = Math.min(periodEndAt(s, now), s.cancelAt ?? Number.POSITIVE_INFINITY);
    const periodStart = periodEnd - 30 * DAY;
    rows.subscriptions.push({
      id: s.id,
      account_id: accountId,
      plan_id: world.planIds.get(s.planCode),
      external_ref: s.externalRef,
      seats: s.seats,
      monthly_value_minor: s.monthlyValueMinor,
      currency: "USD",
      status: s.status,
      current_period_start: new Date(periodStart).toISOString(),
      current_period_end: new Date(periodEnd).toISOString(),
      cancel_at: s.cancelAt === null ? null : new Date(s.cancelAt).toISOString(),
      cancelled_at: s.cancelledAt === null ? null : new Date(s.cancelledAt).toISOString(),
      discount_percent: s.discountPercent,
      discount_ends_at: s.discountEndsAt === null ? null : new Date(s.discountEndsAt).toISOString(),
      paused_until: s.pausedUntil === null ? null : new Date(s.pausedUntil).toISOString(),
      version: s.version,
      created_at: new Date(s.startedAt).toISOString(),
      updated_at: new Date(Math.min(now, s.cancelAt ?? now)).toISOString(),
    });
  }
  return made;
}

/** The reactivation use case: a ledger effect and one more entry at the end of the case's log. */
function reactivate(
  world: World,
  rows: Rows,
  result: CaseOutcomeFacts,
  sub: SubscriptionState,
  at: number,
) {
  const c = result.run.case;
  const cancelAtWas = new Date(sub.cancelAt!).toISOString();
  rows.effects.push({
    effect_key: `${sub.id}:reactivate:${cancelAtWas}`,
    subscription_id: sub.id,
    case_id: c.id,
    kind: "reactivate",
    details: { cancelAt: cancelAtWas },
    applied_at: new Date(at).toISOString(),
  });
  sub.reactivated.add(sub.cancelAt!);
  sub.status = "active";
  sub.cancelAt = null;
  sub.version++;
  const event: CaseEvent = {
    type: "subscription_reactivated",
    subscriptionId: sub.id,
    cancelAtWas,
    caseId: c.id,
    version: c.version,
    at: new Date(at).toISOString(),
    // The customer asks their AM, who reactivates from the account page.
    actor: (c.assignedAmId && world.staffById.get(c.assignedAmId)?.actor) || { kind: "system" },
  };
  // The case's entries are already in `rows`; chain one more onto its last one.
  result.tip = appendAuditRows(rows, c.id, [event], result.tip.seq, result.tip.hash);
}

// ---- Writing

async function insertRows(db: Db, table: string, rows: Record<string, unknown>[], chunk: number) {
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const columns = sql.join(Object.keys(part[0]!).map((c) => sql.id(c)));
    await sql`insert into ${sql.table(table)} (${columns})
      select ${columns} from jsonb_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(part)}::jsonb)`.execute(
      db,
    );
  }
}

async function writeRound(db: Db, rows: Rows, superuser: boolean): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Seed data can be re-made: no need to wait for each commit to reach the disk.
    await sql`set local synchronous_commit = off`.execute(trx);
    // The rows are consistent by construction (each round writes accounts before their cases,
    // cases before their events), so a superuser skips the per-row foreign-key checks, as
    // pg_restore --disable-triggers does: about a fifth of the time of the cases and events. The
    // append-only trigger guards updates and deletes only, so it loses nothing here.
    if (superuser) await sql`set local session_replication_role = replica`.execute(trx);
    await insertRows(trx, "accounts", rows.accounts, 2000);
    await insertRows(trx, "contacts", rows.contacts, 2000);
    await insertRows(trx, "subscriptions", rows.subscriptions, 2000);
    await insertRows(trx, "cases", rows.cases, 1000);
    await insertRows(trx, "case_events", rows.events, 4000);
    await insertRows(trx, "subscription_effects", rows.effects, 4000);
  });
}

async function isSuperuser(db: Db): Promise<boolean> {
  const row = await sql<{
    superuser: boolean;
  }>`select rolsuper as superuser from pg_roles where rolname = current_user`.execute(db);
  return row.rows[0]?.superuser === true;
}

// ---- Staff and plans

async function ensurePlans(db: Db): Promise<Map<string, string>> {
  const ids = await findPlanIdsByCode(db);
  for (const p of PLANS) {
    if (!ids.has(p.code)) {
      const plan = await insertPlan(db, { ...p, currency: "USD" });
      ids.set(p.code, plan.id);
    }
  }
  return ids;
}

async function insertStaff(
  db: Db,
  r: Rng,
  counts: { accountManagers: number; csms: number; admins: number },
): Promise<{ ams: StaffMember[]; csms: StaffMember[]; admins: StaffMember[]; emails: string[] }> {
  // One scrypt hash serves every seeded user: same password, and scrypt is slow on purpose.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  // Numbered after the users already there, so a second seed never reuses an email.
  const existing = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  const offset = Number(existing.n);
  const rows: Record<string, unknown>[] = [];
  const make = (role: StaffActor["role"], n: number, tag: string): StaffMember[] =>
    Array.from({ length: n }, (_, i) => {
      const id = randomUUID();
      const name = `${pick(r, FIRST)} ${pick(r, LAST)}`;
      rows.push({
        id,
        email: `${emailLocal(name)}.${tag}${offset + i + 1}@wootrecruit.example`,
        name,
        role,
        password_hash: passwordHash,
      });
      return { id, actor: { kind: "staff", userId: id, role } };
    });
  const ams = make("account_manager", counts.accountManagers, "am");
  const csms = make("csm", counts.csms, "csm");
  const admins = make("admin", counts.admins, "admin");
  await insertRows(db, "users", rows, 1000);
  return { ams, csms, admins, emails: rows.map((row) => row.email as string) };
}

/** Staff in proportion to the volume: about one AM per 5,000 cases and one CSM per 16,000. */
export function staffCountsFor(cases: number) {
  return {
    accountManagers: Math.max(4, Math.round(cases / 5_000)),
    csms: Math.max(2, Math.round(cases / 16_000)),
    admins: 2,
  };
}

export async function seedVolume(db: Db, options: SeedVolumeOptions): Promise<SeedVolumeResult> {
  const started = Date.now();
  const r = options.random ?? seededRandom(20_261_124);
  const now = (options.now ?? new Date()).getTime();
  const policy = (await getCurrentPolicy(db)).definition;
  const planIds = await ensurePlans(db);
  const staffCounts = staffCountsFor(options.cases);
  const staff = await insertStaff(db, r, staffCounts);
  const staffRoles: Record<string, { role: StaffActor["role"] }> = {};
  for (const m of [...staff.ams, ...staff.csms, ...staff.admins]) {
    staffRoles[m.id] = { role: m.actor.role };
  }
  // Reserve the references' numbers in the sequence the use cases draw from.
  const first = await sql<{ n: string }>`select nextval('case_reference_seq')::text as n`.execute(
    db,
  );
  let reference = Number(first.rows[0]!.n);
  const firstReference = reference;
  await sql`select setval('case_reference_seq', ${firstReference + options.cases})`.execute(db);

  const world: World = {
    r,
    policy,
    now,
    spanDays: options.spanDays ?? 730,
    ams: staff.ams,
    csms: staff.csms,
    staffRoles,
    staffById: new Map([...staff.ams, ...staff.csms].map((m) => [m.id, m])),
    planIds,
    nextReference: () => reference++,
    runTag: firstReference,
    accountsMade: 0,
    counts: { byOutcome: {}, openByState: {} },
  };

  const superuser = await isSuperuser(db);
  const accountsPerRound = options.accountsPerRound ?? 500;
  const parallel = Math.max(1, options.parallelWrites ?? 1);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let made = 0;
  let written = 0;
  let events = 0;
  let accounts = 0;
  let contacts = 0;
  let subscriptions = 0;
  while (made < options.cases) {
    const rows = emptyRows();
    for (let a = 0; a < accountsPerRound && made < options.cases; a++) {
      made += generateAccount(world, rows, options.cases - made);
    }
    accounts += rows.accounts.length;
    contacts += rows.contacts.length;
    subscriptions += rows.subscriptions.length;
    const roundEvents = rows.events.length;
    const roundCases = rows.cases.length;
    const write = writeRound(db, rows, superuser).then(
      () => {
        events += roundEvents;
        written += roundCases;
        options.onProgress?.({ cases: written, events, elapsedMs: Date.now() - started });
      },
      (error) => {
        failure ??= error;
      },
    );
    inFlight.add(write);
    void write.finally(() => inFlight.delete(write));
    // Generate the next round while this one is written; wait when enough are in flight.
    if (inFlight.size >= parallel) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  await sql`analyze`.execute(db);

  return {
    cases: made,
    events,
    accounts,
    contacts,
    subscriptions,
    staff: staffCounts,
    byOutcome: world.counts.byOutcome,
    openByState: world.counts.openByState,
    signIns: {
      accountManager: staff.emails[0]!,
      csm: staff.emails[staffCounts.accountManagers]!,
      admin: staff.emails[staffCounts.accountManagers + staffCounts.csms]!,
      password: DEMO_PASSWORD,
    },
    elapsedMs: Date.now() - started,
  };
}
