// Loads what a case's documentation needs (the case, its account, subscription, requester, staff
// names, checklist and audit entries) and hands it to the pure builder in case-documentation.ts.
import { listAuditEntries } from "../db/repositories/audit.repository.ts";
import { readCaseSnapshot } from "../db/repositories/case-snapshot.repository.ts";
import { findPlanById } from "../db/repositories/plans.repository.ts";
import { buildChecklist } from "../domain/checklist.ts";
import { notFound } from "../domain/errors.ts";
import {
  buildCaseDocumentation,
  type CaseDocumentationExport,
  renderCaseDocumentationMarkdown,
} from "./case-documentation.ts";
import { factsOfSnapshot } from "./case-facts.ts";
import type { AppContext, Db } from "./context.ts";

const USER_ID_KEYS = new Set([
  "userId",
  "csmId",
  "engagedBy",
  "decidedBy",
  "assignedAmId",
  "assignedCsmId",
  "fromUserId",
  "toUserId",
]);

/** Every staff user id mentioned anywhere in `value`. */
function collectUserIds(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) collectUserIds(item, into);
  else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (USER_ID_KEYS.has(key) && typeof item === "string") into.add(item);
      else collectUserIds(item, into);
    }
  }
  return into;
}

async function staffNames(db: Db, ids: Set<string>): Promise<Record<string, string>> {
  if (ids.size === 0) return {};
  const rows = await db
    .selectFrom("users")
    .select(["id", "name"])
    .where("id", "in", [...ids])
    .execute();
  return Object.fromEntries(rows.map((r) => [r.id, r.name]));
}

export async function exportCaseDocumentation(
  ctx: AppContext,
  idOrReference: string,
): Promise<CaseDocumentationExport> {
  // The case with its account, requester and subscription in one read, as commands read it.
  const snapshot = await readCaseSnapshot(ctx.db, idOrReference);
  if (!snapshot) throw notFound("Case", idOrReference);
  const { case: c, account, subscription } = snapshot;
  const facts = await factsOfSnapshot(ctx.db, snapshot);
  const entries = await listAuditEntries(ctx.db, c.id);
  const requester = facts.requester;
  const policy = facts.context.policy;
  const plan = await findPlanById(ctx.db, subscription.planId);
  const names = await staffNames(
    ctx.db,
    collectUserIds([c, entries.map((e) => e.actor)], new Set()),
  );
  return buildCaseDocumentation({
    case: c,
    policy,
    account: { id: c.accountId, name: account?.name ?? c.accountId },
    subscription: subscription
      ? {
          id: subscription.id,
          planName: plan?.name ?? null,
          monthlyValueMinor: subscription.monthlyValueMinor,
          currency: subscription.currency,
          status: subscription.status,
        }
      : null,
    requester: {
      id: requester.id,
      name: requester.name,
      email: requester.email,
      phone: requester.phone,
      role: requester.role,
    },
    staffNames: names,
    checklist: buildChecklist(c, facts.context, ctx.now()),
    auditEntries: entries,
    generatedAt: ctx.now(),
  });
}

export function documentationFileName(doc: CaseDocumentationExport, format: "json" | "markdown") {
  return `${doc.reference}-documentation.${format === "json" ? "json" : "md"}`;
}

export { renderCaseDocumentationMarkdown };
