// Reads and rewrites what is stored about one customer contact, for the contact's data export and
// for erasure on request. Audit bodies are rewritten only under `canceldesk.erasure`, which the
// append-only trigger requires for its one allowed UPDATE (see migration 0006).
import { type Kysely, sql } from "kysely";
import type { Database } from "../tables/tables.ts";

type Db = Kysely<Database>;

export interface ContactCaseRow {
  id: string;
  reference: string;
  version: number;
  data: unknown;
}

export async function listContactCasesForUpdate(
  db: Db,
  contactId: string,
): Promise<ContactCaseRow[]> {
  return db
    .selectFrom("cases")
    .select(["id", "reference", "version", "data"])
    .where("requester_contact_id", "=", contactId)
    .orderBy("opened_at")
    .forUpdate()
    .execute();
}

export async function listContactCases(db: Db, contactId: string): Promise<ContactCaseRow[]> {
  return db
    .selectFrom("cases")
    .select(["id", "reference", "version", "data"])
    .where("requester_contact_id", "=", contactId)
    .orderBy("opened_at")
    .execute();
}

/** Replaces the case document only; indexed columns hold no personal data. */
export async function replaceCaseData(db: Db, caseId: string, data: unknown): Promise<void> {
  await db
    .updateTable("cases")
    .set({ data: JSON.stringify(data) })
    .where("id", "=", caseId)
    .execute();
}

export async function listAuditBodies(db: Db, caseId: string) {
  return db
    .selectFrom("case_events")
    .select(["seq", "hash", "body", "erased_at"])
    .where("case_id", "=", caseId)
    .orderBy("seq")
    .execute();
}

/** Lets this transaction redact audit bodies (the trigger checks the setting). */
export async function allowAuditErasure(db: Db): Promise<void> {
  await sql`select set_config('canceldesk.erasure', 'on', true)`.execute(db);
}

export async function redactAuditBody(
  db: Db,
  caseId: string,
  seq: number,
  body: unknown,
  at: Date,
): Promise<void> {
  await db
    .updateTable("case_events")
    // The salt goes with the body: kept, it would let the digest confirm a guess of the erased words.
    .set({ body: JSON.stringify(body), body_salt: null, erased_at: at })
    .where("case_id", "=", caseId)
    .where("seq", "=", seq)
    .execute();
}

/** Messages of the contact's cases and messages addressed to the contact outside a case. */
export async function listContactMessages(db: Db, contactId: string, caseIds: string[]) {
  let query = db
    .selectFrom("outbox")
    .select([
      "id",
      "case_id",
      "topic",
      "channel",
      "recipient",
      "payload",
      "status",
      "last_error",
      "created_at",
      "sent_at",
    ])
    .orderBy("created_at")
    .orderBy("id");
  query = query.where((eb) =>
    eb.or([
      sql<boolean>`${eb.ref("recipient")}->>'contactId' = ${contactId}`,
      ...(caseIds.length > 0 ? [eb("case_id", "in", caseIds)] : []),
    ]),
  );
  return query.execute();
}

export async function replaceMessage(
  db: Db,
  id: string,
  values: { recipient: unknown; payload: unknown; lastError: string | null },
): Promise<void> {
  await db
    .updateTable("outbox")
    .set({
      recipient: JSON.stringify(values.recipient),
      payload: JSON.stringify(values.payload),
      last_error: values.lastError,
    })
    .where("id", "=", id)
    .execute();
}

/**
 * Messages to the contact that have not gone yet are not sent: their address is erased. One a
 * worker is sending loses its claim, so that worker cannot record it sent.
 */
export async function stopUnsentMessages(db: Db, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("outbox")
    .set({
      status: "failed",
      failed_at: now,
      claim_token: null,
      last_error: "not sent: the contact's personal data was erased",
    })
    .where("id", "in", ids)
    .where("status", "in", ["pending", "sending"])
    .execute();
}

/** Dev mailbox copies of those messages, or anything kept for the contact's address or number. */
export async function listContactDevMail(db: Db, outboxIds: string[], addresses: string[]) {
  if (outboxIds.length === 0 && addresses.length === 0) return [];
  return db
    .selectFrom("dev_mailbox")
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(outboxIds.length > 0 ? [eb("outbox_id", "in", outboxIds)] : []),
        ...(addresses.length > 0 ? [eb("recipient", "in", addresses)] : []),
      ]),
    )
    .orderBy("created_at")
    .execute();
}

/** Billing effects applied for these cases (an accepted offer's custom terms are free text). */
export async function listCaseEffects(db: Db, caseIds: string[]) {
  if (caseIds.length === 0) return [];
  return db
    .selectFrom("subscription_effects")
    .select(["effect_key", "case_id", "kind", "details", "applied_at"])
    .where("case_id", "in", caseIds)
    .orderBy("applied_at")
    .execute();
}

export async function replaceEffectDetails(
  db: Db,
  effectKey: string,
  details: unknown,
): Promise<void> {
  await db
    .updateTable("subscription_effects")
    .set({ details: JSON.stringify(details) })
    .where("effect_key", "=", effectKey)
    .execute();
}

export async function eraseDevMail(db: Db, ids: string[], placeholder: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("dev_mailbox")
    .set({ recipient: placeholder, subject: placeholder, text_body: placeholder, html_body: null })
    .where("id", "in", ids)
    .execute();
}

/**
 * Stored API answers (idempotency replays) that quote one of the words: the contact's name, email
 * and phone, and the ids and references of their cases (an answer about one of them may quote
 * free text about the contact, such as a note, that no word of theirs gives away).
 */
export async function deleteIdempotencyAnswersQuoting(db: Db, words: string[]): Promise<void> {
  if (words.length === 0) return;
  // One pass over the stored answers for all the words, not one per word.
  const patterns = words.map((word) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  await db
    .deleteFrom("idempotency_keys")
    .where(sql<boolean>`response::text ilike any (${patterns}::text[])`)
    .execute();
}

export async function markContactErased(
  db: Db,
  contactId: string,
  values: { name: string; at: Date; by: unknown },
): Promise<void> {
  await db
    .updateTable("contacts")
    .set((eb) => ({
      name: values.name,
      email: null,
      phone: null,
      // With no contact details left, nobody can act as this contact any more.
      authorised_to_cancel: false,
      erased_at: values.at,
      erased_by: JSON.stringify(values.by),
      // A change like any other: an edit made from a read before the erasure is refused.
      version: eb("version", "+", 1),
      updated_at: values.at,
    }))
    .where("id", "=", contactId)
    .execute();
}

export async function findContactErasure(db: Db, contactId: string) {
  return db
    .selectFrom("contacts")
    .select(["erased_at", "erased_by"])
    .where("id", "=", contactId)
    .executeTakeFirst();
}
