// Hot statements are compiled once and bound to each call's values (both databases), and on
// PostgreSQL they are named prepared statements, parsed once per connection
// (src/db/prepared-statements.ts).
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../src/db/database.ts";
import { compileOnce } from "../src/db/prepared-statements.ts";
import { createTestDatabase, testDbKind } from "./db.ts";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(() => handle?.close());

const plansCheaperThan = compileOnce((db, currency: string, maxPriceMinor: number) =>
  db
    .selectFrom("plans")
    .select(["code", "monthly_price_minor"])
    .where("currency", "=", currency)
    .where("monthly_price_minor", "<", maxPriceMinor)
    .orderBy("monthly_price_minor")
    .limit(10),
);

describe("statements compiled once", () => {
  it("binds each call's own values, and keeps the builder's constants", async () => {
    await handle.db
      .insertInto("plans")
      .values([
        { code: "p-small", name: "Small", monthly_price_minor: 1_000, currency: "USD" },
        { code: "p-large", name: "Large", monthly_price_minor: 9_000, currency: "USD" },
        { code: "p-euro", name: "Euro", monthly_price_minor: 500, currency: "EUR" },
      ])
      .execute();
    const codes = async (currency: string, max: number) =>
      (await plansCheaperThan(handle.db, currency, max)).rows.map((r) => r.code);
    expect(await codes("USD", 5_000)).toEqual(["p-small"]);
    expect(await codes("USD", 10_000)).toEqual(["p-small", "p-large"]);
    expect(await codes("EUR", 10_000)).toEqual(["p-euro"]);
    expect(await codes("GBP", 10_000)).toEqual([]);
  });

  it("refuses a builder that does not pass an argument through as a parameter", async () => {
    const broken = compileOnce((db, name: string) =>
      db.selectFrom("plans").select("code").where("name", "=", name.toString()),
    );
    await expect(broken(handle.db, "Small")).rejects.toThrow(/did not become parameters/);
  });

  it(
    testDbKind === "postgres"
      ? "runs as a named prepared statement on PostgreSQL, parsed once per connection"
      : "runs unnamed on PGlite, which is in-process and has no network round trip to save",
    async () => {
      // One connection, so the statement and the catalogue read share it.
      await handle.db.connection().execute(async (db) => {
        const runs = async () => {
          const { rows } = await sql<{ runs: number }>`
            select coalesce(sum(generic_plans + custom_plans), 0)::int as runs
            from pg_prepared_statements
            where statement like '%from "plans"%' and name like 'cd_%'`.execute(db);
          return rows[0]!.runs;
        };
        const before = await runs();
        for (let i = 0; i < 7; i++) await plansCheaperThan(db, "USD", 5_000 + i);
        if (testDbKind === "pglite") {
          expect(await runs()).toBe(0);
          return;
        }
        expect(await runs()).toBe(before + 7);
        const prepared = await sql<{ generic_plans: number }>`
          select generic_plans::int from pg_prepared_statements
          where statement like '%from "plans"%' and name like 'cd_%'`.execute(db);
        // One statement, parsed once; PostgreSQL settles on a generic plan after five custom ones.
        expect(prepared.rows).toHaveLength(1);
        expect(prepared.rows[0]!.generic_plans).toBeGreaterThan(0);
      });
    },
  );
});
