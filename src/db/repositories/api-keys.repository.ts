import { type Kysely, sql } from "kysely";
import type { ApiKey, StaffRole } from "../../domain/staff.ts";
import type { Database } from "../tables/tables.ts";

type Db = Kysely<Database>;

function toApiKey(row: {
  id: string;
  name: string;
  prefix: string;
  role: StaffRole;
  created_by: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

const COLUMNS = [
  "id",
  "name",
  "prefix",
  "role",
  "created_by",
  "created_at",
  "last_used_at",
  "revoked_at",
] as const;

export async function insertApiKey(
  db: Db,
  key: { name: string; prefix: string; keyHash: string; role: StaffRole; createdBy: string | null },
): Promise<ApiKey> {
  const row = await db
    .insertInto("api_keys")
    .values({
      name: key.name,
      prefix: key.prefix,
      key_hash: key.keyHash,
      role: key.role,
      created_by: key.createdBy,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return toApiKey(row);
}

export async function findApiKeyByPrefix(db: Db, prefix: string) {
  return db.selectFrom("api_keys").selectAll().where("prefix", "=", prefix).executeTakeFirst();
}

export async function listApiKeys(db: Db): Promise<ApiKey[]> {
  const rows = await db
    .selectFrom("api_keys")
    .select(COLUMNS)
    .orderBy("created_at", "desc")
    .execute();
  return rows.map(toApiKey);
}

export async function revokeApiKey(db: Db, id: string): Promise<ApiKey | undefined> {
  const row = await db
    .updateTable("api_keys")
    .set({ revoked_at: sql`coalesce(revoked_at, now())` })
    .where("id", "=", id)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row && toApiKey(row);
}

export async function touchApiKey(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable("api_keys").set({ last_used_at: now }).where("id", "=", id).execute();
}
