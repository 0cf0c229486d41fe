// Migrations run on databases that already hold data, not only on the empty ones tests start
// from: an upgrade from an earlier version with a real analytics rollup (many rows a day).
import { Migrator, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmptyTestDatabase } from "../../../test/db.ts";
import { type DatabaseHandle, migrateToLatest } from "../database.ts";
import { migrationProvider } from "./migrations.ts";

let handle: DatabaseHandle & { schema?: string };
beforeAll(async () => {
  handle = await createEmptyTestDatabase();
});
afterAll(() => handle?.close());

describe("upgrading a database with an analytics rollup", () => {
  it("queues each rolled-up day once for the rebuild the new rollup shape needs", async () => {
    const migrationTableSchema =
      handle.schema ??
      (await sql<{ s: string }>`select current_schema() as s`.execute(handle.db)).rows[0]!.s;
    const before = new Migrator({
      db: handle.db,
      provider: migrationProvider,
      migrationTableSchema,
    });
    const { error } = await before.migrateTo("0015-skipped-messages");
    expect(error).toBeUndefined();
    // Three days of rollup, fifty rows each, in the shape before 0016.
    await sql`insert into analytics_daily (day, metric, k1, k2, k3, bin, n, v1, v2)
      select date '2026-03-01' + d, 'outcome', 'USD', 'k' || k, '', -1, 1, 0, 0
      from generate_series(0, 2) as d, generate_series(1, 50) as k`.execute(handle.db);

    const applied = await migrateToLatest(handle.db, handle.schema);
    expect(applied).toContain("0018-save-validation-after-offer");
    const queued = await sql<{ day: string }>`
      select to_char(day, 'YYYY-MM-DD') as day from analytics_dirty_days order by day`.execute(
      handle.db,
    );
    expect(queued.rows.map((r) => r.day)).toEqual(["2026-03-01", "2026-03-02", "2026-03-03"]);
  });
});

describe("upgrading a database with accounts and contacts", () => {
  it("starts the accounts and contacts already there at version 1", async () => {
    const own = await createEmptyTestDatabase();
    try {
      const migrationTableSchema =
        own.schema ??
        (await sql<{ s: string }>`select current_schema() as s`.execute(own.db)).rows[0]!.s;
      const before = new Migrator({
        db: own.db,
        provider: migrationProvider,
        migrationTableSchema,
      });
      const { error } = await before.migrateTo("0021-deployment-facts");
      expect(error).toBeUndefined();
      await sql`with a as (insert into accounts (name) values ('Northwind') returning id)
        insert into contacts (account_id, name, email, role)
        select id, 'Dana', 'dana@northwind.example', 'owner' from a`.execute(own.db);

      const applied = await migrateToLatest(own.db, own.schema);
      expect(applied).toContain("0022-account-contact-versions");
      const versions = await sql<{ account: number; contact: number }>`
        select a.version as account, c.version as contact
        from accounts a join contacts c on c.account_id = a.id`.execute(own.db);
      expect(versions.rows).toEqual([{ account: 1, contact: 1 }]);
    } finally {
      await own.close();
    }
  });
});
