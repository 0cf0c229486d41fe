// Published versions of the policy definition. Each case keeps the version it started under.
import { type Kysely, sql } from "kysely";
import type { PolicyDefinition } from "../../domain/policy-definition.ts";
import type { Database } from "../tables/tables.ts";
import { decodeCursor, notACursor, type Page, type PageRequest, toPage } from "./pagination.ts";

type Db = Kysely<Database>;

export interface PublishedPolicy {
  version: number;
  definition: PolicyDefinition;
  publishedAt: Date;
  publishedBy: string | null;
  notes: string | null;
}

function toPublished(row: {
  version: number;
  definition: unknown;
  published_at: Date;
  published_by: string | null;
  notes: string | null;
}): PublishedPolicy {
  return {
    version: row.version,
    definition: row.definition as PolicyDefinition,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
    notes: row.notes,
  };
}

export async function findLatestPolicy(db: Db): Promise<PublishedPolicy | undefined> {
  const row = await db
    .selectFrom("policy_versions")
    .selectAll()
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirst();
  return row && toPublished(row);
}

export async function findPolicyVersion(
  db: Db,
  version: number,
): Promise<PublishedPolicy | undefined> {
  const row = await db
    .selectFrom("policy_versions")
    .selectAll()
    .where("version", "=", version)
    .executeTakeFirst();
  return row && toPublished(row);
}

/**
 * The label of every reason and offer code any version has defined, the newest version's where
 * several did: reports count cases of all versions by code.
 */
export async function listPolicyLabels(
  db: Db,
): Promise<{ reasons: Map<string, string>; offers: Map<string, string> }> {
  const rows = await db
    .selectFrom("policy_versions")
    .select([
      sql<{ code: string; label: string }[]>`definition->'reasons'`.as("reasons"),
      sql<{ code: string; label: string }[]>`definition->'offers'`.as("offers"),
    ])
    .orderBy("version", "desc")
    .execute();
  const reasons = new Map<string, string>();
  const offers = new Map<string, string>();
  for (const row of rows) {
    for (const r of row.reasons ?? []) if (!reasons.has(r.code)) reasons.set(r.code, r.label);
    for (const o of row.offers ?? []) if (!offers.has(o.code)) offers.set(o.code, o.label);
  }
  return { reasons, offers };
}

/** A version as the history lists it: what changed and when, without its whole definition. */
export interface PolicyVersionSummary {
  version: number;
  name: string;
  publishedAt: Date;
  publishedBy: string | null;
  notes: string | null;
}

const VERSIONS_CURSOR = "policy-versions";

/** The versions newest first, a page at a time (a definition can be large; read it by number). */
export async function listPolicyVersions(
  db: Db,
  page: PageRequest,
): Promise<Page<PolicyVersionSummary>> {
  let before: number | undefined;
  if (page.cursor) {
    const { key } = decodeCursor(page.cursor, VERSIONS_CURSOR);
    before = Number(key);
    // A version number the integer column can hold, or the cursor was not ours.
    if (!/^\d{1,10}$/.test(key) || before > 2_147_483_647) throw notACursor();
  }
  const rows = await db
    .selectFrom("policy_versions")
    .select(["version", "published_at", "published_by", "notes"])
    .select(sql<string>`definition->>'name'`.as("name"))
    .$if(before !== undefined, (qb) => qb.where("version", "<", before!))
    .orderBy("version", "desc")
    .limit(page.limit + 1)
    .execute();
  return toPage(
    rows,
    page.limit,
    (row) => ({ key: String(row.version), id: "" }),
    (row) => ({
      version: row.version,
      name: row.name,
      publishedAt: row.published_at,
      publishedBy: row.published_by,
      notes: row.notes,
    }),
    VERSIONS_CURSOR,
  );
}

/** Inserts the version unless it exists; true when this call published it. */
export async function insertPolicyVersion(
  db: Db,
  policy: { definition: PolicyDefinition; publishedBy: string | null; notes: string | null },
): Promise<boolean> {
  const inserted = await db
    .insertInto("policy_versions")
    .values({
      version: policy.definition.version,
      definition: JSON.stringify(policy.definition),
      published_by: policy.publishedBy,
      notes: policy.notes,
    })
    .onConflict((oc) => oc.column("version").doNothing())
    .returning("version")
    .executeTakeFirst();
  return inserted !== undefined;
}
