// Opens the database the configuration names, for commands that need one.
import { existsSync } from "node:fs";
import path from "node:path";
import { type Config, ConfigError } from "../config.ts";
import { type DatabaseHandle, openConfiguredDatabase } from "../db/database.ts";

/**
 * `create`: the command may make a new embedded database (migrate, seed). Every other command
 * on a DATA_DIR without one stops instead: a mistyped DATA_DIR would otherwise get a fresh empty
 * database, where `audit verify` reports all is well and `user create` or `import` write into a
 * database nobody uses.
 */
export async function withDatabase<T>(
  config: Config,
  use: (handle: DatabaseHandle) => Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  if (
    !options.create &&
    config.databaseUrl === undefined &&
    !existsSync(path.join(config.dataDir, "pglite", "PG_VERSION"))
  ) {
    throw new ConfigError(
      "DATA_DIR",
      `there is no CancelDesk database in ${config.dataDir}: point DATA_DIR at the server's, or run "canceldesk migrate" to create one there`,
    );
  }
  const handle = await openConfiguredDatabase(config, { poolSize: 2 });
  try {
    return await use(handle);
  } finally {
    await handle.close();
  }
}
