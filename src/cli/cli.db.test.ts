// The canceldesk command run for real, as a child process, on a database of its own: embedded
// PGlite in a temporary DATA_DIR, or a fresh schema on the PostgreSQL server under test.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDbKind } from "../../test/db.ts";
import { openDatabase } from "../db/database.ts";
import { runCli } from "./run-cli.ts";

const dir = mkdtempSync(path.join(tmpdir(), "canceldesk-cli-"));
const schema = `cli_${process.pid}_${Date.now().toString(36)}`;
const postgresUrl = process.env.TEST_DATABASE_URL;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  env = { ...process.env, DATA_DIR: path.join(dir, "data"), DATABASE_URL: "", SEED_DEMO: "false" };
  if (testDbKind === "postgres") {
    const admin = await openDatabase({ kind: "postgres", url: postgresUrl!, poolSize: 1 });
    await sql`create schema ${sql.id(schema)}`.execute(admin.db);
    await admin.close();
    const url = new URL(postgresUrl!);
    url.searchParams.set("options", `-c search_path=${schema}`);
    env.DATABASE_URL = url.toString();
    env.SESSION_SECRET = "cli-test-session-secret-0123456789abcdef";
  }
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (testDbKind === "postgres") {
    const admin = await openDatabase({ kind: "postgres", url: postgresUrl!, poolSize: 1 });
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
    await admin.close();
  }
});

function canceldesk(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: path.resolve(import.meta.dirname, "../.."), env: { ...env, ...extraEnv } },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The same command line in this process: no start-up cost, for the cases beyond the basics. */
async function canceldeskInProcess(args: string[], extraEnv: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stderrIsTTY: false,
    env: { ...env, ...extraEnv },
  });
  return { code, stdout, stderr };
}

