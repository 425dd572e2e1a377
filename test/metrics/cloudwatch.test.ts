import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAwsClients, type AwsClients } from "../../src/adapters/aws/clients";
import { createAlarmsProvider, createCloudWatchProvider } from "../../src/adapters/metrics/cloudwatch";
import { createAlarmReader } from "../../src/adapters/aws/alarms";
import { createMetricDataReader } from "../../src/adapters/aws/metric-data";
import { loadBalancerDimension, targetGroupDimension } from "../../src/adapters/metrics/presets";
import { createProviders } from "../../src/adapters/metrics/providers";
import { BLUE, GREEN, LB, metric, scope } from "./fixtures";

const cw = mockClient(CloudWatchClient);
let clients: AwsClients;
beforeEach(() => {
  cw.reset();
  clients = createAwsClients({ region: "us-east-1", retryMode: "standard", maxAttempts: 1, userAgent: "test" });
});
afterEach(() => cw.reset());

const t = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));
const METRICS = `
metrics:
  - { name: errors, preset: error-rate }
  - { name: p99, preset: latency-p99 }
  - { name: custom, query: { namespace: My/App, metric: Queue, dimensions: { Fleet: "{{targetGroupName}}", Peer: "{{baselineName}}" }, stat: Average, period: 120 } }
  - { name: alarms, provider: cloudwatch-alarms, alarms: [web-5xx, web-latency] }
  - { name: fivexx, preset: 5xx-count }
`;

describe("CloudWatch dimensions", () => {
  it("derives TargetGroup and LoadBalancer from ARNs", () => {
    expect(targetGroupDimension(BLUE)).toBe("targetgroup/blue/73e2d6bc24d8a067");
    expect(loadBalancerDimension(LB)).toBe("app/web/50dc6c495c0c9188");
    expect(() => targetGroupDimension(LB)).toThrow(/not a target group ARN/);
    expect(() => loadBalancerDimension(GREEN)).toThrow(/not a load balancer ARN/);
  });
});

describe("CloudWatch metrics provider", () => {
  it("reads the error-rate preset for both sides in one paginated GetMetricData", async () => {
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: "baseline_total", Timestamps: [t(0), t(1)], Values: [500, 400], StatusCode: "PartialData" },
          { Id: "canary_total", Timestamps: [t(0), t(1)], Values: [100, 120], StatusCode: "PartialData" },
          { Id: "baseline_events", Timestamps: [t(1)], Values: [2], StatusCode: "PartialData" },
          { Id: "canary_events", Timestamps: [], Values: [], StatusCode: "PartialData" },
        ],
        NextToken: "page-2",
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: "baseline_total", Timestamps: [t(2)], Values: [100], StatusCode: "Complete" },
          { Id: "canary_total", Timestamps: [t(2)], Values: [80], StatusCode: "Complete" },
          { Id: "baseline_events", Timestamps: [], Values: [], StatusCode: "Complete" },
          { Id: "canary_events", Timestamps: [t(2)], Values: [8], StatusCode: "Complete" },
        ],
      });
    const provider = createCloudWatchProvider(createMetricDataReader(clients));
    const m = await provider.measure(metric(METRICS, "errors"), scope);

    expect(m).toMatchObject({ kind: "counts", baseline: { events: 2, total: 1000 }, canary: { events: 8, total: 300 } });
    expect(m.kind === "counts" && m.series?.canary.map((p) => p.v)).toEqual([0, 0, 0.1]);
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(2);
    const input = calls[0]!.args[0].input;
    expect(calls[1]!.args[0].input.NextToken).toBe("page-2");
    expect(input.StartTime).toEqual(scope.window.start);
    expect(input.EndTime).toEqual(scope.window.end);
    const canaryEvents = input.MetricDataQueries!.find((q) => q.Id === "canary_events")!;
    expect(canaryEvents.MetricStat).toEqual({
      Metric: {
        Namespace: "AWS/ApplicationELB",
        MetricName: "HTTPCode_Target_5XX_Count",
        Dimensions: [
          { Name: "TargetGroup", Value: "targetgroup/green/0a1b2c3d4e5f6a7b" },
          { Name: "LoadBalancer", Value: "app/web/50dc6c495c0c9188" },
        ],
      },
      Period: 60,
      Stat: "Sum",
    });
    expect(input.MetricDataQueries!.find((q) => q.Id === "baseline_total")!.MetricStat!.Metric!.MetricName).toBe("RequestCount");
  });

  it("turns TargetResponseTime p99 from seconds into ms", async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "baseline", Timestamps: [t(1), t(0)], Values: [0.2, 0.1], StatusCode: "Complete" },
        { Id: "canary", Timestamps: [t(0)], Values: [0.25], StatusCode: "Complete" },
      ],
    });
    const m = await createCloudWatchProvider(createMetricDataReader(clients)).measure(metric(METRICS, "p99"), scope);
    expect(m).toMatchObject({ kind: "samples", baseline: [100, 200], canary: [250], unit: "ms" });
    expect(cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries![0]!.MetricStat!.Stat).toBe("p99");
  });

  it("counts a published minute without a 5xx data point as zero errors (CloudWatch omits zeros)", async () => {
    const minutes = Array.from({ length: 10 }, (_, i) => t(i));
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "baseline", Timestamps: [], Values: [] },
        { Id: "canary", Timestamps: [t(3)], Values: [7] },
        { Id: "baseline_published", Timestamps: minutes, Values: minutes.map(() => 500) },
        { Id: "canary_published", Timestamps: minutes, Values: minutes.map(() => 50) },
      ],
    });
    const m = await createCloudWatchProvider(createMetricDataReader(clients)).measure(metric(METRICS, "fivexx"), scope);
    expect(m).toMatchObject({ kind: "samples", baseline: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], canary: [0, 0, 0, 7, 0, 0, 0, 0, 0, 0] });
    const ids = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!.map((q) => `${q.Id}:${q.MetricStat!.Metric!.MetricName}`);
    expect(ids).toEqual(["baseline:HTTPCode_Target_5XX_Count", "canary:HTTPCode_Target_5XX_Count", "baseline_published:RequestCount", "canary_published:RequestCount"]);
  });

  it("never reads a minute that is not served yet as zero errors: only minutes with a RequestCount point are filled", async () => {
    // The newest two minutes of the window are not published: no RequestCount, no 5xx point.
    const served = Array.from({ length: 8 }, (_, i) => t(i));
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "baseline", Timestamps: [], Values: [] },
        { Id: "canary", Timestamps: [], Values: [] },
        { Id: "baseline_published", Timestamps: served, Values: served.map(() => 500) },
        { Id: "canary_published", Timestamps: served.slice(0, 5), Values: [50, 50, 50, 50, 50] },
      ],
    });
    const m = await createCloudWatchProvider(createMetricDataReader(clients)).measure(metric(METRICS, "fivexx"), scope);
    expect(m).toMatchObject({ kind: "samples", baseline: [0, 0, 0, 0, 0, 0, 0, 0], canary: [0, 0, 0, 0, 0] });
  });

  it("fills templated dimensions of arbitrary queries per side", async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "baseline", Timestamps: [t(0)], Values: [3] }, { Id: "canary", Timestamps: [t(0)], Values: [4] }] });
    await createCloudWatchProvider(createMetricDataReader(clients)).measure(metric(METRICS, "custom"), scope);
    const queries = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!;
    expect(queries.map((q) => q.MetricStat!.Metric!.Dimensions)).toEqual([
      [{ Name: "Fleet", Value: "blue" }, { Name: "Peer", Value: "blue" }],
      [{ Name: "Fleet", Value: "green" }, { Name: "Peer", Value: "blue" }],
    ]);
    expect(queries[0]!.MetricStat!.Period).toBe(120);
  });

  it("returns API failures and forbidden results as error measurements", async () => {
    const provider = createCloudWatchProvider(createMetricDataReader(clients));
    cw.on(GetMetricDataCommand).rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: {} }));
    const thrown = await provider.measure(metric(METRICS, "p99"), scope);
    expect(thrown).toEqual({ kind: "error", message: "CloudWatch metric p99: CloudWatch GetMetricData: Throttling: Rate exceeded" });
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "baseline", StatusCode: "Forbidden", Messages: [{ Code: "Forbidden", Value: "no access" }] }, { Id: "canary", StatusCode: "Complete" }] });
    const forbidden = await provider.measure(metric(METRICS, "p99"), scope);
    expect(forbidden.kind === "error" && forbidden.message).toContain("query baseline ended with Forbidden: Forbidden no access");
  });
});

