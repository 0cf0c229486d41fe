import { describe, expect, it } from "vitest";
import {
  type AuditEntryContent,
  canonicalJson,
  checkChain,
  digestAuditBody,
  ERASURE_EVENT_TYPE,
  findChainBreak,
  GENESIS_HASH,
  hashAuditEntry,
  hashSealedAuditEntry,
  newAuditSalt,
  type StoredAuditEntry,
} from "./audit-chain.ts";

function chain(n: number) {
  const entries = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = {
      caseId: "c1",
      seq,
      type: "note_added",
      caseVersion: seq,
      actor: { kind: "system" },
      at: `2026-01-0${seq}T00:00:00.000Z`,
      body: { text: `note ${seq}`, n: seq },
    };
    const hash = hashAuditEntry(prev, content);
    entries.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return entries;
}

describe("audit hash chain", () => {
  it("canonical JSON does not depend on key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }),
    );
  });

  it("accepts an intact chain", () => {
    expect(findChainBreak(chain(4))).toBeUndefined();
  });

  it("finds an edited entry", () => {
    const entries = chain(4);
    entries[1] = { ...entries[1]!, body: { text: "rewritten", n: 2 } };
    expect(findChainBreak(entries)).toMatchObject({
      seq: 2,
      problem: expect.stringContaining("edited"),
    });
  });

  it("finds a removed entry and a reordered pair", () => {
    const removed = chain(4).filter((e) => e.seq !== 3);
    expect(findChainBreak(removed)).toMatchObject({ seq: 4 });
    const swapped = chain(4);
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    expect(findChainBreak(swapped)).toMatchObject({ seq: 3 });
  });

  it("finds an entry re-hashed after an edit, because the next entry no longer links to it", () => {
    const entries = chain(3);
    const edited = { ...entries[1]!, body: { text: "forged", n: 2 } };
    edited.hash = hashAuditEntry(edited.prevHash, {
      caseId: edited.caseId,
      seq: 2,
      type: edited.type,
      caseVersion: 2,
      actor: edited.actor,
      at: edited.at,
      body: edited.body,
    });
    entries[1] = edited;
    expect(findChainBreak(entries)).toMatchObject({
      seq: 3,
      problem: expect.stringContaining("previous"),
    });
  });
});

/** A chain as written from migration 0006 to 0009: hashes over the body's unsalted digest. */
function sealedChain(bodies: unknown[], types: string[] = []): StoredAuditEntry[] {
  const entries: StoredAuditEntry[] = [];
  let prev = GENESIS_HASH;
  bodies.forEach((body, i) => {
    const content: AuditEntryContent = {
      caseId: "c1",
      seq: i + 1,
      type: types[i] ?? "note_added",
      caseVersion: i + 1,
      actor: { kind: "system" },
      at: `2026-02-0${i + 1}T00:00:00.000Z`,
      body,
    };
    const bodyDigest = digestAuditBody(body);
    const hash = hashSealedAuditEntry(prev, content, bodyDigest);
    entries.push({ ...content, prevHash: prev, hash, bodyDigest, bodySalt: null, erasedAt: null });
    prev = hash;
  });
  return entries;
}

describe("sealed entries and erasure", () => {
  it("accepts an intact sealed chain, and a legacy chain followed by sealed entries", () => {
    expect(checkChain(sealedChain([{ text: "a" }, { text: "b" }]))).toEqual({
      break: undefined,
      erased: [],
    });
  });

  it("finds a sealed body edited without an erasure", () => {
    const entries = sealedChain([{ text: "a" }, { text: "b" }]);
    entries[0] = { ...entries[0]!, body: { text: "forged" } };
    expect(findChainBreak(entries)).toMatchObject({
      seq: 1,
      problem: expect.stringContaining("digest"),
    });
  });

  it("reports an erased body listed by an erasure entry as erased, not broken", () => {
    const entries = sealedChain([{ text: "Dana's note" }, { text: "b" }]);
    const erasure = sealedChain(
      [
        { text: "Dana's note" },
        { text: "b" },
        { contactId: "k1", erasedEntries: [{ seq: 1, hash: entries[0]!.hash }] },
      ],
      ["note_added", "note_added", ERASURE_EVENT_TYPE],
    );
    erasure[0] = {
      ...erasure[0]!,
      body: { text: "[erased]" },
      erasedAt: "2026-03-01T00:00:00.000Z",
    };
    expect(checkChain(erasure)).toEqual({ break: undefined, erased: [1] });
  });

  it("refuses an erased mark that no erasure entry lists", () => {
    const entries = sealedChain([{ text: "a" }, { text: "b" }]);
    entries[0] = {
      ...entries[0]!,
      body: { text: "[erased]" },
      erasedAt: "2026-03-01T00:00:00.000Z",
    };
    expect(findChainBreak(entries)).toMatchObject({
      seq: 1,
      problem: expect.stringContaining("erasure"),
    });
  });

  it("keeps a sealed hash over the fields: an erased entry with a changed type is still broken", () => {
    const base = sealedChain([{ text: "a" }]);
    const withErasure = sealedChain(
      [{ text: "a" }, { contactId: "k1", erasedEntries: [{ seq: 1, hash: base[0]!.hash }] }],
      ["note_added", ERASURE_EVENT_TYPE],
    );
    withErasure[0] = {
      ...withErasure[0]!,
      type: "case_closed",
      body: { text: "[erased]" },
      erasedAt: "2026-03-01T00:00:00.000Z",
    };
    expect(findChainBreak(withErasure)).toMatchObject({
      seq: 1,
      problem: expect.stringContaining("edited"),
    });
  });
});

