import type { Kysely } from "kysely";
import type { Database } from "../tables/tables.ts";

type Db = Kysely<Database>;

export type IdempotencyClaim =
  | { kind: "claimed" }
  | { kind: "replay"; statusCode: number; response: unknown }
  | { kind: "in_progress" }
  | { kind: "mismatch" };

/**
 * Claims (principal, key) for a request. The first caller gets `claimed`; a repeat gets the stored
 * answer, or `in_progress` while the first is still running, or `mismatch` when the same key
 * comes with a different request. A claim left by a crashed request (claimed before
 * `staleBefore`) may be taken over. Times are the server's clock, like the purge's.
 */
export async function claimIdempotencyKey(
  db: Db,
  principal: string,
  key: string,
  requestHash: string,
  now: Date,
  staleBefore: Date,
): Promise<IdempotencyClaim> {
  const inserted = await db
    .insertInto("idempotency_keys")
    .values({ principal, key, request_hash: requestHash, created_at: now })
    .onConflict((oc) =>
      oc
        .columns(["principal", "key"])
        .doUpdateSet({ request_hash: requestHash, created_at: now })
        .where("idempotency_keys.status_code", "is", null)
        .where("idempotency_keys.created_at", "<", staleBefore),
    )
    .returning("key")
    .executeTakeFirst();
  if (inserted) return { kind: "claimed" };
  const existing = await db
    .selectFrom("idempotency_keys")
    .select(["request_hash", "status_code", "response"])
    .where("principal", "=", principal)
    .where("key", "=", key)
    .executeTakeFirst();
  if (!existing) return { kind: "in_progress" };
  if (existing.request_hash !== requestHash) return { kind: "mismatch" };
  if (existing.status_code === null) return { kind: "in_progress" };
  return { kind: "replay", statusCode: existing.status_code, response: existing.response };
}

/**
 * Keeps the answer of the claimed request, only while the claim is still this request's: a repeat
 * that took over a stale claim must not be answered with another request's answer.
 */
export async function storeIdempotentResponse(
  db: Db,
  claim: { principal: string; key: string; requestHash: string },
  statusCode: number,
  response: unknown,
): Promise<void> {
  await db
    .updateTable("idempotency_keys")
    .set({ status_code: statusCode, response: JSON.stringify(response) })
    .where("principal", "=", claim.principal)
    .where("key", "=", claim.key)
    .where("request_hash", "=", claim.requestHash)
    .where("status_code", "is", null)
    .execute();
}

/** Forgets keys claimed before `before`: a repeat after that runs again. */
export async function purgeIdempotencyKeys(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom("idempotency_keys")
    .where("created_at", "<", before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Lets a retry run again: only a claim with no answer (a write may have stored its own). */
export async function releaseIdempotencyKey(db: Db, principal: string, key: string): Promise<void> {
  await db
    .deleteFrom("idempotency_keys")
    .where("principal", "=", principal)
    .where("key", "=", key)
    .where("status_code", "is", null)
    .execute();
}
