import { describe, expect, it } from "vitest";
import { createAnalysisGate } from "../../src/analyze/gate";
import { createBakeMonitor, monitorAlpha, monitoredMetrics } from "../../src/analyze/monitor";
import type { CanaryReport } from "../../src/analyze/analyze";
import { parseCanaryConfig } from "../../src/adapters/metrics/config";
import type { MetricProvider } from "../../src/adapters/metrics/provider";
import type { Slot } from "../../src/domain/environment";
import type { GateContext } from "../../src/domain/shift-traffic";
import { renderMonitorMarkdown } from "../../src/report/monitor";
import { seededRandom } from "../../sandbox/aws";
import { BLUE_ARN, GREEN_ARN, LB_ARN } from "../support/fake-elb";

const START = 1_000_000;

/**
 * A CloudWatch-like provider over a seeded per-request stream: 200 requests per second, 10% on the
 * canary, each failing with its side's rate; counts over any window [start, end) are exact.
 */
function streamProvider(canaryRate: number, seed: number, seconds = 600): { provider: MetricProvider; calls: number[] } {
  const random = seededRandom(seed);
  const perSecond = Array.from({ length: seconds }, () => {
    let b = 0;
    let c = 0;
    for (let k = 0; k < 180; k++) if (random() < 0.005) b++;
    for (let k = 0; k < 20; k++) if (random() < canaryRate) c++;
    return { b, c };
  });
  const calls: number[] = [];
  const provider: MetricProvider = {
    async measure(_metric, scope) {
      const end = Math.min(seconds, Math.floor((scope.window.end.getTime() - scope.window.start.getTime()) / 1000));
      calls.push(end);
      const upTo = perSecond.slice(0, end);
      return { kind: "counts", baseline: { events: upTo.reduce((n, s) => n + s.b, 0), total: 180 * end }, canary: { events: upTo.reduce((n, s) => n + s.c, 0), total: 20 * end } };
    },
  };
  return { provider, calls };
}

const tick = (seconds: number) => ({
  baseline: { targetGroupArn: BLUE_ARN, loadBalancerArn: LB_ARN },
  canary: { targetGroupArn: GREEN_ARN, loadBalancerArn: LB_ARN },
  canaryStartedAt: START,
  end: START + seconds * 1000,
});

