import { describe, expect, it } from "vitest";
import { toCsv } from "./csv.ts";

describe("toCsv", () => {
  it("writes a header row and escapes commas, quotes, line breaks and formulas", () => {
    const csv = toCsv(
      [
        { header: "name", value: (r: { name: string; n: number | null }) => r.name },
        { header: "count, total", value: (r) => r.n },
      ],
      [
        { name: 'Acme, "the best"', n: 3 },
        { name: "line\nbreak", n: null },
        { name: "=HYPERLINK(1)", n: -2 },
      ],
    );
    expect(csv).toBe(
      'name,"count, total"\r\n"Acme, ""the best""",3\r\n"line\nbreak",\r\n\'=HYPERLINK(1),-2\r\n',
    );
  });
});
