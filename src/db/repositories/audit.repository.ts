// The append-only audit log of cases. Appending happens inside the transaction that changed the
// case (whose row is locked), so the chain's last hash cannot move underneath us.
import type { Kysely } from "kysely";
import {
  type AuditEntryContent,
  type ChainBreak,
  findChainBreak,
  GENESIS_HASH,
  hashAuditEntry,
} from "../../app/audit-chain.ts";
import type { Database } from "../tables/tables.ts";

type Db = Kysely<Database>;

export interface NewAuditEntry {
  type: string;
  caseVersion: number;
  actor: unknown;
  at: string;
  body: unknown;
}

export interface AuditEntry extends AuditEntryContent {
  prevHash: string;
  hash: string;
}

export async function appendAuditEntries(
  db: Db,
  caseId: string,
  entries: NewAuditEntry[],
): Promise<AuditEntry[]> {
  if (entries.length === 0) return [];
  const last = await db
    .selectFrom("case_events")
    .select(["seq", "hash"])
    .where("case_id", "=", caseId)
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  let prevHash = last?.hash ?? GENESIS_HASH;
  let seq = last?.seq ?? 0;
  const written: AuditEntry[] = [];
  for (const entry of entries) {
    seq++;
    const content: AuditEntryContent = { caseId, seq, ...entry };
    const hash = hashAuditEntry(prevHash, content);
    written.push({ ...content, prevHash, hash });
    prevHash = hash;
  }
  await db
    .insertInto("case_events")
    .values(
      written.map((e) => ({
        case_id: e.caseId,
        seq: e.seq,
        type: e.type,
        case_version: e.caseVersion,
        actor: JSON.stringify(e.actor),
        at: e.at,
        body: JSON.stringify(e.body),
        prev_hash: e.prevHash,
        hash: e.hash,
      })),
    )
    .execute();
  return written;
}

function toAuditEntry(row: {
  case_id: string;
  seq: number;
  type: string;
  case_version: number;
  actor: unknown;
  at: Date;
  body: unknown;
  prev_hash: string;
  hash: string;
}): AuditEntry {
  return {
    caseId: row.case_id,
    seq: row.seq,
    type: row.type,
    caseVersion: row.case_version,
    actor: row.actor,
    at: row.at.toISOString(),
    body: row.body,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export async function listAuditEntries(db: Db, caseId: string): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom("case_events")
    .selectAll()
    .where("case_id", "=", caseId)
    .orderBy("seq")
    .execute();
  return rows.map(toAuditEntry);
}

/**
 * Verifies every case's chain, reading the log in pages of cases so memory stays flat however
 * large the log grows. Returns the breaks found and how many cases and entries were checked.
 */
export async function verifyAuditLog(
  db: Db,
  options: { caseId?: string; onProgress?: (cases: number) => void } = {},
): Promise<{ cases: number; entries: number; breaks: ChainBreak[] }> {
  const breaks: ChainBreak[] = [];
  let cases = 0;
  let entries = 0;
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const ids = options.caseId
      ? cases === 0
        ? [options.caseId]
        : []
      : (
          await db
            .selectFrom("cases")
            .select("id")
            .where("id", ">", after)
            .orderBy("id")
            .limit(500)
            .execute()
        ).map((r) => r.id);
    if (ids.length === 0) break;
    const rows = await db
      .selectFrom("case_events")
      .selectAll()
      .where("case_id", "in", ids)
      .orderBy("case_id")
      .orderBy("seq")
      .execute();
    const byCase = new Map<string, AuditEntry[]>(ids.map((id) => [id, []]));
    for (const row of rows) byCase.get(row.case_id)!.push(toAuditEntry(row));
    for (const [, caseEntries] of byCase) {
      const found = findChainBreak(caseEntries);
      if (found) breaks.push(found);
      entries += caseEntries.length;
    }
    cases += ids.length;
    after = ids[ids.length - 1]!;
    options.onProgress?.(cases);
  }
  return { cases, entries, breaks };
}
