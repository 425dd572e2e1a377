import { DescribeAlarmsCommand, GetMetricDataCommand, PutMetricAlarmCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../../aws/config";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, eventually, failure, statusOf } from "./clients";

describe("CloudWatch through the unmodified SDK (awsJson1_0)", () => {
  let sandbox: Sandbox;
  let c: ReturnType<typeof clientsFor>;
  let lbDim: string;
  let blueDim: string;

  beforeAll(async () => {
    // Minutes are served as soon as they end here (1.2 s real); the publication lag has its own tests.
    sandbox = await startSandbox({ config: { ...defaultConfig(), metricPublicationLagSeconds: 0 }, timeScale: 50, seed: 11 });
    c = clientsFor(sandbox);
    const state = sandbox.state();
    lbDim = state.loadBalancers[0]!.dimension;
    blueDim = state.targetGroups.find((t) => t.name === "web-blue")!.dimension;
  });
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });

  it("returns request counts for traffic sent through the listener, in epoch-second timestamps", async () => {
    await eventually("blue healthy", () => (sandbox.state().targetGroups.find((t) => t.name === "web-blue")!.healthy === 2 ? true : undefined));
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const statuses = await Promise.all(Array.from({ length: 40 }, () => statusOf(`${sandbox.environment.listenerUrl}/`, agent)));
    agent.destroy();
    expect(statuses.every((s) => s === 200)).toBe(true);
    const now = Date.now();
    const read = () =>
      c.cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(now - 3_600_000),
          EndTime: new Date(now + 60_000),
          ScanBy: "TimestampDescending",
          MetricDataQueries: [
            { Id: "requests", MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: "RequestCount", Dimensions: [{ Name: "TargetGroup", Value: blueDim }, { Name: "LoadBalancer", Value: lbDim }] }, Period: 60, Stat: "Sum" } },
            { Id: "errors", MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: "HTTPCode_Target_5XX_Count", Dimensions: [{ Name: "TargetGroup", Value: blueDim }, { Name: "LoadBalancer", Value: lbDim }] }, Period: 60, Stat: "Sum" } },
          ],
        }),
      );
    // The requests' minute is served once it is complete (metric-publication.test.ts covers the lag).
    // The 40 requests may span two minutes: wait for both.
    const out = await eventually("the requests' minutes published", async () => {
      const o = await read();
      return o.MetricDataResults![0]!.Values!.reduce((a, b) => a + b, 0) >= 40 ? o : undefined;
    });
    const requests = out.MetricDataResults!.find((r) => r.Id === "requests")!;
    expect(requests.StatusCode).toBe("Complete");
    expect(requests.Values!.reduce((a, b) => a + b, 0)).toBe(40);
    for (const t of requests.Timestamps!) expect(Math.abs(t.getTime() - now)).toBeLessThan(3_600_000);
    // No 5xx happened: HTTPCode_* metrics have no data points rather than zeros.
    expect(out.MetricDataResults!.find((r) => r.Id === "errors")!.Values).toEqual([]);
  });

  it("rejects a period that is not a multiple of 60 and duplicate query ids", async () => {
    const now = Date.now();
    const query = (Id: string, Period: number) => ({ Id, MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: "RequestCount" }, Period, Stat: "Sum" } });
    const period = await failure(c.cw.send(new GetMetricDataCommand({ StartTime: new Date(now - 60_000), EndTime: new Date(now), MetricDataQueries: [query("a", 90)] })));
    expect(period.name).toBe("InvalidParameterValueException");
    expect(period.message).toContain("multiple of 60");
    const duplicate = await failure(c.cw.send(new GetMetricDataCommand({ StartTime: new Date(now - 60_000), EndTime: new Date(now), MetricDataQueries: [query("a", 60), query("a", 60)] })));
    // CloudWatch models ValidationError as ValidationException.
    expect(duplicate.name).toBe("ValidationException");
  });

  it("stores custom metrics from PutMetricData and reads them back", async () => {
    const now = Date.now();
    await c.cw.send(new PutMetricDataCommand({ Namespace: "Deploy/Checks", MetricData: [{ MetricName: "SmokeFailures", Value: 3, Dimensions: [{ Name: "Service", Value: "web" }] }, { MetricName: "SmokeFailures", Values: [1, 2], Counts: [1, 1], Dimensions: [{ Name: "Service", Value: "web" }] }] }));
    const read = () =>
      c.cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(now - 600_000),
          EndTime: new Date(now + 600_000),
          MetricDataQueries: [{ Id: "smoke", MetricStat: { Metric: { Namespace: "Deploy/Checks", MetricName: "SmokeFailures", Dimensions: [{ Name: "Service", Value: "web" }] }, Period: 60, Stat: "Sum" } }],
        }),
      );
    const out = await eventually("the data's minute published", async () => {
      const o = await read();
      return o.MetricDataResults![0]!.Values!.length > 0 ? o : undefined;
    });
    expect(out.MetricDataResults![0]!.Values!.reduce((a, b) => a + b, 0)).toBe(6);
    const reserved = await failure(c.cw.send(new PutMetricDataCommand({ Namespace: "AWS/ApplicationELB", MetricData: [{ MetricName: "x", Value: 1 }] })));
    expect(reserved.name).toBe("InvalidParameterValueException");
  });

  it("creates alarms with PutMetricAlarm and reports them with DescribeAlarms", async () => {
    await c.cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "web-blue-5xx",
        Namespace: "AWS/ApplicationELB",
        MetricName: "HTTPCode_Target_5XX_Count",
        Dimensions: [{ Name: "TargetGroup", Value: blueDim }, { Name: "LoadBalancer", Value: lbDim }],
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
      }),
    );
    const out = await c.cw.send(new DescribeAlarmsCommand({ AlarmNames: ["web-blue-5xx"] }));
    expect(out.MetricAlarms![0]).toMatchObject({ AlarmName: "web-blue-5xx", Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", Period: 60 });
    expect(["OK", "INSUFFICIENT_DATA"]).toContain(out.MetricAlarms![0]!.StateValue);
    expect(out.MetricAlarms![0]!.StateUpdatedTimestamp).toBeInstanceOf(Date);
    const evaluated = await eventually("alarm evaluated to OK", async () => {
      const a = await c.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "web-blue" }));
      return a.MetricAlarms![0]!.StateValue === "OK" ? a.MetricAlarms![0] : undefined;
    });
    expect(evaluated.StateReason).toBeTruthy();
    const all = await c.cw.send(new DescribeAlarmsCommand({ MaxRecords: 1 }));
    expect(all.MetricAlarms).toHaveLength(1);
    expect(all.NextToken).toBeTruthy();
    const missing = await c.cw.send(new DescribeAlarmsCommand({ AlarmNames: ["nope"] }));
    expect(missing.MetricAlarms).toEqual([]);
    const bad = await failure(c.cw.send(new PutMetricAlarmCommand({ AlarmName: "x", Namespace: "AWS/ApplicationELB", MetricName: "RequestCount", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold" })));
    expect(bad.name).toBe("InvalidParameterCombinationException");
  });
});
