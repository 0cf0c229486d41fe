// Loads, inside the case's transaction, the facts the policy engine decides with: the policy
// version the case follows, the requester, the subscription with its plan, the account and the
// roles of the staff.
import { findAccountById } from "../db/repositories/accounts.repository.ts";
import { findContactById } from "../db/repositories/contacts.repository.ts";
import {
  findLatestPolicy,
  findPolicyVersion,
  insertPolicyVersion,
  type PublishedPolicy,
} from "../db/repositories/policy-versions.repository.ts";
import { findSubscriptionById } from "../db/repositories/subscriptions.repository.ts";
import type { DecisionContext } from "../domain/context.ts";
import type { Contact } from "../domain/customer.ts";
import { AppError, notFound } from "../domain/errors.ts";
import type { StaffRole } from "../domain/staff.ts";
import { wootrecruitPolicy } from "../policy/wootrecruit.ts";
import type { Db } from "./context.ts";

/** The policy new cases start under; the default WootRecruit policy until an admin publishes one. */
export async function getCurrentPolicy(db: Db): Promise<PublishedPolicy> {
  const latest = await findLatestPolicy(db);
  if (latest) return latest;
  await insertPolicyVersion(db, {
    definition: wootrecruitPolicy,
    publishedBy: null,
    notes: "Default WootRecruit policy",
  });
  return (await findLatestPolicy(db))!;
}

export async function getPolicy(db: Db, version: number): Promise<PublishedPolicy> {
  const policy = await findPolicyVersion(db, version);
  if (!policy) throw notFound("Policy version", String(version));
  return policy;
}

export interface CaseFacts {
  context: DecisionContext;
  requester: Contact;
}

export async function loadCaseFacts(
  db: Db,
  ids: {
    accountId: string;
    subscriptionId: string;
    requesterContactId: string;
    policyVersion: number | "current";
  },
): Promise<CaseFacts> {
  const [account, contact, subscription] = await Promise.all([
    findAccountById(db, ids.accountId),
    findContactById(db, ids.requesterContactId),
    findSubscriptionById(db, ids.subscriptionId),
  ]);
  if (!account)
    throw new AppError("VALIDATION_FAILED", "accountId: is not an existing account", {
      fields: [{ field: "accountId", message: "is not an existing account" }],
    });
  if (!contact || contact.accountId !== account.id) {
    throw new AppError(
      "VALIDATION_FAILED",
      "requesterContactId: is not a contact of this account",
      {
        fields: [{ field: "requesterContactId", message: "is not a contact of this account" }],
      },
    );
  }
  if (!subscription || subscription.accountId !== account.id) {
    throw new AppError(
      "VALIDATION_FAILED",
      "subscriptionId: is not a subscription of this account",
      {
        fields: [{ field: "subscriptionId", message: "is not a subscription of this account" }],
      },
    );
  }
  const policy =
    ids.policyVersion === "current"
      ? await getCurrentPolicy(db)
      : await getPolicy(db, ids.policyVersion);
  const plans = await db
    .selectFrom("plans")
    .select(["id", "code", "monthly_price_minor", "currency"])
    .execute();
  const plan = plans.find((p) => p.id === subscription.planId);
  // Staff are few; every command can name any of them (escalation CSM, reassignment target).
  const staffRows = await db
    .selectFrom("users")
    .select(["id", "role"])
    .where("active", "=", true)
    .execute();
  const staff: Record<string, { role: StaffRole }> = {};
  for (const row of staffRows) staff[row.id] = { role: row.role };
  return {
    requester: contact,
    context: {
      policy: policy.definition,
      requester: {
        contactId: contact.id,
        role: contact.role,
        authorisedToCancel: contact.authorisedToCancel,
        preferredChannel: contact.preferredChannel,
      },
      subscription: {
        id: subscription.id,
        planCode: plan?.code ?? "",
        monthlyValueMinor: subscription.monthlyValueMinor,
        currency: subscription.currency,
        status: subscription.status,
        currentPeriodEnd: subscription.currentPeriodEnd,
        planMonthlyValuesMinor: Object.fromEntries(
          plans
            .filter((p) => p.currency === subscription.currency)
            .map((p) => [p.code, Number(p.monthly_price_minor)]),
        ),
      },
      account: {
        id: account.id,
        accountManagerId: account.accountManagerId,
        assignedCsmId: account.csmId,
      },
      staff,
    },
  };
}
