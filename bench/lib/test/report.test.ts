import { describe, expect, it } from "vitest";
import { budgeted, formatTable } from "../report";

describe("budgeted", () => {
  it("is ok at or under the limit", () => {
    expect(budgeted({ part: "p", metric: "m", unit: "s", value: 1 }, 1, "≤ 1 s").status).toBe("ok");
  });

  it("says MISSED, by how much and what it would take, over the limit", () => {
    const row = budgeted({ part: "p", metric: "m", unit: "s", value: { n: 3, median: 1.5, min: 1, max: 2 } }, 1, "≤ 1 s", "poll faster");
    expect(row.status).toBe("MISSED");
    expect(row.note).toBe("MISSED by 0.5 s (50% over); poll faster");
  });
});

describe("formatTable", () => {
  it("prints one line per row with median, spread and budget, and numbered notes", () => {
    const text = formatTable([{ name: "p", rows: [budgeted({ part: "p", metric: "m", unit: "s", value: { n: 3, median: 1.5, min: 1, max: 2 } }, 1, "≤ 1 s")] }]);
    expect(text).toContain("1.5 s (1–2, n=3)");
    expect(text).toContain("MISSED [1]");
    expect(text).toContain("[1] p / m: MISSED by 0.5 s");
  });
});
