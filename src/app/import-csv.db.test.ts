// The CSV import against a real database: a file with bad rows is refused row by row and leaves
// nothing behind, line numbers survive quoting, references are checked in bulk, and a database
// that refuses a batch half-way rolls the whole import back.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/db.ts";
import { makeAccount, makePlan, makeUser } from "../../test/factories.ts";
import type { DatabaseHandle } from "../db/database.ts";
import type { Db } from "./context.ts";
import { ImportFailedError, type ImportKind, type ImportOptions, importCsv } from "./import-csv.ts";

let handle: DatabaseHandle;
let db: Db;
beforeAll(async () => {
  handle = await createTestDatabase();
  db = handle.db;
  await makeUser(db, "account_manager", { email: "am@wootrecruit.example" });
  await makeUser(db, "csm", { email: "csm@wootrecruit.example" });
  await makePlan(db, { code: "growth", currency: "USD" });
  await makeAccount(db, { externalRef: "ACC-EXISTING", name: "Existing Staffing" });
});
afterAll(() => handle?.close());

const ACCOUNT_HEADER = "external_ref,name,account_manager_email,csm_email,country,segment";

function run(kind: ImportKind, lines: string[], options?: ImportOptions) {
  return importCsv(db, kind, [`${lines.join("\n")}\n`], options);
}

async function accountsWithRefPrefix(prefix: string) {
  return db
    .selectFrom("accounts")
    .select(["external_ref", "name", "country", "segment"])
    .where("external_ref", "like", `${prefix}%`)
    .orderBy("external_ref")
    .execute();
}

describe("a file with bad rows", () => {
  const file = [
    ACCOUNT_HEADER,
    "R1-1,Northwind Staffing,am@wootrecruit.example,csm@wootrecruit.example,us,smb",
    "R1-2,,am@wootrecruit.example,,Germany,huge",
    "R1-3,Bluebird Health,csm@wootrecruit.example,nobody@wootrecruit.example,GB,enterprise",
    "R1-4,Harborview Retail,,,CA,mid_market",
  ];

  it("is refused with a report naming line, field and problem, and nothing is imported", async () => {
    const report = await run("accounts", file);
    expect(report).toMatchObject({
      total: 4,
      valid: 2,
      imported: 0,
      invalidRows: 2,
      refused: true,
    });
    expect(report.invalid).toEqual([
      { line: 3, field: "name", message: "is required" },
      {
        line: 3,
        field: "country",
        message: "must be a two-letter ISO 3166 country code, e.g. US",
      },
      { line: 3, field: "segment", message: expect.stringMatching(/smb.*mid_market.*enterprise/) },
      {
        line: 4,
        field: "account_manager_email",
        message: "must be a user with the account_manager role",
      },
      { line: 4, field: "csm_email", message: "is not an active user" },
    ]);
    expect(await accountsWithRefPrefix("R1-")).toEqual([]);
  });

  it("with skipInvalid, imports the good rows and reports the others", async () => {
    const report = await run("accounts", file, { skipInvalid: true });
    expect(report).toMatchObject({
      total: 4,
      valid: 2,
      imported: 2,
      invalidRows: 2,
      refused: false,
    });
    expect(await accountsWithRefPrefix("R1-")).toEqual([
      { external_ref: "R1-1", name: "Northwind Staffing", country: "US", segment: "smb" },
      { external_ref: "R1-4", name: "Harborview Retail", country: "CA", segment: "mid_market" },
    ]);
  });

  it("on a dry run, checks everything and imports nothing", async () => {
    const report = await run("accounts", [ACCOUNT_HEADER, "R2-1,Summit Labs,,,US,smb"], {
      dryRun: true,
    });
    expect(report).toMatchObject({ total: 1, valid: 1, imported: 0, refused: false, dryRun: true });
    expect(await accountsWithRefPrefix("R2-")).toEqual([]);
  });
});

describe("an account's time zone", () => {
  it("is imported from time_zone, and a zone that does not exist is named", async () => {
    const report = await run(
      "accounts",
      [
        "external_ref,name,country,time_zone",
        "TZ-1,Koala Recruiting,AU,Australia/Sydney",
        "TZ-2,Nowhere Hiring,AU,Australia/Atlantis",
      ],
      { skipInvalid: true },
    );
    expect(report).toMatchObject({ imported: 1, invalidRows: 1 });
    expect(report.invalid).toEqual([
      {
        line: 3,
        field: "time_zone",
        message: "must be an IANA time zone such as Europe/London or America/New_York",
      },
    ]);
    const imported = await db
      .selectFrom("accounts")
      .select("time_zone")
      .where("external_ref", "=", "TZ-1")
      .executeTakeFirstOrThrow();
    expect(imported.time_zone).toBe("Australia/Sydney");
  });
});

