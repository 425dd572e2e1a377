/** rollback of a rolling environment (one Auto Scaling group updated in place): every instance back on the last good launch template version. */
import type { Ports } from "../../adapters/aws/factory";
import { lockOwnerOf } from "../../domain/lock-format";
import { rollbackRolling, type RollbackRollingResult } from "../../domain/rollback-rolling";
import type { RollingRef } from "../../domain/rolling-environment";
import type { Settings } from "../../inputs/define";
import { reportDeployment } from "../../runtime/deployment-status";
import type { ActionContext } from "../../runtime/run-action";
import { consoleUrl, regionOf } from "../../util/arn";
import { bold, joined, link, seconds, summary } from "../../util/summary";
import type { rollbackAction } from "./definition";

export function renderRollingRollback(r: RollbackRollingResult, context: { actor?: string | undefined; reason: string; runUrl?: string | undefined }): string {
  const good = `${r.toVersion ?? "untagged"} (launch template version ${r.toLaunchTemplateVersion})`;
  const title = r.dryRun
    ? `🧪 rollback (dry run) of ${r.groupName} to ${good}`
    : r.alreadyThere
      ? `✅ ${r.groupName} already runs ${good} everywhere: nothing was changed`
      : `↩️ Rolled ${r.groupName} back to ${good} in ${seconds(r.durationMs)}`;
  const rows = [
    ["Requested by", context.actor || "—"],
    ["Reason", context.reason],
    ["Environment", `rolling: Auto Scaling group ${r.groupName}`],
    ["State before", r.phaseBefore === "updating" ? "an update had started and not finished" : r.phaseBefore === "updated" ? "the last update finished" : "no update to undo"],
    ["Version", `${r.fromVersion ?? "unknown"} → ${r.toVersion ?? "unknown"}`],
    ["What was done", r.steps.length ? r.steps.join("; ") : r.dryRun ? "nothing (dry run)" : "nothing"],
    ["Health", r.health ?? "—"],
    ["Deployment lock", r.tookOverLockFrom ? `taken over from ${r.tookOverLockFrom.owner}` : "free"],
    ["Time taken", seconds(r.durationMs)],
  ];
  const out = summary().heading(title, 3).table(["What", "Value"], rows);
  if (r.dryRun) out.paragraph(bold("Plan (nothing was changed):")).list(r.planLines);
  const links = joined([link(r.groupName, consoleUrl.autoScalingGroup(regionOf(r.targetGroupArn) ?? "us-east-1", r.groupName)), link("target group", consoleUrl.targetGroup(r.targetGroupArn)), context.runUrl ? link("workflow run", context.runUrl) : null]);
  return out.paragraph(["Links: ", links]).toString();
}

export async function mainRolling(s: Settings<typeof rollbackAction>, ctx: ActionContext, ports: Ports, environment: RollingRef): Promise<void> {
  const result = await rollbackRolling(
    {
      environment,
      reason: s.reason,
      toVersion: s["to-version"],
      minHealthyPercentage: 90,
      maxHealthyPercentage: 100,
      timeoutMs: s.timeout,
      dryRun: s["dry-run"],
      lockOwner: lockOwnerOf(ctx.run),
      lockTtlMs: s["lock-ttl"],
      actor: ctx.run.actor || undefined,
    },
    { ports, clock: ctx.clock, random: ctx.random, log: ctx.log, signal: ctx.signal },
  );
  ctx.io.setOutput("from-version", result.fromVersion ?? "");
  ctx.io.setOutput("to-version", result.toVersion ?? "");
  ctx.io.setOutput("to-slot", result.groupName);
  ctx.io.setOutput("seconds", (result.durationMs / 1000).toFixed(1));
  ctx.io.setOutput("scaled-up", "false");
  ctx.io.appendSummary(renderRollingRollback(result, { actor: ctx.run.actor, reason: s.reason, runUrl: ctx.run.runUrl }));
  if (result.dryRun || result.alreadyThere) return;
  await reportDeployment(s, ctx, "succeeded", result.toVersion ?? result.toLaunchTemplateVersion);
  ctx.io.notice(`Rolled ${result.groupName} back to ${result.toVersion ?? "launch template version " + result.toLaunchTemplateVersion} in ${(result.durationMs / 1000).toFixed(1)}s. Reason: ${s.reason}`);
}
