import { describe, expect, it } from "vitest";
import { createAnalysisGate } from "../../src/analyze/gate";
import type { Slot } from "../../src/domain/environment";
import type { GateContext } from "../../src/domain/shift-traffic";
import type { CanaryReport } from "../../src/analyze/analyze";
import { parseCanaryConfig } from "../../src/adapters/metrics/config";
import { BLUE_ARN, GREEN_ARN, LB_ARN } from "../support/fake-elb";

const slot = (name: string, arn: string, version: string): Slot => ({ name, targetGroupArn: arn, targetGroupName: `web-${name}`, weight: 0, share: 0, version, tags: {} });

function context(overrides: Partial<GateContext> = {}): GateContext {
  return {
    stepIndex: 1,
    plannedLooks: 3,
    share: 10,
    stepStartedAt: 2_000_000,
    bakeEndedAt: 2_300_000,
    canaryStartedAt: 1_000_000,
    now: 2_300_000,
    final: false,
    canary: slot("green", GREEN_ARN, "v2"),
    baseline: slot("blue", BLUE_ARN, "v1"),
    loadBalancerArn: LB_ARN,
    ...overrides,
  };
}

function gateWith(verdict: CanaryReport["verdict"], inconclusiveOnFinal: "fail" | "continue" = "fail", metricsDelayMs = 0, published: CanaryReport["published"] = null) {
  const calls: Parameters<typeof import("../../src/analyze/analyze").analyzeCanary>[1][] = [];
  const gate = createAnalysisGate({
    config: parseCanaryConfig("", "defaults"),
    providers: {},
    inconclusiveOnFinal,
    log: () => {},
    metricsDelayMs,
    analyze: async (_config, ctx) => {
      calls.push(ctx);
      return { verdict, score: verdict === "pass" ? 100 : 0, reasons: [`reason for ${verdict}`], published } as unknown as CanaryReport;
    },
  });
  return { gate, calls };
}

describe("analysis gate", () => {
  it("judges a window that grows from the canary's first traffic, with the look number", async () => {
    const { gate, calls } = gateWith("pass");
    const result = await gate.check(context());
    expect(result.ok).toBe(true);
    expect(calls[0]!.window).toEqual({ start: new Date(1_000_000), end: new Date(2_300_000) });
    expect(calls[0]!.look).toEqual({ index: 2, planned: 3 });
    expect(calls[0]!.published).toEqual({ now: 2_300_000, delayMs: 0 });
    expect(calls[0]!.canary).toMatchObject({ targetGroupArn: GREEN_ARN, loadBalancerArn: LB_ARN, version: "v2" });
    expect(calls[0]!.baseline).toMatchObject({ targetGroupArn: BLUE_ARN, version: "v1" });
  });

  it("fails the gate on a fail verdict, with the judge's reason", async () => {
    const { gate } = gateWith("fail");
    expect(await gate.check(context())).toEqual({ ok: false, detail: "fail (score 0): reason for fail" });
  });

  it("lets an inconclusive look continue, except the last one before 100% unless told to continue", async () => {
    expect((await gateWith("inconclusive").gate.check(context())).ok).toBe(true);
    expect((await gateWith("inconclusive").gate.check(context({ final: true }))).ok).toBe(false);
    expect((await gateWith("inconclusive", "continue").gate.check(context({ final: true }))).ok).toBe(true);
  });

  it("waits metrics-delay after the bake, judges the run's canary traffic up to the bake's end, and says what it could not judge", async () => {
    const { gate, calls } = gateWith("pass", "fail", 180_000, { requestedEnd: new Date(2_300_000).toISOString(), delaySeconds: 180, judgedSeconds: 1_240, missingSeconds: 60 });
    expect(gate.settleMs).toBe(180_000);
    const result = await gate.check(context({ now: 2_420_000 }));
    expect(calls[0]!.window).toEqual({ start: new Date(1_000_000), end: new Date(2_300_000) });
    expect(calls[0]!.published).toEqual({ now: 2_420_000, delayMs: 180_000 });
    expect(result.detail).toBe("pass (score 100): reason for pass; judged 1240s, the last 60s of the bake not published yet");
  });
});
