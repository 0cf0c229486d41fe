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
