// Frozen: each claim of an Idempotency-Key gets a token of its own, so a request can tell its
// claim from a takeover by a retry of the same request (same key, same request hash) and write
// the case only while the claim is still its own.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table idempotency_keys add column claim_token uuid`.execute(db);
}
