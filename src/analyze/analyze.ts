/**
 * The canary analysis: measure every configured metric through its provider, classify each
 * at the alpha of this look, and decide. The only effects are the injected providers' calls.
 */
import type { CanaryConfig, MetricConfig } from "../adapters/metrics/config";
import { loadBalancerDimension, targetGroupDimension } from "../adapters/metrics/presets";
import { guarded, type ProviderSet, type Scope, type Target } from "../adapters/metrics/provider";
import { ConfigurationError } from "../util/errors";
import { classifyMetric } from "../judge/classify";
import { decide, type Band, type Requests, type Verdict } from "../judge/score";
import { lookLevel, type SpendingFunction } from "../judge/sequential";
import type { Measurement, MetricPolicy, MetricResult } from "../judge/types";
import { coverage, judgedWindow, span, type JudgedWindow, type PublishedBound } from "./window";

export interface Look {
  /** 1-based number of this analysis. */
  index: number;
  /** Number of analyses planned (e.g. the traffic steps of a canary). */
  planned: number;
}

export interface AnalysisContext {
  baseline: Target;
  canary: Target;
  window: { start: Date; end: Date };
  look?: Look | undefined;
  /** Cut the window at the newest published data (now − metrics-delay); without it the window is judged as given. */
  published?: PublishedBound | undefined;
}

export interface AnalysisDeps {
  providers: ProviderSet;
  log?: ((line: string) => void) | undefined;
}

/** The report: a stable JSON shape (`schema: "canary-report/v1"`), written to a file and summarised. */
export interface CanaryReport {
  schema: "canary-report/v1";
  verdict: Verdict;
  /** Score band: marginal is reported here and gates as fail. */
  band: Band | null;
  /** Weighted % of scored metrics that passed, 0-100; null when nothing could be scored. */
  score: number | null;
  reasons: string[];
  groups: Record<string, number | null>;
  /** The judged window: it ends at the newest published data. */
  window: { start: string; end: string };
  /** How the window was cut to published data; null when it was judged as given. */
  published: { requestedEnd: string; delaySeconds: number; judgedSeconds: number; missingSeconds: number } | null;
  baseline: Target;
  canary: Target;
  requests: Requests & { minimum: number };
  look: { index: number; planned: number; spending: SpendingFunction; alpha: number; cumulativeAlpha: number } | null;
  settings: { confidence: number; passScore: number; marginalScore: number; familywise: boolean; maxNoDataFraction: number };
  metrics: MetricResult[];
}

export function policyOf(metric: MetricConfig, config: Pick<CanaryConfig, "confidence">): MetricPolicy {
  return {
    name: metric.name,
    group: metric.group ?? metric.provider,
    weight: metric.weight,
    direction: metric.direction,
    critical: metric.critical,
    mustHaveData: metric.mustHaveData,
    optional: metric.optional,
    nanStrategy: metric.nanStrategy,
    confidence: metric.confidence ?? config.confidence,
    effect: metric.effect,
    thresholds: metric.thresholds,
    compare: metric.compare,
  };
}

/** Two-sided alpha for one metric on this look: spent over the looks, split over the compared metrics. */
export function metricAlpha(policy: MetricPolicy, config: Pick<CanaryConfig, "spending" | "familywise">, look: Look, compared: number): number {
  const level = lookLevel({ alpha: 1 - policy.confidence, looks: look.planned, spending: config.spending }, look.index);
  return config.familywise && compared > 1 ? level.alpha / compared : level.alpha;
}

/** Judges measurements already in hand: the pure half of analyzeCanary (used by the benchmark too). */
function levelOf(config: CanaryConfig, look: Look) {
  try {
    return lookLevel({ alpha: 1 - config.confidence, looks: look.planned, spending: config.spending }, look.index);
  } catch (error) {
    throw new ConfigurationError(`Invalid analysis look: ${(error as Error).message}`);
  }
}

function publishedOf(judged: JudgedWindow | undefined): CanaryReport["published"] {
  if (!judged) return null;
  const { judgedSeconds, missingSeconds } = coverage(judged);
  return { requestedEnd: judged.requestedEnd.toISOString(), delaySeconds: Math.round(judged.delayMs / 1000), judgedSeconds, missingSeconds };
}

export function judgeMeasurements(config: CanaryConfig, measurements: Measurement[], context: AnalysisContext & { judged?: JudgedWindow | undefined }): CanaryReport {
  const look = context.look ?? { index: 1, planned: 1 };
  const level = levelOf(config, look);
  const compared = config.metrics.filter((m) => m.compare && m.provider !== "cloudwatch-alarms").length;
  const results = config.metrics.map((metric, i) => {
    const policy = policyOf(metric, config);
    return classifyMetric(policy, measurements[i] ?? { kind: "error", message: "not measured" }, metricAlpha(policy, config, look, compared));
  });
  const requests = requestsOf(config, measurements);
  const judgement = decide(results, requests, {
    passScore: config.passScore,
    marginalScore: config.marginalScore,
    minRequests: config.minRequests,
    maxNoDataFraction: config.maxNoDataFraction,
  });
  const published = publishedOf(context.judged);
  if (published && published.missingSeconds > 0) {
    judgement.reasons.push(`judged ${span(published.judgedSeconds)} up to ${new Date(context.window.end).toISOString()}; the last ${span(published.missingSeconds)} of the window is not published yet (metrics-delay ${span(published.delaySeconds)})`);
  }
  return {
    schema: "canary-report/v1",
    ...judgement,
    window: { start: context.window.start.toISOString(), end: context.window.end.toISOString() },
    published,
    baseline: context.baseline,
    canary: context.canary,
    requests: { ...requests, minimum: config.minRequests },
    look: context.look ? { ...look, spending: config.spending, alpha: level.alpha, cumulativeAlpha: level.cumulativeAlpha } : null,
    settings: { confidence: config.confidence, passScore: config.passScore, marginalScore: config.marginalScore, familywise: config.familywise, maxNoDataFraction: config.maxNoDataFraction },
    metrics: results,
  };
}

