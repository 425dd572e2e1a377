/**
 * Continuous monitoring during a bake: every counts metric the configuration compares (errors of
 * requests, slow requests of requests) is measured at each tick of the bake over the window since
 * the canary's first traffic, and the new events and trials since the previous tick feed the
 * always-valid mixture SPRT (src/judge/msprt.ts). One test runs over the whole ramp, all steps and
 * all ticks, so its false-alarm bound holds over all of them at once. A canary whose evidence
 * suffices is stopped at that tick; a good one bakes its full interval.
 */
import type { CanaryConfig, MetricConfig } from "../adapters/metrics/config";
import { guarded, type ProviderSet, type Target } from "../adapters/metrics/provider";
import { decideMixture, startMixture, updateMixture, type MixtureDecision, type MixtureOptions, type MixtureState } from "../judge/msprt";
import { fmt } from "../judge/format";
import type { Counts } from "../judge/types";

export interface MonitorTick {
  baseline: Target;
  canary: Target;
  /** When the canary began receiving traffic: the window of every measurement starts here. */
  canaryStartedAt: number;
  /** End of the window: the newest data point the source has (for CloudWatch, its last published minute). */
  end: number;
}

export interface MonitoredMetric {
  name: string;
  alpha: number;
  /** Totals over the window so far (the sum of every increment taken in). */
  baseline: Counts;
  canary: Counts;
  decision: MixtureDecision;
}

export interface MonitorResult {
  /** A metric's test rejected: the canary is worse than its allowed effect. */
  stopped: boolean;
  /** The metric that stopped it. */
  by?: MonitoredMetric | undefined;
  metrics: MonitoredMetric[];
  /** When this evaluation was made (epoch ms) and how many there were. */
  at: number;
  evaluations: number;
  /** In words. */
  detail: string;
}

export interface BakeMonitor {
  /** The counts metrics watched; empty when there is nothing to monitor. */
  readonly metrics: string[];
  evaluate(tick: MonitorTick): Promise<MonitorResult>;
  /** The latest result, for the summary. */
  last(): MonitorResult | undefined;
}

interface Watched {
  metric: MetricConfig;
  options: MixtureOptions;
  state: MixtureState;
  /** Cumulative window counts at the previous tick. */
  seen: { baseline: Counts; canary: Counts };
}

/** The counts metrics the monitor can watch: compared against the baseline, from a provider that gives counts. */
export function monitoredMetrics(config: CanaryConfig): MetricConfig[] {
  return config.metrics.filter((m) => m.compare && m.provider !== "cloudwatch-alarms" && (m.provider === "cloudwatch" ? m.preset === "error-rate" || m.events !== undefined : m.events !== undefined));
}

/** Alpha of each watched metric: the monitor's half of 1 - confidence, split evenly over them. */
export function monitorAlpha(metric: MetricConfig, config: CanaryConfig, count: number): number {
  return (1 - (metric.confidence ?? config.confidence)) / 2 / Math.max(1, count);
}

function increment(now: Counts, before: Counts): Counts {
  const total = Math.max(0, Math.round(now.total) - Math.round(before.total));
  const events = Math.min(total, Math.max(0, Math.round(now.events) - Math.round(before.events)));
  return { events, total };
}

function highest(now: Counts, before: Counts): Counts {
  return { events: Math.max(now.events, before.events), total: Math.max(now.total, before.total) };
}

function describe(m: MonitoredMetric): string {
  const rate = (c: Counts) => (c.total > 0 ? `${fmt((100 * c.events) / c.total)}%` : "n/a");
  return `${m.name}: canary ${m.canary.events} of ${m.canary.total} (${rate(m.canary)}) vs baseline ${m.baseline.events} of ${m.baseline.total} (${rate(m.baseline)}); sequential statistic ${fmt(m.decision.statistic)} (stops at ${fmt(m.decision.threshold)} = 1/α, α ${fmt(m.alpha)}), always-valid p ${fmt(m.decision.pValue)}`;
}

export function createBakeMonitor(config: CanaryConfig, providers: ProviderSet, log: (line: string) => void): BakeMonitor {
  const metrics = monitoredMetrics(config);
  const watched: Watched[] = metrics.map((metric) => {
    const options: MixtureOptions = { alpha: monitorAlpha(metric, config, metrics.length), direction: metric.direction, allowedIncrease: metric.effect.allowedIncrease, allowedDecrease: metric.effect.allowedDecrease };
    return { metric, options, state: startMixture(options), seen: { baseline: { events: 0, total: 0 }, canary: { events: 0, total: 0 } } };
  });
  let latest: MonitorResult | undefined;
  let evaluations = 0;
  let stopped: MonitoredMetric | undefined;

  async function take(w: Watched, tick: MonitorTick): Promise<void> {
    const provider = providers[w.metric.provider];
    if (!provider || !(tick.end > tick.canaryStartedAt)) return;
    const scope = { baseline: tick.baseline, canary: tick.canary, window: { start: new Date(tick.canaryStartedAt), end: new Date(tick.end) } };
    const m = await guarded(`${w.metric.provider} metric ${w.metric.name}`, () => provider.measure(w.metric, scope));
    if (m.kind !== "counts") {
      if (m.kind === "error") log(`sequential test: ${w.metric.name} could not be measured this tick (${m.message})`);
      return;
    }
    const interval = { baseline: increment(m.baseline, w.seen.baseline), canary: increment(m.canary, w.seen.canary) };
    // High-water marks: counts that shrink (an extrapolated query, a period re-aligned) are not taken in twice when they grow back.
    w.seen = { baseline: highest(m.baseline, w.seen.baseline), canary: highest(m.canary, w.seen.canary) };
    w.state = updateMixture(w.state, interval, w.options);
  }

  const view = (w: Watched): MonitoredMetric => ({ name: w.metric.name, alpha: w.options.alpha, baseline: w.state.baseline, canary: w.state.canary, decision: decideMixture(w.state, w.options) });

  return {
    metrics: metrics.map((m) => m.name),
    last: () => latest,
    async evaluate(tick) {
      if (!stopped) await Promise.all(watched.map((w) => take(w, tick)));
      evaluations++;
      const views = watched.map(view);
      stopped ??= views.find((v) => v.decision.rejected);
      const detail = stopped ? `sequential test stopped the canary: ${describe(stopped)}` : views.map(describe).join("; ") || "no counts metric to monitor";
      latest = { stopped: stopped !== undefined, by: stopped, metrics: views, at: tick.end, evaluations, detail };
      return latest;
    },
  };
}
