// Everything one accepted decision writes, as one SQL statement: the case (inserted, or updated
// only if it is still at the version the decision was made on), its audit entries, the customer
// links and identity codes it needs and its outgoing messages. Postgres runs a statement with
// data-modifying CTEs atomically, and every part after the case waits on the case's CTE, so when
// another writer got there first nothing at all is written and the caller decides again.
import { type Kysely, type QueryResult, type RawBuilder, sql } from "kysely";
import type { Case } from "../../domain/case.ts";
import { compileOnce } from "../prepared-statements.ts";
import type { Database } from "../tables/tables.ts";
import { chainAuditRows, type NewAuditEntry } from "./audit.repository.ts";
import { caseColumns } from "./cases.repository.ts";
import type { LinkPurpose } from "./customer-links.repository.ts";
import type { NewOutboxMessage } from "./outbox.repository.ts";

type Db = Kysely<Database>;

export interface NewCustomerLink {
  tokenHash: string;
  contactId: string;
  purpose: LinkPurpose;
  expiresAt: Date;
}

export interface NewIdentityCode {
  id: string;
  contactId: string;
  codeHash: string;
  expiresAt: Date;
}

export interface CaseChange {
  case: Case;
  /** The version the decision was made on; null inserts a new case. */
  expectedVersion: number | null;
  /** The tip of the audit chain the decision saw. */
  auditTip: { seq: number; hash: string | null };
  auditEntries: NewAuditEntry[];
  /** Earlier links of these purposes stop working (only the latest form or survey link works). */
  supersedeLinks: LinkPurpose[];
  links: NewCustomerLink[];
  identityCodes: NewIdentityCode[];
  outbox: NewOutboxMessage[];
  /** The hash of a customer link this change uses up: written only while the link is unused. */
  useLink?: string;
  /**
   * The identity code the decision checked a code against: its attempt is counted (and it is
   * used up when the code matched), and the change is written only while the code is still live.
   */
  identityCodeAttempt?: { id: string; used: boolean };
  /**
   * The answer to the request's Idempotency-Key claim, stored by the same statement: once the
   * change is committed a repeat finds its answer, even if the server stopped before replying.
   */
  idempotentAnswer?: IdempotentAnswer;
  now: Date;
}

/** An Idempotency-Key claim (idempotency.repository.ts) and the answer it is to keep. */
export interface IdempotentAnswer {
  principal: string;
  key: string;
  /** The claim's token: the change lands only while the claim is still this request's. */
  token: string;
  statusCode: number;
  /** The answer's JSON text (kept as jsonb: the same value, not necessarily the same bytes). */
  response: string;
}

/**
 * The request's Idempotency-Key claim was taken over by a retry of it (after going stale) or
 * released: nothing was written, and the retry's answer is the one to give.
 */
export class IdempotencyClaimLost extends Error {}

/**
 * `insert into <table> (<columns>) select ... from <rows as JSON>` when the case was written.
 * jsonb_populate_recordset types each value by the table's own columns, so one parameter carries
 * any number of rows of any shape; columns the rows leave out take their defaults.
 */
function insertRowsIfWritten(
  table: string,
  columnNames: readonly string[],
  rowsJson: unknown,
  suffix: RawBuilder<unknown> = sql``,
): RawBuilder<unknown> {
  const columns = sql.join(columnNames.map((column) => sql.id(column)));
  return sql`insert into ${sql.table(table)} (${columns})
    select ${columns} from jsonb_populate_recordset(null::${sql.table(table)}, ${rowsJson}::jsonb)
    where exists (select 1 from written) ${suffix}`;
}

/** The rows of each table a change inserts, besides the case. */
interface ChangeRows {
  auditEntries: Record<string, unknown>[];
  links: Record<string, unknown>[];
  identityCodes: Record<string, unknown>[];
  outbox: Record<string, unknown>[];
}

function rowsOf(change: CaseChange): ChangeRows {
  const c = change.case;
  return {
    auditEntries: chainAuditRows(c.id, change.auditTip, change.auditEntries),
    links: change.links.map((link) => ({
      token_hash: link.tokenHash,
      case_id: c.id,
      contact_id: link.contactId,
      purpose: link.purpose,
      expires_at: link.expiresAt,
    })),
    identityCodes: change.identityCodes.map((code) => ({
      id: code.id,
      case_id: c.id,
      contact_id: code.contactId,
      code_hash: code.codeHash,
      expires_at: code.expiresAt,
    })),
    outbox: change.outbox.map((m) => ({
      case_id: m.caseId,
      topic: m.topic,
      channel: m.channel,
      recipient: m.recipient,
      payload: m.payload,
      dedupe_key: m.dedupeKey,
      next_attempt_at: change.now,
    })),
  };
}

/**
 * The values a write binds, by name. A change's statement text depends only on which parts it
 * has (its shape), so each shape is compiled once and prepared (src/db/prepared-statements.ts);
 * the values are bound in the order the first compilation recorded.
 */
