// The append-only audit log of cases. Appending happens inside the transaction that changed the
// case (whose row is locked), so the chain's last hash cannot move underneath us.
import type { Kysely } from "kysely";
import {
  type AuditEntryContent,
  type ChainBreak,
  checkChain,
  digestAuditBody,
  GENESIS_HASH,
  hashSealedAuditEntry,
  newAuditSalt,
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
  /** SHA-256 of the canonical body the hash covers; null for entries written before 0006. */
  bodyDigest: string | null;
  /** The digest's salt; null for entries written before 0009 and once the body is erased. */
  bodySalt: string | null;
  /** When personal data was erased from the body, if ever. */
  erasedAt: string | null;
}

/** The audit rows continuing the chain from its tip (see src/app/audit-chain.ts). */
export function chainAuditRows(
  caseId: string,
  tip: { seq: number; hash: string | null },
  entries: readonly NewAuditEntry[],
) {
  let prevHash = tip.hash ?? GENESIS_HASH;
  let seq = tip.seq;
  return entries.map((entry) => {
    seq++;
    const content: AuditEntryContent = { caseId, seq, ...entry };
    const bodySalt = newAuditSalt();
    const bodyDigest = digestAuditBody(entry.body, bodySalt);
    const hash = hashSealedAuditEntry(prevHash, content, bodyDigest);
    const row = {
      case_id: caseId,
      seq,
      type: entry.type,
      case_version: entry.caseVersion,
      actor: entry.actor,
      at: entry.at,
      body: entry.body,
      prev_hash: prevHash,
      hash,
      body_digest: bodyDigest,
      body_salt: bodySalt,
    };
    prevHash = hash;
    return row;
  });
}

/** Appends entries to the case's chain (inside the transaction that holds the case's lock). */
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
  const rows = chainAuditRows(caseId, { seq: last?.seq ?? 0, hash: last?.hash ?? null }, entries);
  await db
    .insertInto("case_events")
    .values(
      rows.map((r) => ({
        ...r,
        actor: JSON.stringify(r.actor),
        body: JSON.stringify(r.body),
      })),
    )
    .execute();
  return rows.map((r) => ({
    caseId,
    seq: r.seq,
    type: r.type,
    caseVersion: r.case_version,
    actor: r.actor,
    at: r.at,
    body: r.body,
    prevHash: r.prev_hash,
    hash: r.hash,
    bodyDigest: r.body_digest,
    bodySalt: r.body_salt,
    erasedAt: null,
  }));
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
  body_digest: string | null;
  body_salt: string | null;
  erased_at: Date | null;
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
    bodyDigest: row.body_digest,
    bodySalt: row.body_salt,
    erasedAt: row.erased_at ? row.erased_at.toISOString() : null,
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

export interface AuditBreak extends ChainBreak {
  reference: string;
}

export interface AuditVerification {
  cases: number;
  entries: number;
  /** Entries whose personal data was erased under a recorded erasure (not breaks). */
  erasedEntries: number;
  /** How many cases have a broken chain (all of them, even past `maxBreaks`). */
  brokenCases: number;
  /** The first break of each broken case, up to `maxBreaks`. */
  breaks: AuditBreak[];
  /** With `maxCases`: the id to continue after, or null when no case is left. */
  nextCursor: string | null;
}

/**
 * Verifies every case's chain (or one case's), walking the cases in keyset pages of `batchSize`
 * by id and reading only that page's entries, so memory stays flat however large the log grows.
 */
export async function verifyAuditLog(
  db: Db,
  options: {
    caseId?: string;
    batchSize?: number;
    maxBreaks?: number;
    /** Continue after this case id (the previous slice's nextCursor). */
    after?: string;
    /** Stop after this many cases: a slice of the log, for a caller that cannot wait for all. */
    maxCases?: number;
    onProgress?: (cases: number) => void;
  } = {},
): Promise<AuditVerification> {
  const maxCases = options.maxCases ?? Number.POSITIVE_INFINITY;
  const batchSize = options.batchSize ?? 500;
  const maxBreaks = options.maxBreaks ?? Number.POSITIVE_INFINITY;
  const report: AuditVerification = {
    cases: 0,
    entries: 0,
    erasedEntries: 0,
    brokenCases: 0,
    breaks: [],
    nextCursor: null,
  };
  let after = options.after ?? "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const limit = Math.min(batchSize, maxCases - report.cases);
    let query = db
      .selectFrom("cases")
      .select(["id", "reference"])
      .where("id", ">", after)
      .orderBy("id")
      .limit(limit);
    if (options.caseId) query = query.where("id", "=", options.caseId);
    const page = await query.execute();
    if (page.length === 0) break;
    const ids = page.map((r) => r.id);
    const rows = await db
      .selectFrom("case_events")
      .selectAll()
      .where("case_id", "in", ids)
      .orderBy("case_id")
      .orderBy("seq")
      .execute();
    const byCase = new Map<string, AuditEntry[]>(ids.map((id) => [id, []]));
    for (const row of rows) byCase.get(row.case_id)!.push(toAuditEntry(row));
    for (const { id, reference } of page) {
      const caseEntries = byCase.get(id)!;
      const check = checkChain(caseEntries);
      if (check.break) {
        report.brokenCases++;
        if (report.breaks.length < maxBreaks) report.breaks.push({ ...check.break, reference });
      }
      report.entries += caseEntries.length;
      report.erasedEntries += check.erased.length;
    }
    report.cases += page.length;
    after = ids[ids.length - 1]!;
    options.onProgress?.(report.cases);
    if (page.length < limit) break;
    if (report.cases >= maxCases) {
      // A full last batch: there may be more, and the next slice starts here.
      report.nextCursor = after;
      break;
    }
  }
  return report;
}
