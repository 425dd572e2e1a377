import { describe, expect, it } from "vitest";
import { createSandboxClock, type MetricQuery } from "../../../aws/contracts";
import type { ListenerRequestRecord } from "../../../aws/metrics/request-record";
import { SampleBuffer } from "../../../aws/metrics/samples";
import { parseStatistic } from "../../../aws/metrics/statistics";
import { createMetricsStore, ELB_NAMESPACE } from "../../../aws/metrics/store";

// At 60 sandbox seconds per real second, a 60-second period lasts exactly 1,000 real ms.
const clock = createSandboxClock(60);
const T = 1_700_000_000_000; // a multiple of 1,000, so a period boundary
const LB = "app/demo/0123456789abcdef";
const TG = "targetgroup/blue/00000000000000aa";
const pair = [
  { name: "TargetGroup", value: TG },
  { name: "LoadBalancer", value: LB },
];

function query(overrides: Partial<MetricQuery>): MetricQuery {
  return {
    namespace: "Custom/App",
    metricName: "Latency",
    dimensions: [],
    stat: "Sum",
    periodSeconds: 60,
    start: T,
    end: T + 10_000,
    scanBy: "TimestampAscending",
    ...overrides,
  };
}

describe("parseStatistic", () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
  const stat = (name: string) => parseStatistic(name)(values);

  it("computes the simple statistics", () => {
    expect([stat("Sum"), stat("Average"), stat("Minimum"), stat("Maximum"), stat("SampleCount")]).toEqual([5050, 50.5, 1, 100, 100]);
  });

  it("computes nearest-rank percentiles", () => {
    expect([stat("p50"), stat("p99"), stat("p99.5"), stat("p100"), stat("p1")]).toEqual([50, 99, 100, 100, 1]);
    expect(parseStatistic("p90")([0.2, 0.1, 0.4, 0.3])).toBe(0.4);
    expect(parseStatistic("p50")([0.2, 0.1, 0.4, 0.3])).toBe(0.2);
  });

  it("computes trimmed means, counts, sums, winsorized means and percentile ranks", () => {
    expect(stat("tm90")).toBe(45.5); // mean of 1..90
    expect(stat("TM(10%:90%)")).toBe(50.5); // mean of 11..90
    expect(stat("IQM")).toBe(50.5); // mean of 26..75
    expect(stat("TM(10:20)")).toBe(15.5); // values in (10, 20]
    expect(stat("tc90")).toBe(90);
    expect(stat("ts90")).toBe(4095);
    expect(stat("wm90")).toBeCloseTo(49.95, 10); // 91..100 clamped to 90
    expect(stat("PR(:50)")).toBe(50);
    expect(stat("PR(25:50)")).toBe(25);
  });

  it("rejects an unknown statistic, listing the valid ones", () => {
    expect(() => parseStatistic("Median")).toThrow(/unsupported statistic "Median".*valid: Sum, Average/);
    expect(() => parseStatistic("TM(90%:10%)")).toThrow(/ascending/);
  });
});