describe("canceldesk", () => {
  // Child processes for the basics; the rest run in-process, since each start costs seconds.
  it("lists its commands with --help, and answers an unknown command with help and exit code 2", async () => {
    const help = await canceldesk(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["serve", "migrate", "seed", "user", "import"]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
    const unknown = await canceldesk(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^unknown command: frobnicate\n\nUsage: canceldesk/);
  });

  it("names the variable of a bad configuration, without a stack trace", async () => {
    const result = await canceldeskInProcess(["migrate"], {
      DATABASE_URL: "mysql://db.example/cancel",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "config error: DATABASE_URL: must start with postgres:// or postgresql://\n",
    );
  });

  it("will not deliver messages on PostgreSQL without an SMTP server, before connecting", async () => {
    const result = await canceldeskInProcess(["worker"], {
      DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
      SESSION_SECRET: "cli-test-session-secret-0123456789abcdef",
      PUBLIC_URL: "https://cancel.example.com",
      SMTP_URL: "",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "config error: SMTP_URL: must be set to deliver messages (or DEV_MAILBOX=true keeps them in the dev mailbox)\n",
    );
  });

  it("names DATABASE_URL when the database it names is not there", async () => {
    if (testDbKind === "postgres") {
      const missing = new URL(postgresUrl!);
      missing.pathname = "/canceldesk_no_such_database";
      const result = await canceldeskInProcess(["migrate"], {
        DATABASE_URL: missing.toString(),
        SESSION_SECRET: "cli-test-session-secret-0123456789abcdef",
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'config error: DATABASE_URL: could not use the database: database "canceldesk_no_such_database" does not exist\n',
      );
    } else {
      // Nothing listens there: the system's own words, without a stack trace.
      const result = await canceldeskInProcess(["migrate"], {
        DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
        SESSION_SECRET: "cli-test-session-secret-0123456789abcdef",
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: connect ECONNREFUSED 127\.0\.0\.1:1\n$/);
    }
  });

  it("will not run a worker on PostgreSQL without its public address, which customers' links need", async () => {
    const result = await canceldeskInProcess(["worker"], {
      DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
      SESSION_SECRET: "cli-test-session-secret-0123456789abcdef",
      PUBLIC_URL: "",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "config error: PUBLIC_URL: must be set when DATABASE_URL is set: customers' links and the Secure cookie are built on it\n",
    );
  });

  // Both about the embedded database, so on PGlite whichever database the other tests use.
  it("will not open an embedded database another process has open", async () => {
    const dataDir = path.join(dir, "busy");
    const held = await openDatabase({ kind: "pglite", dataDir: path.join(dataDir, "pglite") });
    try {
      const result = await canceldesk(["migrate"], { DATA_DIR: dataDir, DATABASE_URL: "" });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(`^error: the embedded database in .* is in use by process ${process.pid} `),
      );
    } finally {
      await held.close();
    }
    expect((await canceldesk(["migrate"], { DATA_DIR: dataDir, DATABASE_URL: "" })).code).toBe(0);
  });

  it("will not make a new database for a command pointed at a folder without one", async () => {
    const nowhere = path.join(dir, "mistyped");
    const result = await canceldeskInProcess(["audit", "verify"], {
      DATA_DIR: nowhere,
      DATABASE_URL: "",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `config error: DATA_DIR: there is no CancelDesk database in ${nowhere}: point DATA_DIR at the server's, or run "canceldesk migrate" to create one there\n`,
    );
    expect(existsSync(path.join(nowhere, "pglite"))).toBe(false);
  });

  it("migrates, creates a user, refuses demo data next to real users", async () => {
    const first = await canceldesk(["migrate"]);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toMatch(/^applied 0001-foundation$/m);
    const again = await canceldeskInProcess(["migrate"]);
    expect(again.stdout).toBe("The database is up to date: no migrations to apply.\n");

    const created = await canceldesk([
      "user",
      "create",
      "--email",
      "Priya.Shah@WootRecruit.example",
      "--name",
      "Priya Shah",
      "--role",
      "account_manager",
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(
      /Created account_manager Priya Shah <priya.shah@wootrecruit.example>/,
    );
    expect(created.stdout).toMatch(/^Password \(shown only now\): \S{20}$/m);

    const invalid = await canceldeskInProcess([
      "user",
      "create",
      "--email",
      "priya.shah@wootrecruit.example",
      "--role",
      "boss",
    ]);
    // Wrong arguments, like an unknown option: exit code 2 and the command's help.
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^name: is required \(--name\)$/m);
    expect(invalid.stderr).toMatch(/^role: /m);
    expect(invalid.stderr).toMatch(/^Usage: canceldesk user create /m);
    for (const wrong of [
      ["--email", "not-an-email", "--name", "Priya Shah", "--role", "csm"],
      ["--email", "someone@wootrecruit.example", "--name", "Priya Shah", "--role", "boss"],
      [
        "--email",
        "someone@wootrecruit.example",
        "--name",
        "Priya Shah",
        "--role",
        "csm",
        "--password",
        "short",
      ],
    ]) {
      const refused = await canceldeskInProcess(["user", "create", ...wrong]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(/^(email|role|password): /);
      expect(refused.stdout).toBe("");
    }
    const unknownOption = await canceldeskInProcess(["user", "create", "--colour", "blue"]);
    expect(unknownOption.code).toBe(2);
    const duplicate = await canceldeskInProcess([
      "user",
      "create",
      "--email",
      "priya.shah@wootrecruit.example",
      "--name",
      "Priya Again",
      "--role",
      "csm",
      "--password",
      "a-long-enough-password",
    ]);
    expect(duplicate).toMatchObject({
      code: 1,
      stderr: "email: is already used by another user\n",
    });

    const seed = await canceldeskInProcess(["seed", "--demo"]);
    expect(seed.code).toBe(1);
    expect(seed.stderr).toMatch(/^Refusing to seed demo data: the database already has 1 user\./);
  });

  it("records a new session secret on purpose, and a worker with another one will not start", async () => {
    const secrets = {
      PUBLIC_URL: "https://cancel.example.com",
      DEV_MAILBOX: "true",
      SMS_PROVIDER_URL: "",
    };
    const recorded = await canceldeskInProcess(["migrate", "--new-session-secret"], {
      ...secrets,
      SESSION_SECRET: "the-deployment-session-secret-0123456789",
    });
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toMatch(/^Recorded the new SESSION_SECRET/m);
    const worker = await canceldeskInProcess(["worker"], {
      ...secrets,
      SESSION_SECRET: "a-worker-with-another-secret-0123456789",
    });
    expect(worker.code).toBe(1);
    expect(worker.stderr).toMatch(
      /^config error: SESSION_SECRET: is not the secret this database was set up with/,
    );
    // Back to this file's own secret for the commands after this one.
    expect((await canceldeskInProcess(["migrate", "--new-session-secret"], secrets)).code).toBe(0);
  });

  it("tells a case it cannot find from a broken chain by the exit code", async () => {
    const result = await canceldeskInProcess(["audit", "verify", "--case", "CD-1999-99999"]);
    expect(result).toMatchObject({ code: 2, stderr: "case CD-1999-99999 was not found\n" });
  });

  it("refuses a CSV file with bad rows, reporting each by line", async () => {
    const file = path.join(dir, "accounts.csv");
    writeFileSync(
      file,
      [
        "external_ref,name,account_manager_email,country",
        'A-1,"Northwind Staffing, Inc.",priya.shah@wootrecruit.example,US',
        "A-2,,priya.shah@wootrecruit.example,US",
        "A-3,Bluebird Health,nobody@wootrecruit.example,GB",
        "",
      ].join("\n"),
    );
    const result = await canceldesk(["import", "accounts", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        "line 3: name: is required",
        "line 4: account_manager_email: is not an active user",
        "Nothing was imported: 2 of 3 rows have problems. Fix them, or use --skip-invalid to import the other 1 row.",
        "",
      ].join("\n"),
    );
    const skipping = await canceldeskInProcess(["import", "accounts", file, "--skip-invalid"]);
    expect(skipping.code).toBe(0);
    expect(skipping.stdout).toMatch(
      /^Imported 1 of 3 rows into accounts; skipped 2 rows with problems\.$/m,
    );
  });
});
