// The facts the policy engine decides with, from what one read of the case brought back
// (src/db/repositories/case-snapshot.repository.ts): the policy version the case follows (kept in
// memory once read), the requester, the subscription with its plan values, the account and the
// roles of the staff the command can name.

import type { CaseSnapshot } from "../db/repositories/case-snapshot.repository.ts";
import {
  findLatestPolicy,
  findPolicyVersion,
  insertPolicyVersion,
  type PublishedPolicy,
} from "../db/repositories/policy-versions.repository.ts";
import type { DecisionContext } from "../domain/context.ts";
import type { Account, Contact, Subscription } from "../domain/customer.ts";
import { notFound } from "../domain/errors.ts";
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

/**
 * The at-risk hours of each policy version with an escalation still waiting for its CSM: the
 * SLA queue judges every case by its own version. Read from the versions kept in memory.
 */
export async function atRiskHoursByVersion(db: Db): Promise<Map<number, number>> {
  const waiting = await db
    .selectFrom("cases")
    .select("policy_version")
    .distinct()
    .where("sla_due_at", "is not", null)
    .where("closed_at", "is", null)
    .execute();
  const hours = new Map<number, number>();
  for (const { policy_version: version } of waiting) {
    hours.set(version, (await getPolicy(db, version)).definition.slas.csmEngagementAtRiskHours);
  }
  return hours;
}

export interface CaseFacts {
  context: DecisionContext;
  requester: Contact;
  /** The case's subscription as stored, e.g. the discount billing applied to it before. */
  subscription: Subscription;
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
    subscription,
    context: {
      policy: records.policy,
      requester: {
        contactId: requester.id,
        role: requester.role,
        authorisedToCancel: requester.authorisedToCancel,
        preferredChannel: requester.preferredChannel,
        hasEmail: !!requester.email,
        hasPhone: !!requester.phone,
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
