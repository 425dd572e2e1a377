/**
 * Thin data: with 5 points a side the rank test's smallest two-sided p is 2 / C(10, 5) = 0.00794,
 * above the default per-metric alpha (0.02 over 3 compared metrics = 0.00667). Such a metric
 * could not have failed, so it is "not enough data", never a pass, and the canary is
 * inconclusive unless another metric fails it.
 */
import { describe, expect, it } from "vitest";
import { judgeMeasurements } from "../../src/analyze/analyze";
import { smallestProportionTestP, smallestRankTestP } from "../../src/judge/attainable";
import type { Measurement } from "../../src/judge/types";
import { renderCanaryMarkdown } from "../../src/report/canary";
import { config, scope } from "../metrics/fixtures";

const p99Baseline = [55, 57, 58, 59, 61];
const p99Canary = [238, 240, 242, 245, 247];
const steady = (n: number, base: number) => Array.from({ length: n }, (_, i) => base + (i % 5));

function judge(errorRate: Measurement, p50: Measurement) {
  const measurements: Measurement[] = [errorRate, { kind: "samples", baseline: p99Baseline, canary: p99Canary, unit: "ms" }, p50];
  return judgeMeasurements(config(""), measurements, { baseline: scope.baseline, canary: scope.canary, window: scope.window });
}

const healthyErrors: Measurement = { kind: "counts", baseline: { events: 10, total: 2000 }, canary: { events: 11, total: 2000 } };

describe("the smallest attainable p", () => {
  it("is 2 / C(n1+n2, n1) for the exact rank test and bounded by the normal approximation otherwise", () => {
    expect(smallestRankTestP([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])).toBeCloseTo(2 / 252, 12);
    expect(smallestRankTestP([1], [1])).toBe(1);
    // Ties force the normal approximation; 30 a side can reach far below any alpha in use.
    expect(smallestRankTestP(steady(30, 10), steady(30, 10))).toBeLessThan(1e-9);
    expect(smallestProportionTestP(2, 2)).toBeCloseTo(0.0455, 4);
  });
});

describe("a metric whose sample cannot reach significance", () => {
  it("5 points a side, latency-p99 58 ms vs 242 ms (+318%): not enough data, and the canary is inconclusive", () => {
    const report = judge(healthyErrors, { kind: "samples", baseline: steady(20, 40), canary: steady(20, 40), unit: "ms" });
    const p99 = report.metrics.find((m) => m.name === "latency-p99")!;
    expect(p99).toMatchObject({ classification: "nodata", notEnoughData: true, failed: false, n: { baseline: 5, canary: 5 } });
    expect(p99.minPValue).toBeCloseTo(0.00794, 5);
    expect(p99.alpha).toBeCloseTo(0.02 / 3, 10);
    expect(p99.reason).toMatch(/^not enough data: with 5 baseline and 5 canary data points the smallest p the test can reach is 0\.00794, not below alpha 0\.00667; canary \+318% vs baseline/);
    expect(report.verdict).toBe("inconclusive");
    expect(report.reasons[0]).toContain("latency-p99: not enough data");

    const md = renderCanaryMarkdown(report);
    expect(md).toMatch(/\| latency-p99 \| 58 ms \| 242 ms \| 5 \/ 5 \|.*\| ⚠️ not enough data \|/);
    expect(md).not.toMatch(/latency-p99[^\n]*✅/);
  });

  it("is still failed by another metric that fails", () => {
    const doubled: Measurement = { kind: "counts", baseline: { events: 10, total: 2000 }, canary: { events: 60, total: 2000 } };
    const report = judge(doubled, { kind: "samples", baseline: steady(20, 40), canary: steady(20, 40), unit: "ms" });
    expect(report.metrics.find((m) => m.name === "latency-p99")).toMatchObject({ classification: "nodata", notEnoughData: true });
    expect(report.verdict).toBe("fail");
  });

  it("with enough points the same shift is judged: high, and the canary fails", () => {
    const report = judgeMeasurements(
      config(""),
      [healthyErrors, { kind: "samples", baseline: steady(10, 56), canary: steady(10, 238), unit: "ms" }, { kind: "samples", baseline: steady(20, 40), canary: steady(20, 40), unit: "ms" }],
      { baseline: scope.baseline, canary: scope.canary, window: scope.window },
    );
    expect(report.metrics.find((m) => m.name === "latency-p99")).toMatchObject({ classification: "high", failed: true });
    expect(report.verdict).toBe("fail");
  });
});
