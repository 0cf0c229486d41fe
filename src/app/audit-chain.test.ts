import { describe, expect, it } from "vitest";
import { canonicalJson, findChainBreak, GENESIS_HASH, hashAuditEntry } from "./audit-chain.ts";

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
