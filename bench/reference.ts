// The yardstick of issue 3, measured rather than quoted: a plain Fastify route that runs one Kysely
// transaction with one INSERT on PostgreSQL, driven by the same HTTP client, clients and machine as
// bench/lifecycle.ts. STACK.md gives about 2,900-3,200 requests/s for it (with autocannon) and
// calls its figures ratios, not promises: on the machines of later sessions the same route
// measured from about 1,800 to 3,800 requests/s. So the target (case commands at half of it) is
// judged against this route measured on the same machine just before, not against the figure.
//
// The server is a child process (bench/reference-route.ts --serve), on a fresh schema of the
// given database (dropped afterwards) holding one table; sessions and the rest of CancelDesk are
// not involved.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { type Generated, Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import {
  busyPercentBetween,
  cpuSecondsOf,
  freePort,
  machineTicks,
  percentile,
  send,
} from "./support.ts";

interface EventsTable {
  id: Generated<number>;
  body: string;
}

const SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "reference-route.ts");

function openPool(url: string, schema: string) {
  const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
  return new Kysely<{ events: EventsTable }>({ dialect: new PostgresDialect({ pool }) });
}

/** The reference server itself (run in the child process). */
export async function serveReference(port: number, url: string, schema: string): Promise<void> {
  const db = openPool(url, schema);
  const app = Fastify();
  app.post(
    "/events",
    {
      schema: {
        body: {
          type: "object",
          required: ["kind"],
          properties: { kind: { type: "string", maxLength: 50 }, n: { type: "integer" } },
        },
      },
    },
    async (request) => {
      await db.transaction().execute((trx) =>
        trx
          .insertInto("events")
          .values({ body: JSON.stringify(request.body) })
          .execute(),
      );
      return { ok: true };
    },
  );
  await app.listen({ port, host: "127.0.0.1" });
  process.on("SIGTERM", () => {
    void app.close().then(() => db.destroy().then(() => process.exit(0)));
  });
}

export interface ReferenceFigures {
  seconds: number;
  concurrency: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** CPU milliseconds per request of the server process and of the load generator. */
  serverMsPerRequest: number;
  loadGeneratorMsPerRequest: number;
  machineBusyPercent: number;
}

/** Runs the reference route for `seconds` (after 2 s of warm-up) and answers its figures. */
export async function measureReference(options: {
  seconds: number;
  concurrency: number;
  databaseUrl: string;
}): Promise<ReferenceFigures> {
  const { seconds, concurrency, databaseUrl: url } = options;
  const schema = `bench_ref_${randomBytes(4).toString("hex")}`;
  const admin = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  await sql`create table ${sql.id(schema)}.events (
    id bigserial primary key, at timestamptz not null default now(), body jsonb not null)`.execute(
    admin,
  );
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      SERVER_SCRIPT,
      "--serve",
      String(port),
      "--schema",
      schema,
      "--database-url",
      url,
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  try {
    const base = `http://127.0.0.1:${port}`;
    const post = () =>
      send(
        `${base}/events`,
        "POST",
        { "content-type": "application/json" },
        JSON.stringify({ kind: "cancellation_requested", n: 1 }),
      );
    for (let i = 0; ; i++) {
      try {
        if ((await post()).status === 200) break;
      } catch {
        if (i > 300) throw new Error("the reference server did not start");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const run = async (ms: number) => {
      const latencies: number[] = [];
      const until = performance.now() + ms;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < until) {
            const started = performance.now();
            const answer = await post();
            if (answer.status !== 200) throw new Error(`${answer.status} ${answer.text}`);
            latencies.push(performance.now() - started);
          }
        }),
      );
      return latencies;
    };
    await run(2_000); // warm-up: JIT, connections, the table's first pages
    const serverBefore = cpuSecondsOf(child.pid);
    const benchBefore = process.cpuUsage();
    const machineBefore = machineTicks();
    const started = performance.now();
    const latencies = (await run(seconds * 1_000)).sort((a, b) => a - b);
    const wall = (performance.now() - started) / 1_000;
    const serverCpu = (cpuSecondsOf(child.pid) ?? Number.NaN) - (serverBefore ?? Number.NaN);
    const bench = process.cpuUsage(benchBefore);
    const machineAfter = machineTicks();
    return {
      seconds,
      concurrency,
      perSecond: latencies.length / wall,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      serverMsPerRequest: (1_000 * serverCpu) / latencies.length,
      loadGeneratorMsPerRequest: (bench.user + bench.system) / 1_000 / latencies.length,
      machineBusyPercent: busyPercentBetween(machineBefore, machineAfter) ?? Number.NaN,
    };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
    await admin.destroy();
  }
}

/** The figures as the benches print them. */
export function describeReference(r: ReferenceFigures): string {
  const ms = (x: number) => x.toFixed(1);
  return (
    `reference route (Fastify, one Kysely INSERT transaction, PostgreSQL), ${r.concurrency} clients, ${r.seconds} s\n` +
    `requests/s ${r.perSecond.toFixed(0)}   p50/p95/p99 ${ms(r.p50)}/${ms(r.p95)}/${ms(r.p99)} ms\n` +
    `CPU per request: server ${r.serverMsPerRequest.toFixed(3)} ms, ` +
    `load generator ${r.loadGeneratorMsPerRequest.toFixed(3)} ms; ` +
    `whole machine ${r.machineBusyPercent.toFixed(0)}% busy across 2 cores ` +
    `(the rest of the busy time is PostgreSQL's and the system's)`
  );
}
