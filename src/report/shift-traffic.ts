/** The shift-traffic step summary: outcome, before → after per slot, the timeline and a chart. */
import { consoleUrl } from "../domain/arn";
import type { ShiftResult } from "../domain/shift-traffic";
import { shareOf } from "../domain/weights";
import { lineChart, link, seconds, table } from "../github/summary";

function clockTime(ms: number, start: number): string {
  return `+${((ms - start) / 1000).toFixed(1)}s`;
}

export function renderShiftSummary(result: ShiftResult, runUrl?: string): string {
  const { to, from, environment: env } = result;
  const title = result.dryRun
    ? `🧪 shift-traffic (dry run): ${to.name} → ${result.plan.join("% → ")}%`
    : result.aborted
      ? `⛔ shift-traffic aborted at ${result.timeline.filter((t) => t.event === "shift").at(-1)?.share ?? to.share}%: traffic ${result.restored ? "restored" : "NOT restored"} to ${result.restored ? (to.role === "stable" ? to.name : from.name) : "the stable slot"}`
      : result.promoted
        ? `✅ ${to.name}${to.version ? ` (${to.version})` : ""} promoted: 100% of traffic, verified`
        : `✅ ${to.name}${to.version ? ` (${to.version})` : ""} now receives ${result.finalShare}% of traffic, verified`;
  const rows = [to, from].map((slot) => {
    const before = slot.share;
    const after = shareOf(result.finalWeights, slot.targetGroupArn);
    const roleAfter = result.promoted ? (slot === to ? "stable" : "previous") : slot.role;
    return [
      link(slot.name, consoleUrl.targetGroup(slot.targetGroupArn)),
      slot.version,
      `${slot.role ?? "untagged"} → ${roleAfter ?? "untagged"}`,
      `${before}% → ${after}%`,
    ];
  });
  const start = result.timeline[0]?.at ?? 0;
  const parts = [
    `### ${title}`,
    "",
    table(["Slot", "Version", "Role", "Traffic"], rows),
    "",
    result.abortReason ? `**Why it aborted:** ${result.abortReason}\n` : "",
    result.dryRun ? `**Plan (nothing was changed):**\n\n${result.planLines.map((l) => `- ${l}`).join("\n")}\n` : "",
    table(
      ["Time", `${to.name} share`, "Event", "Detail"],
      result.timeline.map((t) => [clockTime(t.at, start), `${t.share}%`, t.event, t.detail]),
    ),
    "",
    result.timeline.length > 1
      ? lineChart(
          `Traffic on ${to.name}`,
          result.timeline.map((t) => clockTime(t.at, start)),
          [{ name: `${to.name} %`, values: result.timeline.map((t) => t.share) }],
          "percent",
        )
      : "",
    "",
    `Steps completed: ${result.stepsCompleted}/${result.plan.length} · Time taken: ${seconds(result.durationMs)}` +
      (result.scaledIn ? ` · Scaled in ${result.scaledIn.asg} (${result.scaledIn.fromCapacity} → 0)` : ""),
    "",
    `Links: ${[link("load balancer", consoleUrl.loadBalancer(env.routing.listenerArn)), runUrl ? link("workflow run", runUrl) : ""].filter(Boolean).join(" · ")}`,
    "",
    `**Next:** ${
      result.aborted
        ? `fix the release and deploy again; ${result.restored ? `${from.name} serves all traffic` : "run the rollback action now"}.`
        : result.promoted
          ? `${to.name} is stable. If anything goes wrong, run the rollback workflow to return to ${from.name}${from.version ? ` (${from.version})` : ""}.`
          : result.dryRun
            ? "run again without dry-run to apply the plan."
            : `${to.name} carries ${result.finalShare}%. Continue the rollout, or run rollback to return to the stable slot.`
    }`,
  ];
  return parts.filter((p) => p !== "").join("\n") + "\n";
}
