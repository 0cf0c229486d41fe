// Opens the database CancelDesk runs on: embedded PGlite in a folder by default, PostgreSQL when
// a connection string is given. Both speak the same SQL through Kysely's PostgreSQL compiler.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite, types } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { Kysely, Migrator, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { migrationProvider } from "./migrations/migrations.ts";
import { PGliteDialect } from "./pglite-dialect.ts";
import { PreparingClient } from "./prepared-statements.ts";
import type { Database } from "./tables/tables.ts";

export type DatabaseKind = "pglite" | "postgres";

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | {
      kind: "postgres";
      url: string;
      schema?: string;
      poolSize?: number;
      /** An idle connection the server dropped (a restart, a failover, an idle timeout). */
      onConnectionLost?: (error: Error) => void;
    }
  | { kind: "pglite"; dataDir: string }
  | { kind: "pglite"; instance: PGlite };

/** int8 as text on both databases, so a count or an amount has one type whichever runs. */
export const pgliteParsers = { [types.INT8]: (value: string) => value };

/** Extensions the migrations use (PGlite loads them only when asked; PostgreSQL ships them). */
export const pgliteExtensions = { pg_trgm };

export async function openPGlite(dataDir: string): Promise<PGlite> {
  // PGlite creates only the last folder of the path.
  mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  return PGlite.create(dataDir, { parsers: pgliteParsers, extensions: pgliteExtensions });
}

/** Another process (or handle) already has the embedded database open. */
export class DataFolderInUseError extends Error {
  // A system error's shape, so the CLI prints the sentence alone (src/cli/run-cli.ts).
  readonly code = "ELOCKED";
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One process at a time on an embedded database: PGlite keeps no lock of its own, and a second
 * process on the same folder neither sees the first one's writes nor leaves the folder readable.
 * A lock file beside the folder holds the owner's pid; one left by a process that died is taken
 * over. Answers the release.
 */
const heldLocks = new Set<string>();

export function lockDataFolder(dataDir: string): () => void {
  const lockFile = `${path.resolve(dataDir)}.lock`;
  mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: "wx" });
      heldLocks.add(lockFile);
      return () => {
        heldLocks.delete(lockFile);
        try {
          unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(lockFile, "utf8").trim());
      // Our own pid on a lock this process does not hold is a lock left by an earlier process
      // that had the same pid (a container's pid 1 after a restart).
      const alive =
        owner === process.pid
          ? heldLocks.has(lockFile)
          : Number.isInteger(owner) && owner > 0 && isRunning(owner);
      if (alive) {
        throw new DataFolderInUseError(
          `the embedded database in ${path.dirname(lockFile)} is in use by process ${owner} (a running server or command): stop it first, or run several processes against PostgreSQL (DATABASE_URL)`,
        );
      }
      unlinkSync(lockFile); // left by a process that is gone
    }
  }
  throw new DataFolderInUseError(`could not lock ${lockFile}`);
}

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === "postgres") {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      // Hot statements are prepared once per connection (src/db/prepared-statements.ts).
      Client: PreparingClient,
      ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
      // A server that does not answer is an error after 10 s, not a request that waits for ever;
      // keep-alive notices a connection a network partition has silently cut.
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    // pg drops an idle client whose connection the server ended; unheard, the pool's 'error'
    // event would end the process.
    pool.on("error", (error) => {
      if (target.onConnectionLost) target.onConnectionLost(error);
      else process.emitWarning(`PostgreSQL dropped an idle connection: ${error.message}`);
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: "postgres", close: () => db.destroy() };
  }
  const release = "instance" in target ? () => {} : lockDataFolder(target.dataDir);
  let instance: PGlite;
  try {
    instance = "instance" in target ? target.instance : await openPGlite(target.dataDir);
  } catch (error) {
    release();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(instance) });
  return {
    db,
    kind: "pglite",
    close: async () => {
      await db.destroy();
      if (!instance.closed) await instance.close();
      release();
    },
  };
}

/**
 * `schema` names where the migration bookkeeping lives when the database is not in `public`
 * (each test file gets a schema of its own); Kysely would otherwise find another schema's.
 */
/** The database the configuration names; the server and every CLI command open the same one. */
export function openConfiguredDatabase(
  config: { databaseUrl: string | undefined; dataDir: string },
  options: { poolSize?: number } = {},
): Promise<DatabaseHandle> {
  return config.databaseUrl
    ? openDatabase({
        kind: "postgres",
        url: config.databaseUrl,
        ...(options.poolSize ? { poolSize: options.poolSize } : {}),
      })
    : openDatabase({ kind: "pglite", dataDir: path.join(config.dataDir, "pglite") });
}

export async function migrateToLatest(db: Kysely<Database>, schema?: string): Promise<string[]> {
  // Kysely's Migrator looks for its bookkeeping tables in every schema: with another schema of the
  // same database migrated (a test's, a bench's), it would skip creating them in ours and fail.
  const migrationTableSchema =
    schema ??
    (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]!.schema;
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Whether the database answers within `withinMs` (a readiness probe must not wait on it). */
export async function isDatabaseReachable(
  db: Kysely<Database>,
  withinMs = 2_000,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      sql`select 1`.execute(db).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), withinMs);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
