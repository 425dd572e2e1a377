/** The continuous monitor in a step summary: stopped when, after how many canary requests and failures, and the sequential statistic. */
import type { MonitorResult } from "../analyze/monitor";
import { fmt } from "../judge/format";
import { bold, summary } from "../util/summary";

/** `startedAt`: the canary's first traffic (epoch ms), so the stop reads as time since then. */
export function renderMonitorMarkdown(result: MonitorResult, startedAt: number | undefined): string {
  const since = startedAt === undefined ? "" : ` ${((result.at - startedAt) / 1000).toFixed(1)} s after the canary's first traffic`;
  const rows = result.metrics.map((m) => [
    m.name,
    `${m.canary.events} of ${m.canary.total}`,
    `${m.baseline.events} of ${m.baseline.total}`,
    fmt(m.decision.statistic),
    fmt(m.decision.threshold),
    fmt(m.decision.pValue),
    m.decision.rejected ? "stopped the canary" : "no evidence of harm",
  ]);
  const out = summary().heading("Sequential test (continuous monitoring during the bakes)", 4);
  if (result.by) {
    const by = result.by;
    out.paragraph([
      bold("Stopped"),
      `${since} by ${by.name}: after ${by.canary.total} canary requests and ${by.canary.events} ${by.canary.events === 1 ? "failure" : "failures"}, the sequential statistic reached ${fmt(by.decision.statistic)} (it stops at ${fmt(by.decision.threshold)} = 1/α); always-valid p ${fmt(by.decision.pValue)}.`,
    ]);
  } else {
    out.paragraph(`Not stopped: ${result.evaluations} evaluations over the bakes, none with enough evidence of harm.`);
  }
  out.table(["Metric", "Canary events", "Baseline events", "Statistic", "Stops at", "Always-valid p", "Outcome"], rows);
  return out.toString();
}
