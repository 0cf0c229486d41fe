import { type Kysely, sql } from "kysely";
import type { StaffRole } from "../../domain/staff.ts";
import { compileOnce } from "../prepared-statements.ts";
import type { Database } from "../tables/tables.ts";

type Db = Kysely<Database>;

export async function insertSession(
  db: Db,
  session: { tokenHash: string; userId: string; expiresAt: Date },
) {
  await db
    .insertInto("sessions")
    .values({
      token_hash: session.tokenHash,
      user_id: session.userId,
      expires_at: session.expiresAt,
    })
    .execute();
}

/** Runs on every staff request, so it is compiled once and prepared (see prepared-statements). */
const liveSessionQuery = compileOnce((db: Db, tokenHash: string, now: Date) =>
  db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select(["users.id as userId", "users.role as role", "users.name as name"])
    .where("sessions.token_hash", "=", tokenHash)
    .where("sessions.expires_at", ">", now)
    .where("users.active", "=", true),
);

/** The session's user if the session is live and the user active. */
export async function findLiveSession(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<{ userId: string; role: StaffRole; name: string } | undefined> {
  const { rows } = await liveSessionQuery(db, tokenHash, now);
  return rows[0];
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
}

export async function deleteSessionsOfUser(db: Db, userId: string): Promise<void> {
  await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function touchSession(db: Db, tokenHash: string): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ last_seen_at: sql`now()` })
    .where("token_hash", "=", tokenHash)
    .execute();
}