describe("line numbers", () => {
  it("count the lines inside quoted fields, with LF or CRLF line ends", async () => {
    for (const [prefix, eol] of [
      ["R3-", "\n"],
      ["R4-", "\r\n"],
    ] as const) {
      const text = [
        ACCOUNT_HEADER,
        `${prefix}1,"Cedar Ridge Staffing, Inc.",,,US,smb`,
        `${prefix}2,"Lakeside${eol}Medical${eol}Center",,,US,enterprise`,
        "",
        `${prefix}3,Bad Country Co,,,Narnia,smb`,
        `${prefix}4,"Meridian ""Talent"" Partners",,,GB,smb`,
        `${prefix}5,"Ironwood, ""Retail""${eol}Group",,,XX1,smb`,
      ].join(eol);
      // Chunks that cut a CRLF in two, as a file stream may.
      const cut = text.indexOf("\r\n") + 1 || 10;
      const report = await importCsv(db, "accounts", [text.slice(0, cut), text.slice(cut)], {
        skipInvalid: true,
      });
      expect(report.invalid.map((p) => [p.line, p.field])).toEqual([
        [7, "country"],
        [9, "country"],
      ]);
      expect((await accountsWithRefPrefix(prefix)).map((a) => a.name)).toEqual([
        "Cedar Ridge Staffing, Inc.",
        "Lakeside\nMedical\nCenter",
        'Meridian "Talent" Partners',
      ]);
    }
  });

  it("point at a row with the wrong number of fields", async () => {
    const report = await run("accounts", [ACCOUNT_HEADER, "R5-1,Too,Many,,,,,,", "R5-2,Few"]);
    expect(report.invalid).toEqual([
      { line: 2, field: "(row)", message: "has 9 fields but the header has 6" },
      { line: 3, field: "(row)", message: "has 2 fields but the header has 6" },
    ]);
  });

  it("name the file's own problems: a wrong header, broken quoting", async () => {
    const header = await run("accounts", ["name,colour", "x,y"], { skipInvalid: true });
    expect(header.refused).toBe(true);
    expect(header.invalid.map((p) => `${p.line}: ${p.field}`)).toEqual([
      "1: colour",
      "1: external_ref",
    ]);
    const quoting = await run("accounts", [ACCOUNT_HEADER, 'R6-1,"Unclosed,,,US,smb', "R6-2,x"], {
      skipInvalid: true,
    });
    expect(quoting.refused).toBe(true);
    expect(quoting.invalid[0]).toMatchObject({ field: "(file)" });
    expect(await accountsWithRefPrefix("R6-")).toEqual([]);
  });
});

