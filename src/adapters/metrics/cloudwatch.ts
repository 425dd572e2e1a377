/**
 * CloudWatch metrics provider: presets for ALB target-group metrics and arbitrary metric
 * queries, each side read with its own dimensions in one GetMetricData call per metric.
 */
import type { AlarmStates } from "../../ports/alarms";
import type { CloudWatchQuery, MetricConfig } from "./config";
import type { Measurement, MetricDataReader, MetricQuerySpec, MetricSeries, Point } from "../../ports/metrics";
import { CLOUDWATCH_PRESETS, loadBalancerDimension, targetGroupDimension, type PresetQuery } from "./presets";
import { guarded, type MetricProvider, type Scope } from "./provider";
import { fill, templateVariables, type Side } from "./template";

type Spec = CloudWatchQuery;

function presetSpec(q: PresetQuery): Spec {
  return {
    namespace: "AWS/ApplicationELB",
    metric: q.metric,
    dimensions: { TargetGroup: "{{targetGroup}}", LoadBalancer: "{{loadBalancer}}" },
    stat: q.stat,
    period: 60,
    scale: q.scale,
    unit: q.unit,
    fill: q.fill,
  };
}

/**
 * Adds `fill` where a metric that is absent when zero has no point, only inside the published range.
 * With `published` (the side's RequestCount, reported for every minute that had requests), a minute is
 * filled only when it had requests and is served: a minute not published yet is never read as zero.
 * Without it (a custom query), every whole period of the window is filled; the window already ends at
 * the newest published data (metrics-delay).
 */
function filled(points: Point[], fill: number | undefined, spec: Spec, scope: Scope, published?: Point[]): Point[] {
  if (fill === undefined) return points;
  const have = new Set(points.map((p) => p.t));
  const out = [...points];
  if (published) {
    for (const p of published) if (p.v > 0 && !have.has(p.t)) out.push({ t: p.t, v: fill });
    return out.sort((a, b) => a.t - b.t);
  }
  const step = spec.period * 1000;
  const first = Math.floor(scope.window.start.getTime() / 60_000) * 60_000;
  for (let t = first; t + step <= scope.window.end.getTime(); t += step) if (!have.has(t)) out.push({ t, v: fill });
  return out.sort((a, b) => a.t - b.t);
}

/** `published`: a series whose points mark the minutes served (the presets' RequestCount), for `fill`. */
type Plan = { kind: "samples"; query: Spec; published?: Spec | undefined } | { kind: "counts"; events: Spec; total: Spec };

const REQUESTS: PresetQuery = { metric: "RequestCount", stat: "Sum", scale: 1 };

function planFor(metric: Extract<MetricConfig, { provider: "cloudwatch" }>): Plan {
  if (metric.preset) {
    const preset = CLOUDWATCH_PRESETS[metric.preset as keyof typeof CLOUDWATCH_PRESETS];
    if (preset.kind === "counts") return { kind: "counts", events: presetSpec(preset.events), total: presetSpec(preset.total) };
    const query = presetSpec(preset.query);
    return { kind: "samples", query, published: query.fill === undefined ? undefined : presetSpec(REQUESTS) };
  }
  if (metric.query) return { kind: "samples", query: metric.query };
  return { kind: "counts", events: metric.events!, total: metric.total! };
}

function toQuery(id: string, spec: Spec, scope: Scope, side: Side): MetricQuerySpec {
  const vars = templateVariables(scope, side);
  return {
    id,
    namespace: spec.namespace,
    metric: spec.metric,
    dimensions: Object.entries(spec.dimensions).map(([name, value]) => ({ name, value: fill(value, vars) })),
    stat: spec.stat,
    period: spec.period,
  };
}

function series(results: MetricSeries[], id: string, scale: number): Point[] {
  const s = results.find((r) => r.id === id);
  if (!s) throw new Error(`GetMetricData returned no result for query ${id}`);
  if (s.status === "InternalError" || s.status === "Forbidden") throw new Error(`query ${id} ended with ${s.status}${s.messages.length ? `: ${s.messages.join("; ")}` : ""}`);
  return s.timestamps.map((t, i) => ({ t, v: s.values[i]! * scale })).sort((a, b) => a.t - b.t);
}

/** Per-period rate events/total; a period with requests and no 5xx point had no errors. */
function countsFrom(events: Point[], total: Point[]): { counts: { events: number; total: number }; rate: Point[] } {
  const eventsAt = new Map(events.map((p) => [p.t, p.v]));
  let e = 0;
  let n = 0;
  const rate: Point[] = [];
  for (const p of total) {
    const k = eventsAt.get(p.t) ?? 0;
    e += k;
    n += p.v;
    if (p.v > 0) rate.push({ t: p.t, v: k / p.v });
  }
  return { counts: { events: e, total: n }, rate };
}

export function createCloudWatchProvider(reader: MetricDataReader): MetricProvider {
  return {
    measure: (metric, scope) =>
      guarded(`CloudWatch metric ${metric.name}`, async (): Promise<Measurement> => {
        if (metric.provider !== "cloudwatch") return { kind: "error", message: `the CloudWatch provider cannot measure a ${metric.provider} metric` };
        const plan = planFor(metric);
        const { start, end } = scope.window;
        if (plan.kind === "samples") {
          const queries = [toQuery("baseline", plan.query, scope, "baseline"), toQuery("canary", plan.query, scope, "canary")];
          if (plan.published) queries.push(toQuery("baseline_published", plan.published, scope, "baseline"), toQuery("canary_published", plan.published, scope, "canary"));
          const results = await reader.read(queries, start, end);
          const publishedOf = (side: Side) => (plan.published ? series(results, `${side}_published`, 1) : undefined);
          const baseline = filled(series(results, "baseline", plan.query.scale), plan.query.fill, plan.query, scope, publishedOf("baseline"));
          const canary = filled(series(results, "canary", plan.query.scale), plan.query.fill, plan.query, scope, publishedOf("canary"));
          return { kind: "samples", baseline: baseline.map((p) => p.v), canary: canary.map((p) => p.v), unit: plan.query.unit, series: { baseline, canary } };
        }
        const queries = [
          toQuery("baseline_events", plan.events, scope, "baseline"),
          toQuery("baseline_total", plan.total, scope, "baseline"),
          toQuery("canary_events", plan.events, scope, "canary"),
          toQuery("canary_total", plan.total, scope, "canary"),
        ];
        const results = await reader.read(queries, start, end);
        const b = countsFrom(series(results, "baseline_events", 1), series(results, "baseline_total", 1));
        const c = countsFrom(series(results, "canary_events", 1), series(results, "canary_total", 1));
        return { kind: "counts", baseline: b.counts, canary: c.counts, series: { baseline: b.rate, canary: c.rate } };
      }),
  };
}

export function createAlarmsProvider(reader: AlarmStates): MetricProvider {
  return {
    measure: (metric) =>
      guarded(`CloudWatch alarms ${metric.name}`, async (): Promise<Measurement> => {
        if (metric.provider !== "cloudwatch-alarms") return { kind: "error", message: `the alarms provider cannot measure a ${metric.provider} metric` };
        const alarms = await reader.read(metric.alarms);
        const found = new Set(alarms.map((a) => a.name));
        const missing = metric.alarms.filter((n) => !found.has(n));
        if (missing.length > 0) return { kind: "error", message: `alarm(s) not found: ${missing.join(", ")} (check the names and the region)` };
        return { kind: "alarms", alarms };
      }),
  };
}

export { loadBalancerDimension, targetGroupDimension };
