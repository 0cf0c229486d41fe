// The audit log's hash chain: each entry's hash covers its content and the previous entry's hash
// of the same case, so an edited, removed or reordered entry breaks every hash after it.
//
// Two ways of hashing an entry, told apart by its body digest:
// - sealed (every entry written since migration 0006): the hash covers the entry's fields and the
//   SHA-256 digest of its canonical body, not the body itself. Erasing personal data replaces the
//   body with a redacted one and keeps the digest, so the chain still verifies and the entry shows
//   as erased (its body no longer matches its digest) instead of broken. Since 0009 the digest is
//   salted with a random salt kept beside it, which the erasure drops with the body: an unsalted
//   digest of a known body would confirm a guess of the erased words.
// - legacy (entries written before 0006, body digest null): the hash covers the body itself.
//   Such an entry, once erased, keeps its hash and its place in the chain (the next entry still
//   links to it, and the erasure entry lists its seq and hash), but its content can no longer be
//   re-checked.
import { createHash, randomBytes } from "node:crypto";

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

/**
 * SHA-256 of the body's canonical JSON after the entry's salt: what a sealed entry's hash covers
 * instead of the body. Entries written between 0006 and 0009 have no salt.
 */
export function digestAuditBody(body: unknown, salt: string | null = null): string {
  const hash = createHash("sha256");
  if (salt !== null) hash.update(salt).update("\n");
  return hash.update(canonicalJson(body)).digest("hex");
}

/** A new entry's salt: 128 random bits. */
export function newAuditSalt(): string {
  return randomBytes(16).toString("hex");
}

/** The hash of a sealed entry: its fields and its body's digest, chained to the previous hash. */
export function hashSealedAuditEntry(
  prevHash: string,
  entry: Omit<AuditEntryContent, "body">,
  bodyDigest: string,
): string {
  const { body: _b, ...fields } = entry as AuditEntryContent;
  return createHash("sha256")
    .update(prevHash)
    .update("\n")
    .update(canonicalJson({ ...fields, bodyDigest }))
    .digest("hex");
}

export interface ChainBreak {
  caseId: string;
  seq: number;
  problem: string;
}

/** An entry as stored: content, chain links, and for sealed entries the digest and erasure mark. */
export type StoredAuditEntry = AuditEntryContent & {
  prevHash: string;
  hash: string;
  /** Null for a legacy entry, whose hash covers its body. */
  bodyDigest?: string | null;
  /** The digest's salt; null before 0009 and once the body is erased. */
  bodySalt?: string | null;
  /** Set when personal data was erased from the body. */
  erasedAt?: string | null;
};

export interface ChainCheck {
  /** The first entry where the chain does not hold, if any. */
  break: ChainBreak | undefined;
  /** Seqs of entries whose body was erased under a recorded erasure: not a break. */
  erased: number[];
}

/** The event type that records an erasure, listing the entries it redacted. */
export const ERASURE_EVENT_TYPE = "personal_data_erased";

/**
 * Checks one case's entries, given in seq order as stored: the sequence has no gap, each entry
 * links to the previous entry's hash, each hash matches its content (the body, or for a sealed
 * entry the body's digest), and each erased entry is listed, with its hash, by a later erasure
 * entry of the same case.
 */
export function checkChain(entries: StoredAuditEntry[]): ChainCheck {
  const erased: number[] = [];
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  const fail = (entry: StoredAuditEntry, problem: string): ChainCheck => ({
    break: { caseId: entry.caseId, seq: entry.seq, problem },
    erased,
  });
  const recordedErasures = new Map<number, string>();
  for (const entry of entries) {
    if (entry.type !== ERASURE_EVENT_TYPE) continue;
    const listed = (entry.body as { erasedEntries?: { seq: number; hash: string }[] })
      ?.erasedEntries;
    for (const e of listed ?? []) recordedErasures.set(e.seq, e.hash);
  }
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) {
      return fail(entry, `expected entry ${expectedSeq}: an entry is missing or out of order`);
    }
    if (entry.prevHash !== prevHash) {
      return fail(entry, "does not link to the previous entry's hash");
    }
    const {
      prevHash: _p,
      hash,
      bodyDigest = null,
      bodySalt = null,
      erasedAt = null,
      ...content
    } = entry;
    if (erasedAt && recordedErasures.get(entry.seq) !== hash) {
      return fail(entry, "marked erased, but no erasure entry of the case lists it");
    }
    if (bodyDigest === null) {
      if (erasedAt) erased.push(entry.seq);
      else if (hashAuditEntry(prevHash, content) !== hash) {
        return fail(entry, "its content does not match its hash: it was edited");
      }
    } else {
      if (hashSealedAuditEntry(prevHash, content, bodyDigest) !== hash) {
        return fail(entry, "its content does not match its hash: it was edited");
      }
      if (digestAuditBody(content.body, bodySalt) !== bodyDigest) {
        if (!erasedAt) return fail(entry, "its body does not match its digest: it was edited");
        erased.push(entry.seq);
      }
    }
    prevHash = hash;
    expectedSeq++;
  }
  return { break: undefined, erased };
}

/** The first break of one case's chain, if any (see checkChain). */
export function findChainBreak(entries: StoredAuditEntry[]): ChainBreak | undefined {
  return checkChain(entries).break;
}
