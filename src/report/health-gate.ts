/** The health gate's step summary: one row per check, time taken, healthy targets, console links. */
import { consoleUrl, targetGroupName } from "../domain/arn";
import type { GateResult } from "../domain/health-gate";
import { link, seconds, table } from "../github/summary";

/** Text from the outside world (response bodies) shown as text, not as HTML or markdown. */
function plain(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]])/g, "\\$1");
}

export function renderHealthGateSummary(result: GateResult): string {
  const verdict = result.healthy ? "✅ healthy" : "❌ not healthy";
  const facts = [
    `took ${seconds(result.elapsedMs)} (timeout ${seconds(result.timeoutMs)})`,
    `${result.polls} poll(s)`,
    ...(result.targetGroups.length > 0 ? [`${result.healthyCount} healthy target(s)`] : []),
    ...(result.stableForMs > 0 ? [`had to hold ${seconds(result.stableForMs)} once passing`] : []),
    ...(result.lapses.length > 0 ? [`passed and failed again ${result.lapses.length} time(s)`] : []),
  ];
  const rows = result.checks.map((c) => [
    c.kind === "target-group" ? "target health" : "HTTP",
    c.kind === "target-group" ? link(targetGroupName(c.target), consoleUrl.targetGroup(c.target)) : `\`${c.target.replace(/`/g, "%60")}\``,
    c.ok ? "✅ pass" : "❌ fail",
    plain(c.detail),
  ]);
  const lapses =
    result.lapses.length > 0
      ? `\n**Health did not hold:** ${result.lapses
          .slice(-3)
          .map((l) => `after ${seconds(l.heldMs)}: ${plain(l.status)}`)
          .join("; ")}${result.lapses.length > 3 ? ` (last 3 of ${result.lapses.length})` : ""}\n`
      : "";
  return `### Health gate: ${verdict}\n\n${facts.join(" · ")}\n\n${table(["check", "target", "result", "detail"], rows)}\n${lapses}`;
}
