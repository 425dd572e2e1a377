/**
 * Markdown for the step summary: verdict and score first, a per-metric table, then a chart of
 * each key metric over the window (mermaid xychart-beta, baseline vs canary) with a table
 * fallback. Only type imports and number formatting: no heavy modules.
 */
import type { CanaryReport } from "../judge/analyze";
import { fmt, pct } from "../judge/format";
import type { MetricResult, Point } from "../judge/types";

const ICON = { pass: "✅", fail: "❌", inconclusive: "⚠️" } as const;
const MAX_CHARTS = 4;
const MAX_POINTS = 60;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function value(r: MetricResult, v: number | null): string {
  if (v === null) return "n/a";
  return r.unit === "rate" ? `${fmt(v * 100)}%` : fmt(v, r.unit);
}

function interval(r: MetricResult): string {
  if (!r.shift) return "";
  const scale = (x: number | null) => (x === null ? "unbounded" : r.unit === "rate" ? `${fmt(x * 100)} pt` : fmt(x, r.unit));
  const level = `${fmt(r.shift.confidence * 100)}%`;
  return `${scale(r.shift.estimate)} [${scale(r.shift.lower)}, ${scale(r.shift.upper)}] @${level}`;
}

function effect(r: MetricResult): string {
  if (r.effect !== null) return pct(r.effect);
  return r.baseline === 0 && r.canary !== null && r.canary > 0 ? "new (baseline 0)" : "";
}

function result(r: MetricResult): string {
  const label = r.classification === "nodata" ? "no data" : r.classification;
  const mark = r.criticalFailure ? "🛑 " : r.failed ? "❌ " : r.classification === "pass" ? "✅ " : "⚠️ ";
  return `${mark}${label}${r.critical ? " (critical)" : ""}`;
}

function hhmm(t: number): string {
  return new Date(t).toISOString().slice(11, 16);
}

/** Points present on both sides, at most the last MAX_POINTS. */
function aligned(baseline: Point[], canary: Point[]): Array<{ t: number; b: number; c: number }> {
  const c = new Map(canary.map((p) => [p.t, p.v]));
  const rows = baseline.filter((p) => c.has(p.t) && Number.isFinite(p.v) && Number.isFinite(c.get(p.t)!)).map((p) => ({ t: p.t, b: p.v, c: c.get(p.t)! }));
  return rows.slice(-MAX_POINTS);
}

function chart(r: MetricResult): string[] {
  if (!r.series) return [];
  const rows = aligned(r.series.baseline, r.series.canary);
  if (rows.length < 2) return [];
  const scale = r.unit === "rate" ? 100 : 1;
  const unit = r.unit === "rate" ? "%" : (r.unit ?? "value");
  const num = (v: number) => String(Number((v * scale).toPrecision(4)));
  const title = `${r.name} (${unit})`.replace(/"/g, "'");
  return [
    `#### ${r.name}`,
    "",
    "```mermaid",
    "xychart-beta",
    `  title "${title}"`,
    `  x-axis [${rows.map((p) => `"${hhmm(p.t)}"`).join(", ")}]`,
    `  y-axis "${unit.replace(/"/g, "'")}"`,
    `  line [${rows.map((p) => num(p.b)).join(", ")}]`,
    `  line [${rows.map((p) => num(p.c)).join(", ")}]`,
    "```",
    "",
    "First line: baseline; second line: canary.",
    "",
    "<details><summary>Data</summary>",
    "",
    `| time (UTC) | baseline | canary |`,
    `|---|---|---|`,
    ...rows.map((p) => `| ${hhmm(p.t)} | ${num(p.b)} | ${num(p.c)} |`),
    "",
    "</details>",
    "",
  ];
}

export function renderCanaryMarkdown(report: CanaryReport): string {
  const score = report.score === null ? "no score" : `score ${report.score}${report.band === "marginal" ? " (marginal)" : ""}`;
  const look = report.look ? ` · look ${report.look.index} of ${report.look.planned}` : "";
  const requests =
    report.requests.baseline === null ? "requests unknown" : `requests: baseline ${report.requests.baseline}, canary ${report.requests.canary} (minimum ${report.requests.minimum})`;
  const lines = [
    `## Canary analysis: ${ICON[report.verdict]} ${report.verdict}`,
    "",
    `**${score}** (pass at ${report.settings.passScore}, marginal at ${report.settings.marginalScore}) · ${requests}${look}`,
    "",
    ...report.reasons.map((r) => `- ${cell(r)}`),
    "",
    "| Metric | Baseline | Canary | Effect | Shift [CI] | p | Result | Reason |",
    "|---|---|---|---|---|---|---|---|",
    ...report.metrics.map((r) =>
      [r.name, value(r, r.baseline), value(r, r.canary), effect(r), interval(r), r.pValue === null ? "" : fmt(r.pValue), result(r), r.reason]
        .map(cell)
        .join(" | ")
        .replace(/^/, "| ")
        .concat(" |"),
    ),
    "",
    `Window ${report.window.start} to ${report.window.end}.`,
    "",
  ];
  const rank = (r: MetricResult) => (r.failed ? 2 : r.critical ? 1 : 0);
  const key = [...report.metrics].sort((a, b) => rank(b) - rank(a)).filter((r) => r.series);
  const charts = key.slice(0, MAX_CHARTS).flatMap(chart);
  if (charts.length > 0) lines.push("### Over the window", "", ...charts);
  return lines.join("\n");
}
