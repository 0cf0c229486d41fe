// The audit log's hash chain: each entry's hash covers its content and the previous entry's hash
// of the same case, so an edited, removed or reordered entry breaks every hash after it.
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditEntryContent {
  caseId: string;
  seq: number;
  type: string;
  caseVersion: number;
  actor: unknown;
  /** ISO 8601 instant. */
  at: string;
  body: unknown;
}

/** JSON with object keys sorted at every depth, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function hashAuditEntry(prevHash: string, entry: AuditEntryContent): string {
  return createHash("sha256")
    .update(prevHash)
    .update("\n")
    .update(canonicalJson(entry))
    .digest("hex");
}

export interface ChainBreak {
  caseId: string;
  seq: number;
  problem: string;
}

/**
 * Checks one case's entries, given in seq order as stored. Reports the first entry where the
 * sequence has a gap, the previous-hash link does not match, or the content does not hash to the
 * stored hash.
 */
export function findChainBreak(
  entries: (AuditEntryContent & { prevHash: string; hash: string })[],
): ChainBreak | undefined {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) {
      return {
        caseId: entry.caseId,
        seq: entry.seq,
        problem: `expected entry ${expectedSeq}: an entry is missing or out of order`,
      };
    }
    if (entry.prevHash !== prevHash) {
      return {
        caseId: entry.caseId,
        seq: entry.seq,
        problem: "does not link to the previous entry's hash",
      };
    }
    const { prevHash: _p, hash, ...content } = entry;
    if (hashAuditEntry(prevHash, content) !== hash) {
      return {
        caseId: entry.caseId,
        seq: entry.seq,
        problem: "its content does not match its hash: it was edited",
      };
    }
    prevHash = hash;
    expectedSeq++;
  }
  return undefined;
}
