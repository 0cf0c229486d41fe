// Times `import accounts` and `import contacts` of 100,000 rows each, on embedded PGlite and, when
// BENCH_DATABASE_URL (or DATABASE_URL) is given, on PostgreSQL. Prints rows per second.
//   npx tsx bench/import.ts [rows]

import { once } from "node:events";
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { type ImportKind, importCsv } from "../src/app/import-csv.ts";
import { createUser } from "../src/app/manage-users.ts";
import { type DatabaseHandle, migrateToLatest, openDatabase } from "../src/db/database.ts";

const rows = Number(process.argv[2] ?? 100_000);
const postgresUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const dir = mkdtempSync(path.join(tmpdir(), "canceldesk-bench-"));

async function writeCsv(file: string, header: string, line: (i: number) => string) {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  let chunk = "";
  for (let i = 1; i <= rows; i++) {
    chunk += `${line(i)}\n`;
    if (i % 1000 === 0) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

const accountsCsv = path.join(dir, "accounts.csv");
const contactsCsv = path.join(dir, "contacts.csv");
await writeCsv(
  accountsCsv,
  "external_ref,name,account_manager_email,csm_email,country,segment",
  (i) =>
    `B-${i},"Bench Staffing ${i}, Inc.",am${i % 4}@bench.example,csm${i % 2}@bench.example,US,${
      ["smb", "mid_market", "enterprise"][i % 3]
    }`,
);
await writeCsv(
  contactsCsv,
  "account_external_ref,external_ref,name,email,phone,role,authorised_to_cancel,preferred_channel",
  (i) =>
    `B-${i},BC-${i},Dana Owner ${i},dana${i}@bench${i}.example,+1415555${String(i % 10_000).padStart(4, "0")},owner,true,${["email", "phone", "sms"][i % 3]}`,
);

async function run(label: string, handle: DatabaseHandle) {
  await migrateToLatest(handle.db);
  for (let n = 0; n < 4; n++) {
    await createUser(handle.db, {
      email: `am${n}@bench.example`,
      name: `AM ${n}`,
      role: "account_manager",
      password: "bench-password-1234",
    });
  }
  for (let n = 0; n < 2; n++) {
    await createUser(handle.db, {
      email: `csm${n}@bench.example`,
      name: `CSM ${n}`,
      role: "csm",
      password: "bench-password-1234",
    });
  }
  for (const [kind, file] of [
    ["accounts", accountsCsv],
    ["contacts", contactsCsv],
  ] as [ImportKind, string][]) {
    const started = performance.now();
    const report = await importCsv(handle.db, kind, createReadStream(file));
    const seconds = (performance.now() - started) / 1000;
    if (report.imported !== rows) {
      throw new Error(
        `${label} ${kind}: imported ${report.imported} of ${rows}: ${JSON.stringify(report.invalid.slice(0, 3))}`,
      );
    }
    const perSecond = Math.round(rows / seconds).toLocaleString("en-US");
    console.log(
      `${label.padEnd(10)} ${kind.padEnd(9)} ${rows.toLocaleString("en-US")} rows in ${seconds.toFixed(2)} s: ${perSecond} rows/s`,
    );
  }
}

try {
  const pglite = await openDatabase({ kind: "pglite", dataDir: path.join(dir, "pglite") });
  try {
    await run("PGlite", pglite);
  } finally {
    await pglite.close();
  }
  if (postgresUrl) {
    const schema = `bench_${Date.now().toString(36)}`;
    const admin = await openDatabase({ kind: "postgres", url: postgresUrl, poolSize: 1 });
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    const postgres = await openDatabase({
      kind: "postgres",
      url: postgresUrl,
      schema,
      poolSize: 2,
    });
    try {
      await run("PostgreSQL", postgres);
    } finally {
      await postgres.close();
      await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.db);
      await admin.close();
    }
  } else {
    console.log("PostgreSQL: skipped (set BENCH_DATABASE_URL to include it)");
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
