/** The shift-traffic step summary: outcome, before → after per slot, the timeline, a chart, links and the next step. */
import { consoleUrl } from "../../util/arn";
import type { ShiftResult } from "../../domain/shift-traffic";
import { shareOf } from "../../domain/weights";
import { bold, joined, link, seconds, summary, type Summary } from "../../util/summary";
import { COLOURS, addChart, timeLabels } from "../../report/chart";

function elapsed(ms: number, start: number): string {
  return `+${((ms - start) / 1000).toFixed(1)}s`;
}

function title(result: ShiftResult): string {
  const { to, from } = result;
  const named = `${to.name}${to.version ? ` (${to.version})` : ""}`;
  if (result.dryRun) return `🧪 shift-traffic (dry run): ${to.name} → ${result.plan.join("% → ")}%`;
  if (result.aborted) {
    const at = result.timeline.filter((t) => t.event === "shift").at(-1)?.share ?? to.share;
    return `⛔ shift-traffic aborted at ${at}%: traffic ${result.restored ? "restored" : "NOT restored"} to ${result.restored ? (to.role === "stable" ? to.name : from.name) : "the stable slot"}`;
  }
  return result.promoted ? `✅ ${named} promoted: 100% of traffic, verified` : `✅ ${named} now receives ${result.finalShare}% of traffic, verified`;
}

function next(result: ShiftResult): string {
  const { to, from } = result;
  if (result.aborted) return `fix the release and deploy again; ${result.restored ? `${from.name} serves all traffic` : "run the rollback action now"}.`;
  if (result.promoted) return `${to.name} is stable. If anything goes wrong, run the rollback workflow to return to ${from.name}${from.version ? ` (${from.version})` : ""}.`;
  if (result.dryRun) return "run again without dry-run to apply the plan.";
  return `${to.name} carries ${result.finalShare}%. Continue the rollout, or run rollback to return to the stable slot.`;
}

/** The share on the target slot over time: one point per moment (the last event at each), labels unique. */
function trafficChart(out: Summary, result: ShiftResult): void {
  const last = new Map<number, number>();
  for (const t of result.timeline) last.set(t.at, t.share);
  const times = [...last.keys()].sort((a, b) => a - b);
  const x = timeLabels(times, "elapsed");
  addChart(out, {
    title: `Traffic on ${result.to.name}`,
    xName: x.name,
    x: x.labels,
    yLabel: "percent",
    series: [{ name: `${result.to.name} share`, colour: COLOURS.blue, values: times.map((t) => last.get(t)!) }],
  });
}

export function renderShiftSummary(result: ShiftResult, runUrl?: string): string {
  const { to, from, environment: env } = result;
  const slots = [to, from].map((slot) => {
    const after = shareOf(result.finalWeights, slot.targetGroupArn);
    const roleAfter = result.promoted ? (slot === to ? "stable" : "previous") : slot.role;
    return [link(slot.name, consoleUrl.targetGroup(slot.targetGroupArn)), slot.version, `${slot.role ?? "untagged"} → ${roleAfter ?? "untagged"}`, `${slot.share}% → ${after}%`];
  });
  const start = result.timeline[0]?.at ?? 0;
  const out = summary().heading(title(result), 3).table(["Slot", "Version", "Role", "Traffic"], slots);
  if (result.abortReason) out.paragraph([bold("Why it aborted:"), " ", result.abortReason]);
  if (result.dryRun) out.paragraph(bold("Plan (nothing was changed):")).list(result.planLines);
  out.table(
    ["Time", `${to.name} share`, "Event", "Detail"],
    result.timeline.map((t) => [elapsed(t.at, start), `${t.share}%`, t.event, t.detail]),
  );
  if (result.timeline.length > 1) trafficChart(out, result);
  out.paragraph(
    [
      `Steps completed: ${result.stepsCompleted}/${result.plan.length} · Time taken: ${seconds(result.durationMs)}`,
      result.scaledIn ? ` · Scaled in ${result.scaledIn.asg} (${result.scaledIn.fromCapacity} → 0)` : "",
    ],
    ["Links: ", joined([link("load balancer", consoleUrl.loadBalancer(env.routing.listenerArn)), runUrl ? link("workflow run", runUrl) : null])],
  );
  return out.paragraph([bold("Next:"), " ", next(result)]).toString();
}
