// The customer's world as CancelDesk knows it: accounts, their contacts, plans, subscriptions.
// Money is always an integer number of minor units (cents) with its ISO 4217 currency.

/** A plan's code: the catalog's and the policy's offers (eligibility, downgrade target) alike. */
export const PLAN_CODE = /^[a-z][a-z0-9_-]{1,39}$/;

export const SEGMENTS = ["smb", "mid_market", "enterprise"] as const;
export type Segment = (typeof SEGMENTS)[number];

export const CONTACT_ROLES = ["owner", "billing_admin", "user"] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

export const CONTACT_CHANNELS = ["email", "phone", "sms"] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

export const SUBSCRIPTION_STATUSES = [
  "active",
  "paused",
  "cancellation_scheduled",
  "cancelled",
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export interface Account {
  id: string;
  externalRef: string | null;
  name: string;
  accountManagerId: string | null;
  csmId: string | null;
  country: string | null;
  /** IANA time zone in which customers' messages state times; null: UTC. */
  timeZone: string | null;
  segment: Segment;
  /** Bumped by every change: what a PATCH's expectedVersion is checked against. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Contact {
  id: string;
  accountId: string;
  externalRef: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  role: ContactRole;
  authorisedToCancel: boolean;
  preferredChannel: ContactChannel;
  /** Bumped by every change (erasure too): what a PATCH's expectedVersion is checked against. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Plan {
  id: string;
  code: string;
  name: string;
  monthlyPriceMinor: number;
  currency: string;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Subscription {
  id: string;
  accountId: string;
  planId: string;
  externalRef: string | null;
  seats: number;
  monthlyValueMinor: number;
  currency: string;
  status: SubscriptionStatus;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAt: Date | null;
  cancelledAt: Date | null;
  /**
   * The discount billing applied (an accepted discount offer), percent off the monthly value until
   * `discountEndsAt`. The ledger keeps both after the end: `runningDiscountOf` says whether it runs.
   */
  discountPercent: number | null;
  discountEndsAt: Date | null;
  /** While paused by a pause offer: when billing resumes (the timers make it active again). */
  pausedUntil: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The policy lets only owners and billing admins who are marked authorised cancel. */
export function mayRequestCancellation(
  contact: Pick<Contact, "role" | "authorisedToCancel">,
): boolean {
  return (
    contact.authorisedToCancel && (contact.role === "owner" || contact.role === "billing_admin")
  );
}
