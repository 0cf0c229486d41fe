// Times the staff desk's reads at volume (issue 6, "Scale"): queue pages, search, a case view and
// every analytics report, over HTTP against a real server on PostgreSQL holding N seeded cases.
//
//   npx tsx bench/queries.ts [--cases N] [--reseed] [--database-url URL] [--requests R]
//                            [--concurrency C] [--only queue|search|view|analytics]
//
// - The database is a dedicated one (default postgres://postgres@127.0.0.1:5432/canceldesk_bench),
//   created when missing, migrated, and seeded with N cases by the volume seeder
//   (src/app/seed-volume.ts, default 1,000,000) plus the analytics rows. A database that already
//   holds N seeded cases is reused (the seed time of that run is kept in the database's comment);
//   --reseed drops and seeds it again. The `test` database is refused.
// - The server is the real entry point (`src/cli/main.ts serve`) in a child process with WORKER=off
//   and its own port, so the load generator and the server do not share an event loop. An AM, a
//   CSM and an admin of the seed sign in (the demo password).
// - Each query is warmed up, then run R times one after another (latency of one user), then by C
//   clients at once (each client R requests, round-robin over all queries). Search terms, cases and
//   later-page cursors rotate over 20 samples, so it is not one cached row over and over.
// - Targets (issue 6): queue pages and search under 50 ms at p95, each analytics report under
//   500 ms at p95, judged on the sequential run. The machine's load average is printed before and
//   after: the two cores are shared, so figures taken while tests run elsewhere are noisy.
// - --only KIND times one kind of query (e.g. `--only search` while working on search); the
//   default times them all.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import { backfillCaseMetrics } from "../src/app/record-case-metrics.ts";
import { DEMO_PASSWORD } from "../src/app/seed-demo.ts";
import { seedVolume } from "../src/app/seed-volume.ts";
import { type DatabaseHandle, migrateToLatest, openDatabase } from "../src/db/database.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const QUEUE_TARGET_MS = 50;
const ANALYTICS_TARGET_MS = 500;
const SAMPLES = 20;

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "1000000" },
    reseed: { type: "boolean", default: false },
    "database-url": {
      type: "string",
      default: "postgres://postgres@127.0.0.1:5432/canceldesk_bench",
    },
    requests: { type: "string", default: "40" },
    concurrency: { type: "string", default: "4" },
    only: { type: "string" },
  },
});
const cases = Number(values.cases);
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
if (!Number.isSafeInteger(cases) || cases < 1) throw new Error("--cases: a whole number, please");
if (!Number.isSafeInteger(requests) || requests < 1) throw new Error("--requests: whole number");
if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new Error("--concurrency: whole");
const KINDS = ["queue", "search", "view", "analytics"] as const;
type QueryKind = (typeof KINDS)[number];
const only = values.only as QueryKind | undefined;
if (only !== undefined && !KINDS.includes(only)) throw new Error(`--only: ${KINDS.join(", ")}`);
const wanted = (kind: QueryKind) => only === undefined || only === kind;
const databaseUrl = new URL(values["database-url"]);
const databaseName = decodeURIComponent(databaseUrl.pathname.slice(1));
if (!databaseName || databaseName === "test" || databaseName === "postgres") {
  throw new Error(`refusing to use the database "${databaseName}": name a dedicated one`);
}

function load(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
}

function adminUrl(): string {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  return url.toString();
}

async function recreateDatabase(drop: boolean): Promise<void> {
  const admin = await openDatabase({ kind: "postgres", url: adminUrl(), poolSize: 1 });
  try {
    if (drop)
      await sql`drop database if exists ${sql.id(databaseName)} with (force)`.execute(admin.db);
    const exists = await sql`select 1 from pg_database where datname = ${databaseName}`.execute(
      admin.db,
    );
    if (exists.rows.length === 0)
      await sql`create database ${sql.id(databaseName)}`.execute(admin.db);
  } finally {
    await admin.close();
  }
}

interface SeedNote {
  cases: number;
  seedSeconds: number;
  metricsSeconds: number;
  events: number;
  loadAverage: string;
}

