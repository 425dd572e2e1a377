import { describe, expect, it } from "vitest";
import { exactUFrequencies, hodgesLehmann, mannWhitney } from "../../src/judge/mann-whitney";
import { normalQuantile, normalSf } from "../../src/judge/normal";
import { twoProportionTest } from "../../src/judge/proportions";

describe("normal distribution", () => {
  it("matches table values in the body and the tails", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326348, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(normalSf(3)).toBeCloseTo(0.0013499, 6);
    expect(normalSf(6) / 9.866e-10).toBeCloseTo(1, 2);
  });
});

describe("Mann-Whitney U", () => {
  it("gives the exact null distribution of U for 3 vs 3", () => {
    // The 20 ways to place 3 baseline among 6 ranks give U = 0..9 with these counts.
    expect(exactUFrequencies(3, 3)).toEqual([1, 1, 2, 3, 3, 3, 3, 2, 1, 1]);
  });

  it("complete separation 3 vs 3: U = 9, exact two-sided p = 2/20", () => {
    // Every canary value exceeds every baseline value: U = 3*3 = 9; P(U >= 9) = 1/20.
    const r = mannWhitney([1, 2, 3], [4, 5, 6]);
    expect(r).toMatchObject({ u: 9, method: "exact" });
    expect(r.pValue).toBeCloseTo(0.1, 10);
  });

  it("agrees with brute-force enumeration for 4 vs 5", () => {
    const baseline = [1, 3, 5, 7];
    const canary = [2, 4, 6, 8, 9];
    // U counts baselines below each canary: 1 + 2 + 3 + 4 + 4 = 14.
    const r = mannWhitney(baseline, canary);
    expect(r.u).toBe(14);
    // Enumerate all C(9,4) = 126 placements of the baseline ranks.
    let atLeast = 0;
    let total = 0;
    const choose = (start: number, picked: number[]) => {
      if (picked.length === 4) {
        total++;
        const others = [...Array(9).keys()].filter((k) => !picked.includes(k));
        const u = others.reduce((acc, c) => acc + picked.filter((b) => b < c).length, 0);
        if (u >= 14) atLeast++;
        return;
      }
      for (let k = start; k < 9; k++) choose(k + 1, [...picked, k]);
    };
    choose(0, []);
    expect(total).toBe(126);
    expect(r.pValue).toBeCloseTo((2 * atLeast) / 126, 12);
  });

  it("uses the tie-corrected normal approximation with continuity correction", () => {
    // Pooled 1,2,2,2,3,3,3,4: mid-ranks 1; 3,3,3; 6,6,6; 8. Canary ranks 3+6+6+8 = 23,
    // U = 23 - 4*5/2 = 13, mean 8, var = 16/12 * (9 - (24+24)/(8*7)) = 10.857143,
    // z = (13 - 8 - 0.5) / 3.295018 = 1.36570, p = 2 * (1 - Phi(1.3657)) = 0.17203.
    const r = mannWhitney([1, 2, 2, 3], [2, 3, 3, 4]);
    expect(r.method).toBe("normal");
    expect(r.u).toBe(13);
    expect(r.z).toBeCloseTo(1.3657, 4);
    expect(r.pValue).toBeCloseTo(0.17203, 4);
  });

  it("is symmetric: swapping the sides gives U' = n1*n2 - U and the same p", () => {
    const a = [12, 15, 11, 19, 14, 13, 18, 21, 16, 17, 22, 10, 9, 23, 8, 24, 7, 25, 6, 26, 27];
    const b = a.map((x) => x + 3.5);
    const ab = mannWhitney(a, b);
    const ba = mannWhitney(b, a);
    expect(ab.method).toBe("normal");
    expect(ab.u + ba.u).toBe(a.length * b.length);
    expect(ab.pValue).toBeCloseTo(ba.pValue, 12);
  });

  it("gives p = 1 when every value is tied", () => {
    expect(mannWhitney([5, 5, 5], [5, 5, 5, 5]).pValue).toBe(1);
  });

  it("refuses an empty side", () => {
    expect(() => mannWhitney([], [1, 2])).toThrow(/both sides/);
  });
});

describe("Hodges-Lehmann", () => {
  it("estimates the shift and its exact interval on 3 vs 3", () => {
    // Differences canary - baseline, sorted: 1,2,2,3,3,3,4,4,5; median 3.
    // At 80%: P(U <= 0) = 0.05 and P(U <= 1) = 0.10 are <= 0.10, P(U <= 2) = 0.20 is not: k = 2,
    // so the interval is [D(2), D(8)] = [2, 4].
    expect(hodgesLehmann([1, 2, 3], [4, 5, 6], 0.8)).toEqual({ estimate: 3, lower: 2, upper: 4, confidence: 0.8 });
  });

  it("leaves the interval unbounded when the sample cannot reach the level", () => {
    // At 95% even k = 1 needs P(U <= 0) = 0.05 <= 0.025: impossible with 3 vs 3.
    expect(hodgesLehmann([1, 2, 3], [4, 5, 6], 0.95)).toMatchObject({ estimate: 3, lower: null, upper: null });
  });

  it("recovers a constant shift with a large sample (normal interval)", () => {
    const baseline = Array.from({ length: 40 }, (_, i) => i * 1.7);
    const canary = baseline.map((x) => x + 10);
    const r = hodgesLehmann(baseline, canary, 0.95);
    expect(r.estimate).toBeCloseTo(10, 10);
    expect(r.lower!).toBeLessThan(10);
    expect(r.upper!).toBeGreaterThan(10);
  });
});

describe("two-proportion z-test", () => {
  it("matches a hand computation", () => {
    // p1 = 0.010, p2 = 0.025, pooled 35/2000 = 0.0175, se = sqrt(0.0175*0.9825*0.002) = 0.0058641,
    // z = 0.015 / 0.0058641 = 2.5579, two-sided p = 0.01053.
    const r = twoProportionTest({ events: 10, total: 1000 }, { events: 25, total: 1000 }, 0.98);
    expect(r.z).toBeCloseTo(2.5579, 3);
    expect(r.pValue).toBeCloseTo(0.01053, 4);
    expect(r.difference).toBeCloseTo(0.015, 12);
    expect(r.lower).toBeLessThan(0.015);
    expect(r.upper).toBeGreaterThan(0.015);
  });

  it("gives p = 1 when neither side has events", () => {
    expect(twoProportionTest({ events: 0, total: 100 }, { events: 0, total: 100 }, 0.98).pValue).toBe(1);
  });
});
