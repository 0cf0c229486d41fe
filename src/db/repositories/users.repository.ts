import { type Kysely, sql } from "kysely";
import type { StaffRole, StaffUser } from "../../domain/staff.ts";
import type { Database, UsersTable } from "../tables/tables.ts";
import { afterCursor, likePattern, type Page, type PageRequest, toPage } from "./pagination.ts";

type Db = Kysely<Database>;
type UserRow = Omit<
  UsersTable,
  "id" | "active" | "failed_sign_ins" | "created_at" | "updated_at" | "locked_until"
> & {
  id: string;
  active: boolean;
  failed_sign_ins: number;
  locked_until: Date | null;
  created_at: Date;
  updated_at: Date;
};

export function toStaffUser(row: UserRow): StaffUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.active,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findUserById(db: Db, id: string): Promise<StaffUser | undefined> {
  const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toStaffUser(row);
}

/** The row with its password hash and lockout counters, for signing in only. */
export async function findUserCredentialsByEmail(db: Db, email: string) {
  return db
    .selectFrom("users")
    .selectAll()
    .where(sql`lower(email)`, "=", email.toLowerCase())
    .executeTakeFirst();
}

export async function insertUser(
  db: Db,
  user: { email: string; name: string; role: StaffRole; passwordHash: string },
): Promise<StaffUser> {
  const row = await db
    .insertInto("users")
    .values({
      email: user.email,
      name: user.name,
      role: user.role,
      password_hash: user.passwordHash,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStaffUser(row);
}

export async function updateUser(
  db: Db,
  id: string,
  changes: { name?: string; role?: StaffRole; active?: boolean; passwordHash?: string },
): Promise<StaffUser | undefined> {
  const row = await db
    .updateTable("users")
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.active !== undefined ? { active: changes.active } : {}),
      ...(changes.passwordHash !== undefined
        ? { password_hash: changes.passwordHash, failed_sign_ins: 0, locked_until: null }
        : {}),
      updated_at: sql`now()`,
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  return row && toStaffUser(row);
}

/**
 * Locks the rows of the active admins, so that changes which could remove the last one happen one
 * after another (each then sees the others' outcome).
 */
export async function lockActiveAdmins(db: Db): Promise<void> {
  await db
    .selectFrom("users")
    .select("id")
    .where("role", "=", "admin")
    .where("active", "=", true)
    .forUpdate()
    .execute();
}

export async function countActiveAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("role", "=", "admin")
    .where("active", "=", true)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function recordFailedSignIn(db: Db, id: string, lockAfter: number, lockUntil: Date) {
  return db
    .updateTable("users")
    .set((eb) => ({
      failed_sign_ins: eb("failed_sign_ins", "+", 1),
      locked_until: sql`case when failed_sign_ins + 1 >= ${lockAfter} then ${lockUntil}::timestamptz else locked_until end`,
    }))
    .where("id", "=", id)
    .returning(["failed_sign_ins", "locked_until"])
    .executeTakeFirstOrThrow();
}

/**
 * Clears the count of wrong passwords after a right one, unless a lock is in force: one that wrong
 * passwords sent alongside this one set after it was read. Then it answers that lock's end.
 */
export async function recordSuccessfulSignIn(
  db: Db,
  id: string,
  now: Date,
): Promise<{ lockedUntil: Date | null }> {
  const cleared = await db
    .updateTable("users")
    .set({ failed_sign_ins: 0, locked_until: null })
    .where("id", "=", id)
    .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
    .returning("id")
    .executeTakeFirst();
  if (cleared) return { lockedUntil: null };
  const row = await db
    .selectFrom("users")
    .select("locked_until")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return { lockedUntil: row.locked_until };
}

export interface UserFilter {
  q?: string | undefined;
  role?: StaffRole | undefined;
  active?: boolean | undefined;
}

export async function listUsers(
  db: Db,
  filter: UserFilter,
  page: PageRequest,
): Promise<Page<StaffUser>> {
  const rows = await db
    .selectFrom("users")
    .selectAll()
    .select(sql<string>`lower(name)`.as("sort_key"))
    .$if(!!filter.q, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb("name", "ilike", likePattern(filter.q!)),
          eb("email", "ilike", likePattern(filter.q!)),
        ]),
      ),
    )
    .$if(!!filter.role, (qb) => qb.where("role", "=", filter.role!))
    .$if(filter.active !== undefined, (qb) => qb.where("active", "=", filter.active!))
    .where(afterCursor(sql`lower(name)`, "id", page.cursor))
    .orderBy(sql`lower(name)`)
    .orderBy("id")
    .limit(page.limit + 1)
    .execute();
  return toPage(rows, page.limit, (r) => ({ key: r.sort_key, id: r.id }), toStaffUser);
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select(sql<string>`count(*)`.as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
