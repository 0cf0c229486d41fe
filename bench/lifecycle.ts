// Drives N full cancellation cases through the HTTP API of a running CancelDesk server, C at a
// time, and prints cases/s, requests/s, commands/s and p50/p95/p99 per command, on embedded
// PGlite and on PostgreSQL (issue 3, "Tests and figures").
//
//   npx tsx bench/lifecycle.ts [--cases N] [--concurrency C] [--db pglite|postgres|both]
//                              [--max-seconds S] [--server-cpu-prof DIR] [--answer full|minimal]
//                              [--reference-seconds S] [--view-seconds S]
//
// Every case goes the whole way to "cancelled at the end of the term, closed", as the AM, the
// account's CSM and the customer would take it: open -> identity/send-code -> identity/confirm-code
// -> form/send -> the customer submits the form through their link -> reason -> no-suitable-offer
// -> escalate -> (the CSM opens the case: GET /api/cases/:id, case.assignedCsmId) -> csm/outcome
// proceed -> process -> confirmation (email) -> feedback/request -> the customer answers the
// survey through their link -> close. Each case uses a subscription of its own (one open case per
// subscription); when the demo data has fewer cancellable subscriptions than N, the admin creates
// more accounts, owner contacts and subscriptions through the API before the clock starts.
//
// How it is measured, and why:
// - The server is a separate child process and the load comes from this process over loopback
//   HTTP (node:http, keep-alive), so the server's event loop does not run the load
//   generator (on PGlite it also answers the outbox reads below).
//   Staff sign in with the demo passwords and carry the session cookie and x-csrf-token.
// - The customer's code and links exist only as nonces in the outbox (the database keeps hashes),
//   and are derived with the server's SESSION_SECRET, as the delivery worker will derive them.
//   The bench plays that worker plus the customer's inbox: it reads the newest outbox row of the
//   case and topic and derives the code or token with identityCode/linkToken. These reads are not
//   HTTP requests; they are timed and shown apart ("outbox read"), and they are inside the
//   wall-clock time, so they slightly lower cases/s.
//   - PostgreSQL: the server is the real entry point, `node --import tsx src/cli/main.ts serve`,
//     on a fresh schema (DATABASE_URL with options=-c search_path=<schema>) and a secret chosen
//     here. The bench reads the outbox with `pg` on a second connection of its own.
//   - PGlite: the database is one folder that one process owns, so no second process can read the
//     outbox. The child is bench/lifecycle-server.ts: startServer's steps unchanged (same database
//     opening, migrations, demo seed, buildApp, logger) plus an IPC channel on which it answers
//     "newest outbox row of case X with topic T" through its own Kysely handle, behind the same
//     one-transaction-at-a-time queue as requests (as an in-process delivery worker would). The
//     secret is the one the server generated into DATA_DIR/session-secret. Running the server
//     inside this process instead would have the load generator and the server share one event
//     loop, which says little about either.
// - Public customer endpoints are limited to 30 requests a minute per address. Customers are
//   many people at many addresses, so each case's customer sends X-Forwarded-For with an address
//   of its own from 198.18.0.0/15 (RFC 2544's benchmarking range); the server is started with
//   TRUST_PROXY=127.0.0.1, as it would be behind a load balancer. The TCP traffic stays on 127.0.0.1.
// - No Idempotency-Key and no expectedVersion are sent (both are optional); every command is one
//   transaction on the server.
// - WORKER=off: the server runs no outbox delivery or timers beside the requests, so the figures
//   are those of the commands (the issue's target) and the outbox rows stay as written. A run
//   with delivery on would measure delivery too, and the customer would read the dev mailbox.
// - Bounded: at most 20,000 cases and 256 clients; the timed part stops taking new cases after
//   --max-seconds (default 600); every request times out after 30 s; the server must be ready
//   within 120 s. Both servers are stopped (SIGTERM) and their data removed afterwards: the temp
//   folder for PGlite, the schema for PostgreSQL.
// - The figure to compare with: a Fastify route doing one Kysely INSERT transaction (STACK.md:
//   about 2,900-3,200 requests/s on PostgreSQL, about 1,900/s on PGlite). Issue 3's target:
//   commands/s on PostgreSQL at least half of it. That route measured 1,800-3,800/s on the
//   machines of different days and by ±15% within minutes, so on PostgreSQL it is measured on
//   this machine for --reference-seconds just before and just after the run (bench/reference.ts),
//   and the target is judged against the mean of the two; the STACK.md line is printed after it. Client and server share the two cores here, so the CPU each used
//   during the timed part is printed too, with the load average before it: figures taken while
//   something else runs (a test suite) are not.
// - After the timed part the closed cases' views are read for --view-seconds: a command reads and
//   answers the same view, so that rate is the floor under a command.
//   --server-cpu-prof DIR starts the server with node --cpu-prof to see where its time goes.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { identityCode, linkToken } from "../src/app/customer-secrets.ts";
import { DEMO_PASSWORD } from "../src/app/seed-demo.ts";
import { migrateToLatest, openDatabase } from "../src/db/database.ts";
import type { OutboxAnswer, OutboxQuestion } from "./lifecycle-server.ts";
import { describeReference, measureReference, type ReferenceFigures } from "./reference.ts";
import {
  busyPercentBetween,
  cpuSecondsOf,
  freePort,
  machineTicks,
  percentile,
  send,
} from "./support.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MAX_CASES = 20_000;
const MAX_CONCURRENCY = 256;
const REQUEST_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
/** The demo seed's admin (src/app/seed-demo.ts): the only sign-in known before asking the API. */
const DEMO_ADMIN_EMAIL = "alex.morgan@wootrecruit.example";
/** STACK.md: a Fastify route doing one Kysely INSERT transaction, on this machine. */
const PLAIN_INSERT_ROUTE_PER_S = { postgres: 3_200, pglite: 1_900 } as const;