describe("continuous monitoring", () => {
  const config = parseCanaryConfig("", "defaults");

  it("watches the counts metrics (the default error-rate), each at half of 1 - confidence split over them", () => {
    expect(monitoredMetrics(config).map((m) => m.name)).toEqual(["error-rate"]);
    expect(monitorAlpha(config.metrics[0]!, config, 1)).toBeCloseTo(0.01, 12);
    const two = parseCanaryConfig("metrics:\n  - { name: a, preset: error-rate }\n  - { name: b, events: { namespace: N, metric: Slow, stat: Sum }, total: { namespace: N, metric: All, stat: Sum } }\n  - { name: c, preset: latency-p99 }\n", "t");
    expect(monitoredMetrics(two).map((m) => m.name)).toEqual(["a", "b"]);
    expect(monitorAlpha(two.metrics[0]!, two, 2)).toBeCloseTo(0.005, 12);
  });

  it("stops a canary with 10x errors within seconds, and says after how many requests and failures", async () => {
    const { provider } = streamProvider(0.05, 1);
    const monitor = createBakeMonitor(config, { cloudwatch: provider }, () => {});
    let stoppedAt = -1;
    for (let s = 2; s <= 600 && stoppedAt < 0; s += 2) if ((await monitor.evaluate(tick(s))).stopped) stoppedAt = s;
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(60);
    const result = monitor.last()!;
    expect(result.by!.canary.total).toBe(20 * stoppedAt);
    expect(result.by!.decision.statistic).toBeGreaterThanOrEqual(100);
    expect(result.detail).toMatch(/^sequential test stopped the canary: error-rate: canary \d+ of \d+ .* sequential statistic .* always-valid p/);
    const md = renderMonitorMarkdown(result, START);
    expect(md).toContain(`${stoppedAt.toFixed(1)} s after the canary's first traffic`);
    expect(md).toContain(`after ${20 * stoppedAt} canary requests and ${result.by!.canary.events} failures`);
  });

  it("never stops a good canary, which bakes its whole interval", async () => {
    for (const seed of [2, 3, 4, 5, 6]) {
      const monitor = createBakeMonitor(config, { cloudwatch: streamProvider(0.005, seed).provider }, () => {});
      for (let s = 2; s <= 600; s += 2) expect((await monitor.evaluate(tick(s))).stopped).toBe(false);
      expect(monitor.last()!.evaluations).toBe(300);
    }
  });

  it("a tick whose window has not moved adds nothing; a provider error is logged and skipped", async () => {
    const logs: string[] = [];
    let fail = false;
    const base = streamProvider(0.005, 9).provider;
    const provider: MetricProvider = { measure: async (m, s) => (fail ? { kind: "error", message: "throttled" } : base.measure(m, s)) };
    const monitor = createBakeMonitor(config, { cloudwatch: provider }, (l) => logs.push(l));
    const a = await monitor.evaluate(tick(60));
    const b = await monitor.evaluate(tick(60));
    expect(b.metrics[0]!.canary).toEqual(a.metrics[0]!.canary);
    fail = true;
    await monitor.evaluate(tick(62));
    expect(logs.join("\n")).toMatch(/error-rate could not be measured this tick \(throttled\)/);
  });

  it("takes in only what grows past the highest counts seen: a window that shrinks and grows back is not counted twice", async () => {
    const answers = [
      { baseline: { events: 1, total: 900 }, canary: { events: 1, total: 100 } },
      { baseline: { events: 0, total: 800 }, canary: { events: 0, total: 90 } },
      { baseline: { events: 2, total: 1000 }, canary: { events: 2, total: 110 } },
    ];
    let call = 0;
    const provider: MetricProvider = { measure: async () => ({ kind: "counts", ...answers[call++]! }) };
    const monitor = createBakeMonitor(config, { cloudwatch: provider }, () => {});
    for (const s of [10, 12, 14]) await monitor.evaluate(tick(s));
    expect(monitor.last()!.metrics[0]).toMatchObject({ baseline: { events: 2, total: 1000 }, canary: { events: 2, total: 110 } });
  });
});

const slot = (name: string, arn: string, version: string): Slot => ({ name, targetGroupArn: arn, targetGroupName: `web-${name}`, weight: 0, share: 0, version, tags: {} });
const gateContext = (now: number): GateContext => ({ stepIndex: 0, plannedLooks: 2, share: 10, stepStartedAt: START, bakeEndedAt: now, canaryStartedAt: START, now, final: false, canary: slot("green", GREEN_ARN, "v2"), baseline: slot("blue", BLUE_ARN, "v1"), loadBalancerArn: LB_ARN });

describe("analysis gate with continuous monitoring", () => {
  it("watch fails the gate mid-bake on a bad canary; the look at the end of the bake spends the other half of alpha", async () => {
    const confidences: number[] = [];
    const gate = createAnalysisGate({
      config: parseCanaryConfig("", "defaults"),
      providers: { cloudwatch: streamProvider(0.05, 1).provider },
      inconclusiveOnFinal: "fail",
      log: () => {},
      analyze: async (c) => (confidences.push(c.confidence), { verdict: "pass", score: 100, reasons: [] } as unknown as CanaryReport),
    });
    expect(gate.watch).toBeDefined();
    let outcome = { ok: true, detail: "" };
    for (let s = 2; s <= 600 && outcome.ok; s += 2) outcome = await gate.watch!(gateContext(START + s * 1000));
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toMatch(/sequential test stopped the canary/);
    await gate.check(gateContext(START + 600_000));
    expect(confidences).toEqual([0.99]);
  });

  it("monitor: false leaves the bake to the looks at its end, at the full alpha", async () => {
    const confidences: number[] = [];
    const gate = createAnalysisGate({
      config: parseCanaryConfig("monitor: false\n", "t"),
      providers: {},
      inconclusiveOnFinal: "fail",
      log: () => {},
      analyze: async (c) => (confidences.push(c.confidence), { verdict: "pass", score: 100, reasons: [] } as unknown as CanaryReport),
    });
    expect(gate.watch).toBeUndefined();
    await gate.check(gateContext(START + 600_000));
    expect(confidences).toEqual([0.98]);
  });
});
