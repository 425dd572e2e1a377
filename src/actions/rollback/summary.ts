/** The rollback step summary: who, why, what changed, how long, links and the next step. */
import { consoleUrl } from "../../util/arn";
import type { RollbackResult } from "../../domain/rollback";
import { rollbackReason, tagText } from "../../domain/tags";
import { bold, joined, link, seconds, summary } from "../../util/summary";

/**
 * The deploy:reason tag, when ELBv2's tag pattern made it differ from the reason: the summary keeps
 * the full text (the builder passes every cell through untrusted()), the tag what AWS accepts.
 */
function reasonTagRow(context: { actor?: string | undefined; reason: string }): string[][] {
  const written = rollbackReason(context.reason, context.actor);
  const tag = tagText(written);
  return tag === written ? [] : [["Reason, as tagged", tag]];
}

export function renderRollbackSummary(result: RollbackResult, context: { actor?: string | undefined; reason: string; runUrl?: string | undefined }): string {
  const { good, bad, environment: env } = result;
  const goodName = `${good.name}${good.version ? ` (${good.version})` : ""}`;
  const title = result.dryRun
    ? `🧪 rollback (dry run) to ${goodName}`
    : result.alreadyThere
      ? `✅ ${goodName} already serves all traffic as the last known good slot: nothing was changed`
      : `↩️ Rolled back to ${goodName} in ${seconds(result.durationMs)}`;
  const rows = [
    ["Requested by", context.actor || "—"],
    ["Reason", context.reason],
    ...reasonTagRow(context),
    ["State before", result.phaseBefore],
    ["Traffic", result.dryRun ? "unchanged (dry run)" : `${good.name} ${good.share}% → 100%, ${bad.name} ${bad.share}% → 0% (verified)`],
    ["Version", `${result.fromVersion ?? "unknown"} → ${result.toVersion ?? "unknown"}`],
    ["Health of " + good.name, result.health?.summary ?? "—"],
    ["Scaled up", result.scaledUp ? `${result.scaledUp.asg}: ${result.scaledUp.before} → ${result.scaledUp.after}` : "no (it was healthy)"],
    ["Scaled in", result.scaledIn ? `${result.scaledIn.asg}: ${result.scaledIn.fromCapacity} → 0` : "no"],
    ["Deployment lock", result.tookOverLockFrom ? `taken over from ${result.tookOverLockFrom.owner}` : "free"],
    ["Time taken", seconds(result.durationMs)],
  ];
  const out = summary().heading(title, 3).table(["What", "Value"], rows);
  if (result.dryRun) out.paragraph(bold("Plan (nothing was changed):")).list(result.planLines);
  const links = joined([
    link("load balancer", consoleUrl.loadBalancer(env.routing.listenerArn)),
    link(good.targetGroupName, consoleUrl.targetGroup(good.targetGroupArn)),
    context.runUrl ? link("workflow run", context.runUrl) : null,
  ]);
  const next = result.dryRun
    ? "run again without dry-run to roll back."
    : `${good.name} serves all traffic. ${bad.name} is tagged failed${result.scaledIn ? " and was scaled in" : ""}; fix the release and deploy again.`;
  return out.paragraph(["Links: ", links]).paragraph([bold("Next:"), " ", next]).toString();
}
