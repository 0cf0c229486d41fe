// Everything one accepted decision writes, as one SQL statement: the case (inserted, or updated
// only if it is still at the version the decision was made on), its audit entries, the customer
// links and identity codes it needs and its outgoing messages. Postgres runs a statement with
// data-modifying CTEs atomically, and every part after the case waits on the case's CTE, so when
// another writer got there first nothing at all is written and the caller decides again.
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Case } from "../../domain/case.ts";
import { preparedText } from "../prepared-statements.ts";
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
  now: Date;
}

/**
 * `insert into <table> (<columns>) select ... from <rows as JSON>` when the case was written.
 * jsonb_populate_recordset types each value by the table's own columns, so one parameter carries
 * any number of rows of any shape; columns the rows leave out take their defaults.
 */
function insertRowsIfWritten(
  table: string,
  rows: readonly Record<string, unknown>[],
  suffix: RawBuilder<unknown> = sql``,
): RawBuilder<unknown> {
  const columns = sql.join(Object.keys(rows[0]!).map((column) => sql.id(column)));
  return sql`insert into ${sql.table(table)} (${columns})
    select ${columns} from jsonb_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::jsonb)
    where exists (select 1 from written) ${suffix}`;
}

/**
 * Writes the change in one statement. False when the case is no longer at `expectedVersion` (or
 * an entry was appended to its audit chain meanwhile): nothing was written, decide again.
 */
export async function writeCaseChange(db: Db, change: CaseChange): Promise<boolean> {
  const c = change.case;
  const columns = caseColumns(c);
  const written =
    change.expectedVersion === null
      ? sql`insert into cases (id, ${sql.join(Object.keys(columns).map((k) => sql.id(k)))})
          values (${c.id}, ${sql.join(Object.values(columns))}) returning id`
      : sql`update cases set ${sql.join(
          Object.entries(columns).map(([k, v]) => sql`${sql.id(k)} = ${v}`),
        )} where id = ${c.id} and version = ${change.expectedVersion}${
          change.useLink
            ? sql` and exists (select 1 from customer_links where token_hash = ${change.useLink}
                and used_at is null and superseded_at is null)`
            : sql``
        } returning id`;
  const parts: RawBuilder<unknown>[] = [sql`written as (${written})`];
  const add = (part: RawBuilder<unknown>) =>
    parts.push(sql`${sql.raw(`w${parts.length}`)} as (${part})`);

  if (change.auditEntries.length > 0) {
    add(
      insertRowsIfWritten(
        "case_events",
        chainAuditRows(c.id, change.auditTip, change.auditEntries),
      ),
    );
  }
  if (change.useLink) {
    add(sql`update customer_links set used_at = ${change.now}
      where token_hash = ${change.useLink} and exists (select 1 from written)`);
  }
  if (change.supersedeLinks.length > 0) {
    add(sql`update customer_links set superseded_at = ${change.now}
      where case_id = ${c.id}
        and purpose in (select jsonb_array_elements_text(${JSON.stringify(change.supersedeLinks)}::jsonb))
        and used_at is null and superseded_at is null and exists (select 1 from written)`);
  }
  if (change.links.length > 0) {
    add(
      insertRowsIfWritten(
        "customer_links",
        change.links.map((link) => ({
          token_hash: link.tokenHash,
          case_id: c.id,
          contact_id: link.contactId,
          purpose: link.purpose,
          expires_at: link.expiresAt,
        })),
      ),
    );
  }
  if (change.identityCodes.length > 0) {
    // A new code replaces any earlier live code of the case.
    add(sql`update identity_codes set superseded_at = ${change.now}
      where case_id = ${c.id} and used_at is null and superseded_at is null
        and exists (select 1 from written)`);
    add(
      insertRowsIfWritten(
        "identity_codes",
        change.identityCodes.map((code) => ({
          id: code.id,
          case_id: c.id,
          contact_id: code.contactId,
          code_hash: code.codeHash,
          expires_at: code.expiresAt,
        })),
      ),
    );
  }
  if (change.outbox.length > 0) {
    add(
      insertRowsIfWritten(
        "outbox",
        change.outbox.map((m) => ({
          case_id: m.caseId,
          topic: m.topic,
          channel: m.channel,
          recipient: m.recipient,
          payload: m.payload,
          dedupe_key: m.dedupeKey,
          next_attempt_at: change.now,
        })),
        sql`on conflict (dedupe_key) do nothing`,
      ),
    );
  }
  // The text depends only on which parts the change has, so it is prepared on PostgreSQL.
  const statement = sql<{ n: number }>`with ${sql.join(parts)}
    select count(*)::int as n from written`.compile(db);
  const result = await db.executeQuery<{ n: number }>(preparedText(statement));
  return result.rows[0]?.n === 1;
}
