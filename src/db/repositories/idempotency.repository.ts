import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../tables/tables.ts";

type Db = Kysely<Database>;

export type IdempotencyClaim =
  /** `token` names this claim: a takeover of the key by a retry gets another. */
  | { kind: "claimed"; token: string }
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
  const token = randomUUID();
  const inserted = await db
    .insertInto("idempotency_keys")
    .values({ principal, key, request_hash: requestHash, created_at: now, claim_token: token })
    .onConflict((oc) =>
      oc
        .columns(["principal", "key"])
        .doUpdateSet({ request_hash: requestHash, created_at: now, claim_token: token })
        .where("idempotency_keys.status_code", "is", null)
        .where("idempotency_keys.created_at", "<", staleBefore),
    )
    .returning("key")
    .executeTakeFirst();
  if (inserted) return { kind: "claimed", token };
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
  claim: { principal: string; key: string; token: string },
  statusCode: number,
  response: unknown,
): Promise<void> {
  await db
    .updateTable("idempotency_keys")
    .set({ status_code: statusCode, response: JSON.stringify(response) })
    .where("principal", "=", claim.principal)
    .where("key", "=", claim.key)
    .where("claim_token", "=", claim.token)
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

/**
 * Lets a retry run again: only this request's claim, and only with no answer (a write may have
 * stored its own, or a retry taken the claim over).
 */
export async function releaseIdempotencyKey(
  db: Db,
  claim: { principal: string; key: string; token: string },
): Promise<void> {
  await db
    .deleteFrom("idempotency_keys")
    .where("principal", "=", claim.principal)
    .where("key", "=", claim.key)
    .where("claim_token", "=", claim.token)
    .where("status_code", "is", null)
    .execute();
}
