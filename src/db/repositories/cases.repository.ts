// Cases are stored as their JSON document plus the columns queues and timers filter on. Writes
// check the version they read, so two people acting at once cannot both win.
import { type Kysely, type OrderByItemBuilder, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Case } from "../../domain/case.ts";
import type { CaseSlot } from "../../domain/staff.ts";
import type { Database } from "../tables/tables.ts";
import {
  afterCursor,
  instantKey,
  likePattern,
  type Page,
  type PageRequest,
  toPage,
} from "./pagination.ts";

type Db = Kysely<Database>;

/** The CSM engagement deadline, while a CSM outcome is still awaited; null otherwise. */
/**
 * The CSM's engagement due time while the case waits for the CSM to engage: once engaged the
 * SLA is met (or missed for good), so the case leaves the SLA queues and the open-breach count.
 */
export function slaDueAtOf(c: Case): string | null {
  return c.state === "escalated" && c.escalation && !c.escalation.outcome && !c.escalation.engagedAt
    ? c.escalation.slaDueAt
    : null;
}

/** The columns of a case row: queues and timers filter on them; `data` is the whole case. */
export function caseColumns(c: Case) {
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

/** CD-2026-00042: the year the case was opened and a number from the case reference sequence. */
export function caseReference(year: number, sequenceNumber: string): string {
  return `CD-${year}-${sequenceNumber.padStart(5, "0")}`;
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

/** The open cases a staff member is assigned to, by slot, oldest first (for a hand-over). */
export async function listOpenCasesOfAssignee(
  db: Db,
  userId: string,
): Promise<{ id: string; reference: string; slot: CaseSlot }[]> {
  const rows = await db
    .selectFrom("cases")
    .select(["id", "reference", "assigned_am_id"])
    .where((eb) => eb.or([eb("assigned_am_id", "=", userId), eb("assigned_csm_id", "=", userId)]))
    .where("closed_at", "is", null)
    .orderBy("opened_at")
    .orderBy("reference")
    .execute();
  // The engine never lets one person be both the AM and the CSM of a case.
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    slot: r.assigned_am_id === userId ? "am" : "csm",
  }));
}