describe("CloudWatch alarms provider", () => {
  it("reports each named alarm's state and reason", async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: "web-5xx", StateValue: "ALARM", StateReason: "Threshold Crossed: 1 datapoint [12.0] was greater than 5.0" }],
      CompositeAlarms: [{ AlarmName: "web-latency", StateValue: "OK", StateReason: "ok" }],
    });
    const m = await createAlarmsProvider(createAlarmReader(clients)).measure(metric(METRICS, "alarms"), scope);
    expect(m).toEqual({
      kind: "alarms",
      alarms: [
        { name: "web-5xx", state: "ALARM", reason: "Threshold Crossed: 1 datapoint [12.0] was greater than 5.0" },
        { name: "web-latency", state: "OK", reason: "ok" },
      ],
    });
    expect(cw.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toMatchObject({ AlarmNames: ["web-5xx", "web-latency"], AlarmTypes: ["MetricAlarm", "CompositeAlarm"] });
  });

  it("an alarm that does not exist is an error, not a pass", async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: "web-5xx", StateValue: "OK", StateReason: "" }] });
    const m = await createAlarmsProvider(createAlarmReader(clients)).measure(metric(METRICS, "alarms"), scope);
    expect(m).toEqual({ kind: "error", message: "alarm(s) not found: web-latency (check the names and the region)" });
  });
});

describe("createProviders", () => {
  it("creates no CloudWatch client until a CloudWatch metric is measured", async () => {
    const cloudWatch = vi.fn(clients.cloudWatch);
    const lazy: AwsClients = { ...clients, cloudWatch };
    const set = createProviders({ clients: lazy });
    expect(Object.keys(set).sort()).toEqual(["cloudwatch", "cloudwatch-alarms"]);
    expect(cloudWatch).not.toHaveBeenCalled();
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "baseline" }, { Id: "canary" }] });
    await set.cloudwatch!.measure(metric(METRICS, "p99"), scope);
    expect(cloudWatch).toHaveBeenCalledTimes(1);
  });
});
