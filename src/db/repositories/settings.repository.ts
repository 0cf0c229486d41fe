// Workspace settings as key -> JSON value rows; the typed view of them lives in src/app/settings.ts.
import type { Kysely } from "kysely";
import type { Database } from "../tables/tables.ts";

type Db = Kysely<Database>;

export async function readSettingRows(db: Db): Promise<Record<string, unknown>> {
  const rows = await db.selectFrom("settings").select(["key", "value"]).execute();
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

export async function writeSettingRows(
  db: Db,
  values: Record<string, unknown>,
  updatedBy: string | null,
  now: Date,
): Promise<void> {
  const rows = Object.entries(values).map(([key, value]) => ({
    key,
    value: JSON.stringify(value),
    updated_by: updatedBy,
    updated_at: now,
  }));
  if (rows.length === 0) return;
  await db
    .insertInto("settings")
    .values(rows)
    .onConflict((oc) =>
      oc.column("key").doUpdateSet((eb) => ({
        value: eb.ref("excluded.value"),
        updated_by: eb.ref("excluded.updated_by"),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    )
    .execute();
}
