// Imports accounts, contacts or subscriptions from a CSV file. Every row is held to the rules the
// API applies (inputs.ts) plus the references a file can get wrong: staff by email, accounts by
// external reference, plans by code, and external references already taken. A file with a bad
// row imports nothing unless the caller skips bad rows; whatever is imported goes in one
// transaction, so a database that refuses a batch half-way leaves nothing behind.
import { pipeline, Readable, Transform, type TransformCallback } from "node:stream";
import { CsvError, parse } from "csv-parse";
import type { z } from "zod";
import {
  findAccountIdsByExternalRefs,
  findPlansByCode,
  findStaffByEmails,
  findTakenExternalRefs,
  insertAccountsInBulk,
  insertContactsInBulk,
  insertSubscriptionsInBulk,
  type StaffReference,
} from "../db/repositories/imports.repository.ts";
import type { FieldProblem } from "../domain/errors.ts";
import type { StaffRole } from "../domain/staff.ts";
import type { Db, Trx } from "./context.ts";
import {
  type AccountCreateInput,
  accountCreateInput,
  type ContactCreateInput,
  contactCreateInput,
  type SubscriptionCreateInput,
  subscriptionCreateInput,
  userCreateInput,
} from "./inputs.ts";

export const IMPORT_KINDS = ["accounts", "contacts", "subscriptions"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** One problem of one row: `line` as an editor shows it, the header being line 1. */
export interface RowProblem {
  line: number;
  field: string;
  message: string;
}

export interface ImportProgress {
  validated: number;
  imported: number;
}

export interface ImportReport {
  kind: ImportKind;
  /** Data rows read (blank lines are not rows). */
  total: number;
  /** Rows that passed every check. */
  valid: number;
  /** Rows stored: 0 when the file was refused or on a dry run. */
  imported: number;
  invalidRows: number;
  invalid: RowProblem[];
  /** Nothing was imported because of the problems listed. */
  refused: boolean;
  dryRun: boolean;
}

export interface ImportOptions {
  /** Import the valid rows of a file that has bad ones. */
  skipInvalid?: boolean;
  /** Check everything, the database's own constraints included, then roll back. */
  dryRun?: boolean;
  /** Rows per INSERT. */
  batchSize?: number;
  /** Called every `progressEvery` rows and once at the end. */
  onProgress?: (progress: ImportProgress) => void;
  progressEvery?: number;
}

/** The database refused a batch that passed validation; the transaction was rolled back. */
export class ImportFailedError extends Error {
  constructor(
    message: string,
    /** The lines of the batch refused, for a caller that must not quote the database's message. */
    readonly lines: { first: number; last: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ImportFailedError";
  }
}

/** The columns of a file of each kind. Optional columns may be left out of the header. */
export const IMPORT_COLUMNS = {
  accounts: {
    required: ["external_ref", "name"],
    optional: ["account_manager_email", "csm_email", "country", "time_zone", "segment"],
  },
  contacts: {
    required: ["account_external_ref", "external_ref", "name", "role"],
    optional: ["email", "phone", "authorised_to_cancel", "preferred_channel"],
  },
  subscriptions: {
    required: [
      "account_external_ref",
      "external_ref",
      "plan_code",
      "seats",
      "monthly_value_minor",
      "currency",
      "current_period_start",
      "current_period_end",
    ],
    optional: ["status", "cancel_at", "cancelled_at"],
  },
} as const satisfies Record<ImportKind, { required: string[]; optional: string[] }>;

type Cells = Record<string, string>;

interface PendingRow {
  line: number;
  cells: Cells;
  problems: FieldProblem[];
  /** The row as the API's schema parsed it, references resolved; set once it is all valid. */
  input?: unknown;
}

interface Resolution {
  ids: Record<string, string>;
  problems: FieldProblem[];
}

interface EntitySpec<Input> {
  table: ImportKind;
  noun: string;
  /** Input field (as the API names it) -> the CSV column that carries it. */
  columnOf: Record<string, string>;
  schema: z.ZodType<Input>;
  /** The row as the API would receive it, references replaced by a stand-in id. */
  toInput(cells: Cells, problems: FieldProblem[]): Record<string, unknown>;
  /** Resolves the batch's references in bulk: real ids, or a problem per bad reference. */
  resolve(trx: Trx, batch: Cells[]): Promise<Resolution[]>;
  insert(trx: Trx, inputs: Input[]): Promise<void>;
}

// A valid UUID that stands in for a reference until the batch resolves it, so the API's schema
// (which expects ids) checks everything else about the row.
const STAND_IN_ID = "00000000-0000-4000-8000-000000000000";

function text(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * A time cell as billing exports and spreadsheets write it: `2026-01-01 09:30:00` without a zone
 * is read as UTC (the API, which has no such habit, wants the zone; `instant` reads the rest).
 */
function instantCell(value: string | undefined): string | undefined {
  const t = text(value)?.trim();
  if (t === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/.test(t) ? `${t}Z` : t;
}

function wholeNumber(value: string | undefined): number | undefined {
  const t = text(value);
  return t === undefined ? undefined : Number(t);
}

const TRUE_WORDS = new Set(["true", "yes", "y", "1"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0"]);

function yesNo(cells: Cells, column: string, problems: FieldProblem[]): boolean | undefined {
  const t = text(cells[column])?.trim().toLowerCase();
  if (t === undefined) return undefined;
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  problems.push({ field: column, message: "must be true or false (or yes/no, 1/0)" });
  return undefined;
}

const staffEmail = userCreateInput.shape.email;

/** Checks the AM/CSM email columns of a batch against active users of the right role. */
async function resolveStaff(
  trx: Trx,
  batch: Cells[],
  columns: { column: string; field: string; role: StaffRole }[],
): Promise<Resolution[]> {
  const emails = new Set<string>();
  for (const cells of batch) {
    for (const { column } of columns) {
      const email = staffEmail.safeParse(text(cells[column]) ?? "");
      if (email.success) emails.add(email.data);
    }
  }
  const staff = await findStaffByEmails(trx, [...emails]);
  return batch.map((cells) => {
    const resolution: Resolution = { ids: {}, problems: [] };
    for (const { column, field, role } of columns) {
      const given = text(cells[column]);
      if (given === undefined) continue;
      const email = staffEmail.safeParse(given);
      if (!email.success) {
        resolution.problems.push({ field: column, message: "must be an email address" });
        continue;
      }
      const user: StaffReference | undefined = staff.get(email.data);
      if (!user?.active) {
        resolution.problems.push({ field: column, message: "is not an active user" });
      } else if (user.role !== role) {
        resolution.problems.push({
          field: column,
          message: `must be a user with the ${role} role`,
        });
      } else {
        resolution.ids[field] = user.id;
      }
    }
    return resolution;
  });
}

/** Checks the account_external_ref column of a batch against accounts already stored. */
async function resolveAccounts(trx: Trx, batch: Cells[]): Promise<Resolution[]> {
  const refs = new Set<string>();
  for (const cells of batch) {
    const ref = text(cells.account_external_ref)?.trim();
    if (ref !== undefined) refs.add(ref);
  }
  const accounts = await findAccountIdsByExternalRefs(trx, [...refs]);
  return batch.map((cells): Resolution => {
    const ref = text(cells.account_external_ref)?.trim();
    if (ref === undefined) {
      return { ids: {}, problems: [{ field: "account_external_ref", message: "is required" }] };
    }
    const id = accounts.get(ref);
    return id
      ? { ids: { accountId: id }, problems: [] }
      : {
          ids: {},
          problems: [{ field: "account_external_ref", message: `is not an existing account` }],
        };
  });
}

const accountsSpec: EntitySpec<AccountCreateInput> = {
  table: "accounts",
  noun: "account",
  columnOf: {
    externalRef: "external_ref",
    name: "name",
    accountManagerId: "account_manager_email",
    csmId: "csm_email",
    country: "country",
    timeZone: "time_zone",
    segment: "segment",
  },
  schema: accountCreateInput,
  toInput: (cells) => ({
    externalRef: text(cells.external_ref),
    name: text(cells.name),
    accountManagerId: text(cells.account_manager_email) && STAND_IN_ID,
    csmId: text(cells.csm_email) && STAND_IN_ID,
    country: text(cells.country),
    timeZone: text(cells.time_zone),
    segment: text(cells.segment)?.trim().toLowerCase(),
  }),
  resolve: (trx, batch) =>
    resolveStaff(trx, batch, [
      { column: "account_manager_email", field: "accountManagerId", role: "account_manager" },
      { column: "csm_email", field: "csmId", role: "csm" },
    ]),
  insert: async (trx, inputs) => {
    await insertAccountsInBulk(trx, inputs);
  },
};

const contactsSpec: EntitySpec<ContactCreateInput> = {
  table: "contacts",
  noun: "contact",
  columnOf: {
    accountId: "account_external_ref",
    externalRef: "external_ref",
    name: "name",
    email: "email",
    phone: "phone",
    role: "role",
    authorisedToCancel: "authorised_to_cancel",
    preferredChannel: "preferred_channel",
  },
  schema: contactCreateInput,
  toInput: (cells, problems) => ({
    accountId: STAND_IN_ID,
    externalRef: text(cells.external_ref),
    name: text(cells.name),
    email: text(cells.email),
    phone: text(cells.phone)?.trim(),
    role: text(cells.role)?.trim().toLowerCase(),
    authorisedToCancel: yesNo(cells, "authorised_to_cancel", problems),
    preferredChannel: text(cells.preferred_channel)?.trim().toLowerCase(),
  }),
  resolve: resolveAccounts,
  insert: async (trx, inputs) => {
    await insertContactsInBulk(trx, inputs);
  },
};

function subscriptionsSpec(plans: Map<string, { id: string; currency: string }>) {
  const spec: EntitySpec<SubscriptionCreateInput> = {
    table: "subscriptions",
    noun: "subscription",
    columnOf: {
      accountId: "account_external_ref",
      planId: "plan_code",
      externalRef: "external_ref",
      seats: "seats",
      monthlyValueMinor: "monthly_value_minor",
      currency: "currency",
      status: "status",
      currentPeriodStart: "current_period_start",
      currentPeriodEnd: "current_period_end",
      cancelAt: "cancel_at",
      cancelledAt: "cancelled_at",
    },
    schema: subscriptionCreateInput,
    toInput: (cells) => ({
      accountId: STAND_IN_ID,
      planId: STAND_IN_ID,
      externalRef: text(cells.external_ref),
      seats: wholeNumber(cells.seats),
      monthlyValueMinor: wholeNumber(cells.monthly_value_minor),
      currency: text(cells.currency),
      status: text(cells.status)?.trim().toLowerCase(),
      currentPeriodStart: instantCell(cells.current_period_start),
      currentPeriodEnd: instantCell(cells.current_period_end),
      cancelAt: instantCell(cells.cancel_at),
      cancelledAt: instantCell(cells.cancelled_at),
    }),
    resolve: async (trx, batch) => {
      const accounts = await resolveAccounts(trx, batch);
      return batch.map((cells, i) => {
        const resolution = accounts[i]!;
        const code = text(cells.plan_code)?.trim();
        if (code === undefined) {
          resolution.problems.push({ field: "plan_code", message: "is required" });
          return resolution;
        }
        const plan = plans.get(code);
        if (!plan) {
          resolution.problems.push({ field: "plan_code", message: "is not an existing plan" });
          return resolution;
        }
        resolution.ids.planId = plan.id;
        // The same rule createSubscription applies: a subscription is billed in its plan's money.
        const currency = text(cells.currency)?.trim().toUpperCase();
        if (currency !== undefined && /^[A-Z]{3}$/.test(currency) && currency !== plan.currency) {
          resolution.problems.push({
            field: "currency",
            message: `must be the plan's currency, ${plan.currency}`,
          });
        }
        return resolution;
      });
    },
    insert: async (trx, inputs) => {
      await insertSubscriptionsInBulk(trx, inputs);
    },
  };
  return spec;
}

/**
 * csv-parse counts a CRLF inside a quoted field as two lines, so line numbers would drift on
 * files from Windows; turning CRLF into LF first keeps them right. A CR at the end of a chunk is
 * held back until the next chunk shows whether an LF follows.
 */
function crlfToLf(): Transform {
  let pendingCr = false;
  return new Transform({
    decodeStrings: false,
    transform(chunk: Buffer | string, _encoding, callback: TransformCallback) {
      let s = (pendingCr ? "\r" : "") + chunk.toString();
      pendingCr = s.endsWith("\r");
      if (pendingCr) s = s.slice(0, -1);
      callback(null, s.replace(/\r\n/g, "\n"));
    },
    flush(callback: TransformCallback) {
      callback(null, pendingCr ? "\r" : "");
    },
  });
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

function countLineBreaks(fields: string[]): number {
  let n = 0;
  for (const field of fields) {
    let i = field.indexOf("\n");
    while (i !== -1) {
      n++;
      i = field.indexOf("\n", i + 1);
    }
  }
  return n;
}

/** Sent through the transaction to roll it back on purpose (a refused file, a dry run). */
class RollBack extends Error {}

/**
 * Reads a CSV of `kind` from `source` (a file stream, or any iterable of chunks), checks every row
 * and imports the valid ones. Rows are parsed as they stream in and handled a batch at a time:
 * one look-up per kind of reference and one INSERT per batch.
 */
export async function importCsv(
  db: Db,
  kind: ImportKind,
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const batchSize = options.batchSize ?? 1000;
  const progressEvery = options.progressEvery ?? 10_000;
  const report: ImportReport = {
    kind,
    total: 0,
    valid: 0,
    imported: 0,
    invalidRows: 0,
    invalid: [],
    refused: false,
    dryRun: options.dryRun === true,
  };
  let inserted = 0;
  let fileProblem = false;
  const mayInsert = () => !fileProblem && (options.skipInvalid || report.invalidRows === 0);

  try {
    await db.transaction().execute(async (trx) => {
      const spec: EntitySpec<unknown> = (
        kind === "accounts"
          ? accountsSpec
          : kind === "contacts"
            ? contactsSpec
            : subscriptionsSpec(await findPlansByCode(trx))
      ) as EntitySpec<unknown>;
      const firstLineOfRef = new Map<string, number>();
      let header: string[] | undefined;
      let batch: PendingRow[] = [];
      let lastProgress = 0;

      const flush = async () => {
        if (batch.length === 0) return;
        const rows = batch;
        batch = [];
        await checkBatch(trx, spec, rows, firstLineOfRef);
        const good: unknown[] = [];
        for (const row of rows) {
          if (row.problems.length === 0) {
            report.valid++;
            good.push(row.input);
            continue;
          }
          report.invalidRows++;
          for (const p of row.problems) report.invalid.push({ line: row.line, ...p });
        }
        if (good.length > 0 && mayInsert()) {
          try {
            await spec.insert(trx, good);
          } catch (error) {
            const first = rows[0]!.line;
            const last = rows[rows.length - 1]!.line;
            throw new ImportFailedError(
              `the database refused the ${spec.noun}s on lines ${first}-${last} ` +
                `(${error instanceof Error ? error.message : String(error)}); nothing was imported`,
              { first, last },
              { cause: error },
            );
          }
          inserted += good.length;
        }
        if (report.total - lastProgress >= progressEvery) {
          lastProgress = report.total - (report.total % progressEvery);
          options.onProgress?.({ validated: report.total, imported: inserted });
        }
      };

      const parser = parse({
        bom: true,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
      });
      const input = source instanceof Readable ? source : Readable.from(source);
      // pipeline() passes a read error of the file on to the parser, which the loop then throws.
      const records = pipeline(input, crlfToLf(), parser, () => {});
      try {
        for await (const { record, info } of records as AsyncIterable<CsvRecord>) {
          const line = info.lines - countLineBreaks(record);
          if (header === undefined) {
            header = record.map((name) => name.trim().toLowerCase());
            const problems = checkHeader(kind, header);
            if (problems.length > 0) {
              fileProblem = true;
              for (const p of problems) report.invalid.push({ line, ...p });
              break;
            }
            continue;
          }
          // Spreadsheets leave rows of empty cells behind; they are not rows anybody meant.
          if (record.every((cell) => cell.trim() === "")) continue;
          report.total++;
          const problems: FieldProblem[] = [];
          if (record.length !== header.length) {
            problems.push({
              field: "(row)",
              message: `has ${record.length} fields but the header has ${header.length}`,
            });
          }
          const cells: Cells = {};
          header.forEach((column, i) => {
            cells[column] = record[i] ?? "";
            // PostgreSQL's text cannot hold it; the HTTP routes refuse it the same way.
            if (cells[column].includes("\u0000")) {
              problems.push({ field: column, message: "must not contain a NUL character" });
              cells[column] = "";
            }
          });
          batch.push({ line, cells, problems });
          if (batch.length >= batchSize) await flush();
        }
      } catch (error) {
        if (!(error instanceof CsvError)) throw error;
        fileProblem = true;
        const at = (error as CsvError & { lines?: number }).lines;
        report.invalid.push({
          line: at ?? 0,
          field: "(file)",
          message: `is not valid CSV: ${error.message}`,
        });
      } finally {
        records.destroy();
      }
      if (header === undefined && !fileProblem) {
        fileProblem = true;
        report.invalid.push({
          line: 1,
          field: "(file)",
          message: `is empty: expected a header line with ${IMPORT_COLUMNS[kind].required.join(",")}`,
        });
      }
      if (!fileProblem) await flush();
      options.onProgress?.({ validated: report.total, imported: inserted });
      report.refused = !mayInsert();
      if (report.refused || report.dryRun) throw new RollBack();
    });
    report.imported = inserted;
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  report.invalid.sort((a, b) => a.line - b.line);
  return report;
}

function checkHeader(kind: ImportKind, header: string[]): FieldProblem[] {
  const { required, optional } = IMPORT_COLUMNS[kind];
  const known = new Set<string>([...required, ...optional]);
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const column of header) {
    if (seen.has(column)) problems.push({ field: column, message: "appears twice in the header" });
    else if (!known.has(column))
      problems.push({
        field: column,
        message: `is not a column of ${kind} (expected ${[...required, ...optional].join(", ")})`,
      });
    seen.add(column);
  }
  for (const column of required) {
    if (!seen.has(column)) problems.push({ field: column, message: "column is missing" });
  }
  return problems;
}

/** Validates a batch's rows in place: field rules, references, external references taken. */
async function checkBatch(
  trx: Trx,
  spec: EntitySpec<unknown>,
  batch: PendingRow[],
  firstLineOfRef: Map<string, number>,
): Promise<void> {
  // With fields missing or extra, values sit under the wrong columns: their problems would mislead.
  const rows = batch.filter((row) => row.problems.length === 0);
  const refsToCheck: string[] = [];
  for (const row of rows) {
    const parsed = spec.schema.safeParse(spec.toInput(row.cells, row.problems));
    if (parsed.success) row.input = parsed.data;
    else {
      for (const issue of parsed.error.issues)
        row.problems.push(toCsvProblem(spec, row.cells, issue));
    }

    // Rows are matched by external reference later (contacts name their account by it), so an
    // import insists on one, and on each being used once.
    const ref = text(row.cells.external_ref)?.trim();
    if (ref === undefined) {
      if (!row.problems.some((p) => p.field === "external_ref")) {
        row.problems.push({ field: "external_ref", message: "is required" });
      }
      continue;
    }
    const firstLine = firstLineOfRef.get(ref);
    if (firstLine !== undefined) {
      row.problems.push({
        field: "external_ref",
        message: `${ref} is used again (first on line ${firstLine})`,
      });
    } else {
      firstLineOfRef.set(ref, row.line);
      refsToCheck.push(ref);
    }
  }

  // One after the other: a transaction is one connection, which runs one query at a time.
  const resolutions = await spec.resolve(
    trx,
    rows.map((r) => r.cells),
  );
  const taken = await findTakenExternalRefs(trx, spec.table, refsToCheck);
  rows.forEach((row, i) => {
    const resolution = resolutions[i]!;
    // A field the schema already found wrong needs no second message about its reference.
    for (const problem of resolution.problems) {
      if (!row.problems.some((p) => p.field === problem.field)) row.problems.push(problem);
    }
    const ref = text(row.cells.external_ref)?.trim();
    if (ref !== undefined && taken.has(ref) && firstLineOfRef.get(ref) === row.line) {
      row.problems.push({
        field: "external_ref",
        message: `${ref} is already used by an existing ${spec.noun}`,
      });
    }
    if (row.problems.length === 0) row.input = { ...(row.input as object), ...resolution.ids };
  });
}

function toCsvProblem(
  spec: EntitySpec<unknown>,
  cells: Cells,
  issue: z.core.$ZodIssue,
): FieldProblem {
  const key = issue.path[0];
  const column = typeof key === "string" ? (spec.columnOf[key] ?? key) : "(row)";
  if (issue.code === "invalid_type" && text(cells[column]) === undefined) {
    return { field: column, message: "is required" };
  }
  let message = issue.message;
  // The shared rules name fields as the API does (currentPeriodStart); the file says current_period_start.
  for (const [field, col] of Object.entries(spec.columnOf))
    message = message.replaceAll(field, col);
  return { field: column, message };
}
