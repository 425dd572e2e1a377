import { describe, expect, it } from "vitest";
import { createSandboxClock, type AlarmDefinition } from "../../../aws/contracts";
import { evaluateAlarm, formatDate, formatNumber } from "../../../aws/metrics/alarms";
import { createMetricsStore } from "../../../aws/metrics/store";

// 60 sandbox seconds per real second: a 60-second period lasts 1,000 real ms.
const clock = createSandboxClock(60);
const T = 1_700_000_000_000; // 14/11/23 22:13:20 UTC, a period boundary
const NOW = T + 3_500; // complete periods: T, T+1000, T+2000; T+3000 is still open

function alarm(overrides: Partial<AlarmDefinition> = {}): AlarmDefinition {
  return {
    alarmName: "errors-high",
    namespace: "Custom/App",
    metricName: "Errors",
    dimensions: [],
    statistic: "Sum",
    periodSeconds: 60,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    threshold: 5,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "missing",
    ...overrides,
  };
}

function storeWith(points: Array<[offset: number, value: number]>) {
  const store = createMetricsStore(clock);
  for (const [offset, value] of points) store.put("Custom/App", "Errors", [], value, T + offset);
  return store;
}

describe("evaluateAlarm", () => {
  it("goes to ALARM when M of the last N datapoints breach, in CloudWatch's words", () => {
    const store = storeWith([[0, 12], [1_000, 3], [2_000, 8]]);
    expect(evaluateAlarm(alarm(), store, NOW)).toEqual({
      state: "ALARM",
      reason:
        "Threshold Crossed: 2 out of the last 3 datapoints [8.0 (14/11/23 22:13:22), 12.0 (14/11/23 22:13:20)] were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).",
    });
  });

  it("stays OK when fewer than M datapoints breach", () => {
    const store = storeWith([[0, 12], [1_000, 3], [2_000, 4.5]]);
    expect(evaluateAlarm(alarm(), store, NOW)).toEqual({
      state: "OK",
      reason:
        "Threshold Crossed: 2 out of the last 3 datapoints [4.5 (14/11/23 22:13:22), 3.0 (14/11/23 22:13:21)] were not greater than the threshold (5.0) (minimum 1 datapoint for ALARM -> OK transition).",
    });
  });

  it("applies each comparison operator at the threshold", () => {
    const store = storeWith([[2_000, 5]]);
    const at = (comparisonOperator: AlarmDefinition["comparisonOperator"]) =>
      evaluateAlarm(alarm({ comparisonOperator, evaluationPeriods: 1, datapointsToAlarm: 1 }), store, NOW).state;
    expect([at("GreaterThanThreshold"), at("GreaterThanOrEqualToThreshold"), at("LessThanThreshold"), at("LessThanOrEqualToThreshold")]).toEqual([
      "OK",
      "ALARM",
      "OK",
      "ALARM",
    ]);
    expect(evaluateAlarm(alarm({ comparisonOperator: "GreaterThanOrEqualToThreshold", evaluationPeriods: 1, datapointsToAlarm: 1 }), store, NOW).reason).toBe(
      "Threshold Crossed: 1 datapoint [5.0 (14/11/23 22:13:22)] was greater than or equal to the threshold (5.0) (minimum 1 datapoint for OK -> ALARM transition).",
    );
  });

  it("reports INSUFFICIENT_DATA without data when missing data is missing, and ignores the open period", () => {
    const store = storeWith([[3_100, 100]]);
    expect(evaluateAlarm(alarm(), store, NOW)).toEqual({ state: "INSUFFICIENT_DATA", reason: "Insufficient Data: 3 datapoints were unknown." });
  });

  it("treats missing periods as breaching or not breaching when told", () => {
    const empty = storeWith([]);
    expect(evaluateAlarm(alarm({ treatMissingData: "notBreaching" }), empty, NOW)).toEqual({
      state: "OK",
      reason: "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].",
    });
    expect(evaluateAlarm(alarm({ treatMissingData: "breaching" }), empty, NOW)).toEqual({
      state: "ALARM",
      reason: "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].",
    });
    const one = storeWith([[1_000, 1]]);
    const breaching = evaluateAlarm(alarm({ treatMissingData: "breaching" }), one, NOW);
    expect(breaching.state).toBe("ALARM");
    expect(breaching.reason).toContain("2 missing datapoints were treated as [Breaching].");
    expect(evaluateAlarm(alarm({ treatMissingData: "notBreaching" }), storeWith([[1_000, 9]]), NOW).state).toBe("OK");
  });

  it("looks further back for datapoints when missing data is missing or ignored", () => {
    const older = storeWith([[-3_000, 10], [-2_000, 10]]);
    expect(evaluateAlarm(alarm(), older, NOW).state).toBe("ALARM");
    expect(evaluateAlarm(alarm({ treatMissingData: "notBreaching" }), older, NOW).state).toBe("OK");
  });

  it("keeps the previous state without data when missing data is ignored", () => {
    const empty = storeWith([]);
    expect(evaluateAlarm(alarm({ treatMissingData: "ignore" }), empty, NOW, { previousState: "ALARM" }).state).toBe("ALARM");
    expect(evaluateAlarm(alarm({ treatMissingData: "ignore" }), empty, NOW).state).toBe("INSUFFICIENT_DATA");
  });

  it("evaluates extended statistics such as p99 of the target response time", () => {
    const store = createMetricsStore(clock);
    const lb = "app/demo/0123456789abcdef";
    const tg = "targetgroup/green/00000000000000bb";
    for (let i = 0; i < 100; i += 1) {
      store.recordRequest({ loadBalancerDimension: lb, targetGroupDimension: tg, status: 200, latencyMs: i < 95 ? 50 : 900, at: T + 2_000 + i });
    }
    const latency = alarm({
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      dimensions: [{ name: "TargetGroup", value: tg }, { name: "LoadBalancer", value: lb }],
      statistic: "p99",
      threshold: 0.5,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
    expect(evaluateAlarm(latency, store, NOW).state).toBe("ALARM");
    expect(evaluateAlarm({ ...latency, statistic: "p90" }, store, NOW).state).toBe("OK");
  });

  it("evaluates only the periods published by publishedUntil, with the unpublished ones not yet missing", () => {
    const newest = storeWith([[2_000, 9]]); // breaches in the newest complete period, not yet published
    const one = alarm({ evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "notBreaching" });
    expect(evaluateAlarm(one, newest, NOW, { publishedUntil: T + 2_000 })).toEqual({
      state: "OK",
      reason: "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
    });
    expect(evaluateAlarm(one, newest, NOW, { publishedUntil: T + 3_000 }).state).toBe("ALARM");
    // A period is evaluated only once all of it is published; a later publishedUntil than now changes nothing.
    expect(evaluateAlarm(one, newest, NOW, { publishedUntil: T + 2_999 }).state).toBe("OK");
    expect(evaluateAlarm(one, newest, NOW, { publishedUntil: T + 60_000 }).state).toBe("ALARM");
    // With `missing`, the look-back starts at the newest published period: 2 of 3 breach only once both are in.
    const two = storeWith([[-1_000, 9], [0, 9]]);
    expect(evaluateAlarm(alarm(), two, NOW, { publishedUntil: T }).state).toBe("OK");
    expect(evaluateAlarm(alarm(), two, NOW, { publishedUntil: T + 1_000 }).state).toBe("ALARM");
  });

  it("rejects datapointsToAlarm above evaluationPeriods", () => {
    expect(() => evaluateAlarm(alarm({ datapointsToAlarm: 4 }), storeWith([]), NOW)).toThrow(/errors-high: datapointsToAlarm \(4\) must be between 1 and evaluationPeriods \(3\)/);
  });
});

describe("formatting", () => {
  it("prints numbers and dates as CloudWatch does", () => {
    expect([formatNumber(12), formatNumber(0.25), formatNumber(-3)]).toEqual(["12.0", "0.25", "-3.0"]);
    expect(formatDate(Date.UTC(2026, 0, 5, 7, 8, 9))).toBe("05/01/26 07:08:09");
  });
});
