import { describe, expect, it } from "vitest";
import { nearestRank, pairedRatio, percentile, select, summarize } from "../stats";

describe("summarize", () => {
  it("gives the middle value of an odd count and the mean of the middle two of an even count", () => {
    expect(summarize([5, 1, 3])).toEqual({ n: 3, median: 3, min: 1, max: 5 });
    expect(summarize([4, 1, 3, 2])).toEqual({ n: 4, median: 2.5, min: 1, max: 4 });
  });

  it("refuses an empty list instead of reporting NaN", () => {
    expect(() => summarize([])).toThrow(/no values/);
  });
});

describe("pairedRatio", () => {
  it("divides run by run, so a slow moment that hits both runs of a pair cancels out", () => {
    // Arrange: the baseline doubles in the second pair (the machine got busy), the bundle too.
    const measured = [15, 30, 15];
    const baseline = [10, 20, 10];
    // Act
    const r = pairedRatio(measured, baseline);
    // Assert
    expect(r).toEqual({ n: 3, median: 1.5, min: 1.5, max: 1.5 });
  });

  it("rejects lists of different lengths", () => {
    expect(() => pairedRatio([1, 2], [1])).toThrow(/2 measured runs but 1 baseline/);
  });
});

describe("percentile", () => {
  it("takes the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile([], 99)).toBeNaN();
  });
});

describe("select", () => {
  it("finds the k-th smallest value, duplicates included, as a sort would", () => {
    const values = [9, 3, 7, 3, 1, 8, 2, 7, 5, 3, 6];
    const sorted = [...values].sort((a, b) => a - b);
    for (let k = 0; k < values.length; k++) expect(select(Float64Array.from(values), k)).toBe(sorted[k]);
  });

  it("takes the nearest-rank index of a quantile", () => {
    expect(nearestRank(100, 0.99)).toBe(98);
    expect(nearestRank(100, 0.5)).toBe(49);
    expect(nearestRank(3, 0)).toBe(0);
    expect(nearestRank(3, 1)).toBe(2);
    expect(select(Float64Array.from([4, 1, 3, 2]), nearestRank(4, 0.5))).toBe(2);
  });
});
