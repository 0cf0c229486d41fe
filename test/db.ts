// A clean, migrated database for one test file: a copy of the PGlite template, or a schema of
// its own on the PostgreSQL server named by TEST_DATABASE_URL (dropped afterwards).
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "kysely";
import { inject } from "vitest";
import {
  type DatabaseHandle,
  migrateToLatest,
  openDatabase,
  pgliteExtensions,
  pgliteParsers,
} from "../src/db/database.ts";

export const testDbKind = process.env.TEST_DB_KIND === "postgres" ? "postgres" : "pglite";

/** A schema of its own on the PostgreSQL server named by TEST_DATABASE_URL, dropped on close. */
async function schemaOfItsOwn(poolSize: number): Promise<DatabaseHandle & { schema: string }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is not set");
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = await openDatabase({ kind: "postgres", url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
  const handle = await openDatabase({ kind: "postgres", url, schema, poolSize });
  return {
    ...handle,
    schema,
    close: async () => {
      await handle.close();
      const cleanup = await openDatabase({ kind: "postgres", url, poolSize: 1 });
      await sql`drop schema ${sql.id(schema)} cascade`.execute(cleanup.db);
      await cleanup.close();
    },
  };
}

export async function createTestDatabase(): Promise<DatabaseHandle> {
  if (testDbKind === "postgres") {
    const handle = await schemaOfItsOwn(8);
    await migrateToLatest(handle.db, handle.schema);
    return handle;
  }
  const template = readFileSync(inject("pgliteTemplate"));
  const pg = await PGlite.create({
    parsers: pgliteParsers,
    extensions: pgliteExtensions,
    loadDataDir: new Blob([template]),
  });
  return openDatabase({ kind: "pglite", instance: pg });
}

/** A database with no migrations applied (for upgrade tests): PGlite in memory, or a new schema. */
export async function createEmptyTestDatabase(): Promise<DatabaseHandle & { schema?: string }> {
  if (testDbKind === "postgres") return schemaOfItsOwn(2);
  const pg = await PGlite.create({ parsers: pgliteParsers, extensions: pgliteExtensions });
  return openDatabase({ kind: "pglite", instance: pg });
}