/** How many open cases a staff member holds as assigned AM and as assigned CSM. */
export async function countOpenCasesOfAssignee(
  db: Db,
  userId: string,
): Promise<Record<CaseSlot, number>> {
  // One count per slot, each on its own partial index of open cases (0023), so neither walks the
  // user's closed history.
  const count = async (column: "assigned_am_id" | "assigned_csm_id") => {
    const row = await db
      .selectFrom("cases")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where(column, "=", userId)
      .where("closed_at", "is", null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  // One after the other: `db` may be a transaction, which runs one statement at a time.
  const am = await count("assigned_am_id");
  return { am, csm: await count("assigned_csm_id") };
}

/** The open cases a contact is the requester of, locked in the order erasure locks them. */
export async function lockOpenCasesOfRequester(db: Db, contactId: string): Promise<Case[]> {
  const rows = await db
    .selectFrom("cases")
    .select("data")
    .where("requester_contact_id", "=", contactId)
    .where("closed_at", "is", null)
    .orderBy("opened_at")
    .forUpdate()
    .execute();
  return rows.map((row) => row.data as Case);
}

export type CaseQueue =
  | "mine"
  | "unassigned"
  | "escalated_to_me"
  | "sla_at_risk"
  | "sla_breached"
  | "all";

export const CASE_QUEUES: readonly CaseQueue[] = [
  "mine",
  "unassigned",
  "escalated_to_me",
  "sla_at_risk",
  "sla_breached",
  "all",
];

/** The orders a queue can be read in; each walks its own keyset, ties broken by id. */
export const CASE_SORTS = ["opened", "updated", "sla_due", "reference"] as const;
export type CaseSort = (typeof CASE_SORTS)[number];

export const CASE_STATUSES = ["open", "closed"] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export interface QueueScope {
  queue: CaseQueue;
  userId: string | null;
  now: Date;
  /** The at-risk hours of each policy version that has escalations waiting (sla_at_risk). */
  atRiskHoursByVersion?: ReadonlyMap<number, number>;
}

export interface CaseFilter extends QueueScope {
  /** Open (not yet closed) or closed cases; both when absent. */
  status?: CaseStatus | undefined;
  state?: string | undefined;
  outcome?: string | undefined;
  accountId?: string | undefined;
  assignedAmId?: string | undefined;
  assignedCsmId?: string | undefined;
  planId?: string | undefined;
  channel?: string | undefined;
  openedFrom?: Date | undefined;
  openedTo?: Date | undefined;
  q?: string | undefined;
}

export interface CaseOrder {
  sort: CaseSort;
  direction: "asc" | "desc";
}

export interface CaseListItem {
  case: Case;
  accountName: string;
  requesterName: string;
}

/**
 * The queue's own condition, as SQL over `cases` only, so the list (with its joins) and the
 * per-queue counts (without) share it. Each has an index (0002-cases, 0005-scale): the AM and
 * CSM indexes, the unassigned and escalated partial indexes, and the partial SLA index (hence
 * `closed_at is null` in the SLA queues).
 */
function queueCondition(scope: QueueScope): RawBuilder<SqlBool> {
  const userId = scope.userId;
  switch (scope.queue) {
    case "mine":
      // The caller's open work, as a help desk's "my open tickets": closed cases are found with
      // the `closed` status in the other queues (0023's partial indexes hold only open cases).
      return userId
        ? sql<SqlBool>`((cases.assigned_am_id = ${userId} or cases.assigned_csm_id = ${userId}) and cases.closed_at is null)`
        : sql<SqlBool>`false`;
    case "unassigned":
      return sql<SqlBool>`(cases.assigned_am_id is null and cases.closed_at is null)`;
    case "escalated_to_me":
      return userId
        ? sql<SqlBool>`(cases.state = 'escalated' and cases.assigned_csm_id = ${userId})`
        : sql<SqlBool>`false`;
    case "sla_at_risk": {
      // At risk as the case's own policy version says (open cases keep theirs), like the case's
      // SLA panel and the at-risk notice: one window per distinct number of hours, inside the
      // widest one, which the SLA index bounds.
      const byHours = new Map<number, number[]>();
      for (const [version, hours] of scope.atRiskHoursByVersion ?? []) {
        byHours.set(hours, [...(byHours.get(hours) ?? []), version]);
      }
      if (byHours.size === 0) return sql<SqlBool>`false`;
      const until = (hours: number) => new Date(scope.now.getTime() + hours * 3_600_000);
      const windows = [...byHours].map(
        ([hours, versions]) =>
          sql`(cases.policy_version in (${sql.join(versions)}) and cases.sla_due_at <= ${until(hours)})`,
      );
      return sql<SqlBool>`(cases.sla_due_at is not null and cases.closed_at is null and cases.sla_due_at > ${scope.now}
        and cases.sla_due_at <= ${until(Math.max(...byHours.keys()))} and (${sql.join(windows, sql` or `)}))`;
    }
    case "sla_breached":
      return sql<SqlBool>`(cases.sla_due_at is not null and cases.closed_at is null and cases.sla_due_at <= ${scope.now})`;
    case "all":
      return sql<SqlBool>`true`;
  }
}

/**
 * How a search runs. `ids`: the accounts and contacts that match were found by their trigram
 * indexes (0005-scale; an email by its domain first, 0008-search), and cases match by reference
 * or by those ids (see matchingCases). `scan`: a common term (a word in a fifth of the account
 * names) would give hundreds of thousands of ids, so the queue's own index is walked newest
 * first and each case tested, which stops after a page.
 */
export type SearchPlan =
  | { kind: "none" }
  | { kind: "scan" }
  | { kind: "ids"; accountIds: string[]; contactIds: string[] };

/** Past this many matching accounts or contacts a term counts as common. */
const COMMON_TERM = 1_000;

/**
 * The domain of a contact's email address (after its @, lower case; '' for an address with more
 * than one @), as indexed by 0008-search. An address containing a term with an @ has a domain
 * that starts with the term's text after its @, or is '': that index finds those at once, where
 * the trigram index alone reads the long posting lists of ".com" and of common first names.
 */
const EMAIL_DOMAIN = sql`(case when email like '%@%@%' then '' else split_part(lower(email), '@', 2) end)`;

export async function planSearch(db: Db, q: string | undefined): Promise<SearchPlan> {
  if (!q) return { kind: "none" };
  const pattern = likePattern(q);
  // Text with an @ is (part of) an email address: names are not searched for it; text with a
  // space cannot be part of one: email addresses are not.
  const email = q.includes("@");
  // "smith@example.co" -> "example.co%": the start of the domain, escaped.
  const domainStart = likePattern(q.slice(q.indexOf("@") + 1)).slice(1);
  const contactMatch = email
    ? sql`email ilike ${pattern}
      and (${EMAIL_DOMAIN} like lower(${domainStart}) or ${EMAIL_DOMAIN} = '')`
    : /\s/.test(q)
      ? sql`name ilike ${pattern}`
      : sql`name ilike ${pattern} or email ilike ${pattern}`;
  // Two statements at once rather than one reading both in turn: each can take a few ms on the
  // trigram index when a name's words are common, and the page waits for both.
  const probe = (ids: RawBuilder<{ id: string }>) =>
    sql<{ ids: string[] }>`select coalesce(jsonb_agg(id), '[]'::jsonb) as ids
      from (${ids} limit ${COMMON_TERM}) matching`
      .execute(db)
      .then((result) => result.rows[0]!.ids);
  const [accounts, contacts] = await Promise.all([
    email ? [] : probe(sql`select id from accounts where name ilike ${pattern}`),
    probe(sql`select id from contacts where ${contactMatch}`),
  ]);
  return accounts.length >= COMMON_TERM || contacts.length >= COMMON_TERM
    ? { kind: "scan" }
    : { kind: "ids", accountIds: accounts, contactIds: contacts };
}

function idsIn(ids: readonly string[]): RawBuilder<unknown> {
  return sql`array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)`;
}

function filteredCases(db: Db, filter: CaseFilter) {
  return (
    db
      .selectFrom("cases")
      .where(queueCondition(filter))
      .$if(filter.status === "open", (qb) => qb.where("cases.closed_at", "is", null))
      .$if(filter.status === "closed", (qb) => qb.where("cases.closed_at", "is not", null))
      .$if(!!filter.state, (qb) => qb.where("cases.state", "=", filter.state!))
      .$if(!!filter.outcome, (qb) => qb.where("cases.outcome", "=", filter.outcome!))
      .$if(!!filter.accountId, (qb) => qb.where("cases.account_id", "=", filter.accountId!))
      .$if(!!filter.assignedAmId, (qb) =>
        qb.where("cases.assigned_am_id", "=", filter.assignedAmId!),
      )
      .$if(!!filter.assignedCsmId, (qb) =>
        qb.where("cases.assigned_csm_id", "=", filter.assignedCsmId!),
      )
      // The subscription's current plan (a downgrade accepted on the case moves it).
      .$if(!!filter.planId, (qb) =>
        qb.where("cases.subscription_id", "in", (sub) =>
          sub
            .selectFrom("subscriptions")
            .select("subscriptions.id")
            .where("plan_id", "=", filter.planId!),
        ),
      )
      .$if(!!filter.channel, (qb) => qb.where("cases.channel", "=", filter.channel!))
      .$if(!!filter.openedFrom, (qb) => qb.where("cases.opened_at", ">=", filter.openedFrom!))
      .$if(!!filter.openedTo, (qb) => qb.where("cases.opened_at", "<", filter.openedTo!))
  );
}

/**
 * The filtered cases that match the search (by reference, account name, or the requester's name
 * or email; see SearchPlan), as parts whose rows together are the answer: one, unless an `ids`
 * search finds cases more than one way. Then each way is a part of its own, so that the cases of
 * the matching accounts (or contacts) are read from the (account_id, opened_at, id) and
 * (requester_contact_id, opened_at, id) indexes alone (0008-search), not from a thousand
 * table rows; and the parts exclude each other (a case of a matching account is not found again
 * by its requester or reference), so their rows add up without duplicates.
 */
function matchingCases(db: Db, filter: CaseFilter, search: SearchPlan) {
  const cases = filteredCases(db, filter);
  if (!filter.q || search.kind === "none") return [cases];
  const pattern = likePattern(filter.q);
  if (search.kind === "scan") {
    return [
      cases.where(
        sql<SqlBool>`(cases.reference ilike ${pattern}
          or exists (select 1 from accounts a where a.id = cases.account_id and a.name ilike ${pattern})
          or exists (select 1 from contacts p where p.id = cases.requester_contact_id
            and (p.name ilike ${pattern} or p.email ilike ${pattern})))`,
      ),
    ];
  }
  const ways = [
    search.accountIds.length > 0 &&
      sql<SqlBool>`cases.account_id = any(${idsIn(search.accountIds)})`,
    search.contactIds.length > 0 &&
      sql<SqlBool>`cases.requester_contact_id = any(${idsIn(search.contactIds)})`,
    sql<SqlBool>`cases.reference ilike ${pattern}`,
  ].filter((way) => way !== false);
  return ways.map((way, i) =>
    ways
      .slice(0, i)
      .reduce((part, earlier) => part.where(sql<SqlBool>`not (${earlier})`), cases.where(way)),
  );
}

/**
 * The sort key of an order. Cases without a CSM due time sort after those with one whichever
 * the direction (infinity ascending, -infinity descending), so the keyset stays total.
 */
function sortKey(order: CaseOrder): { key: RawBuilder<unknown>; castAs: "text" | "timestamptz" } {
  switch (order.sort) {
    case "opened":
      return { key: sql`cases.opened_at`, castAs: "timestamptz" };
    case "updated":
      return { key: sql`cases.updated_at`, castAs: "timestamptz" };
    case "sla_due":
      return {
        key:
          order.direction === "asc"
            ? sql`coalesce(cases.sla_due_at, 'infinity'::timestamptz)`
            : sql`coalesce(cases.sla_due_at, '-infinity'::timestamptz)`,
        castAs: "timestamptz",
      };
    case "reference":
      return { key: sql`cases.reference`, castAs: "text" };
  }
}

export async function listCases(
  db: Db,
  filter: CaseFilter,
  page: PageRequest,
  order: CaseOrder = { sort: "opened", direction: "desc" },
  search?: SearchPlan,
): Promise<Page<CaseListItem>> {
  const { key, castAs } = sortKey(order);
  // The cursor carries its order, so a cursor from another order is refused, not misread.
  const tag = `${order.sort}:${order.direction}`;
  const byDirection = (ob: OrderByItemBuilder) =>
    order.direction === "asc" ? ob.asc() : ob.desc();
  // The page is cut from the matching cases' ids and sort keys alone (each part its own page,
  // then the page of those), and only its rows are read whole and joined to their account and
  // requester: a search matching a thousand cases would otherwise read a thousand case rows,
  // accounts and contacts to keep fifty.
  const parts = matchingCases(db, filter, search ?? (await planSearch(db, filter.q))).map((part) =>
    db
      .selectFrom(
        part
          .select(["cases.id", key.as("sort_value")])
          .where(afterCursor(key, "cases.id", page.cursor, castAs, order.direction, tag))
          .orderBy(key, byDirection)
          .orderBy("cases.id", byDirection)
          .limit(page.limit + 1)
          .as("part"),
      )
      .selectAll(),
  );
  const pageOfCases = db
    .selectFrom(parts.reduce((all, part) => all.unionAll(part)).as("found"))
    .selectAll()
    .orderBy("found.sort_value", byDirection)
    .orderBy("found.id", byDirection)
    .limit(page.limit + 1)
    .as("page");
  const rows = await db
    .selectFrom(pageOfCases)
    .innerJoin("cases", "cases.id", "page.id")
    .innerJoin("accounts", "accounts.id", "cases.account_id")
    .innerJoin("contacts", "contacts.id", "cases.requester_contact_id")
    .select([
      "cases.data",
      "cases.id",
      // A time key is written as ISO 8601 whatever the server's DateStyle, so the cursor reads back.
      (castAs === "timestamptz"
        ? sql<string>`case when isfinite(page.sort_value) then ${instantKey(sql.ref("page.sort_value"))} else page.sort_value::text end`
        : sql<string>`(page.sort_value)::text`
      ).as("sort_key"),
      "accounts.name as account_name",
      "contacts.name as requester_name",
    ])
    .orderBy("page.sort_value", byDirection)
    .orderBy("page.id", byDirection)
    .execute();
  return toPage(
    rows,
    page.limit,
    (r) => ({ key: r.sort_key, id: r.id }),
    (r) => ({ case: r.data as Case, accountName: r.account_name, requesterName: r.requester_name }),
    tag,
  );
}

/**
 * Counts stop here: past it a desk needs "more than 10,000", not the exact figure, and a count
 * then reads at most this many index entries however many cases there are.
 */
export const COUNT_CAP = 10_000;

/** How many cases match the filter (every page together), up to COUNT_CAP. */
export async function countFilteredCases(
  db: Db,
  filter: CaseFilter,
  search?: SearchPlan,
): Promise<number> {
  const parts = matchingCases(db, filter, search ?? (await planSearch(db, filter.q))).map((part) =>
    db.selectFrom(part.select("cases.id").limit(COUNT_CAP).as("part")).selectAll(),
  );
  const row = await db
    .selectFrom(
      db
        .selectFrom(parts.reduce((all, part) => all.unionAll(part)).as("found"))
        .select("found.id")
        .limit(COUNT_CAP)
        .as("matching"),
    )
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The size of every queue for one user, up to COUNT_CAP: one count per queue on its index. */
export async function countCasesByQueue(
  db: Db,
  scope: Omit<QueueScope, "queue">,
): Promise<Record<CaseQueue, number>> {
  const counts = await Promise.all(
    CASE_QUEUES.map(async (queue) => {
      const row = await db
        .selectFrom(
          db
            .selectFrom("cases")
            .select("cases.id")
            .where(queueCondition({ ...scope, queue }))
            .limit(COUNT_CAP)
            .as("matching"),
        )
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .executeTakeFirstOrThrow();
      return [queue, Number(row.n)] as const;
    }),
  );
  return Object.fromEntries(counts) as Record<CaseQueue, number>;
}

/** How many cases there are (an index-only count: about 0.1 s at a million cases). */
export async function countAllCases(db: Db): Promise<number> {
  const row = await db
    .selectFrom("cases")
    .select(sql<string>`count(*)`.as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