describe("references", () => {
  it("refuses an external reference used twice in the file or already in the database", async () => {
    const report = await run("accounts", [
      ACCOUNT_HEADER,
      "R7-1,First,,,US,smb",
      "R7-1,Second,,,US,smb",
      "ACC-EXISTING,Third,,,US,smb",
      ",No Ref,,,US,smb",
    ]);
    expect(report.invalid).toEqual([
      { line: 3, field: "external_ref", message: "R7-1 is used again (first on line 2)" },
      {
        line: 4,
        field: "external_ref",
        message: "ACC-EXISTING is already used by an existing account",
      },
      { line: 5, field: "external_ref", message: "is required" },
    ]);
  });

  it("refuses a contact of an unknown account, and checks the contact rules", async () => {
    const report = await run(
      "contacts",
      [
        "account_external_ref,external_ref,name,email,phone,role,authorised_to_cancel,preferred_channel",
        "ACC-EXISTING,R8-1,Dana Owner,dana@existing.example,+14155550123,owner,yes,sms",
        "ACC-NOWHERE,R8-2,Eli User,eli@nowhere.example,,user,no,email",
        "ACC-EXISTING,R8-3,Fay Billing,fay@existing.example,,billing_admin,perhaps,email",
        "ACC-EXISTING,R8-4,Gus Phone,gus@existing.example,,user,,phone",
      ],
      { skipInvalid: true },
    );
    expect(report.invalid).toEqual([
      { line: 3, field: "account_external_ref", message: "is not an existing account" },
      {
        line: 4,
        field: "authorised_to_cancel",
        message: "must be true or false (or yes/no, 1/0)",
      },
      { line: 5, field: "phone", message: "is required when the preferred channel is phone" },
    ]);
    const stored = await db
      .selectFrom("contacts")
      .select([
        "external_ref",
        "email",
        "phone",
        "role",
        "authorised_to_cancel",
        "preferred_channel",
      ])
      .where("external_ref", "like", "R8-%")
      .execute();
    expect(stored).toEqual([
      {
        external_ref: "R8-1",
        email: "dana@existing.example",
        phone: "+14155550123",
        role: "owner",
        authorised_to_cancel: true,
        preferred_channel: "sms",
      },
    ]);
  });

  it("refuses a subscription on an unknown plan or in another currency than its plan", async () => {
    const header =
      "account_external_ref,external_ref,plan_code,seats,monthly_value_minor,currency,status,current_period_start,current_period_end,cancel_at,cancelled_at";
    const report = await run(
      "subscriptions",
      [
        header,
        "ACC-EXISTING,R9-1,growth,10,89000,USD,active,2026-01-01,2026-02-01,,",
        "ACC-EXISTING,R9-2,platinum,10,89000,USD,active,2026-01-01,2026-02-01,,",
        "ACC-EXISTING,R9-3,growth,10,89000,EUR,active,2026-01-01,2026-02-01,,",
        "ACC-EXISTING,R9-4,growth,2.5,-1,USD,cancellation_scheduled,2026-02-01,2026-01-01,,",
        "ACC-EXISTING,R9-5,growth,3,26700,USD,cancellation_scheduled,2026-01-01,2026-02-01,,",
      ],
      { skipInvalid: true },
    );
    expect(report.invalid).toEqual([
      { line: 3, field: "plan_code", message: "is not an existing plan" },
      { line: 4, field: "currency", message: "must be the plan's currency, USD" },
      { line: 5, field: "seats", message: "must be a whole number" },
      { line: 5, field: "monthly_value_minor", message: "must not be negative" },
      {
        line: 6,
        field: "cancel_at",
        message: "is required when status is cancellation_scheduled",
      },
    ]);
    expect(report.imported).toBe(1);
    const stored = await db
      .selectFrom("subscriptions")
      .select(["seats", "monthly_value_minor", "status"])
      .where("external_ref", "=", "R9-1")
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ seats: 10, monthly_value_minor: "89000", status: "active" });
  });

  it("reads times as billing exports write them, zoneless as UTC, and refuses what is no date", async () => {
    const header =
      "account_external_ref,external_ref,plan_code,seats,monthly_value_minor,currency,status,current_period_start,current_period_end,cancel_at,cancelled_at";
    const report = await run(
      "subscriptions",
      [
        header,
        "ACC-EXISTING,R10-1,growth,10,89000,USD,active,2026-01-01 00:00:00, 2026-02-01T09:30+01:00 ,,",
        "ACC-EXISTING,R10-2,growth,10,89000,USD,active,2026-02-30,2026-03-01,,",
        "ACC-EXISTING,R10-3,growth,10,89000,USD,active,yesterday,2026-03-01,,",
        `ACC-EXISTING,R10-4\u0000,growth,10,89000,USD,active,2026-01-01,2026-02-01,,`,
      ],
      { skipInvalid: true },
    );
    expect(report.invalid.map((p) => [p.line, p.field])).toEqual([
      [3, "current_period_start"],
      [4, "current_period_start"],
      [5, "external_ref"],
    ]);
    expect(report.invalid[2]!.message).toBe("must not contain a NUL character");
    const stored = await db
      .selectFrom("subscriptions")
      .select(["current_period_start", "current_period_end"])
      .where("external_ref", "=", "R10-1")
      .executeTakeFirstOrThrow();
    expect(stored.current_period_start.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(stored.current_period_end.toISOString()).toBe("2026-02-01T08:30:00.000Z");
  });
});

describe("a database that refuses a batch half-way", () => {
  it("leaves nothing of the import behind", async () => {
    // A rule only the database knows, so the rows pass validation and the second batch of 1,000
    // fails at INSERT, after the first batch went in.
    await sql`alter table accounts add constraint refuse_doomed check (name <> 'Doomed Co')`.execute(
      db,
    );
    try {
      const lines = [ACCOUNT_HEADER];
      for (let i = 1; i <= 2500; i++) {
        lines.push(`R10-${i},${i === 1500 ? "Doomed Co" : `Company ${i}`},,,US,smb`);
      }
      const progress: number[] = [];
      const failure = await run("accounts", lines, {
        batchSize: 1000,
        progressEvery: 1000,
        onProgress: (p) => progress.push(p.imported),
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ImportFailedError);
      expect((failure as Error).message).toMatch(/lines 1002-2001 .*nothing was imported/);
      expect(progress).toEqual([1000]);
      expect(await accountsWithRefPrefix("R10-")).toEqual([]);
    } finally {
      await sql`alter table accounts drop constraint refuse_doomed`.execute(db);
    }
  });
});
