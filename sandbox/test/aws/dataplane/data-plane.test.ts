import { afterEach, describe, expect, it } from "vitest";
import { createSandboxClock, type AlarmDefinition, type HealthCheckConfig, type ReleaseBehaviour, type RoutePlan } from "../../../aws/contracts";
import { startListener } from "../../../aws/dataplane/listener-proxy";
import { createTargetGroupHealth } from "../../../aws/dataplane/target-health";
import { launchInstance } from "../../../aws/fleet/instance";
import { startLoad } from "../../../aws/load";
import { evaluateAlarm } from "../../../aws/metrics/alarms";
import { createMetricsStore } from "../../../aws/metrics/store";
import { eventually, seeded } from "./helpers";

// 60 sandbox seconds per real second: a one-minute CloudWatch period lasts one real second.
const clock = createSandboxClock(60);
const LB = "app/demo/0123456789abcdef";
const BLUE = "targetgroup/blue/00000000000000aa";
const GREEN = "targetgroup/green/00000000000000bb";

const healthCheck: HealthCheckConfig = {
  enabled: true,
  protocol: "HTTP",
  port: "traffic-port",
  path: "/health",
  intervalSeconds: 5,
  timeoutSeconds: 2,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  matcher: "200",
};

function release(version: string, errorRate: number): ReleaseBehaviour {
  return { version, latencyMs: { median: 2, p99: 6 }, errorRate, health: { path: "/health", status: 200, body: { version } }, bootSeconds: 1 };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the data plane end to end", () => {
  it("serves a canary split, records ALB metrics and raises an alarm on the failing release only", async () => {
    const random = seeded(99);
    const metrics = createMetricsStore(clock);
    const groups = [
      { dimension: BLUE, arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/00000000000000aa", version: release("v1", 0) },
      { dimension: GREEN, arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/00000000000000bb", version: release("v2", 0.4) },
    ].map((g) => {
      const health = createTargetGroupHealth({ config: healthCheck, clock });
      cleanups.push(() => health.close());
      const instances = [1, 2].map((n) => {
        const instance = launchInstance({ instanceId: `i-${g.version.version}-${n}`, behaviour: g.version, clock, random });
        cleanups.push(() => instance.kill());
        return instance;
      });
      return { ...g, health, instances };
    });
    for (const g of groups) {
      await Promise.all(g.instances.map((i) => i.ready));
      for (const i of g.instances) g.health.register({ id: i.instanceId, host: i.host, port: i.port });
    }
    await eventually(() => groups.every((g) => g.health.counts().healthy === 2), 5_000, "all four targets healthy");

    const plan: RoutePlan = {
      kind: "forward",
      loadBalancerDimension: LB,
      groups: groups.map((g) => ({ targetGroupArn: g.arn, targetGroupDimension: g.dimension, weight: 500, health: g.health })),
      stickiness: { enabled: false, durationSeconds: 3600 },
    };
    const listener = await startListener({ resolve: () => plan, metrics, clock, random });
    cleanups.push(() => listener.close());
    const hostCounts = clock.every(1, () => {
      for (const g of groups) {
        const counts = g.health.counts();
        metrics.recordHostCounts(LB, g.dimension, counts.healthy, counts.unhealthy, clock.now());
      }
    });
    cleanups.push(hostCounts);

    const report = await startLoad({ url: `${listener.url}/checkout`, rps: 150, maxDurationMs: 2_500 }).finished;
    const now = clock.now();

    expect(report.total).toBe(report.sent);
    expect(report.connectionErrors).toBe(0);
    expect(Object.keys(report.byVersion).sort()).toEqual(["v1", "v2"]);
    const greenShare = (report.byTargetGroup.green ?? 0) / report.total;
    expect(greenShare).toBeGreaterThan(0.35);
    expect(greenShare).toBeLessThan(0.65);

    const sum = (metricName: string, tg: string) =>
      metrics
        .query({
          namespace: "AWS/ApplicationELB",
          metricName,
          dimensions: [{ name: "TargetGroup", value: tg }, { name: "LoadBalancer", value: LB }],
          stat: "Sum",
          periodSeconds: 60,
          start: now - 10_000,
          end: now + 1,
          scanBy: "TimestampAscending",
        })
        .values.reduce((a, b) => a + b, 0);
    expect(sum("RequestCount", BLUE) + sum("RequestCount", GREEN)).toBe(report.total);
    expect(sum("HTTPCode_Target_5XX_Count", GREEN)).toBe(report.byStatus["500"]);
    expect(sum("HTTPCode_Target_5XX_Count", BLUE)).toBe(0);

    const alarm = (tg: string): AlarmDefinition => ({
      alarmName: `5xx-${tg}`,
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions: [{ name: "TargetGroup", value: tg }, { name: "LoadBalancer", value: LB }],
      statistic: "Sum",
      periodSeconds: 60,
      evaluationPeriods: 2,
      datapointsToAlarm: 1,
      threshold: 5,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
    const green = evaluateAlarm(alarm(GREEN), metrics, now);
    const blue = evaluateAlarm(alarm(BLUE), metrics, now);
    expect(green.state).toBe("ALARM");
    expect(green.reason).toMatch(/^Threshold Crossed: \d out of the last 2 datapoints \[.+\] (was|were) greater than the threshold \(5\.0\)/);
    expect(blue.state).toBe("OK");
  });
});
