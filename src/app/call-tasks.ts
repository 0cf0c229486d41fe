// Phone confirmations are calls the AM makes: a task is open from the processing of a
// cancellation whose customer chose the phone until the AM records the call on the case.

import { sql } from "kysely";
import { findPolicyVersion } from "../db/repositories/policy-versions.repository.ts";
import { findStep } from "../domain/policy-definition.ts";
import type { Db } from "./context.ts";

export interface CallTask {
  caseId: string;
  reference: string;
  accountName: string;
  contactName: string;
  phone: string | null;
  assignedAmId: string | null;
  dueSince: Date;
  effectiveAt: string | null;
  script: string;
}

export async function listOpenCallTasks(
  db: Db,
  filter: { assignedAmId?: string | undefined },
): Promise<CallTask[]> {
  const rows = await db
    .selectFrom("outbox")
    .innerJoin("cases", "cases.id", "outbox.case_id")
    .innerJoin("accounts", "accounts.id", "cases.account_id")
    .innerJoin("contacts", "contacts.id", "cases.requester_contact_id")
    .select([
      "cases.id",
      "cases.reference",
      "cases.assigned_am_id",
      "cases.policy_version",
      "accounts.name as account_name",
      "contacts.name as contact_name",
      "contacts.phone",
      "outbox.created_at",
    ])
    .select(sql<string | null>`cases.data -> 'processing' ->> 'effectiveAt'`.as("effective_at"))
    .where("outbox.topic", "=", "staff_notification")
    .where(sql<boolean>`outbox.payload ->> 'topic' = 'confirmation_call_due'`)
    .where(sql<boolean>`cases.data -> 'confirmation' = 'null'::jsonb`)
    .where("cases.closed_at", "is", null)
    .$if(filter.assignedAmId !== undefined, (qb) =>
      qb.where("cases.assigned_am_id", "=", filter.assignedAmId!),
    )
    .orderBy("outbox.created_at")
    .limit(500)
    .execute();
  const scripts = new Map<number, string>();
  const tasks: CallTask[] = [];
  for (const r of rows) {
    if (!scripts.has(r.policy_version)) {
      const policy = await findPolicyVersion(db, r.policy_version);
      scripts.set(
        r.policy_version,
        policy ? (findStep(policy.definition, "finalize_cancellation")?.script ?? "") : "",
      );
    }
    tasks.push({
      caseId: r.id,
      reference: r.reference,
      accountName: r.account_name,
      contactName: r.contact_name,
      phone: r.phone,
      assignedAmId: r.assigned_am_id,
      dueSince: r.created_at,
      effectiveAt: r.effective_at,
      script: scripts.get(r.policy_version) ?? "",
    });
  }
  return tasks;
}