function requestsOf(config: CanaryConfig, measurements: Measurement[]): Requests {
  const index = config.requestsMetric ? config.metrics.findIndex((m) => m.name === config.requestsMetric) : measurements.findIndex((m) => m.kind === "counts");
  const m = index >= 0 ? measurements[index] : undefined;
  if (!m || m.kind !== "counts") return { baseline: null, canary: null, source: null };
  return { baseline: m.baseline.total, canary: m.canary.total, source: config.metrics[index]!.name };
}

/** Measures every metric (in parallel) and judges them. Never throws for a failed measurement. */
export async function analyzeCanary(config: CanaryConfig, context: AnalysisContext, deps: AnalysisDeps): Promise<CanaryReport> {
  if (!(context.window.end.getTime() > context.window.start.getTime())) {
    throw new ConfigurationError(`The analysis window must end after it starts (start ${context.window.start.toISOString()}, end ${context.window.end.toISOString()})`);
  }
  levelOf(config, context.look ?? { index: 1, planned: 1 });
  for (const side of ["baseline", "canary"] as const) {
    try {
      targetGroupDimension(context[side].targetGroupArn);
      loadBalancerDimension(context[side].loadBalancerArn);
    } catch (error) {
      throw new ConfigurationError(`The ${side}: ${(error as Error).message}`);
    }
  }
  const judged = context.published ? judgedWindow(context.window, context.published) : undefined;
  const window = judged ? { start: judged.start, end: judged.end } : context.window;
  const scope: Scope = { baseline: context.baseline, canary: context.canary, window };
  const nothingPublished = window.end.getTime() <= window.start.getTime();
  const measurements = await Promise.all(
    config.metrics.map(async (metric): Promise<Measurement> => {
      if (nothingPublished && metric.provider !== "cloudwatch-alarms") return { kind: "error", message: `no published data in the window yet (metrics-delay ${span(Math.round(judged!.delayMs / 1000))})` };
      const provider = deps.providers[metric.provider];
      const m: Measurement = provider ? await guarded(`${metric.provider} metric ${metric.name}`, () => provider.measure(metric, scope)) : { kind: "error", message: `no ${metric.provider} provider is available` };
      deps.log?.(`${metric.name}: ${m.kind === "error" ? `error: ${m.message}` : m.kind === "samples" ? `${m.baseline.length} baseline / ${m.canary.length} canary data points` : m.kind === "counts" ? `${m.baseline.events}/${m.baseline.total} baseline, ${m.canary.events}/${m.canary.total} canary` : `${m.alarms.length} alarm(s)`}`);
      return m;
    }),
  );
  const report = judgeMeasurements(config, measurements, { ...context, window, judged });
  deps.log?.(`verdict ${report.verdict}${report.score === null ? "" : ` (score ${report.score}${report.band === "marginal" ? ", marginal" : ""})`}: ${report.reasons[0] ?? ""}`);
  return report;
}

export interface SequentialPlan {
  config: CanaryConfig;
  baseline: Target;
  canary: Target;
  /** When the canary started taking traffic: every look judges the window from here to its end. */
  start: Date;
  /** Number of looks planned (e.g. one per traffic step). */
  looks: number;
  /** metrics-delay: each look judges only what is published by its `now` (0 or absent: the window as given). */
  metricsDelayMs?: number | undefined;
}

export interface SequentialJudge {
  /** Alpha of each look under the plan's spending function (for logs and summaries). */
  readonly levels: ReturnType<typeof lookLevel>[];
  /** Judges look `index` (1-based) over [start, end), cut at what is published by `now` (default: end). */
  analyze(index: number, end: Date, now?: number): Promise<CanaryReport>;
}

/**
 * A judge for repeated analysis during a traffic shift. Each look re-reads the whole window
 * since the start, so evidence accumulates, and spends only its share of alpha, so the
 * false-alarm rate over all looks stays at or below 1 - confidence. Holds no state.
 */
export function createSequentialJudge(plan: SequentialPlan, deps: AnalysisDeps): SequentialJudge {
  const levels = Array.from({ length: plan.looks }, (_, i) => levelOf(plan.config, { index: i + 1, planned: plan.looks }));
  return {
    levels,
    analyze: (index, end, now = end.getTime()) =>
      analyzeCanary(
        plan.config,
        {
          baseline: plan.baseline,
          canary: plan.canary,
          window: { start: plan.start, end },
          look: { index, planned: plan.looks },
          published: plan.metricsDelayMs ? { now, delayMs: plan.metricsDelayMs } : undefined,
        },
        deps,
      ),
  };
}
