import { describe, expect, it } from "vitest";
import { ERASED, personalWords, redactPersonalData, redactText } from "./personal-data.ts";

describe("redacting a contact's words", () => {
  it("replaces a word standing on its own, in any case, never inside a longer word", () => {
    expect(redactText("Spoke with Ali; ALI called back (ali).", ["Ali"])).toBe(
      `Spoke with ${ERASED}; ${ERASED} called back (${ERASED}).`,
    );
    expect(redactText("Alison and Khalil; low_quality", ["Ali"])).toBe(
      "Alison and Khalil; low_quality",
    );
    expect(
      redactText("Write to pat.o@example.test, or +14155550123.", [
        "pat.o@example.test",
        "+14155550123",
      ]),
    ).toBe(`Write to ${ERASED}, or ${ERASED}.`);
    expect(redactText("Zoë Åberg-Lind said so", ["Zoë Åberg-Lind"])).toBe(`${ERASED} said so`);
  });

  it("leaves codes, ids, references and hashes alone, and every figure with them", () => {
    const body = {
      reasonCode: "low_quality",
      offerCodes: ["abba_plan"],
      assignedAmId: "3f2a91c0-abba-4c1e-9d2e-0a1b2c3d4e5f",
      reference: "CD-2026-00042",
      hash: "abba00",
      monthlyValueMinor: 49_900,
      summary: "Abba wants to leave",
      label: "Call Abba on Monday",
    };
    expect(redactPersonalData(body, ["Abba", "Ali"])).toEqual({
      ...body,
      summary: ERASED,
      label: `Call ${ERASED} on Monday`,
    });
  });

  it("skips words too short to tell apart", () => {
    expect(personalWords({ name: "Al", email: "al@x.test", phone: null })).toEqual(["al@x.test"]);
  });
});