/** Appends an entry as written since migration 0009: its digest salted. */
function appendSalted(
  entries: StoredAuditEntry[],
  type: string,
  body: unknown,
): StoredAuditEntry[] {
  const prev = entries.at(-1);
  const prevHash = prev?.hash ?? GENESIS_HASH;
  const content: AuditEntryContent = {
    caseId: "c1",
    seq: entries.length + 1,
    type,
    caseVersion: entries.length + 1,
    actor: { kind: "system" },
    at: `2026-02-0${entries.length + 1}T00:00:00.000Z`,
    body,
  };
  const bodySalt = newAuditSalt();
  const bodyDigest = digestAuditBody(body, bodySalt);
  const hash = hashSealedAuditEntry(prevHash, content, bodyDigest);
  return [...entries, { ...content, prevHash, hash, bodyDigest, bodySalt, erasedAt: null }];
}

describe("salted digests (since migration 0009)", () => {
  const erasedAt = "2026-03-01T00:00:00.000Z";
  const salted = (...bodies: unknown[]) =>
    bodies.reduce<StoredAuditEntry[]>((list, body) => appendSalted(list, "note_added", body), []);

  it("accepts an intact salted chain, and salted entries after unsalted ones", () => {
    expect(checkChain(salted({ text: "a" }, { text: "b" }))).toEqual({
      break: undefined,
      erased: [],
    });
    const mixed = appendSalted(sealedChain([{ text: "a" }]), "note_added", { text: "b" });
    expect(mixed.map((e) => e.bodySalt === null)).toEqual([true, false]);
    expect(checkChain(mixed)).toEqual({ break: undefined, erased: [] });
  });

  it("finds a salted body edited, and a salt changed, without an erasure", () => {
    const edited = salted({ text: "a" }, { text: "b" });
    edited[1] = { ...edited[1]!, body: { text: "forged" } };
    expect(findChainBreak(edited)).toMatchObject({ seq: 2, problem: /digest/ });
    const resalted = salted({ text: "a" }, { text: "b" });
    resalted[0] = { ...resalted[0]!, bodySalt: newAuditSalt() };
    expect(findChainBreak(resalted)).toMatchObject({ seq: 1, problem: /digest/ });
  });

  it("counts an entry erased with its salt as erased, not broken", () => {
    const notes = salted({ text: "Call Dana Whitlock on +14155550123" }, { text: "b" });
    const entries = appendSalted(notes, ERASURE_EVENT_TYPE, {
      contactId: "k1",
      erasedEntries: [{ seq: 1, hash: notes[0]!.hash }],
    });
    entries[0] = { ...entries[0]!, body: { text: "[erased]" }, bodySalt: null, erasedAt };
    expect(checkChain(entries)).toEqual({ break: undefined, erased: [1] });
  });

  it("gives a right guess of an erased body nothing to match once the salt is gone", () => {
    const secret = { text: "Call Dana Whitlock on +14155550123" };
    const [entry] = salted(secret);
    // With the salt the digest is the body's (which is why erasure must drop it)...
    expect(digestAuditBody(secret, entry!.bodySalt)).toBe(entry!.bodyDigest);
    // ...without it, the right guess hashed unsalted or with any other salt matches nothing.
    expect(digestAuditBody(secret)).not.toBe(entry!.bodyDigest);
    expect(digestAuditBody(secret, newAuditSalt())).not.toBe(entry!.bodyDigest);
  });
});
