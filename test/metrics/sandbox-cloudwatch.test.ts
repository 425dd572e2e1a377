/**
 * The CloudWatch adapters over the wire: the unmodified SDK talks to the loopback sandbox, which
 * holds metrics we put for the blue (baseline) and green (canary) target groups.
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig, startSandbox, type Sandbox } from "../../sandbox/aws";
import { createAwsClients } from "../../src/adapters/aws/clients";
import { analyzeCanary } from "../../src/analyze/analyze";
import { parseCanaryConfig } from "../../src/adapters/metrics/config";
import { loadBalancerDimension, targetGroupDimension } from "../../src/adapters/metrics/presets";
import { createProviders } from "../../src/adapters/metrics/providers";

const ENV = ["AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;
const saved: Partial<Record<(typeof ENV)[number], string | undefined>> = {};
let sandbox: Sandbox;

beforeAll(async () => {
  // The data is written for whole minutes that have ended; they are served at once (no publication lag) here.
  sandbox = await startSandbox({ config: { ...defaultConfig(), metricPublicationLagSeconds: 0 }, seed: 7 });
  for (const k of ENV) saved[k] = process.env[k];
  Object.assign(process.env, { AWS_ENDPOINT_URL: sandbox.endpoint, AWS_REGION: sandbox.region, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
});

afterAll(async () => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await sandbox?.close();
});

describe("CloudWatch providers against the sandbox", () => {
  it("reads both sides per metric in one GetMetricData call and fails a canary with 4x the errors", async () => {
    const env = sandbox.environment;
    const blue = env.targetGroups["web-blue"]!;
    const green = env.targetGroups["web-green"]!;
    const lb = env.loadBalancerArn;
    const minute = 60_000;
    const end = Math.floor(Date.now() / minute) * minute;
    const start = end - 10 * minute;
    const writer = new CloudWatchClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    for (const [arn, errors, slow] of [
      [blue, 10, 1],
      [green, 40, 1.3],
    ] as const) {
      const dims = [
        { Name: "TargetGroup", Value: targetGroupDimension(arn) },
        { Name: "LoadBalancer", Value: loadBalancerDimension(lb) },
      ];
      for (let i = 0; i < 10; i++) {
        const at = new Date(start + i * minute + 5_000);
        await writer.send(
          new PutMetricDataCommand({
            Namespace: "Canary/Test",
            MetricData: [
              { MetricName: "Requests", Dimensions: dims, Timestamp: at, Value: 1000 },
              { MetricName: "Errors", Dimensions: dims, Timestamp: at, Value: errors },
              { MetricName: "Latency", Dimensions: dims, Timestamp: at, Values: Array.from({ length: 50 }, (_, k) => (60 + k + i) * slow) },
            ],
          }),
        );
      }
    }
    writer.destroy();

    const config = parseCanaryConfig(
      `
metrics:
  - name: errors
    critical: true
    events: { namespace: Canary/Test, metric: Errors, stat: Sum, dimensions: { TargetGroup: "{{targetGroup}}", LoadBalancer: "{{loadBalancer}}" } }
    total: { namespace: Canary/Test, metric: Requests, stat: Sum, dimensions: { TargetGroup: "{{targetGroup}}", LoadBalancer: "{{loadBalancer}}" } }
  - name: p99
    query: { namespace: Canary/Test, metric: Latency, stat: p99, unit: ms, dimensions: { TargetGroup: "{{targetGroup}}", LoadBalancer: "{{loadBalancer}}" } }
  - { name: alarms, provider: cloudwatch-alarms, alarms: ["${env.alarms[0]}"] }
`,
      "test",
    );
    const clients = createAwsClients({ retryMode: "standard", maxAttempts: 2, userAgent: "canary-test" });
    sandbox.resetCalls();

    const report = await analyzeCanary(
      config,
      { baseline: { targetGroupArn: blue, loadBalancerArn: lb }, canary: { targetGroupArn: green, loadBalancerArn: lb }, window: { start: new Date(start), end: new Date(end) } },
      { providers: createProviders({ clients }) },
    );

    expect(report.requests).toMatchObject({ baseline: 10_000, canary: 10_000, source: "errors" });
    const [errors, p99, alarms] = report.metrics;
    expect(errors).toMatchObject({ classification: "high", criticalFailure: true, baseline: 0.01, canary: 0.04 });
    expect(p99).toMatchObject({ classification: "high", n: { baseline: 10, canary: 10 }, test: "mann-whitney-exact" });
    expect(p99!.effect).toBeCloseTo(1.3, 6);
    expect(alarms!.classification).not.toBe("error");
    expect(report.verdict).toBe("fail");
    const cw = sandbox.calls().filter((c) => c.service === "CloudWatch");
    expect(cw.map((c) => c.operation).sort()).toEqual(["DescribeAlarms", "GetMetricData", "GetMetricData"]);
    expect(clients.calls.toJSON()).toEqual({ "CloudWatch.DescribeAlarms": 1, "CloudWatch.GetMetricData": 2 });
  });
});
