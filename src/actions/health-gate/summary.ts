/** The health gate's step summary: one row per check, time taken, healthy targets, console links. */
import { consoleUrl, targetGroupName } from "../../util/arn";
import type { GateResult } from "../../domain/health-gate";
import { bold, code, link, seconds, summary } from "../../util/summary";

export function renderHealthGateSummary(result: GateResult): string {
  const verdict = result.healthy ? "✅ healthy" : "❌ not healthy";
  const facts = [
    `took ${seconds(result.elapsedMs)} (timeout ${seconds(result.timeoutMs)})`,
    `${result.polls} poll(s)`,
    ...(result.targetGroups.length > 0 ? [`${result.healthyCount} healthy target(s)`] : []),
    ...(result.stableForMs > 0 ? [`had to hold ${seconds(result.stableForMs)} once passing`] : []),
    ...(result.lapses.length > 0 ? [`passed and failed again ${result.lapses.length} time(s)`] : []),
  ];
  // Response bodies and statuses are outside text: plain strings, which the builder escapes.
  const rows = result.checks.map((c) => [
    c.kind === "target-group" ? "target health" : "HTTP",
    c.kind === "target-group" ? link(targetGroupName(c.target), consoleUrl.targetGroup(c.target)) : code(c.target),
    c.ok ? "✅ pass" : "❌ fail",
    c.detail,
  ]);
  const out = summary().heading(`Health gate: ${verdict}`, 3).paragraph(facts.join(" · ")).table(["check", "target", "result", "detail"], rows);
  if (result.lapses.length > 0) {
    const shown = result.lapses
      .slice(-3)
      .map((l) => `after ${seconds(l.heldMs)}: ${l.status}`)
      .join("; ");
    out.paragraph([bold("Health did not hold:"), " ", shown, result.lapses.length > 3 ? ` (last 3 of ${result.lapses.length})` : ""]);
  }
  return out.toString();
}