async function readSeedNote(db: DatabaseHandle["db"]): Promise<SeedNote | undefined> {
  const row = await sql<{
    note: string | null;
  }>`select shobj_description(oid, 'pg_database') as note
    from pg_database where datname = current_database()`.execute(db);
  try {
    return JSON.parse(row.rows[0]?.note ?? "") as SeedNote;
  } catch {
    return undefined;
  }
}

async function prepareDatabase(): Promise<{
  handle: DatabaseHandle;
  note: SeedNote;
  reused: boolean;
}> {
  await recreateDatabase(false);
  let handle = await openDatabase({ kind: "postgres", url: databaseUrl.toString(), poolSize: 2 });
  await migrateToLatest(handle.db);
  const existing = Number(
    (await sql<{ n: string }>`select count(*)::text as n from cases`.execute(handle.db)).rows[0]!.n,
  );
  const note = await readSeedNote(handle.db);
  if (!values.reseed && existing === cases && note?.cases === cases) {
    return { handle, note, reused: true };
  }
  if (existing > 0 || values.reseed) {
    await handle.close();
    await recreateDatabase(true);
    handle = await openDatabase({ kind: "postgres", url: databaseUrl.toString(), poolSize: 2 });
    await migrateToLatest(handle.db);
  }
  const loadBefore = load();
  console.log(
    `Seeding ${cases.toLocaleString("en-US")} cases into ${databaseName} (load ${loadBefore})`,
  );
  let lastPrint = 0;
  const seeded = await seedVolume(handle.db, {
    cases,
    parallelWrites: 2,
    onProgress: ({ cases: done, events, elapsedMs }) => {
      if (Date.now() - lastPrint < 5_000 && done < cases) return;
      lastPrint = Date.now();
      const s = elapsedMs / 1000;
      console.log(
        `  ${done.toLocaleString("en-US")} cases, ${events.toLocaleString("en-US")} events, ${Math.round(done / s)} cases/s, ${Math.round(events / s)} events/s`,
      );
    },
  });
  const metricsStarted = Date.now();
  await backfillCaseMetrics(handle.db);
  const seedNote: SeedNote = {
    cases,
    events: seeded.events,
    seedSeconds: Math.round(seeded.elapsedMs / 100) / 10,
    metricsSeconds: Math.round((Date.now() - metricsStarted) / 100) / 10,
    loadAverage: `${loadBefore} -> ${load()}`,
  };
  await sql`vacuum analyze`.execute(handle.db);
  await sql
    .raw(
      `comment on database "${databaseName}" is '${JSON.stringify(seedNote).replace(/'/g, "''")}'`,
    )
    .execute(handle.db);
  return { handle, note: seedNote, reused: false };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("port")),
      );
    });
  });
}

const BENCH_SESSION_SECRET = "canceldesk-bench-session-secret-not-for-production";

async function startServerChild(port: number): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: databaseUrl.toString(),
      // One secret for the bench database every run: a server refuses a secret other than the
      // one its database was set up with (src/app/session-secret.ts).
      SESSION_SECRET: BENCH_SESSION_SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      WORKER: "off",
      SEED_DEMO: "false",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-10_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${output}`);
    try {
      if ((await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok) {
        return { child, base };
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server was not ready in 120 s:\n${output}`);
}

