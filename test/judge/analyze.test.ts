import { describe, expect, it, vi } from "vitest";
import { analyzeCanary, createSequentialJudge, type AnalysisContext } from "../../src/analyze/analyze";
import type { Measurement, Point } from "../../src/judge/types";
import type { MetricProvider, ProviderSet } from "../../src/adapters/metrics/provider";
import { ConfigurationError } from "../../src/util/errors";
import { config, scope } from "../metrics/fixtures";

const start = scope.window.start.getTime();
const series = (values: number[]): Point[] => values.map((v, i) => ({ t: start + i * 60_000, v }));
const latencyB = [80, 82, 79, 81, 83, 80, 78, 82, 81, 80];

/** A fake CloudWatch provider answering presets from fixed data. */
function fake(data: Record<string, Measurement>): MetricProvider & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async measure(metric) {
      calls.push(metric.name);
      return data[metric.name] ?? { kind: "error", message: `no data for ${metric.name}` };
    },
  };
}

const healthy = {
  "error-rate": { kind: "counts", baseline: { events: 10, total: 2000 }, canary: { events: 11, total: 2000 } },
  "latency-p99": { kind: "samples", baseline: latencyB.map((v) => v * 3), canary: latencyB.map((v) => v * 3 + 1), unit: "ms" },
  "latency-p50": { kind: "samples", baseline: latencyB, canary: latencyB, unit: "ms", series: { baseline: series(latencyB), canary: series(latencyB) } },
} satisfies Record<string, Measurement>;

const context: AnalysisContext = { baseline: scope.baseline, canary: scope.canary, window: scope.window };

describe("analyzeCanary", () => {
  it("passes a healthy canary and takes request counts from the error-rate metric", async () => {
    const cloudwatch = fake(healthy);
    const log = vi.fn();
    const report = await analyzeCanary(config(""), context, { providers: { cloudwatch }, log });
    expect(report).toMatchObject({ schema: "canary-report/v1", verdict: "pass", score: 100, band: "pass", requests: { baseline: 2000, canary: 2000, source: "error-rate", minimum: 500 }, look: null });
    expect(report.metrics.map((m) => [m.name, m.classification])).toEqual([
      ["error-rate", "pass"],
      ["latency-p99", "pass"],
      ["latency-p50", "pass"],
    ]);
    // Bonferroni over the three compared metrics: 0.02 / 3 each.
    expect(report.metrics[0]!.alpha).toBeCloseTo(0.02 / 3, 12);
    expect(cloudwatch.calls.sort()).toEqual(["error-rate", "latency-p50", "latency-p99"]);
    expect(log).toHaveBeenCalledWith("error-rate: 10/2000 baseline, 11/2000 canary");
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it("fails a canary whose error rate doubled (critical) and says why", async () => {
    const providers: ProviderSet = { cloudwatch: fake({ ...healthy, "error-rate": { kind: "counts", baseline: { events: 20, total: 4000 }, canary: { events: 60, total: 4000 } } }) };
    const report = await analyzeCanary(config(""), context, { providers });
    expect(report.verdict).toBe("fail");
    expect(report.reasons[0]).toMatch(/^critical failure of error-rate: significantly higher \(\+200%/);
    expect(report.metrics[0]).toMatchObject({ classification: "high", criticalFailure: true, effect: 3 });
  });

  it("an errored critical measurement makes the verdict inconclusive, never pass", async () => {
    const providers: ProviderSet = { cloudwatch: fake({ ...healthy, "error-rate": { kind: "error", message: "AccessDenied" } }) };
    const report = await analyzeCanary(config("minRequests: 0"), context, { providers });
    expect(report.verdict).toBe("inconclusive");
    expect(report.metrics[0]).toMatchObject({ classification: "error", reason: "measurement failed: AccessDenied" });
  });

  it("a metric without a provider is an error measurement", async () => {
    const c = config("minRequests: 0\nproviders: { prometheus: { url: 'http://127.0.0.1:1' } }\nmetrics: [ { name: p, provider: prometheus, query: up } ]");
    const report = await analyzeCanary(c, context, { providers: {} });
    expect(report.metrics[0]).toMatchObject({ classification: "error", reason: "measurement failed: no prometheus provider is available" });
    expect(report.verdict).toBe("inconclusive");
  });

  it("a provider that throws gives an error measurement, not a failed analysis", async () => {
    const cloudwatch: MetricProvider = {
      measure: async (metric) => {
        if (metric.name === "latency-p50") throw new TypeError("boom");
        return healthy[metric.name as keyof typeof healthy];
      },
    };
    const report = await analyzeCanary(config(""), context, { providers: { cloudwatch } });
    expect(report.metrics[2]).toMatchObject({ classification: "error", reason: "measurement failed: cloudwatch metric latency-p50: boom" });
    // ...and a metric that could not be measured is no evidence: the canary cannot pass without it.
    expect(report.verdict).toBe("inconclusive");
    expect(report.reasons[0]).toMatch(/^latency-p50 could not be measured/);
  });

  it("rejects a bad window or look before measuring anything", async () => {
    const cloudwatch = fake(healthy);
    await expect(analyzeCanary(config(""), { ...context, window: { start: scope.window.end, end: scope.window.start } }, { providers: { cloudwatch } })).rejects.toThrow(ConfigurationError);
    await expect(analyzeCanary(config(""), { ...context, look: { index: 6, planned: 5 } }, { providers: { cloudwatch } })).rejects.toThrow(/Invalid analysis look: look must be a whole number from 1 to 5/);
    await expect(analyzeCanary(config(""), { ...context, canary: { ...context.canary, targetGroupArn: "web-green" } }, { providers: { cloudwatch } })).rejects.toThrow(
      /^The canary: not a target group ARN: web-green/,
    );
    expect(cloudwatch.calls).toEqual([]);
  });
});

describe("createSequentialJudge", () => {
  it("holds back early and judges the whole window since the start at each look", async () => {
    // p50 up 12% (significant, beyond the allowed 10%): fails a single analysis...
    const regressed = { ...healthy, "latency-p50": { kind: "samples", baseline: latencyB, canary: latencyB.map((v) => v * 1.12), unit: "ms" } } satisfies Record<string, Measurement>;
    const single = await analyzeCanary(config(""), context, { providers: { cloudwatch: fake(regressed) } });
    expect(single.verdict).toBe("fail");

    const windows: Array<[Date, Date]> = [];
    const cloudwatch: MetricProvider = {
      measure: async (metric, s) => {
        windows.push([s.window.start, s.window.end]);
        return regressed[metric.name as keyof typeof regressed];
      },
    };
    const judge = createSequentialJudge({ config: config(""), baseline: scope.baseline, canary: scope.canary, start: scope.window.start, looks: 5 }, { providers: { cloudwatch } });
    // ...but the first of five looks may spend only ~2e-7 of the 0.02, too little for 10 vs 10 points.
    expect(judge.levels[0]!.alpha).toBeLessThan(1e-6);
    const first = await judge.analyze(1, new Date(start + 120_000));
    // The test could not have failed at that alpha, so the first look says not enough data, not pass.
    expect(first.verdict).toBe("inconclusive");
    expect(first.metrics.find((m) => m.name === "latency-p50")).toMatchObject({ classification: "nodata", notEnoughData: true });
    expect(first.look).toMatchObject({ index: 1, planned: 5, spending: "obrien-fleming" });
    const last = await judge.analyze(5, scope.window.end);
    expect(last.verdict).toBe("fail");
    expect(windows.every(([s]) => s.getTime() === start)).toBe(true);
    expect(windows.at(-1)![1]).toEqual(scope.window.end);
  });
});
