/** Shared plumbing for providers queried with text (PromQL, Datadog queries, NRQL). */
import type { Measurement, Point } from "../../ports/metrics";
import type { MetricConfig } from "./config";
import type { HttpResult } from "./http";
import type { Scope } from "./provider";
import { fill, templateVariables, type Side } from "./template";

type TextMetric = Extract<MetricConfig, { provider: "prometheus" | "datadog" | "newrelic" }>;

export interface TextBackend {
  /** Values over the window for a series query. */
  series(query: string, scope: Scope): Promise<HttpResult<Point[]>>;
  /** One number over the window (a count) for a counts query. */
  scalar(query: string, scope: Scope): Promise<HttpResult<number>>;
}

class QueryFailed extends Error {}

function unwrap<T>(side: Side, r: HttpResult<T>): T {
  if (!r.ok) throw new QueryFailed(`${side} query: ${r.message}`);
  return r.data;
}

export async function measureText(metric: TextMetric, scope: Scope, backend: TextBackend): Promise<Measurement> {
  const text = (side: Side, template: string) => fill(template, templateVariables(scope, side));
  try {
    if (metric.events !== undefined && metric.total !== undefined) {
      const [be, bt, ce, ct] = await Promise.all([
        backend.scalar(text("baseline", metric.events), scope),
        backend.scalar(text("baseline", metric.total), scope),
        backend.scalar(text("canary", metric.events), scope),
        backend.scalar(text("canary", metric.total), scope),
      ]);
      return {
        kind: "counts",
        baseline: { events: unwrap("baseline", be), total: unwrap("baseline", bt) },
        canary: { events: unwrap("canary", ce), total: unwrap("canary", ct) },
      };
    }
    const templates = metric.query !== undefined ? { baseline: metric.query, canary: metric.query } : { baseline: metric.baselineQuery!, canary: metric.canaryQuery! };
    const [b, c] = await Promise.all([backend.series(text("baseline", templates.baseline), scope), backend.series(text("canary", templates.canary), scope)]);
    const baseline = unwrap("baseline", b);
    const canary = unwrap("canary", c);
    return { kind: "samples", baseline: baseline.map((p) => p.v), canary: canary.map((p) => p.v), unit: metric.unit, series: { baseline, canary } };
  } catch (error) {
    if (error instanceof QueryFailed || error instanceof RangeError) return { kind: "error", message: error.message };
    throw error;
  }
}
