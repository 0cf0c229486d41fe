// Opens the database the configuration names, for commands that need one.
import type { Config } from "../config.ts";
import { type DatabaseHandle, openConfiguredDatabase } from "../db/database.ts";

export async function withDatabase<T>(
  config: Config,
  use: (handle: DatabaseHandle) => Promise<T>,
): Promise<T> {
  const handle = await openConfiguredDatabase(config, { poolSize: 2 });
  try {
    return await use(handle);
  } finally {
    await handle.close();
  }
}
