/**
 * API throttling: a token bucket per account and API class, answered as AWS answers it, which the
 * SDK classes as throttling and retries.
 */
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig, parseConfig } from "../../../aws/config";
import { ApiThrottle, apiClass } from "../../../aws/api/throttle";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor } from "./clients";

const settle = <T>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({ ok: false as const, e }));

describe("API throttling", () => {
  it("is on by default with ELB's documented Describe* bucket (40, refill 10 per second), configurable", () => {
    const config = parseConfig(defaultConfig());
    expect(config.apiThrottling).toMatchObject({ enabled: true, elbDescribe: { burst: 40, perSecond: 10 } });
    expect(parseConfig({ ...defaultConfig(), apiThrottling: { enabled: false } }).apiThrottling.enabled).toBe(false);
    expect(() => parseConfig({ ...defaultConfig(), apiThrottling: { elbDescribe: { burst: 0, perSecond: 1 } } })).toThrow(/burst must be at least 1/);
  });

  it("classes calls by service and mutation, and refills at the bucket's rate", () => {
    expect(apiClass("ElasticLoadBalancingV2", "DescribeTargetHealth")).toBe("elbDescribe");
    expect(apiClass("ElasticLoadBalancingV2", "ModifyListener")).toBe("elbMutating");
    expect(apiClass("CloudWatch", "GetMetricData")).toBe("cloudWatchGetMetricData");
    let now = 0;
    const throttle = new ApiThrottle(parseConfig(defaultConfig()).apiThrottling, () => now);
    const burst = Array.from({ length: 41 }, () => throttle.admit("ElasticLoadBalancingV2", "DescribeListeners"));
    expect(burst.filter((e) => e === undefined)).toHaveLength(40);
    expect(burst[40]).toMatchObject({ code: "ThrottlingException", message: "Rate exceeded", status: 400 });
    // Another class has its own bucket.
    expect(throttle.admit("ElasticLoadBalancingV2", "ModifyListener")).toBeUndefined();
    now += 100; // 10 per second: one token back after 100 ms
    expect(throttle.admit("ElasticLoadBalancingV2", "DescribeListeners")).toBeUndefined();
    expect(throttle.admit("ElasticLoadBalancingV2", "DescribeListeners")).toBeDefined();
    expect(throttle.throttled).toBe(2);
  });

  describe("through the SDK", () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox({ timeScale: 50, seed: 29 });
    });
    afterAll(async () => {
      await sandbox?.close();
    });

    it("answers a burst over the bucket with ThrottlingException \"Rate exceeded\" (400) on ELB and Throttling on Auto Scaling and CloudWatch's JSON protocol", async () => {
      const c = clientsFor(sandbox, 1);
      try {
        const elb = await Promise.all(Array.from({ length: 60 }, () => settle(c.elb.send(new DescribeTargetGroupsCommand({})))));
        const failed = elb.filter((r) => !r.ok);
        expect(elb.filter((r) => r.ok).length).toBeGreaterThanOrEqual(40);
        expect(failed.length).toBeGreaterThan(0);
        for (const r of failed) {
          if (r.ok) continue;
          expect(r.e.name).toBe("ThrottlingException");
          expect(r.e.message).toBe("Rate exceeded");
          expect(r.e.$metadata?.httpStatusCode).toBe(400);
        }
        const asg = await Promise.all(Array.from({ length: 50 }, () => settle(c.asg.send(new DescribeAutoScalingGroupsCommand({})))));
        expect(asg.some((r) => !r.ok && r.e.name === "Throttling")).toBe(true);
        const cw = await Promise.all(Array.from({ length: 20 }, () => settle(c.cw.send(new DescribeAlarmsCommand({})))));
        const cwFailed = cw.find((r) => !r.ok);
        expect(cwFailed && !cwFailed.ok && cwFailed.e.name).toMatch(/^Throttling/);
        expect(sandbox.throttledCalls()).toBe(failed.length + asg.filter((r) => !r.ok).length + cw.filter((r) => !r.ok).length);
        const logged = sandbox.calls().filter((call) => call.fault === "throttled");
        expect(logged.length).toBe(sandbox.throttledCalls());
      } finally {
        c.destroy();
      }
    });

    it("lets the SDK's retries (adaptive, 8 attempts, as the suite's client factory sets) carry a burst through", async () => {
      await new Promise((r) => setTimeout(r, 4_100)); // the bucket refills
      const elb = new ElasticLoadBalancingV2Client({ endpoint: sandbox.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 8, retryMode: "adaptive" });
      try {
        const results = await Promise.all(Array.from({ length: 60 }, () => settle(elb.send(new DescribeTargetGroupsCommand({})))));
        expect(results.filter((r) => !r.ok)).toEqual([]);
      } finally {
        elb.destroy();
      }
    }, 30_000);
  });
});
