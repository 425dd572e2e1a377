/**
 * Canary analysis as a gate between traffic steps: at the end of each bake, the judge compares the
 * canary with the baseline over a window that grows from the canary's first traffic, and each look
 * spends its share of alpha (see src/judge/README.md), so analysing after every step neither inflates
 * the false-alarm rate nor starves the early looks of evidence.
 */
import type { analyzeCanary, CanaryReport } from "./analyze";
import type { CanaryConfig } from "../adapters/metrics/config";
import type { ProviderSet } from "../adapters/metrics/provider";
import type { Gate, GateContext, GateResult } from "../domain/shift-traffic";
import { createBakeMonitor, monitoredMetrics, type MonitorResult } from "./monitor";

export interface AnalysisGateOptions {
  config: CanaryConfig;
  providers: ProviderSet;
  /** What an inconclusive verdict on the final look does. */
  inconclusiveOnFinal: "fail" | "continue";
  log: (line: string) => void;
  /** Receives every report (for the summary). */
  onReport?: (report: CanaryReport, ctx: GateContext) => void;
  /** The judge (injected so the entry loads it only when analysis is on). */
  analyze: typeof analyzeCanary;
  /** Receives the continuous monitor's latest result after every evaluation (for the summary). */
  onMonitor?: (result: MonitorResult) => void;
  /** metrics-delay: each look waits this long after its bake and judges only what is published; the monitor reads up to now minus it. */
  metricsDelayMs?: number | undefined;
}

/**
 * With continuous monitoring on (the configuration's `monitor`, default true, and at least one
 * counts metric to watch), the always-valid test during the bakes spends half of 1 - confidence and
 * the looks at the end of each bake the other half, so the false-alarm bound over the whole ramp
 * stays 1 - confidence (src/judge/README.md).
 */
function bakeEndConfig(config: CanaryConfig, monitoring: boolean): CanaryConfig {
  if (!monitoring) return config;
  const halve = (c: number) => 1 - (1 - c) / 2;
  return { ...config, confidence: halve(config.confidence), metrics: config.metrics.map((m) => (m.confidence === undefined ? m : { ...m, confidence: halve(m.confidence) })) };
}

export function createAnalysisGate(options: AnalysisGateOptions): Gate {
  const delayMs = options.metricsDelayMs ?? 0;
  const monitoring = options.config.monitor && monitoredMetrics(options.config).length > 0;
  const monitor = monitoring ? createBakeMonitor(options.config, options.providers, options.log) : undefined;
  const judged = bakeEndConfig(options.config, monitoring);
  const target = (ctx: GateContext, side: "canary" | "baseline") => ({ targetGroupArn: ctx[side].targetGroupArn, loadBalancerArn: ctx.loadBalancerArn, version: ctx[side].version });
  return {
    name: "canary analysis",
    settleMs: delayMs,
    ...(monitor
      ? {
          async watch(ctx: GateContext): Promise<GateResult> {
            const result = await monitor.evaluate({ baseline: target(ctx, "baseline"), canary: target(ctx, "canary"), canaryStartedAt: ctx.canaryStartedAt, end: ctx.now - delayMs });
            options.onMonitor?.(result);
            return { ok: !result.stopped, detail: result.detail };
          },
        }
      : {}),
    async check(ctx: GateContext): Promise<GateResult> {
      const report = await options.analyze(
        judged,
        {
          baseline: target(ctx, "baseline"),
          canary: target(ctx, "canary"),
          // The whole run's canary traffic up to this bake's end, cut at what is published by now.
          window: { start: new Date(ctx.canaryStartedAt), end: new Date(Math.max(ctx.canaryStartedAt + 1, ctx.bakeEndedAt)) },
          look: { index: ctx.stepIndex + 1, planned: Math.max(1, ctx.plannedLooks) },
          published: { now: ctx.now, delayMs: delayMs },
        },
        { providers: options.providers, log: options.log },
      );
      options.onReport?.(report, ctx);
      const score = report.score === null ? "no score" : `score ${report.score}`;
      const why = report.reasons[0] ?? "";
      const cut = report.published && report.published.missingSeconds > 0 ? `; judged ${report.published.judgedSeconds}s, the last ${report.published.missingSeconds}s of the bake not published yet` : "";
      const detail = `${report.verdict} (${score})${why ? `: ${why}` : ""}${cut}`;
      if (report.verdict === "fail") return { ok: false, detail };
      if (report.verdict === "inconclusive" && ctx.final && options.inconclusiveOnFinal === "fail") {
        return { ok: false, detail: `${detail} — inconclusive on the last look before 100% (analysis-inconclusive: fail)` };
      }
      return { ok: true, detail };
    },
  };
}
