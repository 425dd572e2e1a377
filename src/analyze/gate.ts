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
}

export function createAnalysisGate(options: AnalysisGateOptions): Gate {
  return {
    name: "canary analysis",
    async check(ctx: GateContext): Promise<GateResult> {
      const report = await options.analyze(
        options.config,
        {
          baseline: { targetGroupArn: ctx.baseline.targetGroupArn, loadBalancerArn: ctx.loadBalancerArn, version: ctx.baseline.version },
          canary: { targetGroupArn: ctx.canary.targetGroupArn, loadBalancerArn: ctx.loadBalancerArn, version: ctx.canary.version },
          window: { start: new Date(ctx.canaryStartedAt), end: new Date(ctx.now) },
          look: { index: ctx.stepIndex + 1, planned: Math.max(1, ctx.plannedLooks) },
        },
        { providers: options.providers, log: options.log },
      );
      options.onReport?.(report, ctx);
      const score = report.score === null ? "no score" : `score ${report.score}`;
      const why = report.reasons[0] ?? "";
      const detail = `${report.verdict} (${score})${why ? `: ${why}` : ""}`;
      if (report.verdict === "fail") return { ok: false, detail };
      if (report.verdict === "inconclusive" && ctx.final && options.inconclusiveOnFinal === "fail") {
        return { ok: false, detail: `${detail} — inconclusive on the last look before 100% (analysis-inconclusive: fail)` };
      }
      return { ok: true, detail };
    },
  };
}
