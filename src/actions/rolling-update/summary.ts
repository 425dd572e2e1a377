/** The rolling-update step summary: versions, progress per checkpoint, mixed versions, the rollback if any. */
import type { CanaryReport } from "../../analyze/analyze";
import type { CheckpointReport, RollingUpdateResult } from "../../domain/rolling-plan";
import { consoleUrl, regionOf } from "../../util/arn";
import { bold, joined, link, seconds, summary } from "../../util/summary";

function checkpointRow(c: CheckpointReport, startedAt: number | undefined): string[] {
  const mark = c.status === "passed" ? "✅ passed" : c.status === "failed" ? "❌ failed" : "— not reached";
  const at = (t: number | undefined) => (t !== undefined && startedAt !== undefined ? `+${seconds(t - startedAt)}` : "—");
  return [`${c.percentage}%`, String(c.needed), mark, at(c.reachedAt), at(c.passedAt), c.health ?? "—", c.alarms ?? "—", c.analysis ?? "—", c.detail ?? ""];
}

export function renderRollingSummary(r: RollingUpdateResult, context: { runUrl?: string | undefined; reports?: CanaryReport[] }): string {
  const to = `${r.toVersion} (launch template version ${r.to.version})`;
  const from = `${r.fromVersion ?? "untagged"} (launch template version ${r.from.version})`;
  const title = r.dryRun
    ? `🧪 rolling-update (dry run): ${r.groupName} ${from} → ${to}`
    : r.rolledBack
      ? `↩️ ${r.groupName}: ${to} rolled back to ${from}`
      : `✅ ${r.groupName}: all ${r.desiredCapacity} instances on ${to} in ${seconds(r.elapsedMs)}`;
  const startedAt = r.checkpoints.find((c) => c.reachedAt !== undefined)?.reachedAt;
  const out = summary()
    .heading(title, 3)
    .table(
      ["What", "Value"],
      [
        ["Auto Scaling group", `${r.groupName} (${r.desiredCapacity} instances)`],
        ["Version", `${from} → ${to}${r.createdVersion ? " (version created from the image)" : ""}`],
        ["Instance refresh", r.refreshId ?? (r.dryRun ? "not started (dry run)" : "—")],
        ["At each checkpoint", `healthy for ${seconds(r.stableForMs)}, then the bake; the refresh pauses ${r.checkpointDelaySeconds}s (CheckpointDelay)`],
        ["Instances replaced", String(r.replaced.length)],
        ["Rolled back", r.rolledBack ? `yes: ${r.rollbackReason ?? ""}` : "no"],
        ["Deployment lock", r.tookOverLockFrom ? `taken over from ${r.tookOverLockFrom.owner}` : "free"],
      ],
    );
  if (!r.dryRun) {
    out.paragraph(bold("Progress per checkpoint"));
    out.table(["Checkpoint", "New instances", "Result", "Reached", "Passed", "Health", "Alarms", "Analysis", "Detail"], r.checkpoints.map((c) => checkpointRow(c, startedAt)));
  }
  out.paragraph(
    bold("Mixed versions: "),
    `while the refresh runs, ${r.fromVersion ?? "the old version"} and ${r.toVersion} serve at once from the same target group, as in a canary, and again while a rollback replaces them. ` +
      "Both must work against the same database schema and the same APIs; migration-guard is the check for the schema.",
  );
  if (r.rolledBack && r.rollbackSteps.length) out.paragraph(bold("Rollback:")).list(r.rollbackSteps);
  if (r.dryRun) out.paragraph(bold("Plan (nothing was changed):")).list(r.planLines);
  if (context.reports?.length) out.paragraph(`Canary analysis: ${context.reports.map((x, i) => `look ${i + 1} ${x.verdict}`).join(", ")}`);
  const links = joined([link(r.groupName, consoleUrl.autoScalingGroup(regionOf(r.targetGroupArn) ?? "us-east-1", r.groupName)), link("target group", consoleUrl.targetGroup(r.targetGroupArn)), context.runUrl ? link("workflow run", context.runUrl) : null]);
  const next = r.dryRun
    ? "run again without dry-run to roll out."
    : r.rolledBack
      ? `every instance runs ${r.fromVersion ?? "the previous version"} again; fix the release and run again.`
      : `${r.toVersion} serves everywhere. To go back, run the rollback action with auto-scaling-group-name: ${r.groupName}.`;
  return out.paragraph(["Links: ", links]).paragraph([bold("Next:"), " ", next]).toString();
}

export function renderRollingFailure(message: string, links: { runUrl?: string | undefined } = {}): string {
  return summary()
    .heading("rolling-update failed", 2)
    .paragraph(...message.split(/\r?\n/))
    .paragraph(links.runUrl ? link("Workflow run", links.runUrl) : null)
    .toString();
}
