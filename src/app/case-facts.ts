// Loads, inside the case's transaction, the facts the policy engine decides with: the policy
// version the case follows, the requester, the subscription with its plan, the account and the
// roles of the staff.

import { findAccountById } from "../db/repositories/accounts.repository.ts";
import type { CaseSnapshot } from "../db/repositories/case-snapshot.repository.ts";
import { findContactById } from "../db/repositories/contacts.repository.ts";
import {
  findLatestPolicy,
  findPolicyVersion,
  insertPolicyVersion,
  type PublishedPolicy,
} from "../db/repositories/policy-versions.repository.ts";
import { findSubscriptionById } from "../db/repositories/subscriptions.repository.ts";
import type { DecisionContext } from "../domain/context.ts";
import type { Account, Contact, Subscription } from "../domain/customer.ts";
import { AppError, notFound } from "../domain/errors.ts";
import type { PolicyDefinition } from "../domain/policy-definition.ts";
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

/**
 * Published versions never change (publishing adds a version), so each database's versions are
 * kept in memory once read. The cache is keyed by the database handle, not by the version number
 * alone: two databases (tests, several tenants) can hold different policies under one number.
 */
const policyCache = new WeakMap<Db, Map<number, PublishedPolicy>>();

/** A policy version; `cacheFor` is the database handle `db` belongs to when `db` is a transaction. */
export async function getPolicy(
  db: Db,
  version: number,
  cacheFor: Db = db,
): Promise<PublishedPolicy> {
  let versions = policyCache.get(cacheFor);
  const cached = versions?.get(version);
  if (cached) return cached;
  const policy = await findPolicyVersion(db, version);
  if (!policy) throw notFound("Policy version", String(version));
  if (!versions) {
    versions = new Map();
    policyCache.set(cacheFor, versions);
  }
  versions.set(version, policy);
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
  // Staff are few; every command can name any of them (escalation CSM, reassignment target).
  const staffRows = await db
    .selectFrom("users")
    .select(["id", "role"])
    .where("active", "=", true)
    .execute();
  return assembleCaseFacts({
    policy: policy.definition,
    account,
    requester: contact,
    subscription,
    planCode: plans.find((p) => p.id === subscription.planId)?.code ?? null,
    planPricesMinor: Object.fromEntries(
      plans
        .filter((p) => p.currency === subscription.currency)
        .map((p) => [p.code, Number(p.monthly_price_minor) * subscription.seats]),
    ),
    staffRoles: Object.fromEntries(staffRows.map((row) => [row.id, row.role])),
  });
}

/** The facts of a case read with readCaseSnapshot, under the policy version the case follows. */
export async function factsOfSnapshot(
  db: Db,
  snapshot: CaseSnapshot,
  cacheFor: Db = db,
): Promise<CaseFacts> {
  const policy = await getPolicy(db, snapshot.case.policyVersion, cacheFor);
  return assembleCaseFacts({ ...snapshot, policy: policy.definition });
}

/** The engine's view of the records a case command reads. */
export function assembleCaseFacts(records: {
  policy: PolicyDefinition;
  account: Account;
  requester: Contact;
  subscription: Subscription;
  planCode: string | null;
  planPricesMinor: Record<string, number>;
  staffRoles: Record<string, StaffRole>;
}): CaseFacts {
  const { account, requester, subscription } = records;
  const staff: Record<string, { role: StaffRole }> = {};
  for (const [id, role] of Object.entries(records.staffRoles)) staff[id] = { role };
  return {
    requester,
    context: {
      policy: records.policy,
      requester: {
        contactId: requester.id,
        role: requester.role,
        authorisedToCancel: requester.authorisedToCancel,
        preferredChannel: requester.preferredChannel,
      },
      subscription: {
        id: subscription.id,
        planCode: records.planCode ?? "",
        monthlyValueMinor: subscription.monthlyValueMinor,
        currency: subscription.currency,
        status: subscription.status,
        currentPeriodEnd: subscription.currentPeriodEnd,
        planMonthlyValuesMinor: records.planPricesMinor,
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
