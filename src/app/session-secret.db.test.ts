// One session secret per deployment: the first process records its fingerprint, a process with
// another refuses to start naming SESSION_SECRET, and a deliberate change is recorded by migrate.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/db.ts";
import { ConfigError } from "../config.ts";
import type { DatabaseHandle } from "../db/database.ts";
import { assertSessionSecretMatches } from "./session-secret.ts";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(() => handle?.close());

const FIRST = "the-first-session-secret-0123456789abcdef";
const OTHER = "a-different-session-secret-0123456789abcd";

describe("the session secret", () => {
  it("is the one the database was set up with, or the process stops naming SESSION_SECRET", async () => {
    await assertSessionSecretMatches(handle.db, FIRST);
    await assertSessionSecretMatches(handle.db, FIRST);
    const refused = await assertSessionSecretMatches(handle.db, OTHER).catch((error) => error);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).variable).toBe("SESSION_SECRET");
    expect((refused as Error).message).toMatch(/canceldesk migrate --new-session-secret/);
    // Only a fingerprint is kept, never the secret.
    const stored = await handle.db.selectFrom("deployment_facts").select("value").execute();
    expect(JSON.stringify(stored)).not.toContain(FIRST);

    await assertSessionSecretMatches(handle.db, OTHER, { acceptNew: true });
    await assertSessionSecretMatches(handle.db, OTHER);
    await expect(assertSessionSecretMatches(handle.db, FIRST)).rejects.toBeInstanceOf(ConfigError);
  });
});
