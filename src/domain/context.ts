// The facts the engine needs besides the case and the command. The use-case layer loads them in
// the same transaction as the case: the policy version the case follows, the requester contact,
// the subscription, the account, and every staff user the command names.

import { CONFIRMATION_CHANNELS, type ConfirmationChannel } from "./case.ts";
import {
  type ContactChannel,
  type ContactRole,
  mayRequestCancellation,
  type SubscriptionStatus,
} from "./customer.ts";
import type { PolicyDefinition } from "./policy-definition.ts";
import type { StaffRole } from "./staff.ts";

export interface RequesterFacts {
  contactId: string;
  role: ContactRole;
  authorisedToCancel: boolean;
  preferredChannel: ContactChannel;
  /** What is on file to reach them: an email address, a phone number. */
  hasEmail: boolean;
  hasPhone: boolean;
}

/**
 * The channels the requester can be confirmed on: email needs an address on file, a text message
 * or a call a number. A confirmation asked for on any other channel could never be sent, and the
 * policy allows no other channel once the form names one.
 */
export function reachableConfirmationChannels(
  requester: Pick<RequesterFacts, "hasEmail" | "hasPhone">,
): ConfirmationChannel[] {
  return CONFIRMATION_CHANNELS.filter((channel) =>
    channel === "email" ? requester.hasEmail : requester.hasPhone,
  );
}

export interface SubscriptionFacts {
  id: string;
  planCode: string;
  /** Integer minor units (cents). */
  monthlyValueMinor: number;
  currency: string;
  status: SubscriptionStatus;
  currentPeriodEnd: Date;
  /** Monthly prices of other plans for this subscription, to value downgrade offers. */
  planMonthlyValuesMinor?: Readonly<Record<string, number>>;
}

export interface AccountFacts {
  id: string;
  /** The account's own AM: assigned to a case no AM opened (self-service, API). */
  accountManagerId?: string | null;
  assignedCsmId: string | null;
}

export interface StaffFacts {
  role: StaffRole;
}

export interface DecisionContext {
  /** The policy version the case follows (for openCase: the current version). */
  policy: PolicyDefinition;
  requester: RequesterFacts;
  subscription: SubscriptionFacts;
  account: AccountFacts;
  /** Staff users named by the command (escalation CSM, reassignment target, assigned AM). */
  staff: Readonly<Record<string, StaffFacts>>;
}

/** The policy's authorised contact: an owner or billing admin who may cancel. */
export function isAuthorisedRequester(requester: RequesterFacts): boolean {
  return mayRequestCancellation(requester);
}

/** `cancellation_scheduled` and `cancelled` subscriptions cannot be cancelled again. */
export function isCancellable(subscription: SubscriptionFacts): boolean {
  return subscription.status !== "cancelled" && subscription.status !== "cancellation_scheduled";
}
