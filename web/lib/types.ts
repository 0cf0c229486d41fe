// The API's shapes, taken from the domain types the server sends (one place), with instants and
// dates as the ISO strings they are on the wire.
import type { Case, CaseOutcome, CaseState } from "../../src/domain/case.ts";
import type {
  ActionOption,
  AheadAction,
  BlockedAction,
  ChecklistItem,
  EvidencePart,
} from "../../src/domain/checklist.ts";
import type { Account, Contact, Plan, Subscription } from "../../src/domain/customer.ts";
import type { RunningDiscount } from "../../src/domain/offers.ts";
import type { PolicyDefinition } from "../../src/domain/policy-definition.ts";
import type { ScriptPart } from "../../src/domain/script.ts";
import type { ApiKey, StaffRole, StaffUser } from "../../src/domain/staff.ts";

/** What JSON makes of a type: Date becomes an ISO string. */
export type Wire<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

export type {
  ActionOption,
  AheadAction,
  BlockedAction,
  Case,
  CaseOutcome,
  CaseState,
  ChecklistItem,
  EvidencePart,
  PolicyDefinition,
  ScriptPart,
  StaffRole,
};
export type AccountJson = Wire<Account>;
/** A discount billing applied that runs now (the server judges that by its clock). */
export type RunningDiscountJson = Wire<RunningDiscount>;
export type ContactJson = Wire<Contact>;
export type PlanJson = Wire<Plan>;
/**
 * A subscription as the API answers it: the discount billing applied only while it runs (the
 * server judges that by its clock), with what the customer pays meanwhile.
 */
export type SubscriptionJson = Omit<Wire<Subscription>, "discountPercent" | "discountEndsAt"> & {
  discount: RunningDiscountJson | null;
};
export type UserJson = Omit<Wire<StaffUser>, "passwordHash">;
export type ApiKeyJson = Wire<ApiKey>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface CaseView {
  case: Case;
  checklist: ChecklistItem[];
  nextActions: { allowed: ActionOption[]; blocked: BlockedAction[]; ahead: AheadAction[] };
}

export interface QueueItem {
  case: Case;
  accountName: string;
  requesterName: string;
}

export interface Session {
  user: UserJson;
  csrfToken: string;
}

export interface OfferOption {
  code: string;
  kind: string;
  label: string;
  description: string;
  parameters: Record<string, unknown>;
  effect: OfferEffect;
  /** For a discount: the discount running on the subscription, which accepting this replaces. */
  replacesDiscount: RunningDiscountJson | null;
}

/** An offer's effect on the monthly value, as the server computes it. */
export interface OfferEffect {
  currency: string;
  monthlyValueBeforeMinor: number;
  monthlyValueDuringMinor: number | null;
  durationMonths: number | null;
  monthlyValueAfterMinor: number | null;
  oneTimeCreditMinor: number;
}

export interface PolicyVersion {
  version: number;
  publishedAt: string;
  publishedBy: string | null;
  notes: string | null;
  definition: PolicyDefinition;
}

/** A version as the history lists it, without its definition. */
export type PolicyVersionSummary = Omit<PolicyVersion, "definition"> & { name: string };

export interface TimelineEntry {
  seq: number;
  type: string;
  caseVersion: number;
  actor: unknown;
  at: string;
  body: unknown;
  prevHash: string;
  hash: string;
}

export interface CustomerLinkView {
  purpose: "form" | "offer" | "feedback";
  reference: string;
  expiresAt: string;
  companyName: string;
  reasons: { code: string; label: string; requiresDetails: boolean }[];
  effectiveChoices: string[];
  confirmationChannels: string[];
  detailsMaxLength: number;
  /** The subscription the request is about. */
  subscription: {
    accountName: string;
    planName: string | null;
    seats: number;
    monthlyValueMinor: number;
    currency: string;
    currentPeriodEnd: string;
  };
  /** The offer as presented: a custom offer's own terms in `description`. */
  offer: {
    code: string;
    label: string;
    description: string;
    effect: OfferEffect;
    /** For a discount: the discount running on the subscription, which accepting this replaces. */
    replacesDiscount: RunningDiscountJson | null;
  } | null;
}
