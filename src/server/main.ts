// Starts CancelDesk: opens the database (embedded PGlite unless DATABASE_URL is given), applies
// migrations, seeds demo data on the first start of an empty embedded database, listens, and
// shuts down gracefully on SIGINT/SIGTERM (in-flight requests finish, the database closes).

import type { AppContext } from "../app/context.ts";
import { seedDemo } from "../app/seed-demo.ts";
import { assertSessionSecretMatches } from "../app/session-secret.ts";
import { assertDeliveryConfigured, assertPublicUrlConfigured, type Config } from "../config.ts";
import { migrateToLatest, openConfiguredDatabase } from "../db/database.ts";
import { countUsers } from "../db/repositories/users.repository.ts";
import { subscriptionLedger } from "../integrations/billing/subscription-ledger.ts";
import { startBackgroundWork } from "../jobs/background.ts";
import { buildApp } from "./app.ts";
import { loggerOptions } from "./logging.ts";
import { DEFAULT_WEB_ROOT } from "./routes/web/web-app.routes.ts";

export async function startServer(
  config: Config,
): Promise<{ url: string; stop: () => Promise<void> }> {
  assertPublicUrlConfigured(config);
  if (config.worker) assertDeliveryConfigured(config);
  const handle = await openConfiguredDatabase(config);
  await migrateToLatest(handle.db);
  await assertSessionSecretMatches(handle.db, config.sessionSecret);

  // Decided under a lock inside the seed: servers starting together seed an empty database once.
  const signIns =
    config.seedDemoOnFirstStart && (await countUsers(handle.db)) === 0
      ? (
          await seedDemo(handle.db, {
            onlyIfEmpty: true,
            sessionSecret: config.sessionSecret,
            publicUrl: config.publicUrl,
            // On PostgreSQL another server or worker may start while they are made.
            sampleCases: handle.kind === "pglite",
          })
        ).signIns
      : [];

  const ctx: AppContext = {
    db: handle.db,
    now: () => new Date(),
    sessionSecret: config.sessionSecret,
    billing: subscriptionLedger,
  };
  let stopping: Promise<void> | undefined;
  const app = await buildApp({
    ctx,
    publicUrl: config.publicUrl,
    webRoot: DEFAULT_WEB_ROOT,
    smsCallbackSecret: config.smsCallbackSecret,
    trustProxy: config.trustProxy,
    logger: loggerOptions(config.logLevel),
    isStopping: () => stopping !== undefined,
  });
  const address = await app.listen({ port: config.port, host: config.host });
  // Delivery and timers start once the server listens, and stop before the database closes.
  const background = config.worker
    ? startBackgroundWork(ctx, config, app.log.child({ component: "worker" }))
    : undefined;

  const database = handle.kind === "pglite" ? `embedded PGlite in ${config.dataDir}` : "PostgreSQL";
  const lines = [
    `CancelDesk is running at ${config.publicUrl} (listening on ${address}, ${database}).`,
  ];
  lines.push(`API reference: ${config.publicUrl}/api/docs`);
  if (signIns.length) {
    lines.push("Demo data was created. Sign in with one of these:");
    for (const s of signIns)
      lines.push(`  ${s.role.padEnd(16)} ${s.email.padEnd(34)} ${s.password}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);

  const stop = () => {
    // /readyz says "stopping" at once; requests in flight and deliveries in flight finish side
    // by side (a slow mail server no longer holds up the HTTP side), then the database closes.
    stopping ??= (async () => {
      await Promise.all([background?.stop(), app.close()]);
      await handle.close();
    })();
    return stopping;
  };
  return { url: config.publicUrl, stop };
}
