/**
 * CloudWatch serves a minute only once it is complete plus the publication lag, and a published
 * minute without events has no HTTPCode_* data point (AWS/ApplicationELB reports counts only when non-zero).
 */
import { DescribeAlarmsCommand, GetMetricDataCommand, PutMetricAlarmCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig, parseConfig } from "../../../aws/config";
import { publishedUntil } from "../../../aws/metrics/publication";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, eventually, statusOf } from "./clients";

const SCALE = 60; // one sandbox minute lasts one real second
const MINUTE = 1000;

describe("metric publication", () => {
  it("defaults to a lag of 2 sandbox minutes and refuses a negative one", () => {
    expect(parseConfig(defaultConfig()).metricPublicationLagSeconds).toBe(120);
    expect(() => parseConfig({ ...defaultConfig(), metricPublicationLagSeconds: -1 })).toThrow(/metricPublicationLagSeconds must be 0 or more/);
  });

  it("publishes up to the end of the newest minute that ended at least the lag ago", () => {
    const clock = (now: number) => ({ now: () => now, realMs: (s: number) => (s * 1000) / SCALE });
    // lag 2 s: at 10.5 s, the minute [8, 9) is the newest that ended 2 s ago.
    expect(publishedUntil(clock(10_500), 120)).toBe(8_000);
    expect(publishedUntil(clock(11_000), 120)).toBe(9_000);
    expect(publishedUntil(clock(10_999), 0)).toBe(10_000);
  });

  describe("through the SDK", () => {
    let sandbox: Sandbox;
    let c: ReturnType<typeof clientsFor>;
    let dims: { Name: string; Value: string }[];

    beforeAll(async () => {
      sandbox = await startSandbox({ timeScale: SCALE, seed: 19 });
      c = clientsFor(sandbox);
      const state = sandbox.state();
      dims = [
        { Name: "TargetGroup", Value: state.targetGroups.find((t) => t.name === "web-blue")!.dimension },
        { Name: "LoadBalancer", Value: state.loadBalancers[0]!.dimension },
      ];
    });
    afterAll(async () => {
      c?.destroy();
      await sandbox?.close();
    });

    it("serves a minute's requests only once the minute is complete and 2 sandbox minutes old, and no 5xx point for it", async () => {
      await eventually("blue healthy", () => (sandbox.state().targetGroups.find((t) => t.name === "web-blue")!.healthy === 2 ? true : undefined));
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const sentAt = Date.now();
      const statuses = await Promise.all(Array.from({ length: 30 }, () => statusOf(`${sandbox.environment.listenerUrl}/`, agent)));
      const sentUntil = Date.now();
      agent.destroy();
      expect(statuses.every((s) => s === 200)).toBe(true);
      const query = (name: string, id: string) => ({ Id: id, MetricStat: { Metric: { Namespace: "AWS/ApplicationELB", MetricName: name, Dimensions: dims }, Period: 60, Stat: "Sum" } });
      const read = async () => {
        const askedAt = Date.now();
        const out = await c.cw.send(
          new GetMetricDataCommand({ StartTime: new Date(sentAt - 10 * MINUTE), EndTime: new Date(askedAt + 10 * MINUTE), ScanBy: "TimestampAscending", MetricDataQueries: [query("RequestCount", "req"), query("HTTPCode_Target_5XX_Count", "err")] }),
        );
        const [req, err] = out.MetricDataResults!;
        return { askedAt, answeredAt: Date.now(), req: req!, err: err! };
      };
      // At once: the requests' minute is still open, so nothing is served for it.
      const first = await read();
      const lastMinuteEnd = Math.floor(sentUntil / MINUTE) * MINUTE + MINUTE;
      if (first.answeredAt < lastMinuteEnd) expect(first.req.Timestamps!.filter((t) => t.getTime() >= Math.floor(sentUntil / MINUTE) * MINUTE)).toEqual([]);
      const seen: number[] = [];
      const done = await eventually(
        "all 30 requests published",
        async () => {
          const r = await read();
          // Every minute served ended at least the lag (2 s) before the answer.
          for (const t of r.req.Timestamps!) expect(t.getTime() + MINUTE + 2 * MINUTE).toBeLessThanOrEqual(r.answeredAt);
          seen.push(r.req.Values!.reduce((a, b) => a + b, 0));
          return seen.at(-1) === 30 ? r : undefined;
        },
        8_000,
      );
      // Published no earlier than the end of the requests' first minute plus the lag.
      expect(done.answeredAt).toBeGreaterThanOrEqual(Math.floor(sentAt / MINUTE) * MINUTE + 3 * MINUTE);
      // A published minute with requests but no 5xx: the count is absent, not 0.
      expect(done.err.Values).toEqual([]);
    }, 15_000);

    it("evaluates an alarm only on published minutes: ALARM no earlier than the breaching minute's end plus the lag", async () => {
      const metric = { Namespace: "Sandbox/Lag", MetricName: "Errors" };
      await c.cw.send(new PutMetricAlarmCommand({ AlarmName: "lag-errors", ...metric, Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching" }));
      const put = () => c.cw.send(new PutMetricDataCommand({ Namespace: metric.Namespace, MetricData: [{ MetricName: metric.MetricName, Value: 5, Timestamp: new Date() }] }));
      const putAt = Date.now();
      await put();
      const minuteEnd = Math.floor(putAt / MINUTE) * MINUTE + MINUTE;
      const alarmed = await eventually(
        "the alarm in ALARM",
        async () => {
          const a = (await c.cw.send(new DescribeAlarmsCommand({ AlarmNames: ["lag-errors"] }))).MetricAlarms![0]!;
          if (a.StateValue === "ALARM") return a;
          // On a loaded machine a point can arrive after its one-second minute was already judged; a
          // later point only lands in a later minute, so the bound below still holds for the first.
          await put();
          return undefined;
        },
        25_000,
      );
      // Not on the minute's unpublished data (which a plain evaluation sees as soon as the minute ends).
      expect(alarmed.StateUpdatedTimestamp!.getTime()).toBeGreaterThanOrEqual(minuteEnd + 2 * MINUTE);
      // Sum of the minute's points: 5 each (more than one when the point was put again).
      expect(alarmed.StateReason).toMatch(/Threshold Crossed: 1 datapoint \[(\d+)\.0 \(/);
      expect(Number(/\[(\d+)\.0 \(/.exec(alarmed.StateReason!)![1]) % 5).toBe(0);
    }, 40_000);
  });
});