interface WriteValues {
  caseId: string;
  columns: Record<string, unknown>;
  expectedVersion: number | null;
  now: Date;
  useLink: string | undefined;
  codeAttempt: { id: string; used: boolean } | undefined;
  answer: IdempotentAnswer | undefined;
  /** JSON text of each table's rows, present only when there are rows. */
  rows: Partial<Record<keyof ChangeRows, string>>;
  supersedePurposes: string | undefined;
}

function writeValues(change: CaseChange, rows: ChangeRows): WriteValues {
  const json = (list: readonly unknown[]) => (list.length > 0 ? JSON.stringify(list) : undefined);
  const values: WriteValues = {
    caseId: change.case.id,
    columns: caseColumns(change.case),
    expectedVersion: change.expectedVersion,
    now: change.now,
    useLink: change.useLink,
    codeAttempt: change.identityCodeAttempt,
    answer: change.idempotentAnswer,
    rows: {},
    supersedePurposes:
      change.supersedeLinks.length > 0 ? JSON.stringify(change.supersedeLinks) : undefined,
  };
  for (const table of Object.keys(rows) as (keyof ChangeRows)[]) {
    const text = json(rows[table]);
    if (text !== undefined) values.rows[table] = text;
  }
  return values;
}

/** What makes two writes' statements the same text. */
function shapeOf(values: WriteValues, rows: ChangeRows): string {
  const columnsOf = (list: readonly Record<string, unknown>[]) =>
    list[0] ? Object.keys(list[0]).join(",") : "-";
  return [
    values.expectedVersion === null ? "insert" : "update",
    Object.keys(values.columns).join(","),
    values.useLink === undefined ? "-" : "link",
    values.codeAttempt === undefined ? "-" : "code",
    values.answer === undefined ? "-" : "answer",
    values.supersedePurposes === undefined ? "-" : "supersede",
    columnsOf(rows.auditEntries),
    columnsOf(rows.links),
    columnsOf(rows.identityCodes),
    columnsOf(rows.outbox),
  ].join("|");
}

/**
 * The statement of one shape. `v` holds the values when first compiled, or placeholders for
 * them: every value must reach the SQL unchanged (see compileOnce).
 */
function writeStatement(v: WriteValues, rows: ChangeRows) {
  const columns = Object.keys(v.columns);
  const written =
    v.expectedVersion === null
      ? v.answer !== undefined
        ? // The columns type the values of INSERT ... SELECT as they type VALUES.
          sql`insert into cases (id, ${sql.join(columns.map((k) => sql.id(k)))})
            select ${v.caseId}, ${sql.join(Object.values(v.columns))}
            where exists (select 1 from claim) returning id`
        : sql`insert into cases (id, ${sql.join(columns.map((k) => sql.id(k)))})
          values (${v.caseId}, ${sql.join(Object.values(v.columns))}) returning id`
      : sql`update cases set ${sql.join(
          columns.map((k) => sql`${sql.id(k)} = ${v.columns[k]}`),
        )} where id = ${v.caseId} and version = ${v.expectedVersion}${
          v.answer !== undefined ? sql` and exists (select 1 from claim)` : sql``
        }${
          v.useLink !== undefined
            ? sql` and exists (select 1 from customer_links where token_hash = ${v.useLink}
                and used_at is null and superseded_at is null)`
            : sql``
        }${
          v.codeAttempt !== undefined
            ? sql` and exists (select 1 from identity_codes where id = ${v.codeAttempt.id}
                and used_at is null and superseded_at is null)`
            : sql``
        } returning id`;
  const parts: RawBuilder<unknown>[] = [];
  if (v.answer !== undefined) {
    // Locked, the claim cannot be taken over until this statement commits (a takeover then
    // finds the answer); already taken over or released, the case is not written.
    parts.push(sql`claim as (select 1 from idempotency_keys
      where principal = ${v.answer.principal} and key = ${v.answer.key}
        and claim_token = ${v.answer.token}::uuid and status_code is null for update)`);
  }
  parts.push(sql`written as (${written})`);
  const add = (part: RawBuilder<unknown>) =>
    parts.push(sql`${sql.raw(`w${parts.length}`)} as (${part})`);
  const insert = (table: string, key: keyof ChangeRows, suffix?: RawBuilder<unknown>) => {
    if (v.rows[key] !== undefined) {
      add(insertRowsIfWritten(table, Object.keys(rows[key][0]!), v.rows[key], suffix));
    }
  };

  insert("case_events", "auditEntries");
  if (v.useLink !== undefined) {
    add(sql`update customer_links set used_at = ${v.now}
      where token_hash = ${v.useLink} and exists (select 1 from written)`);
  }
  if (v.codeAttempt !== undefined) {
    add(sql`update identity_codes set attempts = attempts + 1,
        used_at = case when ${v.codeAttempt.used}::boolean then ${v.now}::timestamptz end
      where id = ${v.codeAttempt.id} and exists (select 1 from written)`);
  }
  if (v.supersedePurposes !== undefined) {
    add(sql`update customer_links set superseded_at = ${v.now}
      where case_id = ${v.caseId}
        and purpose in (select jsonb_array_elements_text(${v.supersedePurposes}::jsonb))
        and used_at is null and superseded_at is null and exists (select 1 from written)`);
  }
  insert("customer_links", "links");
  if (v.rows.identityCodes !== undefined) {
    // A new code replaces any earlier live code of the case.
    add(sql`update identity_codes set superseded_at = ${v.now}
      where case_id = ${v.caseId} and used_at is null and superseded_at is null
        and exists (select 1 from written)`);
  }
  insert("identity_codes", "identityCodes");
  insert("outbox", "outbox", sql`on conflict (dedupe_key) do nothing`);
  if (v.answer !== undefined) {
    // Only while the claim is still this request's and unanswered (as storeIdempotentResponse).
    add(sql`update idempotency_keys
      set status_code = ${v.answer.statusCode}::int, response = ${v.answer.response}::jsonb
      where principal = ${v.answer.principal} and key = ${v.answer.key}
        and claim_token = ${v.answer.token}::uuid and status_code is null
        and exists (select 1 from written)`);
  }
  const claimed = v.answer !== undefined ? sql`(select count(*) from claim)::int` : sql`1`;
  return sql<{ n: number; claimed: number }>`with ${sql.join(parts)}
    select count(*)::int as n, ${claimed} as claimed from written`;
}

