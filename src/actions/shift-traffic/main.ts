/** shift-traffic once its inputs are valid: shiftTraffic → outputs, summary and deployment status. Loaded with import(). */
import { createAnalysisGate } from "../../analyze/gate";
import { lockOwnerOf } from "../../domain/lock-format";
import { type Gate, type ShiftOptions, type ShiftResult, shiftTraffic } from "../../domain/shift-traffic";
import { shareOf } from "../../domain/weights";
import { environmentRef } from "../../inputs/common";
import type { Settings } from "../../inputs/define";
import type { shiftTrafficAction } from "./definition";
import type { CanaryReport } from "../../analyze/analyze";
import type { MonitorResult } from "../../analyze/monitor";
import { renderShiftSummary } from "./summary";
import { SafetyError } from "../../util/errors";
import { reportDeployment } from "../../runtime/deployment-status";
import type { ActionContext } from "../../runtime/run-action";
import type { RunInfo } from "../../util/run-info";

type ShiftSettings = Settings<typeof shiftTrafficAction>;

async function analysisGates(s: ShiftSettings, ctx: ActionContext, reports: CanaryReport[], monitor: { last?: MonitorResult }): Promise<Gate[]> {
  if (!s.analysis) return [];
  const ports = await ctx.ports();
  const { loadAnalysis, analyzeCanary } = await import("../../analyze/load");
  const { config, providers } = await loadAnalysis(s["analysis-config"], s["analysis-config-file"], ports, ctx.io, "analysis-config", ctx.signal);
  return [createAnalysisGate({ config, providers, inconclusiveOnFinal: s["analysis-inconclusive"], log: ctx.log, analyze: analyzeCanary, metricsDelayMs: s["metrics-delay"], onReport: (r) => reports.push(r), onMonitor: (r) => (monitor.last = r) })];
}

function writeOutputs(ctx: ActionContext, result: ShiftResult): void {
  const shares = Object.fromEntries(result.environment.slots.map((slot) => [slot.name, shareOf(result.finalWeights, slot.targetGroupArn)]));
  ctx.io.setOutput("weights", JSON.stringify(shares));
  ctx.io.setOutput("share", String(result.finalShare));
  ctx.io.setOutput("steps-completed", String(result.stepsCompleted));
  ctx.io.setOutput("aborted", String(result.aborted));
  ctx.io.setOutput("abort-reason", result.abortReason ?? "");
  ctx.io.setOutput("promoted", String(result.promoted));
  ctx.io.setOutput("to-slot", result.to.name);
  ctx.io.setOutput("from-slot", result.from.name);
  ctx.io.setOutput("version", result.to.version ?? "");
}

/** The settings, mapped to the domain's request. */
export function requestFromSettings(s: ShiftSettings, run: RunInfo): ShiftOptions {
  return {
    environment: environmentRef(s),
    to: s.to,
    plan: s.steps ? { kind: "steps", percents: s.steps, intervalMs: s.interval } : { kind: "weight", percent: s.weight! },
    minHealthy: s["min-healthy"],
    stickinessSeconds: s["stickiness-duration"] === undefined ? undefined : s["stickiness-duration"] / 1000,
    alarmNames: s["alarm-names"],
    scaleInPrevious: s["scale-in-previous"],
    scaleInDelayMs: s["scale-in-delay"],
    timeoutMs: s.timeout,
    dryRun: s["dry-run"],
    lockOwner: lockOwnerOf(run),
    lockTtlMs: s["lock-ttl"],
    watchEveryMs: 2000,
    propagationMs: s["propagation-delay"],
    sha: run.sha || undefined,
  };
}

/** A scale-in waits for the deregistration delay (at most 3600 s in ELBv2) and scale-in-delay after the shift. */
const MAX_DEREGISTRATION_DELAY_MS = 3600_000;

export async function main(s: ShiftSettings, ctx: ActionContext): Promise<void> {
  // timeout bounds the whole step: past it, AWS calls in flight are stopped and the stable weights restored.
  ctx.deadline?.(s.timeout + (s["scale-in-previous"] ? MAX_DEREGISTRATION_DELAY_MS + s["scale-in-delay"] : 0));
  const ports = await ctx.ports();
  ctx.io.saveState("finished", "false");
  const reports: CanaryReport[] = [];
  const monitor: { last?: MonitorResult } = {};
  const gates = await analysisGates(s, ctx, reports, monitor);
  const result = await shiftTraffic(
    requestFromSettings(s, ctx.run),
    {
      ports,
      gates,
      clock: ctx.clock,
      random: ctx.random,
      log: ctx.log,
      warn: (line) => ctx.io.warning(line),
      signal: ctx.signal,
      onStart: ({ environment, restoreTo, stableArn, lock }) => {
        ctx.io.saveState("lock", JSON.stringify(lock));
        ctx.io.saveState("routing", JSON.stringify(environment.ref));
        ctx.io.saveState("restore", JSON.stringify(restoreTo));
        ctx.io.saveState("stable", stableArn);
      },
    },
  );
  writeOutputs(ctx, result);
  let markdown = renderShiftSummary(result, ctx.run.runUrl);
  if (monitor.last) {
    const { renderMonitorMarkdown } = await import("../../report/monitor");
    markdown += `\n${renderMonitorMarkdown(monitor.last, result.timeline.find((t) => t.event === "shift" && t.share > 0)?.at)}`;
  }
  if (reports.length) {
    const { renderCanaryMarkdown } = await import("../../report/canary");
    // A blank line between the two, so the canary's heading starts a block of its own.
    markdown += `\n${renderCanaryMarkdown(reports[reports.length - 1]!, { slots: { canary: result.to.name, baseline: result.from.name } })}`;
  }
  ctx.io.appendSummary(markdown);
  ctx.io.saveState("finished", "true");
  if (!result.dryRun) {
    const version = result.to.version ?? result.to.name;
    if (result.aborted) await reportDeployment(s, ctx, "failed", version, result.abortReason);
    else await reportDeployment(s, ctx, result.promoted ? "succeeded" : "started", version);
  }
  if (result.aborted) {
    throw new SafetyError(
      `Shift aborted: ${result.abortReason}. ${result.restored ? "All traffic was restored to the stable slot and verified." : "Traffic could NOT be restored; run the rollback action."}`,
    );
  }
  if (result.promoted) ctx.io.notice(`${result.to.name}${result.to.version ? ` (${result.to.version})` : ""} promoted to stable with 100% of traffic.`);
}
