// Single-use, expiring customer links and one-time identity codes. Only hashes are stored.
import { type Kysely, sql } from "kysely";
import { compileOnce } from "../prepared-statements.ts";
import type { Database } from "../tables/tables.ts";

type Db = Kysely<Database>;

/** Form and survey links are one per case (the latest works); offer links are one per offer. */
export type LinkPurpose = "form" | "feedback" | `offer:${string}`;

export interface CustomerLink {
  tokenHash: string;
  caseId: string | null;
  contactId: string;
  purpose: LinkPurpose;
  expiresAt: Date;
  usedAt: Date | null;
  supersededAt: Date | null;
}

/**
 * The link by its token's hash; every customer page starts here (compiled once). Never locked:
 * the write that uses a link up holds its case's row, which serialises everything done with it.
 */
const linkByHash = compileOnce((db: Db, tokenHash: string) =>
  db.selectFrom("customer_links").selectAll().where("token_hash", "=", tokenHash),
);

export async function findCustomerLink(
  db: Db,
  tokenHash: string,
): Promise<CustomerLink | undefined> {
  const [row] = (await linkByHash(db, tokenHash)).rows;
  return (
    row && {
      tokenHash: row.token_hash,
      caseId: row.case_id,
      contactId: row.contact_id,
      purpose: row.purpose as LinkPurpose,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
      supersededAt: row.superseded_at,
    }
  );
}

export async function insertIdentityCode(
  db: Db,
  code: { id: string; caseId: string | null; contactId: string; codeHash: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  // A new code replaces any earlier one of the same case (or self-service start of the contact).
  await db
    .updateTable("identity_codes")
    .set({ superseded_at: now })
    .where("contact_id", "=", code.contactId)
    .where((eb) => (code.caseId ? eb("case_id", "=", code.caseId) : eb("case_id", "is", null)))
    .where("used_at", "is", null)
    .where("superseded_at", "is", null)
    .execute();
  await db
    .insertInto("identity_codes")
    .values({
      id: code.id,
      case_id: code.caseId,
      contact_id: code.contactId,
      code_hash: code.codeHash,
      expires_at: code.expiresAt,
    })
    .execute();
}

/** The code currently waiting for the case (or the contact's self-service start), locked. */
export async function findLiveIdentityCode(
  db: Db,
  where: { caseId: string | null; contactId: string },
) {
  return db
    .selectFrom("identity_codes")
    .selectAll()
    .where("contact_id", "=", where.contactId)
    .where((eb) => (where.caseId ? eb("case_id", "=", where.caseId) : eb("case_id", "is", null)))
    .where("used_at", "is", null)
    .where("superseded_at", "is", null)
    .orderBy("created_at", "desc")
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

/** Where an identity code stands (used, replaced, expiry), by its id; undefined when gone. */
export async function findIdentityCodeState(db: Db, id: string) {
  return db
    .selectFrom("identity_codes")
    .select(["used_at as usedAt", "superseded_at as supersededAt", "expires_at as expiresAt"])
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function recordIdentityCodeAttempt(
  db: Db,
  id: string,
  used: boolean,
  now: Date,
): Promise<void> {
  await db
    .updateTable("identity_codes")
    .set((eb) => ({ attempts: eb("attempts", "+", 1), ...(used ? { used_at: now } : {}) }))
    .where("id", "=", id)
    .execute();
}

export async function countRecentIdentityCodes(
  db: Db,
  contactId: string,
  since: Date,
): Promise<number> {
  const row = await db
    .selectFrom("identity_codes")
    .select(sql<string>`count(*)`.as("n"))
    .where("contact_id", "=", contactId)
    .where("created_at", ">=", since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
