// Published versions of the policy definition. Each case keeps the version it started under.
import type { Kysely } from "kysely";
import type { PolicyDefinition } from "../../domain/policy-definition.ts";
import type { Database } from "../tables/tables.ts";

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

export async function listPolicyVersions(db: Db): Promise<PublishedPolicy[]> {
  const rows = await db
    .selectFrom("policy_versions")
    .selectAll()
    .orderBy("version", "desc")
    .execute();
  return rows.map(toPublished);
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
