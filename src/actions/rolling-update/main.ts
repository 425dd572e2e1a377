/** rolling-update once its inputs are valid: rollingUpdate → outputs, summary and deployment status. Loaded with import(). */
import type { Ports } from "../../adapters/aws/factory";
import type { CanaryReport } from "../../analyze/analyze";
import { lockOwnerOf } from "../../domain/lock-format";
import type { RollingLook } from "../../domain/rolling-plan";
import { rollingUpdate, type RollingUpdateResult } from "../../domain/rolling-update";
import { reportDeployment } from "../../runtime/deployment-status";
import type { ActionContext } from "../../runtime/run-action";
import { errorMessage, OperationalError } from "../../util/errors";
import { untrusted } from "../../util/untrusted";
import type { RollingUpdateSettings } from "./definition";
import { renderRollingFailure, renderRollingSummary } from "./summary";

/** Canary analysis of a checkpoint: the new version against the old one in the same target group. */
async function analysisOf(s: RollingUpdateSettings, ports: Ports, ctx: ActionContext, reports: CanaryReport[]): Promise<((look: RollingLook) => Promise<{ ok: boolean; detail: string }>) | undefined> {
  if (!s.analysis) return undefined;
  const { loadAnalysis, analyzeCanary } = await import("../../analyze/load");
  const { config, providers } = await loadAnalysis(s["analysis-config"], s["analysis-config-file"], ports, ctx.io, "analysis-config", ctx.signal);
  return async (look) => {
    const side = (version: string | undefined) => ({ targetGroupArn: look.targetGroupArn, loadBalancerArn: look.loadBalancerArn, version });
    const report = await analyzeCanary(
      config,
      { baseline: side(look.oldVersion), canary: side(look.newVersion), window: { start: new Date(look.windowStart), end: new Date(look.now) }, look: { index: look.index, planned: look.planned } },
      { providers, log: ctx.log },
    );
    reports.push(report);
    const detail = `${report.verdict} (${report.score === null ? "no score" : `score ${report.score}`})${report.reasons[0] ? `: ${report.reasons[0]}` : ""}`;
    return { ok: report.verdict !== "fail", detail };
  };
}

export function outputsOf(r: RollingUpdateResult): Record<string, string> {
  return {
    "asg-name": r.groupName,
    "from-version": r.fromVersion ?? "",
    "to-version": r.toVersion,
    "from-launch-template-version": r.from.version,
    "to-launch-template-version": r.to.version,
    "instances-replaced": String(r.replaced.length),
    "checkpoints-passed": r.checkpoints.filter((c) => c.status === "passed").map((c) => c.percentage).join(","),
    "rolled-back": String(r.rolledBack),
    "rollback-reason": r.rollbackReason ? untrusted(r.rollbackReason, 1000) : "",
    "refresh-id": r.refreshId ?? "",
  };
}

/**
 * How late an alarm on ALB metrics can learn of an error: its one-minute period must end, then
 * CloudWatch ingests it (1–3 min commonly observed; see metrics-delay and docs/TIMING.md).
 */
const ALARM_DATA_LAG_MS = 3 * 60_000;

function alarmLagWarning(bakeMs: number): string {
  return `bake is ${bakeMs / 1000}s, shorter than the ~3m an alarm on ALB metrics needs to see an error (its period must end, then CloudWatch ingests it): the alarms cannot judge a checkpoint's own bake. The refresh's alarm gate (AlarmSpecification) keeps watching until the refresh ends, but not after the last checkpoint. Give bake: 3m or more, or canary analysis from a source without that delay (Prometheus).`;
}

export async function main(s: RollingUpdateSettings, ctx: ActionContext): Promise<void> {
  if (s["alarm-names"].length > 0 && s.bake < ALARM_DATA_LAG_MS) ctx.io.warning(alarmLagWarning(s.bake));
  const ports = await ctx.ports();
  const reports: CanaryReport[] = [];
  const analyze = await analysisOf(s, ports, ctx, reports);
  const environment = s["auto-scaling-group-name"] ? { kind: "group" as const, name: s["auto-scaling-group-name"] } : { kind: "tags" as const, tags: s["environment-tags"] };
  if (!s["dry-run"]) await reportDeployment(s, ctx, "started", s.version);
  const result = await rollingUpdate(
    {
      environment,
      version: s.version,
      launchTemplateVersion: s["launch-template-version"],
      imageId: s["image-id"],
      checkpoints: s.checkpoints,
      minHealthyPercentage: s["min-healthy-percentage"],
      maxHealthyPercentage: s["max-healthy-percentage"],
      instanceWarmupSeconds: s["instance-warmup"] === undefined ? undefined : Math.round(s["instance-warmup"] / 1000),
      stableFor: s["stable-for"],
      bakeMs: s.bake,
      checkpointTimeoutMs: s["checkpoint-timeout"],
      checkpointDelaySeconds: s["checkpoint-delay"] === undefined ? undefined : Math.ceil(s["checkpoint-delay"] / 1000),
      alarmNames: s["alarm-names"],
      timeoutMs: s.timeout,
      dryRun: s["dry-run"],
      deploymentId: s["deployment-id"] ?? `${ctx.run.runId}-${ctx.run.runAttempt}`,
      sha: ctx.run.sha || undefined,
      lockOwner: lockOwnerOf(ctx.run),
      lockTtlMs: s["lock-ttl"],
    },
    { ports, clock: ctx.clock, random: ctx.random, log: ctx.log, warn: (l) => ctx.io.warning(l), signal: ctx.signal, analyze },
  ).catch(async (error: unknown) => {
    ctx.io.appendSummary(renderRollingFailure(errorMessage(error), { runUrl: ctx.run.runUrl }));
    if (!s["dry-run"]) await reportDeployment(s, ctx, "failed", s.version, errorMessage(error));
    throw error;
  });
  for (const [name, value] of Object.entries(outputsOf(result))) ctx.io.setOutput(name, value);
  ctx.io.appendSummary(renderRollingSummary(result, { runUrl: ctx.run.runUrl, reports }));
  if (result.dryRun) return;
  if (result.rolledBack) {
    await reportDeployment(s, ctx, "failed", s.version, result.rollbackReason);
    throw new OperationalError(`Rolled back ${result.groupName} to launch template version ${result.from.version}: ${result.rollbackReason ?? "a check failed"}`);
  }
  await reportDeployment(s, ctx, "succeeded", s.version);
  ctx.io.notice(`Rolled ${s.version} out to all ${result.desiredCapacity} instances of ${result.groupName} (launch template version ${result.to.version}) in ${(result.elapsedMs / 1000).toFixed(1)}s.`);
}
