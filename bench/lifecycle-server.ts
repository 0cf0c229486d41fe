// The server bench/lifecycle.ts measures on embedded PGlite, run as a child process with an IPC
// channel (`node --import tsx bench/lifecycle-server.ts`, environment as for `canceldesk serve`).
//
// It is src/server/main.ts's startServer step for step (the configured database, migrations, the
// demo seed on a first start, buildApp with the same logger options, listen), with one addition:
// it keeps the database handle so that it can answer the bench's "latest outbox row of this case
// and topic" questions over IPC. PGlite is one folder owned by one process, so nobody else can
// read the outbox; here it is read through the same Kysely handle, behind the same transaction
// queue as the server's own work, the way a delivery worker inside this process would read it.
// Nothing here changes how requests are served. Like `serve` with WORKER=off (which the bench
// sets for both databases) it runs no outbox delivery or timers, and it serves no web app files
// (nothing under /api depends on them).
import type { AppContext } from "../src/app/context.ts";
import { seedDemo } from "../src/app/seed-demo.ts";
import { loadConfig } from "../src/config.ts";
import { migrateToLatest, openConfiguredDatabase } from "../src/db/database.ts";
import { countUsers } from "../src/db/repositories/users.repository.ts";
import { subscriptionLedger } from "../src/integrations/billing/subscription-ledger.ts";
import { buildApp } from "../src/server/app.ts";
import { loggerOptions } from "../src/server/logging.ts";

/** What the bench asks: the payload of the newest outbox row of a case with a topic. */
export interface OutboxQuestion {
  id: number;
  caseId: string;
  topic: string;
}
export type OutboxAnswer =
  | { id: number; payload: Record<string, string> }
  | { id: number; error: string };

if (!process.send) throw new Error("run bench/lifecycle-server.ts from bench/lifecycle.ts (IPC)");

const config = loadConfig(process.env);
const handle = await openConfiguredDatabase(config);
await migrateToLatest(handle.db);
if ((await countUsers(handle.db)) === 0 && config.seedDemoOnFirstStart)
  await seedDemo(handle.db, { sessionSecret: config.sessionSecret, publicUrl: config.publicUrl });
const ctx: AppContext = {
  db: handle.db,
  now: () => new Date(),
  sessionSecret: config.sessionSecret,
  billing: subscriptionLedger,
};
const app = await buildApp({
  ctx,
  publicUrl: config.publicUrl,
  trustProxy: config.trustProxy,
  logger: loggerOptions(config.logLevel),
});
await app.listen({ port: config.port, host: config.host });

process.on("message", (message: OutboxQuestion) => {
  handle.db
    .selectFrom("outbox")
    .select("payload")
    .where("case_id", "=", message.caseId)
    .where("topic", "=", message.topic)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst()
    .then(
      (row): OutboxAnswer =>
        row
          ? { id: message.id, payload: row.payload as Record<string, string> }
          : { id: message.id, error: `no ${message.topic} message for case ${message.caseId}` },
      (error: unknown): OutboxAnswer => ({ id: message.id, error: String(error) }),
    )
    .then((answer) => process.send?.(answer));
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await app.close();
  await handle.close();
  process.disconnect?.();
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());
// The bench went away: do not outlive it.
process.once("disconnect", () => void stop());
