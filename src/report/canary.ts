/**
 * The canary analysis step summary: verdict and score first, who is the canary and who the
 * baseline, the reasons, a per-metric table (with n per side), a chart of each key metric over
 * the window (baseline vs canary) with its data, links, and the next step. Only type imports,
 * number formatting and the summary builder: no heavy modules.
 */
import { consoleUrl, regionOf, targetGroupDimension, targetGroupName } from "../util/arn";
import { type Inline, bold, joined, link, summary, type Summary } from "../util/summary";
import type { CanaryReport } from "../analyze/analyze";
import { fmt, pct } from "../judge/format";
import type { MetricResult, Point } from "../judge/types";
import type { Target } from "../adapters/metrics/provider";
import { COLOURS, addChart, timeLabels } from "./chart";

const ICON = { pass: "✅", fail: "❌", inconclusive: "⚠️" } as const;
const MAX_CHARTS = 4;
const MAX_POINTS = 60;

/** What the report itself does not know: the slots' names, the run, and whether to say what to do next. */
export interface CanaryContext {
  slots?: { canary?: string | undefined; baseline?: string | undefined } | undefined;
  /** Versions to show where the report's targets carry none (target groups given by ARN). */
  versions?: { canary?: string | undefined; baseline?: string | undefined } | undefined;
  runUrl?: string | undefined;
  /** End with the next step (the standalone canary-analyze; shift-traffic says its own). */
  next?: boolean | undefined;
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
  const label = r.notEnoughData ? "not enough data" : r.classification === "nodata" ? "no data" : r.classification;
  const mark = r.criticalFailure ? "🛑 " : r.failed ? "❌ " : r.classification === "pass" ? "✅ " : "⚠️ ";
  return `${mark}${label}${r.critical ? " (critical)" : ""}`;
}

function sizes(r: MetricResult): string {
  if (r.kind === "alarms") return `${r.n.canary} alarm(s)`;
  if (r.kind === "error") return "";
  return `${r.n.baseline} / ${r.n.canary}`;
}

function pColumn(r: MetricResult): string {
  if (r.pValue === null) return "";
  return `${fmt(r.pValue)} (α ${fmt(r.alpha)}${r.notEnoughData && r.minPValue !== undefined ? `, min ${fmt(r.minPValue)}` : ""})`;
}

/** The judged window, and how it was cut to published data (metrics-delay). */
function judgedWindowLine(report: CanaryReport): string {
  const p = report.published;
  const base = `Judged window ${report.window.start} to ${report.window.end}`;
  if (!p) return `${base}.`;
  const cut = p.missingSeconds > 0 ? `; the last ${p.missingSeconds}s asked for (to ${p.requestedEnd}) is not published yet and was not judged` : "";
  return `${base} (${p.judgedSeconds}s of published data, metrics-delay ${p.delaySeconds}s${cut}).`;
}

/** Points present on both sides, at most the last MAX_POINTS. */
function aligned(baseline: Point[], canary: Point[]): Array<{ t: number; b: number; c: number }> {
  const c = new Map(canary.map((p) => [p.t, p.v]));
  const rows = baseline.filter((p) => c.has(p.t) && Number.isFinite(p.v) && Number.isFinite(c.get(p.t)!)).map((p) => ({ t: p.t, b: p.v, c: c.get(p.t)! }));
  return rows.slice(-MAX_POINTS);
}

function addMetricChart(out: Summary, r: MetricResult): void {
  const rows = aligned(r.series!.baseline, r.series!.canary);
  if (rows.length === 0) return;
  const scale = r.unit === "rate" ? 100 : 1;
  const unit = r.unit === "rate" ? "%" : (r.unit ?? "value");
  const x = timeLabels(rows.map((p) => p.t));
  out.heading(r.name, 4);
  addChart(out, {
    title: `${r.name} (${unit})`,
    xName: x.name,
    x: x.labels,
    yLabel: unit,
    series: [
      { name: "baseline", colour: COLOURS.blue, values: rows.map((p) => p.b * scale) },
      { name: "canary", colour: COLOURS.red, values: rows.map((p) => p.c * scale) },
    ],
  });
}

function sides(out: Summary, report: CanaryReport, context: CanaryContext): void {
  const row = (role: "canary" | "baseline", t: Target) => [role, context.slots?.[role], t.version ?? context.versions?.[role], link(targetGroupName(t.targetGroupArn), consoleUrl.targetGroup(t.targetGroupArn))];
  out.table(["Role", "Slot", "Version", "Target group"], [row("canary", report.canary), row("baseline", report.baseline)]);
}

/** CloudWatch's metrics console, searching the ALB namespace for the canary's target group. */
export function cloudWatchUrl(target: Target): string | undefined {
  const region = regionOf(target.targetGroupArn) ?? regionOf(target.loadBalancerArn);
  if (!region) return undefined;
  return `https://console.aws.amazon.com/cloudwatch/home?region=${region}#metricsV2:graph=~();namespace=AWS/ApplicationELB;search=${encodeURIComponent(targetGroupDimension(target.targetGroupArn))}`;
}

function nextStep(report: CanaryReport): Inline {
  if (report.verdict === "fail") return "Do not promote; run rollback to return all traffic to the baseline.";
  if (report.verdict === "pass") return "Promote with shift-traffic.";
  return `Inconclusive: ${report.reasons[0] ?? "the analysis could not decide"}. Do not promote on this result; let more traffic reach the canary and analyse again, or run rollback.`;
}

export function renderCanaryMarkdown(report: CanaryReport, context: CanaryContext = {}): string {
  const score =
    report.score === null
      ? "no score"
      : report.verdict === "inconclusive"
        ? `score ${report.score} over the metrics that could be judged, not a pass`
        : `score ${report.score}${report.band === "marginal" ? " (marginal)" : ""}`;
  const requests =
    report.requests.baseline === null ? "requests unknown" : `requests: baseline ${report.requests.baseline}, canary ${report.requests.canary} (minimum ${report.requests.minimum})`;
  const out = summary()
    .heading(`Canary analysis: ${ICON[report.verdict]} ${report.verdict}`, 2)
    .paragraph([
      bold(score),
      ` (pass at ${report.settings.passScore}, marginal at ${report.settings.marginalScore}) · ${requests}`,
      report.look ? ` · look ${report.look.index} of ${report.look.planned}` : "",
    ]);
  sides(out, report, context);
  out.list(report.reasons);
  out.table(
    ["Metric", "Baseline", "Canary", "n (baseline / canary)", "Effect", "Shift [CI]", "p (α)", "Result", "Reason"],
    report.metrics.map((r) => [r.name, value(r, r.baseline), value(r, r.canary), sizes(r), effect(r), interval(r), pColumn(r), result(r), r.reason]),
  );
  out.paragraph(judgedWindowLine(report));
  const rank = (r: MetricResult) => (r.failed ? 2 : r.critical ? 1 : 0);
  const key = [...report.metrics].sort((a, b) => rank(b) - rank(a)).filter((r) => r.series && aligned(r.series.baseline, r.series.canary).length > 0);
  if (key.length > 0) {
    out.heading("Over the window", 3);
    for (const r of key.slice(0, MAX_CHARTS)) addMetricChart(out, r);
  }
  out.paragraph([
    "Links: ",
    joined([
      link("CloudWatch metrics of the canary", cloudWatchUrl(report.canary)),
      link("load balancer", consoleUrl.loadBalancer(report.canary.loadBalancerArn)),
      context.runUrl ? link("workflow run", context.runUrl) : null,
    ]),
  ]);
  if (context.next) out.paragraph([bold("Next:"), " ", nextStep(report)]);
  return out.toString();
}
