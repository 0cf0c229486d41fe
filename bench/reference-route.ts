// The yardstick of issue 3, measured here rather than quoted: a plain Fastify route that runs one
// Kysely transaction with one INSERT on PostgreSQL, driven by the same HTTP client, clients and
// machine as bench/lifecycle.ts. STACK.md gives about 2,900-3,200 requests/s for it (with
// autocannon); the target for case commands is half of it. Printing the CPU each side used says
// how much of the two cores one such request costs, next to what a case command costs.
//
//   npx tsx bench/reference-route.ts [--seconds S] [--concurrency C] [--database-url URL]
//
// The server is a child process (this file with --serve), on a fresh schema of the `test`
// database (dropped afterwards) holding one table; WORKER, sessions and the rest of CancelDesk
// are not involved.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Fastify from "fastify";
import { type Generated, Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { cpuSecondsOf, freePort, machineTicks, percentile, send } from "./support.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "8" },
    "database-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/test" },
    serve: { type: "string" },
    schema: { type: "string" },
  },
});

interface EventsTable {
  id: Generated<number>;
  body: string;
}

function openPool(url: string, schema: string) {
  const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
  return new Kysely<{ events: EventsTable }>({ dialect: new PostgresDialect({ pool }) });
}

async function serve(port: number, url: string, schema: string) {
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

async function main() {
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600)
    throw new Error("--seconds: 1-600");
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new Error("--concurrency: 1-256");
  }
  const url = values["database-url"]!;
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
      fileURLToPath(import.meta.url),
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
    const benchCpu = (bench.user + bench.system) / 1e6;
    const machineAfter = machineTicks();
    const busy =
      machineBefore && machineAfter
        ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)
        : Number.NaN;
    const perSecond = latencies.length / wall;
    const ms = (x: number) => x.toFixed(1);
    console.log(
      `reference route (Fastify, one Kysely INSERT transaction, PostgreSQL), ${concurrency} clients, ${seconds} s\n` +
        `requests/s ${perSecond.toFixed(0)}   p50/p95/p99 ${ms(percentile(latencies, 50))}/${ms(percentile(latencies, 95))}/${ms(percentile(latencies, 99))} ms\n` +
        `CPU per request: server ${((1_000 * serverCpu) / latencies.length).toFixed(3)} ms, ` +
        `load generator ${((1_000 * benchCpu) / latencies.length).toFixed(3)} ms; ` +
        `whole machine ${(100 * busy).toFixed(0)}% busy across 2 cores ` +
        `(the rest of the busy time is PostgreSQL's and the system's)\n` +
        `half of it, the case commands' target: ${(perSecond / 2).toFixed(0)} commands/s (STACK.md: about 3,200/s -> 1,600)`,
    );
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
    await admin.destroy();
  }
}

if (values.serve) {
  await serve(Number(values.serve), values["database-url"]!, values.schema!);
} else {
  await main();
}
