// Every server and worker must sign customers' links and derive their codes with one secret: a
// process with another sends links that open nothing and codes that never match, and refuses its
// colleagues' CSRF tokens. The database keeps a fingerprint of the secret it was first used with
// (an HMAC of a constant, from which the secret cannot be had back), and a process with another
// stops at start naming SESSION_SECRET.
import { sql } from "kysely";
import { ConfigError } from "../config.ts";
import type { Db } from "./context.ts";
import { hmac } from "./secrets.ts";

const FACT = "session_secret_fingerprint";

function fingerprintOf(secret: string): string {
  return hmac(secret, "canceldesk:session-secret-fingerprint:v1");
}

/**
 * Records the secret's fingerprint on first use, and refuses a different secret after that.
 * `acceptNew` records this one instead (a deliberate rotation: links, codes and sessions made
 * with the old secret stop working).
 */
export async function assertSessionSecretMatches(
  db: Db,
  secret: string,
  options: { acceptNew?: boolean } = {},
): Promise<void> {
  const fingerprint = fingerprintOf(secret);
  if (options.acceptNew) {
    await sql`insert into deployment_facts (name, value) values (${FACT}, ${fingerprint})
      on conflict (name) do update set value = excluded.value, recorded_at = now()`.execute(db);
    return;
  }
  await sql`insert into deployment_facts (name, value) values (${FACT}, ${fingerprint})
    on conflict (name) do nothing`.execute(db);
  const recorded = await db
    .selectFrom("deployment_facts")
    .select("value")
    .where("name", "=", FACT)
    .executeTakeFirstOrThrow();
  if (recorded.value !== fingerprint) {
    throw new ConfigError(
      "SESSION_SECRET",
      "is not the secret this database was set up with: customers' links and codes made by the other servers would not work here, nor these there. Give every server and worker the same value; to change it on purpose, stop them all and run `canceldesk migrate --new-session-secret` (links, codes and sessions made with the old secret stop working)",
    );
  }
}
