import { z } from "zod";
import type { MetricQuery, MetricSeries, MetricsStore, RequestRecord, SandboxClock } from "../contracts";
import type { ListenerRequestRecord } from "./request-record";
import { SampleBuffer } from "./samples";
import { parseStatistic } from "./statistics";

export const ELB_NAMESPACE = "AWS/ApplicationELB";

export interface MetricsStoreOptions {
  /** Most raw samples kept per series (oldest dropped first); 250,000 unless told. */
  maxSamplesPerSeries?: number;
}

type Dimension = { name: string; value: string };
type Series = { namespace: string; metricName: string; dimensions: Dimension[]; samples: SampleBuffer };

const dimensionSchema = z.object({ name: z.string().min(1), value: z.string() });
const querySchema = z
  .object({
    namespace: z.string().min(1),
    metricName: z.string().min(1),
    dimensions: z.array(dimensionSchema).max(30),
    stat: z.string().min(1),
    periodSeconds: z.number().positive(),
    start: z.number().finite(),
    end: z.number().finite(),
    scanBy: z.enum(["TimestampDescending", "TimestampAscending"]),
  })
  .refine((q) => q.start < q.end, { message: "start must be before end", path: ["start"] });

function seriesKey(namespace: string, metricName: string, dimensions: Dimension[]): string {
  const dims = [...dimensions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return JSON.stringify([namespace, metricName, dims.map((d) => [d.name, d.value])]);
}

/**
 * CloudWatch for the sandbox: raw samples per series, aggregated at query time into periods aligned
 * to multiples of the period since the epoch (the period in sandbox seconds, scaled by the clock).
 * Series match on the exact dimension set, as in CloudWatch. A period without samples has no data point.
 *
 * Each proxied request adds, in AWS/ApplicationELB, for (LoadBalancer) and (TargetGroup, LoadBalancer):
 * RequestCount, HTTPCode_Target_NXX_Count and TargetResponseTime (seconds). Answers from the load balancer
 * itself add HTTPCode_ELB_5XX_Count and HTTPCode_ELB_50N_Count for (LoadBalancer); a failed connection to a
 * target also adds TargetConnectionErrorCount. RequestCountPerTarget (Sum) is RequestCount divided by the
 * period's average HealthyHostCount (at least 1).
 */
export interface SandboxMetricsStore extends MetricsStore {
  /** Sandbox seconds per real second of the clock the store scales periods with. */
  readonly timeScale: number;
}

export function createMetricsStore(clock: SandboxClock, options: MetricsStoreOptions = {}): SandboxMetricsStore {
  const capacity = options.maxSamplesPerSeries ?? 250_000;
  const series = new Map<string, Series>();

  // Every proxied request writes several samples: remember series by their dimensions in written order.
  const byWrittenOrder = new Map<string, Series>();

  function add(namespace: string, metricName: string, dimensions: Dimension[], value: number, at: number): void {
    let fastKey = `${namespace}\u0001${metricName}`;
    for (const d of dimensions) fastKey += `\u0001${d.name}\u0002${d.value}`;
    let entry = byWrittenOrder.get(fastKey);
    if (!entry) {
      const key = seriesKey(namespace, metricName, dimensions);
      entry = series.get(key);
      if (!entry) {
        entry = { namespace, metricName, dimensions: dimensions.map((d) => ({ ...d })), samples: new SampleBuffer(capacity) };
        series.set(key, entry);
      }
      byWrittenOrder.set(fastKey, entry);
    }
    entry.samples.add(at, value);
  }

  function addElb(metricName: string, lb: string, tg: string | undefined, value: number, at: number): void {
    add(ELB_NAMESPACE, metricName, [{ name: "LoadBalancer", value: lb }], value, at);
    if (tg) add(ELB_NAMESPACE, metricName, [{ name: "TargetGroup", value: tg }, { name: "LoadBalancer", value: lb }], value, at);
  }

  /** Period index → raw values, for samples of matching series within the query window. */
  function collect(keys: string[], periodMs: number, start: number, end: number): Map<number, number[]> {
    const from = Math.floor(start / periodMs) * periodMs;
    const buckets = new Map<number, number[]>();
    for (const key of keys) {
      series.get(key)?.samples.forEachBetween(from, end, (at, value) => {
        const index = Math.floor(at / periodMs);
        let bucket = buckets.get(index);
        if (!bucket) buckets.set(index, (bucket = []));
        bucket.push(value);
      });
    }
    return buckets;
  }

  function toSeries(points: Array<[index: number, value: number]>, periodMs: number, scanBy: MetricQuery["scanBy"]): MetricSeries {
    points.sort((a, b) => (scanBy === "TimestampAscending" ? a[0] - b[0] : b[0] - a[0]));
    return { timestamps: points.map(([index]) => Math.floor(index * periodMs)), values: points.map(([, value]) => value) };
  }

  function requestCountPerTarget(query: MetricQuery, periodMs: number): MetricSeries {
    if (query.stat !== "Sum") {
      throw new Error(`RequestCountPerTarget supports only the Sum statistic (an average per target), got ${JSON.stringify(query.stat)}`);
    }
    const targetGroup = query.dimensions.find((d) => d.name === "TargetGroup")?.value;
    const loadBalancer = query.dimensions.find((d) => d.name === "LoadBalancer")?.value;
    const allowed = query.dimensions.every((d) => d.name === "TargetGroup" || d.name === "LoadBalancer");
    if (targetGroup === undefined || !allowed) {
      throw new Error(
        `RequestCountPerTarget needs the TargetGroup dimension (optionally with LoadBalancer), got ${JSON.stringify(query.dimensions)}`,
      );
    }
    const keysOf = (metricName: string) =>
      [...series.entries()]
        .filter(([, entry]) => {
          if (entry.namespace !== ELB_NAMESPACE || entry.metricName !== metricName || entry.dimensions.length !== 2) return false;
          const tg = entry.dimensions.find((d) => d.name === "TargetGroup")?.value;
          const lb = entry.dimensions.find((d) => d.name === "LoadBalancer")?.value;
          return tg === targetGroup && lb !== undefined && (loadBalancer === undefined || lb === loadBalancer);
        })
        .map(([key]) => key);
    const requests = collect(keysOf("RequestCount"), periodMs, query.start, query.end);
    const healthy = collect(keysOf("HealthyHostCount"), periodMs, query.start, query.end);
    const points: Array<[number, number]> = [];
    for (const [index, values] of requests) {
      const hosts = healthy.get(index);
      const average = hosts && hosts.length > 0 ? hosts.reduce((s, v) => s + v, 0) / hosts.length : 1;
      points.push([index, values.length / Math.max(1, average)]);
    }
    return toSeries(points, periodMs, query.scanBy);
  }

  return {
    timeScale: clock.timeScale,
    recordRequest(record: RequestRecord) {
      const { loadBalancerDimension: lb, targetGroupDimension, at } = record;
      const tg = targetGroupDimension || undefined;
      const elbStatus = (record as ListenerRequestRecord).elbStatus ?? (record.status === undefined ? 502 : undefined);
      if (elbStatus !== undefined) {
        add(ELB_NAMESPACE, "RequestCount", [{ name: "LoadBalancer", value: lb }], 1, at);
        add(ELB_NAMESPACE, "HTTPCode_ELB_5XX_Count", [{ name: "LoadBalancer", value: lb }], 1, at);
        add(ELB_NAMESPACE, `HTTPCode_ELB_${elbStatus}_Count`, [{ name: "LoadBalancer", value: lb }], 1, at);
        // 502 and 504 answer requests that were sent to a target of the group; 503 ones never reached a group.
        if ((elbStatus === 502 || elbStatus === 504) && tg) {
          add(ELB_NAMESPACE, "RequestCount", [{ name: "TargetGroup", value: tg }, { name: "LoadBalancer", value: lb }], 1, at);
        }
        if (elbStatus === 502) addElb("TargetConnectionErrorCount", lb, tg, 1, at);
        return;
      }
      const status = record.status as number;
      addElb("RequestCount", lb, tg, 1, at);
      addElb(`HTTPCode_Target_${Math.floor(status / 100)}XX_Count`, lb, tg, 1, at);
      addElb("TargetResponseTime", lb, tg, record.latencyMs / 1000, at);
    },

    recordHostCounts(lb, tg, healthy, unhealthy, at) {
      const dims = [
        { name: "TargetGroup", value: tg },
        { name: "LoadBalancer", value: lb },
      ];
      add(ELB_NAMESPACE, "HealthyHostCount", dims, healthy, at);
      add(ELB_NAMESPACE, "UnHealthyHostCount", dims, unhealthy, at);
    },

    put(namespace, metricName, dimensions, value, at) {
      if (!Number.isFinite(value)) throw new Error(`metric ${namespace}/${metricName}: value must be a finite number, got ${value}`);
      add(namespace, metricName, dimensions, value, at);
    },

    query(raw) {
      const parsed = querySchema.safeParse(raw);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
        throw new Error(`invalid metric query for ${raw?.namespace}/${raw?.metricName}: ${problems}`);
      }
      const query = raw;
      const periodMs = clock.realMs(query.periodSeconds);
      if (query.namespace === ELB_NAMESPACE && query.metricName === "RequestCountPerTarget") {
        return requestCountPerTarget(query, periodMs);
      }
      const statistic = parseStatistic(query.stat);
      const buckets = collect([seriesKey(query.namespace, query.metricName, query.dimensions)], periodMs, query.start, query.end);
      const points: Array<[number, number]> = [];
      for (const [index, values] of buckets) {
        const value = statistic(values);
        if (value !== undefined && Number.isFinite(value)) points.push([index, value]);
      }
      return toSeries(points, periodMs, query.scanBy);
    },
  };
}