/** Every value of `v` in a fixed order, and `v` rebuilt from such a list (placeholders included). */
function flatten(v: WriteValues): unknown[] {
  const list: unknown[] = [v.caseId, ...Object.values(v.columns)];
  if (usesNow(v)) list.push(v.now);
  if (v.expectedVersion !== null) list.push(v.expectedVersion);
  if (v.useLink !== undefined) list.push(v.useLink);
  if (v.codeAttempt !== undefined) list.push(v.codeAttempt.id, v.codeAttempt.used);
  if (v.supersedePurposes !== undefined) list.push(v.supersedePurposes);
  for (const key of ROW_KEYS) if (v.rows[key] !== undefined) list.push(v.rows[key]);
  if (v.answer !== undefined) {
    const { statusCode, response, principal, key, token } = v.answer;
    list.push(statusCode, response, principal, key, token);
  }
  return list;
}

/** Only marking links used or superseded and codes superseded stamp the time as a value. */
function usesNow(v: WriteValues): boolean {
  return (
    v.useLink !== undefined ||
    v.codeAttempt !== undefined ||
    v.supersedePurposes !== undefined ||
    v.rows.identityCodes !== undefined
  );
}

const ROW_KEYS: readonly (keyof ChangeRows)[] = [
  "auditEntries",
  "links",
  "identityCodes",
  "outbox",
];

function unflatten(like: WriteValues, list: readonly unknown[]): WriteValues {
  let i = 0;
  const next = () => list[i++];
  const v: WriteValues = {
    caseId: next() as string,
    now: like.now,
    expectedVersion: null,
    columns: {},
    useLink: undefined,
    codeAttempt: undefined,
    answer: undefined,
    rows: {},
    supersedePurposes: undefined,
  };
  for (const key of Object.keys(like.columns)) v.columns[key] = next();
  if (usesNow(like)) v.now = next() as Date;
  if (like.expectedVersion !== null) v.expectedVersion = next() as number;
  if (like.useLink !== undefined) v.useLink = next() as string;
  if (like.codeAttempt !== undefined) {
    v.codeAttempt = { id: next() as string, used: next() as boolean };
  }
  if (like.supersedePurposes !== undefined) v.supersedePurposes = next() as string;
  for (const key of ROW_KEYS) if (like.rows[key] !== undefined) v.rows[key] = next() as string;
  if (like.answer !== undefined) {
    const statusCode = next() as number;
    const response = next() as string;
    v.answer = {
      statusCode,
      response,
      principal: next() as string,
      key: next() as string,
      token: next() as string,
    };
  }
  return v;
}

const writeStatements = new Map<
  string,
  (db: Db, ...values: unknown[]) => Promise<QueryResult<{ n: number; claimed: number }>>
>();

/**
 * Writes the change in one statement. False when the case is no longer at `expectedVersion` (or
 * an entry was appended to its audit chain meanwhile): nothing was written, decide again.
 * Throws IdempotencyClaimLost when the change was to keep an answer for a claim that is no
 * longer the request's.
 */
export async function writeCaseChange(db: Db, change: CaseChange): Promise<boolean> {
  const rows = rowsOf(change);
  const values = writeValues(change, rows);
  const shape = shapeOf(values, rows);
  let statement = writeStatements.get(shape);
  if (!statement) {
    statement = compileOnce((_db: Db, ...list: unknown[]) =>
      writeStatement(unflatten(values, list), rows),
    );
    writeStatements.set(shape, statement);
  }
  const result = await statement(db, ...flatten(values));
  const row = result.rows[0];
  if (row?.n === 1) return true;
  if (row?.claimed === 0) throw new IdempotencyClaimLost();
  return false;
}
