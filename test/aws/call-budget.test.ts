import { describe, expect, it } from "vitest";
import { CallCounter, DEFAULT_RETRY, retrySettings } from "../../src/adapters/aws/clients";

describe("the client factory's retries and call count", () => {
  it("retries adaptively with 8 attempts unless the SDK's own variables say otherwise", () => {
    expect(DEFAULT_RETRY).toEqual({ mode: "adaptive", maxAttempts: 8 });
    expect(retrySettings(() => undefined)).toEqual({ retryMode: "adaptive", maxAttempts: 8 });
    const env: Record<string, string> = { AWS_RETRY_MODE: "standard", AWS_MAX_ATTEMPTS: "3" };
    expect(retrySettings((n) => env[n])).toEqual({ retryMode: "standard", maxAttempts: 3 });
    expect(retrySettings((n) => ({ AWS_MAX_ATTEMPTS: "zero" })[n])).toEqual({ retryMode: "adaptive", maxAttempts: 8 });
  });

  it("tells the step's calls, their rate per minute and the busiest operations", () => {
    const calls = new CallCounter();
    for (let i = 0; i < 30; i++) calls.record("ElasticLoadBalancingV2", "DescribeTargetHealth", i * 1000);
    for (let i = 0; i < 6; i++) calls.record("AutoScaling", "DescribeAutoScalingGroups", i * 1000);
    calls.record("ElasticLoadBalancingV2", "ModifyListener", 5000);
    expect(calls.total).toBe(37);
    expect(calls.describe(120_000)).toBe("AWS calls: 37 in 120s (18.5 per minute, attempts included): ELB.DescribeTargetHealth 30, AutoScaling.DescribeAutoScalingGroups 6, ELB.ModifyListener 1");
    expect(new CallCounter().describe(10_000)).toBe("AWS calls: 0 in 10s (0.0 per minute, attempts included)");
  });
});