describe("createMetricsStore", () => {
  it("aligns periods to the epoch, skips empty periods, honours the window and scan order", () => {
    const store = createMetricsStore(clock);
    const at = [100, 900, 1_000, 3_500, 4_000, -200];
    at.forEach((offset, i) => store.put("Custom/App", "Latency", [], i + 1, T + offset));

    const ascending = store.query(query({ start: T + 500, end: T + 4_000 }));
    expect(ascending).toEqual({ timestamps: [T, T + 1_000, T + 3_000], values: [1 + 2, 3, 4] });
    const descending = store.query(query({ start: T + 500, end: T + 4_000, scanBy: "TimestampDescending" }));
    expect(descending).toEqual({ timestamps: [T + 3_000, T + 1_000, T], values: [4, 3, 3] });
    const wide = store.query(query({ start: T - 1_000, end: T + 5_000, periodSeconds: 120, stat: "SampleCount" }));
    // Two-minute periods last 2,000 ms and start at even seconds since the epoch.
    expect(wide).toEqual({ timestamps: [T - 2_000, T, T + 2_000, T + 4_000], values: [1, 3, 1, 1] });
  });

  it("matches series on the exact dimension set, in any order", () => {
    const store = createMetricsStore(clock);
    store.put("Custom/App", "Errors", [{ name: "Service", value: "api" }, { name: "Stage", value: "prod" }], 2, T);
    store.put("Custom/App", "Errors", [{ name: "Service", value: "api" }], 5, T);
    const both = store.query(query({ metricName: "Errors", dimensions: [{ name: "Stage", value: "prod" }, { name: "Service", value: "api" }] }));
    const one = store.query(query({ metricName: "Errors", dimensions: [{ name: "Service", value: "api" }] }));
    const none = store.query(query({ metricName: "Errors", dimensions: [] }));
    expect([both.values, one.values, none.values]).toEqual([[2], [5], []]);
  });

  it("derives the load balancer metrics from proxied requests", () => {
    const store = createMetricsStore(clock);
    const base = { loadBalancerDimension: LB, targetGroupDimension: TG };
    const records: ListenerRequestRecord[] = [
      { ...base, status: 200, latencyMs: 100, at: T + 10 },
      { ...base, status: 200, latencyMs: 300, at: T + 20 },
      { ...base, status: 503, latencyMs: 200, at: T + 30 },
      { ...base, status: undefined, latencyMs: 5, at: T + 40, elbStatus: 502 },
      { loadBalancerDimension: LB, targetGroupDimension: "", status: undefined, latencyMs: 0, at: T + 50, elbStatus: 503 },
      { ...base, status: 404, latencyMs: 100, at: T + 1_010 },
    ];
    records.forEach((record) => store.recordRequest(record));
    const elb = (metricName: string, dimensions: MetricQuery["dimensions"], stat = "Sum") =>
      store.query(query({ namespace: ELB_NAMESPACE, metricName, dimensions, stat }));
    const lbOnly = [{ name: "LoadBalancer", value: LB }];

    expect(elb("RequestCount", pair)).toEqual({ timestamps: [T, T + 1_000], values: [4, 1] });
    expect(elb("RequestCount", lbOnly).values).toEqual([5, 1]);
    expect(elb("HTTPCode_Target_2XX_Count", pair).values).toEqual([2]);
    expect(elb("HTTPCode_Target_5XX_Count", pair).values).toEqual([1]);
    expect(elb("HTTPCode_Target_4XX_Count", pair)).toEqual({ timestamps: [T + 1_000], values: [1] });
    expect(elb("HTTPCode_Target_3XX_Count", pair)).toEqual({ timestamps: [], values: [] });
    expect(elb("HTTPCode_ELB_5XX_Count", lbOnly).values).toEqual([2]);
    expect(elb("HTTPCode_ELB_502_Count", lbOnly).values).toEqual([1]);
    expect(elb("HTTPCode_ELB_503_Count", lbOnly).values).toEqual([1]);
    expect(elb("TargetConnectionErrorCount", pair).values).toEqual([1]);
    const average = elb("TargetResponseTime", pair, "Average").values;
    expect(average).toHaveLength(2);
    expect(average[0]).toBeCloseTo(0.2, 12);
    expect(average[1]).toBeCloseTo(0.1, 12);
    expect(elb("TargetResponseTime", pair, "Maximum").values).toEqual([0.3, 0.1]);
  });

  it("averages host counts and divides requests by them for RequestCountPerTarget", () => {
    const store = createMetricsStore(clock);
    store.recordHostCounts(LB, TG, 2, 1, T + 100);
    store.recordHostCounts(LB, TG, 4, 0, T + 600);
    for (let i = 0; i < 12; i += 1) store.recordRequest({ loadBalancerDimension: LB, targetGroupDimension: TG, status: 200, latencyMs: 1, at: T + i });
    const healthy = store.query(query({ namespace: ELB_NAMESPACE, metricName: "HealthyHostCount", dimensions: pair, stat: "Average" }));
    const unhealthy = store.query(query({ namespace: ELB_NAMESPACE, metricName: "UnHealthyHostCount", dimensions: pair, stat: "Maximum" }));
    const perTarget = store.query(
      query({ namespace: ELB_NAMESPACE, metricName: "RequestCountPerTarget", dimensions: [{ name: "TargetGroup", value: TG }] }),
    );
    expect([healthy.values, unhealthy.values, perTarget.values]).toEqual([[3], [1], [4]]);
  });

  it("rejects an invalid query naming the problem", () => {
    const store = createMetricsStore(clock);
    expect(() => store.query(query({ periodSeconds: 0 }))).toThrow(/Custom\/App\/Latency: periodSeconds/);
    expect(() => store.query(query({ stat: "p101" }))).toThrow(/unsupported statistic "p101"/);
  });
});

describe("SampleBuffer", () => {
  it("drops the oldest samples beyond its capacity", () => {
    const buffer = new SampleBuffer(5_000);
    for (let i = 0; i < 20_000; i += 1) buffer.add(i, i);
    const kept: number[] = [];
    buffer.forEachBetween(0, Infinity, (at) => kept.push(at));
    expect(buffer.size).toBe(kept.length);
    expect(kept.length).toBeGreaterThanOrEqual(5_000);
    expect(kept.length).toBeLessThanOrEqual(5_000 + 4_096);
    expect(kept.at(-1)).toBe(19_999);
    expect(kept[0]).toBe(20_000 - kept.length);
  });
});