type DbKind = "pglite" | "postgres";

// ---------------------------------------------------------------------------------------------
// Arguments

function readOptions() {
  const { values } = parseArgs({
    options: {
      cases: { type: "string", default: "200" },
      concurrency: { type: "string", default: "8" },
      db: { type: "string", default: "both" },
      "max-seconds": { type: "string", default: "600" },
      "server-cpu-prof": { type: "string" },
      answer: { type: "string", default: "full" },
      "reference-seconds": { type: "string", default: "10" },
      "view-seconds": { type: "string", default: "10" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      "Usage: npx tsx bench/lifecycle.ts [--cases N] [--concurrency C] [--db pglite|postgres|both] [--max-seconds S] [--server-cpu-prof DIR] [--answer full|minimal] [--reference-seconds S] [--view-seconds S] (0 skips either)",
    );
    process.exit(0);
  }
  const whole = (name: string, raw: string, min: number, max: number) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return n;
  };
  const answer = values.answer;
  if (answer !== "full" && answer !== "minimal") {
    throw new Error(`--answer must be full or minimal, got "${answer}"`);
  }
  const db = values.db;
  if (db !== "pglite" && db !== "postgres" && db !== "both") {
    throw new Error(`--db must be pglite, postgres or both, got "${db}"`);
  }
  return {
    cases: whole("cases", values.cases, 1, MAX_CASES),
    concurrency: whole("concurrency", values.concurrency, 1, MAX_CONCURRENCY),
    databases: (db === "both" ? ["pglite", "postgres"] : [db]) as DbKind[],
    maxSeconds: whole("max-seconds", values["max-seconds"], 1, 3_600),
    /** How long the reference route runs just before the PostgreSQL run; 0 skips it. */
    referenceSeconds: whole("reference-seconds", values["reference-seconds"], 0, 600),
    /** How long case views are read after the timed part (the floor under a command); 0 skips. */
    viewSeconds: whole("view-seconds", values["view-seconds"], 0, 600),
    /** full: commands answer with the case view; minimal: `Prefer: return=minimal`, the case alone. */
    answer: answer as "full" | "minimal",
    /** Where the server writes a V8 CPU profile (node --cpu-prof) when it stops. */
    serverCpuProfDir: values["server-cpu-prof"]
      ? path.resolve(values["server-cpu-prof"])
      : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Recording

interface Failure {
  label: string;
  status: number;
  body: string;
}

class Recorder {
  readonly latencies = new Map<string, number[]>();
  readonly failures: Failure[] = [];
  requests = 0;
  commands = 0;

  record(label: string, ms: number, kind: "command" | "read" | "outbox") {
    if (kind !== "outbox") this.requests++;
    if (kind === "command") this.commands++;
    const list = this.latencies.get(label);
    if (list) list.push(ms);
    else this.latencies.set(label, [ms]);
  }
}

class RequestFailed extends Error {
  constructor(readonly failure: Failure) {
    super(`${failure.label}: ${failure.status} ${failure.body}`);
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface Session {
  userId: string;
  role: string;
  email: string;
  cookie: string;
  csrf: string;
}

interface CaseView {
  case: { id: string; state: string; outcome: string | null; assignedCsmId: string | null };
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

class Http {
  constructor(
    readonly base: string,
    public recorder: Recorder | undefined,
    readonly preferMinimal = false,
  ) {}

  async call<T>(
    label: string,
    method: "GET" | "POST",
    url: string,
    options: { session?: Session; body?: unknown; forwardedFor?: string } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.session) {
      headers.cookie = options.session.cookie;
      if (method !== "GET") headers["x-csrf-token"] = options.session.csrf;
    }
    if (options.forwardedFor) headers["x-forwarded-for"] = options.forwardedFor;
    if (method === "POST" && this.preferMinimal) headers.prefer = "return=minimal";
    const started = performance.now();
    let status = 0;
    let text = "";
    let setCookie: string[] = [];
    try {
      const answer = await send(
        `${this.base}${url}`,
        method,
        headers,
        options.body !== undefined ? JSON.stringify(options.body) : undefined,
      );
      status = answer.status;
      text = answer.text;
      setCookie = answer.setCookie;
    } catch (error) {
      text = `request failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.recorder?.record(
      label,
      performance.now() - started,
      method === "GET" ? "read" : "command",
    );
    if (status < 200 || status >= 300) {
      const failure = { label, status, body: text };
      this.recorder?.failures.push(failure);
      throw new RequestFailed(failure);
    }
    const body = JSON.parse(text) as T;
    if (label === "sign-in") {
      const cookie = setCookie
        .map((c) => c.split(";")[0]!)
        .find((c) => c.startsWith("cd_session="));
      if (!cookie) throw new Error("sign-in set no cd_session cookie");
      (body as { cookie?: string }).cookie = cookie;
    }
    return body;
  }

  async signIn(email: string): Promise<Session> {
    const answer = await this.call<{
      user: { id: string; role: string; email: string };
      csrfToken: string;
      cookie: string;
    }>("sign-in", "POST", "/api/auth/sign-in", { body: { email, password: DEMO_PASSWORD } });
    return {
      userId: answer.user.id,
      role: answer.user.role,
      email: answer.user.email,
      cookie: answer.cookie,
      csrf: answer.csrfToken,
    };
  }

  /** Every page of a list endpoint. */
  async all<T>(session: Session, url: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 1_000; pages++) {
      const sep = url.includes("?") ? "&" : "?";
      const page: Page<T> = await this.call<Page<T>>(
        "list",
        "GET",
        `${url}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { session },
      );
      items.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) return items;
    }
    throw new Error(`${url}: more than 1,000 pages`);
  }
}

// ---------------------------------------------------------------------------------------------
// The server under test, and the customer's inbox (the outbox)

interface OutboxReader {
  latest(caseId: string, topic: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

interface Target {
  kind: DbKind;
  label: string;
  base: string;
  secret: string;
  child: ChildProcess;
  outbox: OutboxReader;
  /** Stops the server and removes its data. */
  dispose(): Promise<void>;
  output(): string;
}

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});

let serverNodeFlags: string[] = [];

function startChild(script: string[], env: Record<string, string>, ipc: boolean) {
  const child = spawn(process.execPath, [...serverNodeFlags, "--import", "tsx", ...script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, output: () => output };
}

async function waitReady(base: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    try {
      const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Server-side environment common to both: nothing inherited may point it elsewhere. */
function serverEnv(port: number): Record<string, string> {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SEED_DEMO: "true",
    LOG_LEVEL: "warn",
    SMTP_URL: "",
    // The request path only: no outbox delivery or timers in the server process (see above).
    WORKER: "off",
    // The bench plays the load balancer in front of many customers: believe its X-Forwarded-For.
    TRUST_PROXY: "127.0.0.1",
  };
}

async function startPGlite(): Promise<Target> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "canceldesk-lifecycle-"));
  const port = await freePort();
  const { child, output } = startChild(
    ["bench/lifecycle-server.ts"],
    { ...serverEnv(port), DATA_DIR: dataDir, DATABASE_URL: "", SESSION_SECRET: "" },
    true,
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(base, child, output);
  } catch (error) {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const secret = readFileSync(path.join(dataDir, "session-secret"), "utf8").trim();

  let nextId = 0;
  const waiting = new Map<number, (answer: OutboxAnswer) => void>();
  child.on("message", (answer: OutboxAnswer) => {
    waiting.get(answer.id)?.(answer);
    waiting.delete(answer.id);
  });
  const outbox: OutboxReader = {
    latest: (caseId, topic) =>
      new Promise((resolve, reject) => {
        const question: OutboxQuestion = { id: nextId++, caseId, topic };
        const timer = setTimeout(() => {
          waiting.delete(question.id);
          reject(new Error(`outbox read timed out (${topic})`));
        }, REQUEST_TIMEOUT_MS);
        waiting.set(question.id, (answer) => {
          clearTimeout(timer);
          if ("error" in answer) reject(new Error(answer.error));
          else resolve(answer.payload);
        });
        child.send(question);
      }),
    close: async () => {},
  };
  return {
    kind: "pglite",
    label: "PGlite",
    base,
    secret,
    child,
    outbox,
    output,
    dispose: async () => {
      await stopChild(child);
      if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function postgresUrl(): string {
  return process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
}

async function startPostgres(): Promise<Target> {
  const url = postgresUrl();
  const schema = `bench_lifecycle_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const dropSchema = async () => {
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  };
  await admin.query(`create schema "${schema}"`);

  let child: ChildProcess | undefined;
  let reader: pg.Pool | undefined;
  try {
    // Migrated here with the schema named: the server's own migrateToLatest(db) (no schema)
    // would take another schema's kysely_migration table for its own on a shared database.
    const migrator = await openDatabase({ kind: "postgres", url, schema, poolSize: 1 });
    try {
      await migrateToLatest(migrator.db, schema);
    } finally {
      await migrator.close();
    }

    const secret = randomBytes(36).toString("base64url");
    const port = await freePort();
    const serverUrl = `${url}${url.includes("?") ? "&" : "?"}options=${encodeURIComponent(
      `-c search_path=${schema}`,
    )}`;
    const started = startChild(
      ["src/cli/main.ts", "serve"],
      { ...serverEnv(port), DATABASE_URL: serverUrl, SESSION_SECRET: secret, DATA_DIR: "" },
      false,
    );
    child = started.child;
    const base = `http://127.0.0.1:${port}`;
    await waitReady(base, child, started.output);

    const pool = new pg.Pool({
      connectionString: url,
      max: 2,
      options: `-c search_path=${schema}`,
    });
    reader = pool;
    const outbox: OutboxReader = {
      latest: async (caseId, topic) => {
        const { rows } = await pool.query<{ payload: Record<string, string> }>(
          "select payload from outbox where case_id = $1 and topic = $2 order by created_at desc, id desc limit 1",
          [caseId, topic],
        );
        if (!rows[0]) throw new Error(`no ${topic} message for case ${caseId}`);
        return rows[0].payload;
      },
      close: () => pool.end(),
    };
    const running = child;
    return {
      kind: "postgres",
      label: "PostgreSQL",
      base,
      secret,
      child: running,
      outbox,
      output: started.output,
      dispose: async () => {
        await stopChild(running);
        await dropSchema();
      },
    };
  } catch (error) {
    if (child) await stopChild(child);
    await reader?.end();
    await dropSchema();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The customers' world

interface Work {
  accountId: string;
  subscriptionId: string;
  contactId: string;
  am: Session;
}

interface Account {
  id: string;
  accountManagerId: string | null;
  csmId: string | null;
}
interface Contact {
  id: string;
  accountId: string;
  role: string;
  authorisedToCancel: boolean;
}
interface Subscription {
  id: string;
  accountId: string;
  status: string;
}

/** Signs staff in and finds (or, as the admin, creates) one cancellable subscription per case. */
async function prepare(http: Http, cases: number, concurrency: number) {
  const admin = await http.signIn(DEMO_ADMIN_EMAIL);
  const users = await http.all<{ id: string; email: string; role: string; active: boolean }>(
    admin,
    "/api/users?active=true",
  );
  const staff = new Map<string, Session>();
  for (const user of users.filter((u) => u.role === "account_manager" || u.role === "csm")) {
    staff.set(user.id, await http.signIn(user.email));
  }
  const ams = [...staff.values()].filter((s) => s.role === "account_manager");
  const csms = [...staff.values()].filter((s) => s.role === "csm");
  if (ams.length === 0 || csms.length === 0) throw new Error("the demo data has no AMs or CSMs");

  const accounts = new Map(
    (await http.all<Account>(admin, "/api/accounts")).map((a) => [a.id, a] as const),
  );
  const requesters = new Map<string, string>();
  for (const c of await http.all<Contact>(admin, "/api/contacts?authorisedToCancel=true")) {
    if (c.role !== "owner" && c.role !== "billing_admin") continue;
    if (!requesters.has(c.accountId) || c.role === "owner") requesters.set(c.accountId, c.id);
  }
  // The demo's sample cases hold some subscriptions open: one open case per subscription.
  const taken = new Set(
    (await http.all<{ case: { subscriptionId: string } }>(admin, "/api/cases?status=open")).map(
      (item) => item.case.subscriptionId,
    ),
  );
  const work: Work[] = [];
  for (const s of await http.all<Subscription>(admin, "/api/subscriptions")) {
    if (s.status === "cancelled" || s.status === "cancellation_scheduled") continue;
    if (taken.has(s.id)) continue;
    const account = accounts.get(s.accountId);
    const am = account?.accountManagerId ? staff.get(account.accountManagerId) : undefined;
    const contactId = requesters.get(s.accountId);
    if (!am || !contactId || !account?.csmId) continue;
    work.push({ accountId: s.accountId, subscriptionId: s.id, contactId, am });
  }
  const fromDemo = Math.min(work.length, cases);

  const missing = cases - work.length;
  if (missing > 0) {
    const plans = await http.all<{ id: string; code: string; monthlyPriceMinor: number }>(
      admin,
      "/api/plans",
    );
    const plan = plans.find((p) => p.code === "growth") ?? plans[0];
    if (!plan) throw new Error("the demo data has no plans");
    const day = 86_400_000;
    const now = Date.now();
    const stamp = Date.now().toString(36);
    let next = 0;
    const createOne = async (k: number) => {
      const am = ams[k % ams.length]!;
      const account = await http.call<{ id: string }>("setup", "POST", "/api/accounts", {
        session: admin,
        body: {
          name: `Lifecycle Bench Staffing ${k + 1}`,
          externalRef: `BENCH-${stamp}-A-${k + 1}`,
          accountManagerId: am.userId,
          csmId: csms[k % csms.length]!.userId,
          country: "US",
          segment: "smb",
        },
      });
      const contact = await http.call<{ id: string }>("setup", "POST", "/api/contacts", {
        session: admin,
        body: {
          accountId: account.id,
          name: `Dana Owner ${k + 1}`,
          email: `dana.owner${k + 1}@lifecycle-bench.example`,
          role: "owner",
          authorisedToCancel: true,
          preferredChannel: "email",
        },
      });
      const subscription = await http.call<{ id: string }>("setup", "POST", "/api/subscriptions", {
        session: admin,
        body: {
          accountId: account.id,
          planId: plan.id,
          seats: 5,
          monthlyValueMinor: 5 * plan.monthlyPriceMinor,
          currency: "USD",
          status: "active",
          currentPeriodStart: new Date(now - 10 * day).toISOString(),
          currentPeriodEnd: new Date(now + 20 * day).toISOString(),
        },
      });
      work.push({
        accountId: account.id,
        subscriptionId: subscription.id,
        contactId: contact.id,
        am,
      });
    };
    await Promise.all(
      Array.from({ length: Math.min(concurrency, missing) }, async () => {
        for (let k = next++; k < missing; k = next++) await createOne(k);
      }),
    );
  }
  return { work: work.slice(0, cases), staff, fromDemo, created: Math.max(0, missing) };
}

// ---------------------------------------------------------------------------------------------
// One case, start to close

const FORM = {
  reasonCode: "too_expensive",
  details: "Our hiring budget for next year was halved.",
  requestedEffective: "end_of_term",
  preferredConfirmationChannel: "email",
  authorityConfirmed: true,
};

/** An address of its own for each case's customer, from 198.18.0.0/15 (benchmarking). */
function customerAddress(index: number): string {
  return `198.${18 + ((index >> 16) & 1)}.${(index >> 8) & 255}.${index & 255}`;
}

async function runCase(
  http: Http,
  target: Target,
  recorder: Recorder,
  staff: Map<string, Session>,
  work: Work,
  index: number,
) {
  const { am } = work;
  const command = (session: Session, caseId: string, step: string, body: unknown = {}) =>
    http.call<CaseView>(step, "POST", `/api/cases/${caseId}/${step}`, { session, body });
  const customer = (step: string, token: string, action: string, body: unknown) =>
    http.call(step, "POST", `/api/public/links/${token}/${action}`, {
      body,
      forwardedFor: customerAddress(index),
    });
  const inbox = async (caseId: string, topic: string) => {
    const started = performance.now();
    const payload = await target.outbox.latest(caseId, topic);
    recorder.record("outbox read (not HTTP)", performance.now() - started, "outbox");
    return payload;
  };

  const opened = await http.call<CaseView>("open", "POST", "/api/cases", {
    session: am,
    body: {
      accountId: work.accountId,
      subscriptionId: work.subscriptionId,
      requesterContactId: work.contactId,
      channel: "phone",
    },
  });
  const id = opened.case.id;

  await command(am, id, "identity/send-code");
  const sent = await inbox(id, "identity_code");
  const code = identityCode(target.secret, sent.codeNonce!, Number(sent.codeLength));
  await command(am, id, "identity/confirm-code", { code });

  await command(am, id, "form/send");
  const formToken = linkToken(target.secret, (await inbox(id, "form_link")).linkNonce!);
  await customer("customer form", formToken, "form", FORM);

  await command(am, id, "reason", {
    reasonCode: "too_expensive",
    notes: "Budget halved for next year.",
  });
  await command(am, id, "no-suitable-offer", {
    reason: "They are closing the recruiting team entirely.",
  });
  await command(am, id, "escalate");

  // The CSM the case went to opens it from their queue.
  const escalated = await http.call<CaseView>("GET case", "GET", `/api/cases/${id}`, {
    session: am,
  });
  const csm = escalated.case.assignedCsmId ? staff.get(escalated.case.assignedCsmId) : undefined;
  if (!csm) throw new Error(`case ${id}: escalated to ${escalated.case.assignedCsmId}, not a CSM`);
  await command(csm, id, "csm/outcome", {
    outcome: "proceed",
    notes: "No option fits; they leave on good terms.",
  });

  await command(am, id, "process");
  await command(am, id, "confirmation", { channel: "email" });
  await command(am, id, "feedback/request");
  const surveyToken = linkToken(target.secret, (await inbox(id, "feedback_request")).linkNonce!);
  await customer("customer feedback", surveyToken, "feedback", {
    rating: 4,
    decisionReason: "too_expensive",
    comments: "Thanks for making it easy.",
  });
  const closed = await command(am, id, "close", {
    summary: "Cancelled at the end of the term; left on good terms.",
  });
  if (closed.case.state !== "closed" || closed.case.outcome !== "cancelled") {
    throw new Error(`case ${id} ended ${closed.case.state}/${closed.case.outcome}`);
  }
  return id;
}

/**
 * The floor under a command: C clients read case views (GET /api/cases/:id: the session, the one
 * read of the case and its facts, the view) for `seconds`, after the timed part. A command does
 * all of that and decides and writes besides, so a command can be no cheaper than this read.
 */
async function measureViewReads(
  http: Http,
  closed: readonly { id: string; session: Session }[],
  concurrency: number,
  seconds: number,
  serverPid: number | undefined,
): Promise<ViewReadFigures> {
  let reads = 0;
  let next = 0;
  let viewBytes = 0;
  const serverBefore = cpuSecondsOf(serverPid);
  const machineBefore = machineTicks();
  const started = performance.now();
  const until = started + seconds * 1_000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const { id, session } = closed[next++ % closed.length]!;
        const view = await http.call<CaseView>("view read", "GET", `/api/cases/${id}`, {
          session,
        });
        if (reads++ === 0) viewBytes = JSON.stringify(view).length;
      }
    }),
  );
  const wall = (performance.now() - started) / 1_000;
  const serverAfter = cpuSecondsOf(serverPid);
  const machineAfter = machineTicks();
  return {
    perSecond: reads / wall,
    viewBytes,
    serverMsPerRead:
      serverBefore !== undefined && serverAfter !== undefined
        ? (1_000 * (serverAfter - serverBefore)) / reads
        : undefined,
    machineBusyPercent: busyPercentBetween(machineBefore, machineAfter),
  };
}

interface ViewReadFigures {
  perSecond: number;
  /** The size of one closed case's view as JSON. */
  viewBytes: number;
  serverMsPerRead: number | undefined;
  machineBusyPercent: number | undefined;
}

// ---------------------------------------------------------------------------------------------
// A run on one database

const STEP_ORDER = [
  "open",
  "identity/send-code",
  "identity/confirm-code",
  "form/send",
  "customer form",
  "reason",
  "no-suitable-offer",
  "escalate",
  "GET case",
  "csm/outcome",
  "process",
  "confirmation",
  "feedback/request",
  "customer feedback",
  "close",
  "outbox read (not HTTP)",
];

interface RunResult {
  kind: DbKind;
  label: string;
  cases: number;
  completed: number;
  seconds: number;
  recorder: Recorder;
  otherErrors: string[];
  stoppedByDeadline: boolean;
  cpu: { server: number | undefined; bench: number; machineBusyPercent: number | undefined };
  setup: { fromDemo: number; created: number };
  /** The reference route measured on this machine just before (PostgreSQL only). */
  reference?: ReferenceFigures | undefined;
  /** The same, measured again after the run: the machine's speed drifts within minutes. */
  referenceAfter?: ReferenceFigures | undefined;
  /** Case views read after the timed part (--view-seconds). */
  viewReads?: ViewReadFigures | undefined;
}

async function runOn(kind: DbKind, options: ReturnType<typeof readOptions>): Promise<RunResult> {
  let reference: ReferenceFigures | undefined;
  if (kind === "postgres" && options.referenceSeconds > 0) {
    process.stdout.write(
      `\nPostgreSQL: measuring the reference route for ${options.referenceSeconds} s first...\n`,
    );
    reference = await measureReference({
      seconds: options.referenceSeconds,
      concurrency: options.concurrency,
      databaseUrl: postgresUrl(),
    });
    process.stdout.write(`${describeReference(reference)}\n`);
  }
  process.stdout.write(
    `\n${kind === "pglite" ? "PGlite" : "PostgreSQL"}: starting the server...\n`,
  );
  const target = kind === "pglite" ? await startPGlite() : await startPostgres();
  try {
    const http = new Http(target.base, undefined, options.answer === "minimal");
    const { work, staff, fromDemo, created } = await prepare(
      http,
      options.cases,
      options.concurrency,
    );
    process.stdout.write(
      `${target.label}: ${work.length} subscriptions ready (${fromDemo} from the demo data, ${created} created); ` +
        `${staff.size} staff signed in; running ${options.cases} cases with ${options.concurrency} clients...\n`,
    );

    // Figures are only comparable on an otherwise idle machine: say how busy it was.
    process.stdout.write(
      `${target.label}: 1-minute load average before the timed part ${loadavg()[0]!.toFixed(2)}\n`,
    );
    const recorder = new Recorder();
    http.recorder = recorder;
    const otherErrors: string[] = [];
    let next = 0;
    let completed = 0;
    const closedCases: { id: string; session: Session }[] = [];
    let stoppedByDeadline = false;
    const deadline = performance.now() + options.maxSeconds * 1000;
    const serverCpuBefore = cpuSecondsOf(target.child.pid);
    const benchCpuBefore = process.cpuUsage();
    const machineBefore = machineTicks();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(options.concurrency, work.length) }, async () => {
        for (let i = next++; i < work.length; i = next++) {
          if (performance.now() > deadline) {
            stoppedByDeadline = true;
            return;
          }
          try {
            const id = await runCase(http, target, recorder, staff, work[i]!, i);
            closedCases.push({ id, session: work[i]!.am });
            completed++;
          } catch (error) {
            // A refused request is already in recorder.failures; anything else is kept here.
            if (!(error instanceof RequestFailed)) otherErrors.push(String(error));
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const serverCpuAfter = cpuSecondsOf(target.child.pid);
    const machineAfter = machineTicks();
    let viewReads: ViewReadFigures | undefined;
    if (options.viewSeconds > 0 && closedCases.length > 0) {
      http.recorder = undefined;
      viewReads = await measureViewReads(
        http,
        closedCases,
        options.concurrency,
        options.viewSeconds,
        target.child.pid,
      );
    }
    const result: RunResult = {
      kind,
      label: target.label,
      cases: work.length,
      completed,
      seconds,
      recorder,
      otherErrors,
      stoppedByDeadline,
      cpu: {
        server:
          serverCpuBefore !== undefined && serverCpuAfter !== undefined
            ? serverCpuAfter - serverCpuBefore
            : undefined,
        bench: (benchCpu.user + benchCpu.system) / 1e6,
        machineBusyPercent: busyPercentBetween(machineBefore, machineAfter),
      },
      setup: { fromDemo, created },
      reference,
      viewReads,
    };
    if (recorder.failures.length > 0 || otherErrors.length > 0) {
      process.stdout.write(`${target.label} server output (last lines):\n${target.output()}\n`);
    }
    return result;
  } finally {
    await target.outbox.close();
    await target.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Output

const num = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function report(result: RunResult) {
  const { recorder, seconds } = result;
  const errors = recorder.failures.length + result.otherErrors.length;
  const lines: string[] = [];
  lines.push(`\n== ${result.label}: ${result.completed} of ${result.cases} cases closed`);
  lines.push(
    `cases/s ${num(result.completed / seconds, 1)}   requests/s ${num(recorder.requests / seconds)}` +
      `   commands/s ${num(recorder.commands / seconds)}   wall ${num(seconds, 2)} s`,
  );
  lines.push(
    `total requests ${num(recorder.requests)} (${num(recorder.commands)} commands, ${num(
      recorder.requests - recorder.commands,
    )} reads)   errors ${errors}${result.stoppedByDeadline ? "   STOPPED AT --max-seconds" : ""}`,
  );
  const { server, bench, machineBusyPercent } = result.cpu;
  lines.push(
    `CPU during the timed part: server process ${
      server === undefined ? "n/a" : `${num(server, 1)} s (${num((100 * server) / seconds)}%)`
    }, bench process ${num(bench, 1)} s (${num((100 * bench) / seconds)}%) of ${num(seconds, 1)} s wall` +
      (machineBusyPercent === undefined
        ? ""
        : `; whole machine ${num(machineBusyPercent)}% busy across ${availableParallelism()} cores`),
  );
  const labels = [
    ...STEP_ORDER.filter((l) => recorder.latencies.has(l)),
    ...[...recorder.latencies.keys()].filter((l) => !STEP_ORDER.includes(l)),
  ];
  const width = Math.max(...labels.map((l) => l.length), 7);
  lines.push(
    `${"command".padEnd(width)}  ${"count".padStart(6)}  ${"p50 ms".padStart(8)}  ${"p95 ms".padStart(8)}  ${"p99 ms".padStart(8)}  ${"max ms".padStart(8)}`,
  );
  const all: number[] = [];
  for (const label of labels) {
    const sorted = [...recorder.latencies.get(label)!].sort((a, b) => a - b);
    if (label !== "outbox read (not HTTP)") all.push(...sorted);
    lines.push(
      `${label.padEnd(width)}  ${String(sorted.length).padStart(6)}  ${num(percentile(sorted, 50), 1).padStart(8)}  ${num(percentile(sorted, 95), 1).padStart(8)}  ${num(percentile(sorted, 99), 1).padStart(8)}  ${num(sorted.at(-1)!, 1).padStart(8)}`,
    );
  }
  all.sort((a, b) => a - b);
  if (all.length > 0) {
    lines.push(
      `${"all HTTP".padEnd(width)}  ${String(all.length).padStart(6)}  ${num(percentile(all, 50), 1).padStart(8)}  ${num(percentile(all, 95), 1).padStart(8)}  ${num(percentile(all, 99), 1).padStart(8)}  ${num(all.at(-1)!, 1).padStart(8)}`,
    );
  }
  const perSecond = recorder.commands / seconds;
  if (result.reference) {
    const measured = [result.reference, result.referenceAfter]
      .filter((r): r is ReferenceFigures => r !== undefined)
      .map((r) => r.perSecond);
    const mean = measured.reduce((a, b) => a + b, 0) / measured.length;
    lines.push(
      `vs the reference route measured ${measured.length > 1 ? "before and after" : "just before"} on this machine ` +
        `(${measured.map((m) => num(m)).join(" and ")} requests/s${measured.length > 1 ? `, mean ${num(mean)}` : ""}): ` +
        `${num(perSecond)} commands/s = ${num((100 * perSecond) / mean)}%; ` +
        `target >= 50% (${num(mean / 2)}/s): ${perSecond >= mean / 2 ? "MET" : "NOT MET"}`,
    );
  }
  if (result.viewReads) {
    const v = result.viewReads;
    lines.push(
      `closed cases' views read alone afterwards (GET /api/cases/:id, ${num(v.viewBytes / 1024, 1)} KB each, ${options.concurrency} clients, ${options.viewSeconds} s): ` +
        `${num(v.perSecond)}/s` +
        (v.serverMsPerRead === undefined
          ? ""
          : `, server ${num(v.serverMsPerRead, 3)} ms of CPU a read`) +
        (v.machineBusyPercent === undefined ? "" : `, machine ${num(v.machineBusyPercent)}% busy`) +
        (result.reference
          ? ` = ${num((100 * v.perSecond) / result.reference.perSecond)}% of the reference route measured before`
          : "") +
        ` (a command does this read and decides and writes besides)`,
    );
  }
  const quoted = PLAIN_INSERT_ROUTE_PER_S[result.kind];
  lines.push(
    `vs STACK.md: ${num(perSecond)} commands/s = ${num((100 * perSecond) / quoted)}% of the ~${num(quoted)}/s ` +
      `a Fastify route doing one Kysely INSERT transaction reaches on ${result.label}` +
      (result.kind === "postgres"
        ? result.reference
          ? " (STACK.md's figures are ratios, not promises: the target is judged on the line above)"
          : `; target >= 50% (${num(quoted / 2)}/s): ${perSecond >= quoted / 2 ? "MET" : "NOT MET"}`
        : " (no target on PGlite)"),
  );
  if (errors > 0) {
    lines.push(`errors (${errors}):`);
    for (const f of recorder.failures.slice(0, 50)) {
      lines.push(`  ${f.label}: ${f.status} ${f.body.slice(0, 500)}`);
    }
    if (recorder.failures.length > 50)
      lines.push(`  ... and ${recorder.failures.length - 50} more`);
    for (const e of result.otherErrors.slice(0, 20)) lines.push(`  ${e.slice(0, 500)}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

// ---------------------------------------------------------------------------------------------

const options = readOptions();
if (options.serverCpuProfDir) {
  serverNodeFlags = ["--cpu-prof", `--cpu-prof-dir=${options.serverCpuProfDir}`];
}
process.stdout.write(
  `bench/lifecycle: ${options.cases} cases, ${options.concurrency} concurrent clients, ${options.databases.join(" and ")}, commands answer with ${options.answer === "minimal" ? "the case alone (Prefer: return=minimal)" : "the case view"}\n`,
);
const results: RunResult[] = [];
let failed = false;
for (const kind of options.databases) {
  try {
    const result = await runOn(kind, options);
    if (result.reference) {
      process.stdout.write(
        `\nPostgreSQL: measuring the reference route again for ${options.referenceSeconds} s...\n`,
      );
      result.referenceAfter = await measureReference({
        seconds: options.referenceSeconds,
        concurrency: options.concurrency,
        databaseUrl: postgresUrl(),
      });
      process.stdout.write(`${describeReference(result.referenceAfter)}\n`);
    }
    results.push(result);
    report(result);
    if (
      result.completed !== result.cases ||
      result.recorder.failures.length > 0 ||
      result.otherErrors.length > 0
    ) {
      failed = true;
    }
  } catch (error) {
    failed = true;
    process.stderr.write(`${kind}: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
}
if (results.length > 1) {
  process.stdout.write("\n== summary\n");
  for (const r of results) {
    process.stdout.write(
      `${r.label.padEnd(10)}  ${num(r.completed / r.seconds, 1).padStart(7)} cases/s  ${num(
        r.recorder.requests / r.seconds,
      ).padStart(
        6,
      )} requests/s  ${num(r.recorder.commands / r.seconds).padStart(6)} commands/s  errors ${
        r.recorder.failures.length + r.otherErrors.length
      }\n`,
    );
  }
}
process.exitCode = failed ? 1 : 0;