async function signIn(base: string, email: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (!response.ok)
    throw new Error(`sign-in of ${email}: ${response.status} ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .find((c) => c.startsWith("cd_session="));
  if (!cookie) throw new Error("sign-in set no session cookie");
  return cookie;
}

interface Query {
  name: string;
  kind: QueryKind;
  /** The i-th request's path (rotating over samples). */
  path: (i: number) => string;
  cookie: string;
}

async function get(base: string, query: Query, i: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${base}${query.path(i)}`, { headers: { cookie: query.cookie } });
  const text = await response.text();
  const ms = performance.now() - started;
  if (!response.ok)
    throw new Error(`${query.name} ${query.path(i)}: ${response.status} ${text.slice(0, 300)}`);
  return ms;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main() {
  const loadStart = load();
  const { handle, note, reused } = await prepareDatabase();
  const db = handle.db;
  const size = (
    await sql<{
      total: string;
      cases: string;
      events: string;
    }>`select pg_size_pretty(pg_database_size(current_database())) as total,
      pg_size_pretty(pg_total_relation_size('cases')) as cases,
      pg_size_pretty(pg_total_relation_size('case_events')) as events`.execute(db)
  ).rows[0]!;

  // Who signs in: the AM and the CSM with the most cases, and an admin.
  const am = (
    await sql<{ email: string; id: string }>`select u.email, u.id from users u
      join cases c on c.assigned_am_id = u.id where u.role = 'account_manager'
      group by u.id order by count(*) desc limit 1`.execute(db)
  ).rows[0]!;
  const csm = (
    await sql<{ email: string; id: string }>`select u.email, u.id from users u
      join cases c on c.assigned_csm_id = u.id where u.role = 'csm'
      group by u.id order by count(*) filter (where c.state = 'escalated') desc, count(*) desc
      limit 1`.execute(db)
  ).rows[0]!;
  const admin = (
    await sql<{
      email: string;
    }>`select email from users where role = 'admin' order by email limit 1`.execute(db)
  ).rows[0]!;
  // Samples spread over the data: every k-th case by id.
  const sample = (
    await sql<{
      id: string;
      reference: string;
      account_name: string;
      email: string;
    }>`select c.id, c.reference, a.name as account_name, ct.email
      from (select id from cases tablesample system (1) limit ${SAMPLES}) s
      join cases c on c.id = s.id join accounts a on a.id = c.account_id
      join contacts ct on ct.id = c.requester_contact_id`.execute(db)
  ).rows;
  await handle.close();
  if (sample.length === 0) throw new Error("no cases to sample");

  const port = await freePort();
  const { child, base } = await startServerChild(port);
  try {
    const amCookie = await signIn(base, am.email);
    const csmCookie = await signIn(base, csm.email);
    const adminCookie = await signIn(base, admin.email);
    const at = <T>(list: T[], i: number) => list[i % list.length]!;
    const q = encodeURIComponent;

    // Cursors of later pages (the 5th page), fetched before the clock starts; none when --only
    // leaves the queues out.
    const laterCursor = async (queuePath: string, cookie: string): Promise<string | null> => {
      if (!wanted("queue")) return null;
      let cursor: string | null = null;
      for (let page = 1; page < 5; page++) {
        const response = await fetch(`${base}${queuePath}${cursor ? `&cursor=${q(cursor)}` : ""}`, {
          headers: { cookie },
        });
        const body = (await response.json()) as { nextCursor: string | null };
        if (!body.nextCursor) return cursor;
        cursor = body.nextCursor;
      }
      return cursor;
    };
    let queries: Query[] = [];
    const queue = (name: string, queuePath: string, cookie: string, cursor: string | null) => {
      queries.push({ name, kind: "queue", cookie, path: () => queuePath });
      if (cursor) {
        queries.push({
          name: `${name}, page 5`,
          kind: "queue",
          cookie,
          path: () => `${queuePath}&cursor=${q(cursor)}`,
        });
      }
    };
    for (const [who, cookie] of [
      ["AM", amCookie],
      ["CSM", csmCookie],
    ] as const) {
      for (const name of ["mine", "all"]) {
        const p = `/api/cases?queue=${name}`;
        queue(`${name} (${who})`, p, cookie, await laterCursor(p, cookie));
      }
    }
    for (const name of ["escalated_to_me", "sla_at_risk", "sla_breached", "unassigned"]) {
      const p = `/api/cases?queue=${name}`;
      queue(`${name} (CSM)`, p, csmCookie, await laterCursor(p, csmCookie));
    }
    const cancelled = "/api/cases?queue=all&outcome=cancelled";
    queue("all, outcome=cancelled (AM)", cancelled, amCookie, null);
    const escalated = "/api/cases?queue=all&state=escalated";
    queue("all, state=escalated (AM)", escalated, amCookie, null);
    queries.push(
      {
        name: "search account name",
        kind: "search",
        cookie: amCookie,
        path: (i) => `/api/cases?queue=all&q=${q(at(sample, i).account_name)}`,
      },
      {
        name: "search contact email",
        kind: "search",
        cookie: amCookie,
        path: (i) => `/api/cases?queue=all&q=${q(at(sample, i).email)}`,
      },
      {
        name: "search reference",
        kind: "search",
        cookie: amCookie,
        path: (i) => `/api/cases?queue=all&q=${q(at(sample, i).reference)}`,
      },
      {
        name: "case view",
        kind: "view",
        cookie: amCookie,
        path: (i) => `/api/cases/${at(sample, i).id}`,
      },
    );
    const openapi = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const analytics = Object.entries(openapi.paths)
      .filter(([p, ops]) => !p.includes("{") && ops.get?.tags?.includes("analytics"))
      .map(([p]) => p);
    if (analytics.length === 0) console.log("No GET route is tagged analytics yet.");
    for (const p of analytics) {
      queries.push({ name: `GET ${p}`, kind: "analytics", cookie: adminCookie, path: () => p });
    }

    queries = queries.filter((query) => wanted(query.kind));
    console.log(`Warming up ${queries.length} queries...`);
    for (const query of queries) for (let i = 0; i < 3; i++) await get(base, query, i);

    const loadBefore = load();
    const sequential = new Map<string, number[]>();
    for (const query of queries) {
      const times: number[] = [];
      for (let i = 0; i < requests; i++) times.push(await get(base, query, i));
      sequential.set(
        query.name,
        times.sort((a, b) => a - b),
      );
    }
    const concurrent = new Map<string, number[]>(queries.map((query) => [query.name, []]));
    await Promise.all(
      Array.from({ length: concurrency }, async (_, client) => {
        for (let i = 0; i < requests; i++) {
          for (let k = 0; k < queries.length; k++) {
            const query = queries[(k + client) % queries.length]!;
            concurrent.get(query.name)!.push(await get(base, query, i + client));
          }
        }
      }),
    );
    const loadAfter = load();

    console.log("");
    console.log(
      `${cases.toLocaleString("en-US")} cases, ${note.events.toLocaleString("en-US")} audit entries; database ${size.total} (cases ${size.cases}, case_events ${size.events})`,
    );
    console.log(
      `seed: ${reused ? "reused; when seeded it took" : "took"} ${note.seedSeconds} s (${Math.round(note.cases / note.seedSeconds)} cases/s, ${Math.round(note.events / note.seedSeconds)} events/s) + ${note.metricsSeconds} s of analytics rows; load average then ${note.loadAverage}`,
    );
    console.log(
      `signed in: AM ${am.email}, CSM ${csm.email}, admin ${admin.email}; ${requests} requests per query sequentially, then ${concurrency} clients x ${requests} x ${queries.length} queries`,
    );
    console.log(
      `load average (1, 5, 15 min): start ${loadStart}, timed part ${loadBefore} -> ${loadAfter}`,
    );
    console.log("");
    const header = `${"query".padEnd(42)} ${"p50".padStart(7)} ${"p95".padStart(7)} ${"p99".padStart(7)}  | ${`${concurrency} clients p50`.padStart(17)} ${"p95".padStart(7)} ${"p99".padStart(7)}  target`;
    console.log(header);
    console.log("-".repeat(header.length + 8));
    let misses = 0;
    for (const query of queries) {
      const s = sequential.get(query.name)!;
      const c = concurrent.get(query.name)!.sort((a, b) => a - b);
      const target = query.kind === "analytics" ? ANALYTICS_TARGET_MS : QUEUE_TARGET_MS;
      const p95 = percentile(s, 95);
      const verdict = p95 <= target ? "PASS" : "MISS";
      if (verdict === "MISS") misses++;
      const f = (n: number) => n.toFixed(1).padStart(7);
      console.log(
        `${query.name.padEnd(42)} ${f(percentile(s, 50))} ${f(p95)} ${f(percentile(s, 99))}  | ${f(percentile(c, 50)).padStart(17)} ${f(percentile(c, 95))} ${f(percentile(c, 99))}  < ${target} ms ${verdict}`,
      );
    }
    console.log("");
    console.log(
      misses === 0
        ? "Every query met its target at p95 (sequential)."
        : `${misses} of ${queries.length} queries missed their target at p95 (sequential).`,
    );
  } finally {
    child.kill("SIGTERM");
  }
}

await main();
