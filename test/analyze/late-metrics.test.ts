/**
 * A bad release whose errors start in the last minute of a bake, against a CloudWatch that publishes as
 * AWS does: per whole minute, and only after an ingest lag. The look that waits metrics-delay after the
 * bake catches it; the look of the old behaviour (a window ending "now", nothing waited) reads the
 * unpublished minutes as missing, or as zero errors, and passes.
 */
import { describe, expect, it } from "vitest";
import { createAnalysisGate } from "../../src/analyze/gate";
import { analyzeCanary } from "../../src/analyze/analyze";
import { createCloudWatchProvider } from "../../src/adapters/metrics/cloudwatch";
import type { MetricDataReader, MetricSeries } from "../../src/ports/metrics";
import type { GateContext } from "../../src/domain/shift-traffic";
import type { Slot } from "../../src/domain/environment";
import { BLUE, config, GREEN, LB } from "../metrics/fixtures";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0);
const LAG = 2 * MINUTE;

/** Per minute: requests and 5xx of each side; the canary's errors start in minute 4 (the bake's last). */
function traffic(minute: number, side: "baseline" | "canary"): { requests: number; errors: number } {
  if (side === "baseline") return { requests: 900, errors: 0 };
  return { requests: 100, errors: minute === 4 ? 40 : 0 };
}

/** GetMetricData as AWS serves it at `now`: whole minutes only, `LAG` after they end; counts absent when zero. */
function cloudWatchAt(now: () => number): MetricDataReader {
  return {
    async read(queries, start, end) {
      const served = Math.min(end.getTime(), Math.floor((now() - LAG) / MINUTE) * MINUTE);
      return queries.map((q): MetricSeries => {
        const side = q.dimensions.find((d) => d.name === "TargetGroup")!.value.includes("green") ? "canary" : "baseline";
        const out: MetricSeries = { id: q.id, timestamps: [], values: [], status: "Complete", messages: [] };
        for (let t = Math.ceil(start.getTime() / MINUTE) * MINUTE; t + MINUTE <= served; t += MINUTE) {
          const m = traffic((t - T0) / MINUTE, side);
          const value = q.metric === "RequestCount" ? m.requests : q.metric === "HTTPCode_Target_5XX_Count" ? m.errors : 0.02;
          if (q.metric.startsWith("HTTPCode_") && value === 0) continue;
          if (m.requests === 0) continue;
          out.timestamps.push(t);
          out.values.push(value);
        }
        return out;
      });
    },
  };
}

const slot = (name: string, arn: string): Slot => ({ name, targetGroupArn: arn, targetGroupName: `web-${name}`, weight: 0, share: 0, version: name === "green" ? "v2" : "v1", tags: {} });
const CONFIG = config("minRequests: 100\nmetrics:\n  - { name: error-rate, preset: error-rate, critical: true, mustHaveData: true }\n  - { name: fivexx, preset: 5xx-count, critical: true, compare: false, thresholds: { max: 5 } }\n");

function lookAt(now: number, bakeEndedAt = T0 + 5 * MINUTE): GateContext {
  return { stepIndex: 0, plannedLooks: 1, share: 10, stepStartedAt: T0, bakeEndedAt, canaryStartedAt: T0, now, final: true, canary: slot("green", GREEN), baseline: slot("blue", BLUE), loadBalancerArn: LB };
}

describe("errors in the last minute of a bake", () => {
  it("are caught by the look that waits metrics-delay (3m) after the bake, over the whole bake", async () => {
    let now = T0 + 5 * MINUTE;
    const providers = { cloudwatch: createCloudWatchProvider(cloudWatchAt(() => now)) };
    const gate = createAnalysisGate({ config: CONFIG, providers, inconclusiveOnFinal: "fail", log: () => {}, analyze: analyzeCanary, metricsDelayMs: 3 * MINUTE });
    expect(gate.settleMs).toBe(3 * MINUTE);
    now += gate.settleMs!; // the bake is watched this much longer (shift-traffic's bake loop)
    const result = await gate.check(lookAt(now));
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/^fail/);
    expect(result.detail).toMatch(/error-rate|fivexx/);
  });

  it("would have passed with the old window that ended at the look and waited nothing", async () => {
    const now = T0 + 5 * MINUTE;
    const providers = { cloudwatch: createCloudWatchProvider(cloudWatchAt(() => now)) };
    // The old gate: window [canary start, now), no publication bound.
    const report = await analyzeCanary(CONFIG, { baseline: { targetGroupArn: BLUE, loadBalancerArn: LB }, canary: { targetGroupArn: GREEN, loadBalancerArn: LB }, window: { start: new Date(T0), end: new Date(now) }, look: { index: 1, planned: 1 } }, { providers });
    expect(report.verdict, JSON.stringify(report.reasons)).toBe("pass");
    // Only minutes 0–2 were served; the canary's 40 errors of minute 4 were not there to see.
    expect(report.requests.canary).toBe(300);
  });

  it("says how much of the bake it judged when it cannot wait for all of it (the timeout), and the next look sees the rest", async () => {
    let now = T0 + 5 * MINUTE + MINUTE; // only a minute of settling was possible
    const providers = { cloudwatch: createCloudWatchProvider(cloudWatchAt(() => now)) };
    const gate = createAnalysisGate({ config: CONFIG, providers, inconclusiveOnFinal: "continue", log: () => {}, analyze: analyzeCanary, metricsDelayMs: 3 * MINUTE });
    const first = await gate.check({ ...lookAt(now), final: false, plannedLooks: 2 });
    expect(first.detail).toContain("judged 180s, the last 120s of the bake not published yet");
    expect(first.ok).toBe(true);
    // The next look's window still starts at the canary's first traffic, so minute 4 is judged there.
    now = T0 + 10 * MINUTE + 3 * MINUTE;
    const second = await gate.check({ ...lookAt(now, T0 + 10 * MINUTE), stepIndex: 1, plannedLooks: 2 });
    expect(second.ok).toBe(false);
  });
});
