// Cases are stored as their JSON document plus the columns queues and timers filter on. Writes
// check the version they read, so two people acting at once cannot both win.
import { type Kysely, sql } from "kysely";
import type { Case } from "../../domain/case.ts";
import type { Database } from "../tables/tables.ts";
import { afterCursor, likePattern, type Page, type PageRequest, toPage } from "./pagination.ts";

type Db = Kysely<Database>;

/** The CSM engagement deadline, while a CSM outcome is still awaited; null otherwise. */
export function slaDueAtOf(c: Case): string | null {
  return c.state === "escalated" && c.escalation && !c.escalation.outcome
    ? c.escalation.slaDueAt
    : null;
}

function toColumns(c: Case) {
  return {
    reference: c.reference,
    account_id: c.accountId,
    subscription_id: c.subscriptionId,
    requester_contact_id: c.requesterContactId,
    channel: c.channel,
    state: c.state,
    form_status: c.formStatus,
    outcome: c.outcome,
    assigned_am_id: c.assignedAmId,
    assigned_csm_id: c.assignedCsmId,
    policy_version: c.policyVersion,
    version: c.version,
    sla_due_at: slaDueAtOf(c),
    opened_at: c.openedAt,
    updated_at: c.updatedAt,
    closed_at: c.closedAt,
    data: JSON.stringify(c),
  };
}

export async function nextCaseReference(db: Db, year: number): Promise<string> {
  const row = await sql<{ n: string }>`select nextval('case_reference_seq')::text as n`.execute(db);
  return `CD-${year}-${row.rows[0]!.n.padStart(5, "0")}`;
}

export async function insertCase(db: Db, c: Case): Promise<void> {
  await db
    .insertInto("cases")
    .values({ id: c.id, ...toColumns(c) })
    .execute();
}

/** Writes the case if it is still at `expectedVersion`; false when someone else changed it first. */
export async function updateCase(db: Db, c: Case, expectedVersion: number): Promise<boolean> {
  const result = await db
    .updateTable("cases")
    .set(toColumns(c))
    .where("id", "=", c.id)
    .where("version", "=", expectedVersion)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Reads the case and locks its row until the transaction ends. */
export async function findCaseForUpdate(db: Db, id: string): Promise<Case | undefined> {
  const row = await db
    .selectFrom("cases")
    .select("data")
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  return row?.data as Case | undefined;
}

export async function findCase(db: Db, idOrReference: string): Promise<Case | undefined> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(
    idOrReference,
  );
  const row = await db
    .selectFrom("cases")
    .select("data")
    .where(isUuid ? "id" : "reference", "=", idOrReference)
    .executeTakeFirst();
  return row?.data as Case | undefined;
}

export async function findOpenCaseForSubscription(
  db: Db,
  subscriptionId: string,
): Promise<Case | undefined> {
  const row = await db
    .selectFrom("cases")
    .select("data")
    .where("subscription_id", "=", subscriptionId)
    .where("closed_at", "is", null)
    .executeTakeFirst();
  return row?.data as Case | undefined;
}

export type CaseQueue =
  | "mine"
  | "unassigned"
  | "escalated_to_me"
  | "sla_at_risk"
  | "sla_breached"
  | "all";

export interface CaseFilter {
  queue: CaseQueue;
  userId: string | null;
  now: Date;
  atRiskHours: number;
  state?: string | undefined;
  outcome?: string | undefined;
  accountId?: string | undefined;
  assignedAmId?: string | undefined;
  assignedCsmId?: string | undefined;
  channel?: string | undefined;
  openedFrom?: Date | undefined;
  openedTo?: Date | undefined;
  q?: string | undefined;
}

export interface CaseListItem {
  case: Case;
  accountName: string;
  requesterName: string;
}

export async function listCases(
  db: Db,
  filter: CaseFilter,
  page: PageRequest,
): Promise<Page<CaseListItem>> {
  const atRiskUntil = new Date(filter.now.getTime() + filter.atRiskHours * 3_600_000);
  const rows = await db
    .selectFrom("cases")
    .innerJoin("accounts", "accounts.id", "cases.account_id")
    .innerJoin("contacts", "contacts.id", "cases.requester_contact_id")
    .select([
      "cases.data",
      "cases.id",
      "accounts.name as account_name",
      "contacts.name as requester_name",
    ])
    .select(sql<string>`cases.opened_at::text`.as("sort_key"))
    .$if(filter.queue === "mine", (qb) =>
      qb.where((eb) =>
        eb.or([
          eb("cases.assigned_am_id", "=", filter.userId),
          eb("cases.assigned_csm_id", "=", filter.userId),
        ]),
      ),
    )
    .$if(filter.queue === "unassigned", (qb) =>
      qb.where("cases.assigned_am_id", "is", null).where("cases.closed_at", "is", null),
    )
    .$if(filter.queue === "escalated_to_me", (qb) =>
      qb.where("cases.state", "=", "escalated").where("cases.assigned_csm_id", "=", filter.userId),
    )
    .$if(filter.queue === "sla_at_risk", (qb) =>
      qb.where("cases.sla_due_at", ">", filter.now).where("cases.sla_due_at", "<=", atRiskUntil),
    )
    .$if(filter.queue === "sla_breached", (qb) => qb.where("cases.sla_due_at", "<=", filter.now))
    .$if(!!filter.state, (qb) => qb.where("cases.state", "=", filter.state!))
    .$if(!!filter.outcome, (qb) => qb.where("cases.outcome", "=", filter.outcome!))
    .$if(!!filter.accountId, (qb) => qb.where("cases.account_id", "=", filter.accountId!))
    .$if(!!filter.assignedAmId, (qb) => qb.where("cases.assigned_am_id", "=", filter.assignedAmId!))
    .$if(!!filter.assignedCsmId, (qb) =>
      qb.where("cases.assigned_csm_id", "=", filter.assignedCsmId!),
    )
    .$if(!!filter.channel, (qb) => qb.where("cases.channel", "=", filter.channel!))
    .$if(!!filter.openedFrom, (qb) => qb.where("cases.opened_at", ">=", filter.openedFrom!))
    .$if(!!filter.openedTo, (qb) => qb.where("cases.opened_at", "<", filter.openedTo!))
    .$if(!!filter.q, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb("cases.reference", "ilike", likePattern(filter.q!)),
          eb("accounts.name", "ilike", likePattern(filter.q!)),
          eb("contacts.name", "ilike", likePattern(filter.q!)),
          eb("contacts.email", "ilike", likePattern(filter.q!)),
        ]),
      ),
    )
    // Newest first: the cursor walks down (opened_at, id).
    .where(afterCursor(sql.ref("cases.opened_at"), "cases.id", page.cursor, "timestamptz", "desc"))
    .orderBy("cases.opened_at", "desc")
    .orderBy("cases.id", "desc")
    .limit(page.limit + 1)
    .execute();
  return toPage(
    rows,
    page.limit,
    (r) => ({ key: r.sort_key, id: r.id }),
    (r) => ({ case: r.data as Case, accountName: r.account_name, requesterName: r.requester_name }),
  );
}
