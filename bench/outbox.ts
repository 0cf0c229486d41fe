// Delivery throughput of the outbox: N emails to a local SMTP server (smtp-server on 127.0.0.1)
// and N webhooks to a local HTTP receiver, delivered by two workers sharing the database, on
// embedded PGlite and, when BENCH_DATABASE_URL (or DATABASE_URL) is given, on PostgreSQL.
// Prints messages per second and checks that each message arrived exactly once.
//   npx tsx bench/outbox.ts [messages]

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { SMTPServer } from "smtp-server";
import { type DatabaseHandle, migrateToLatest, openDatabase } from "../src/db/database.ts";
import {
  enqueueMessages,
  type NewOutboxMessage,
} from "../src/db/repositories/outbox.repository.ts";
import { insertWebhookEndpoint } from "../src/db/repositories/webhooks.repository.ts";
import { smtpTransport } from "../src/integrations/email/email-transport.ts";
import { devSmsProvider } from "../src/integrations/sms/sms-provider.ts";
import { encryptSecret } from "../src/integrations/webhooks/webhook-secret.ts";
import { httpWebhookSender } from "../src/integrations/webhooks/webhook-sender.ts";
import { createOutboxWorker } from "../src/jobs/outbox-worker.ts";

const total = Number(process.argv[2] ?? 2000);
const workers = 2;
const secret = "bench-session-secret-that-is-long-enough-0123456789";
const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const dir = mkdtempSync(path.join(tmpdir(), "canceldesk-bench-outbox-"));

// The receivers: count what arrives, by message id, to check exactly-once.
const mails = new Map<string, number>();
const smtp = new SMTPServer({
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onData(stream, _session, callback) {
    let head = "";
    stream.on("data", (chunk: Buffer) => {
      if (head.length < 4096) head += chunk.toString("utf8");
    });
    stream.on("end", () => {
      const id = /X-CancelDesk-Message: (\S+)/i.exec(head)?.[1] ?? "?";
      mails.set(id, (mails.get(id) ?? 0) + 1);
      callback();
    });
  },
});
await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", () => resolve()));
const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;

const hooks = new Map<string, number>();
const receiver = createServer((req, res) => {
  const id = String(req.headers["canceldesk-event-id"]);
  req.resume();
  req.on("end", () => {
    hooks.set(id, (hooks.get(id) ?? 0) + 1);
    res.writeHead(200).end("ok");
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", () => resolve()));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

function emails(): NewOutboxMessage[] {
  return Array.from({ length: total }, (_, i) => ({
    caseId: null,
    topic: "identity_code",
    channel: "email",
    recipient: { name: `Customer ${i}`, email: `customer${i}@bench.example` },
    payload: {
      kind: "identity_code",
      channel: "email",
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      codeNonce: `nonce-${i}`,
      codeLength: "6",
      reference: `CD-BENCH-${i}`,
    },
    dedupeKey: `bench-mail-${i}`,
  }));
}

function webhooks(): NewOutboxMessage[] {
  return Array.from({ length: total }, (_, i) => ({
    caseId: null,
    topic: "webhook",
    channel: "webhook",
    recipient: {},
    payload: { kind: "webhook", topic: "case.opened", reference: `CD-BENCH-${i}` },
    dedupeKey: `bench-hook-${i}`,
  }));
}

async function timed(label: string, handles: DatabaseHandle[], count: () => number) {
  const now = () => new Date();
  const email = smtpTransport({ url: smtpUrl, from: "Bench <bench@bench.example>" });
  const started = performance.now();
  await Promise.all(
    handles.map((handle) =>
      createOutboxWorker(
        {
          db: handle.db,
          now,
          sessionSecret: secret,
          publicUrl: "http://localhost:3000",
          companyName: "WootRecruit",
          email,
          sms: devSmsProvider(handle.db, now),
          // The bench's receiver listens on 127.0.0.1.
          webhooks: httpWebhookSender({ allowNonPublic: true }),
        },
        { batchSize: 100, concurrency: 16 },
      ).drain(),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  await email.close();
  const delivered = count();
  console.log(
    `  ${label.padEnd(10)} ${delivered} delivered in ${seconds.toFixed(2)} s: ${Math.round(delivered / seconds)} messages/s`,
  );
}

async function run(name: string, handles: DatabaseHandle[], schema?: string) {
  const db = handles[0]!.db;
  await migrateToLatest(db, schema);
  console.log(`${name}: ${total} emails, then ${total} webhooks, ${handles.length} workers`);
  mails.clear();
  hooks.clear();
  for (const batch of chunk(emails(), 500)) await enqueueMessages(db, batch, new Date());
  await timed("email", handles, () => mails.size);
  await insertWebhookEndpoint(db, {
    url: hookUrl,
    description: "bench",
    events: ["case.opened"],
    secretEncrypted: encryptSecret(secret, "whsec_bench"),
    secretHint: "ench",
    active: true,
    createdBy: null,
  });
  for (const batch of chunk(webhooks(), 500)) await enqueueMessages(db, batch, new Date());
  await timed("webhooks", handles, () => hooks.size);
  const twice = [...mails.values(), ...hooks.values()].filter((n) => n > 1).length;
  console.log(`  exactly once: ${twice === 0 ? "yes" : `NO, ${twice} arrived more than once`}`);
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

try {
  const pglite = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
  try {
    // One PGlite connection: both workers share it, as two workers in one process would.
    await run("PGlite", [pglite, pglite]);
  } finally {
    await pglite.close();
  }
  if (postgresUrl) {
    const schema = `bench_${Date.now().toString(36)}`;
    const admin = await openDatabase({ kind: "postgres", url: postgresUrl, poolSize: 1 });
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    const handles = await Promise.all(
      Array.from({ length: workers }, () =>
        openDatabase({ kind: "postgres", url: postgresUrl, schema, poolSize: 8 }),
      ),
    );
    try {
      await run("PostgreSQL", handles, schema);
    } finally {
      for (const h of handles) await h.close();
      await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
      await admin.close();
    }
  } else {
    console.log("PostgreSQL: skipped (set BENCH_DATABASE_URL)");
  }
} finally {
  smtp.close();
  receiver.close();
  rmSync(dir, { recursive: true, force: true });
}
