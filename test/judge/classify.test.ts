import { describe, expect, it } from "vitest";
import { classifyMetric } from "../../src/judge/classify";
import { decide, type VerdictPolicy } from "../../src/judge/score";
import type { MetricPolicy, MetricResult } from "../../src/judge/types";

const policy = (over: Partial<MetricPolicy> = {}): MetricPolicy => ({
  name: "m",
  group: "g",
  weight: 1,
  direction: "increase",
  critical: false,
  mustHaveData: false,
  nanStrategy: "remove",
  confidence: 0.98,
  effect: { allowedIncrease: 1.1, allowedDecrease: 0.9, criticalIncrease: 1.5, criticalDecrease: 0.5 },
  compare: true,
  ...over,
});
const base = [100, 102, 98, 101, 99, 103, 97, 100, 101, 99];
const up = (f: number) => base.map((v) => v * f);

describe("classifyMetric", () => {
  it("passes identical samples", () => {
    const r = classifyMetric(policy(), { kind: "samples", baseline: base, canary: base }, 0.02);
    expect(r).toMatchObject({ classification: "pass", failed: false, effect: 1 });
    expect(r.reason).toMatch(/no significant difference/);
  });

  it("flags a significant increase beyond the allowed effect as high", () => {
    const r = classifyMetric(policy(), { kind: "samples", baseline: base, canary: up(1.3) }, 0.02);
    expect(r).toMatchObject({ classification: "high", failed: true, criticalFailure: false, test: "mann-whitney-normal" });
    expect(r.effect).toBeCloseTo(1.3, 10);
    expect(r.reason).toMatch(/significantly higher \(\+30%.*beyond the allowed effect \(\+10%\)/);
  });

  it("passes a significant increase within the allowed effect", () => {
    const r = classifyMetric(policy(), { kind: "samples", baseline: base, canary: up(1.06) }, 0.02);
    expect(r.classification).toBe("pass");
    expect(r.reason).toMatch(/within the allowed effect/);
  });

  it("passes a decrease when only increases are bad, and fails it when decreases are", () => {
    const m = { kind: "samples" as const, baseline: base, canary: up(0.6) };
    expect(classifyMetric(policy(), m, 0.02)).toMatchObject({ classification: "pass" });
    expect(classifyMetric(policy(), m, 0.02).reason).toMatch(/good direction/);
    expect(classifyMetric(policy({ direction: "decrease" }), m, 0.02)).toMatchObject({ classification: "low", failed: true });
    expect(classifyMetric(policy({ direction: "either" }), m, 0.02)).toMatchObject({ classification: "low", failed: true });
  });

  it("marks a critical metric beyond its critical effect as a critical failure", () => {
    const counts = { kind: "counts" as const, baseline: { events: 10, total: 5000 }, canary: { events: 60, total: 5000 } };
    expect(classifyMetric(policy({ critical: true }), counts, 0.02)).toMatchObject({ classification: "high", criticalFailure: true, test: "two-proportion-z" });
    expect(classifyMetric(policy({ critical: false }), counts, 0.02)).toMatchObject({ classification: "high", criticalFailure: false });
  });

  it("applies absolute thresholds on the canary value", () => {
    const r = classifyMetric(policy({ compare: false, thresholds: { max: 0.01 } }), { kind: "counts", baseline: { events: 0, total: 0 }, canary: { events: 3, total: 100 } }, 0.02);
    expect(r).toMatchObject({ classification: "high", failed: true, test: "threshold" });
    expect(r.reason).toBe("canary 0.03 is above the threshold 0.01");
  });

  it("NaN strategy: remove drops NaN, replace turns it into 0", () => {
    const removed = classifyMetric(policy(), { kind: "samples", baseline: [1, Number.NaN, 2], canary: [Number.NaN, 1, 2] }, 0.02);
    expect(removed.n).toEqual({ baseline: 2, canary: 2 });
    expect(removed.canary).toBeCloseTo(1.5, 10);
    const replaced = classifyMetric(policy({ nanStrategy: "replace" }), { kind: "samples", baseline: [1, Number.NaN, 2], canary: [Number.NaN, 1, 2] }, 0.02);
    expect(replaced.n).toEqual({ baseline: 3, canary: 3 });
    expect(replaced.canary).toBeCloseTo(1, 10);
    const zeros = classifyMetric(policy({ nanStrategy: "replace" }), { kind: "samples", baseline: [Number.NaN], canary: [Number.NaN] }, 0.02);
    // One point a side: the rank test cannot reach p < 1, so this is not enough data, never a pass.
    expect(zeros).toMatchObject({ classification: "nodata", notEnoughData: true, n: { baseline: 1, canary: 1 }, canary: 0 });
  });

  it("no data: left out of the score, unless the metric must have data", () => {
    const empty = { kind: "samples" as const, baseline: [1, 2], canary: [] };
    expect(classifyMetric(policy(), empty, 0.02)).toMatchObject({ classification: "nodata", failed: false });
    expect(classifyMetric(policy({ mustHaveData: true }), empty, 0.02)).toMatchObject({ classification: "nodata", failed: true });
  });

  it("invalid counts are an error, never a pass", () => {
    const r = classifyMetric(policy(), { kind: "counts", baseline: { events: 5, total: 100 }, canary: { events: 120, total: 100 } }, 0.02);
    expect(r).toMatchObject({ classification: "error", reason: "measurement failed: invalid counts on the canary (120 events of 100); events must be between 0 and the total" });
    expect(classifyMetric(policy(), { kind: "counts", baseline: { events: Number.NaN, total: 100 }, canary: { events: 1, total: 100 } }, 0.02).classification).toBe("error");
  });

  it("an errored measurement is an error, never a pass", () => {
    const r = classifyMetric(policy(), { kind: "error", message: "HTTP 503" }, 0.02);
    expect(r).toMatchObject({ classification: "error", failed: false, reason: "measurement failed: HTTP 503" });
  });

  it("alarms: ALARM fails with the state reason, INSUFFICIENT_DATA is no data", () => {
    const firing = classifyMetric(policy(), { kind: "alarms", alarms: [{ name: "a", state: "OK", reason: "" }, { name: "b", state: "ALARM", reason: "Threshold Crossed: 5 > 1" }] }, 0.02);
    expect(firing).toMatchObject({ classification: "high", criticalFailure: true, reason: "alarm b is in ALARM: Threshold Crossed: 5 > 1" });
    expect(classifyMetric(policy(), { kind: "alarms", alarms: [{ name: "a", state: "INSUFFICIENT_DATA", reason: "" }] }, 0.02).classification).toBe("nodata");
  });
});

const verdictPolicy: VerdictPolicy = { passScore: 75, marginalScore: 50, minRequests: 500, maxNoDataFraction: 0.5 };
const enough = { baseline: 1000, canary: 1000, source: "error-rate" };
const result = (over: Partial<MetricResult>): MetricResult => ({ ...classifyMetric(policy(), { kind: "samples", baseline: base, canary: base }, 0.02), ...over });

describe("decide", () => {
  it("scores the weighted share of passing metrics", () => {
    const j = decide([result({ name: "a", weight: 3 }), result({ name: "b", weight: 1, classification: "high", failed: true })], enough, verdictPolicy);
    expect(j).toMatchObject({ verdict: "pass", score: 75, band: "pass" });
  });

  it("a marginal score gates as fail and says marginal", () => {
    const j = decide([result({ name: "a", weight: 2 }), result({ name: "b", classification: "high", failed: true })], enough, verdictPolicy);
    expect(j).toMatchObject({ verdict: "fail", band: "marginal", score: 66.67 });
    expect(j.reasons[0]).toMatch(/\(marginal\)/);
  });

  it("a critical failure fails even with a perfect remaining score and little traffic", () => {
    const j = decide([result({ name: "a" }), result({ name: "err", classification: "high", failed: true, criticalFailure: true })], { baseline: 10, canary: 10, source: "err" }, verdictPolicy);
    expect(j.verdict).toBe("fail");
    expect(j.reasons[0]).toMatch(/^critical failure of err/);
  });

  it("too few requests is inconclusive, never pass", () => {
    const j = decide([result({ name: "a" })], { baseline: 50, canary: 50, source: "error-rate" }, verdictPolicy);
    expect(j.verdict).toBe("inconclusive");
    expect(j.reasons).toContain("only 50 requests on the canary, fewer than the minimum 500");
  });

  it("unknown request counts are inconclusive while a minimum is set", () => {
    expect(decide([result({ name: "a" })], { baseline: null, canary: null, source: null }, verdictPolicy).verdict).toBe("inconclusive");
    expect(decide([result({ name: "a" })], { baseline: null, canary: null, source: null }, { ...verdictPolicy, minRequests: 0 }).verdict).toBe("pass");
  });

  it("no data everywhere is inconclusive", () => {
    const j = decide([result({ name: "a", classification: "nodata" }), result({ name: "b", classification: "nodata" })], enough, verdictPolicy);
    expect(j).toMatchObject({ verdict: "inconclusive", score: null });
  });

  it("a critical metric that errored is inconclusive", () => {
    const j = decide([result({ name: "a" }), result({ name: "b" }), result({ name: "err", critical: true, classification: "error", reason: "measurement failed: x" })], enough, verdictPolicy);
    expect(j.verdict).toBe("inconclusive");
    expect(j.reasons[0]).toBe("critical metric err has no result: measurement failed: x");
  });

  it("a mustHaveData metric without data counts as failing", () => {
    const j = decide([result({ name: "a" }), result({ name: "b", classification: "nodata", failed: true })], enough, verdictPolicy);
    expect(j).toMatchObject({ verdict: "fail", score: 50 });
  });
});
