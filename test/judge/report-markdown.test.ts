import { describe, expect, it } from "vitest";
import { judgeMeasurements } from "../../src/analyze/analyze";
import type { Measurement, Point } from "../../src/judge/types";
import { renderCanaryMarkdown } from "../../src/report/canary";
import { config, scope } from "../metrics/fixtures";

const start = scope.window.start.getTime();
const pts = (values: number[]): Point[] => values.map((v, i) => ({ t: start + i * 60_000, v }));
const b = [80, 82, 79, 81, 83, 80, 78, 82, 81, 80];
const c = b.map((v) => v * 1.3);

const measurements: Measurement[] = [
  { kind: "counts", baseline: { events: 10, total: 2000 }, canary: { events: 12, total: 2000 }, series: { baseline: pts([0.005, 0.005]), canary: pts([0.006, 0.006]) } },
  { kind: "samples", baseline: b, canary: c, unit: "ms", series: { baseline: pts(b), canary: pts(c) } },
  { kind: "error", message: "GetMetricData | Throttling" },
];

describe("renderCanaryMarkdown", () => {
  const report = judgeMeasurements(config(""), measurements, { baseline: scope.baseline, canary: scope.canary, window: scope.window, look: { index: 5, planned: 5 } });
  const md = renderCanaryMarkdown(report);

  it("puts the verdict and score first", () => {
    const [heading, , summary] = md.split("\n");
    expect(heading).toBe("## Canary analysis: ❌ fail");
    expect(summary).toBe("**score 50 (marginal)** (pass at 75, marginal at 50) · requests: baseline 2000, canary 2000 (minimum 500) · look 5 of 5");
  });

  it("has one table row per metric with values, effect, interval and reason in words", () => {
    const rows = md.split("\n").filter((l) => l.startsWith("| latency") || l.startsWith("| error-rate"));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\| error-rate \| 0\.5% \| 0\.6% \| 2000 \/ 2000 \| \+20% \| 0\.1 pt \\\[-?[\d.]+ pt, [\d.]+ pt\\\] @99\.[\d]+% \| [\d.]+ \(α [\d.]+\) \| ✅ pass \(critical\) \| no significant difference/);
    expect(rows[1]).toMatch(/^\| latency-p99 \| 80\.6 ms \| 105 ms \| 10 \/ 10 \| \+30% \| .* ms \\\[.* ms, .* ms\\\] @.*% \| .* \| ❌ high \| significantly higher \(\+30%/);
    // A pipe in a reason is escaped so the table keeps its columns.
    expect(rows[2]).toContain("measurement failed: GetMetricData \\| Throttling");
    expect(rows[2]).toContain("⚠️ error");
  });

  it("names the canary and the baseline, with their versions and target groups", () => {
    expect(md).toContain("| Role | Slot | Version | Target group |");
    expect(md).toMatch(/\| canary \| — \| v2 \| \[green\]\(https:\/\/console\.aws\.amazon\.com\/ec2\/home\?region=us-east-1#TargetGroup:/);
    expect(md).toMatch(/\| baseline \| — \| v1 \| \[blue\]\(/);
    expect(md).toContain("[CloudWatch metrics of the canary](https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#metricsV2:graph=~();namespace=AWS/ApplicationELB;search=targetgroup%2Fgreen%2F0a1b2c3d4e5f6a7b)");
    expect(md).not.toContain("**Next:**");
  });

  it("draws a mermaid xychart per key metric with 3 or more points, failing metrics first, baseline and canary named and coloured", () => {
    const blocks = [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!.split("\n"));
    // error-rate has 2 points a side: a table, not a chart.
    expect(blocks).toHaveLength(1);
    const [first] = blocks;
    expect(first![0]).toBe('%%{init: {"themeVariables":{"xyChart":{"plotColorPalette":"#0969da, #d1242f"}}}}%%');
    expect(first![1]).toBe("xychart-beta");
    expect(first).toContain('  title "latency-p99 (ms): baseline (blue) vs canary (red)"');
    const axis = first!.find((l) => l.startsWith("  x-axis"))!;
    const categories = axis.match(/^ {2}x-axis "time \(UTC\)" \[(.*)\]$/)![1]!.split(", ");
    expect(categories).toEqual(["12:00:00", "12:01:00", "12:02:00", "12:03:00", "12:04:00", "12:05:00", "12:06:00", "12:07:00", "12:08:00", "12:09:00"].map((s) => `"${s}"`));
    expect(new Set(categories).size).toBe(categories.length);
    const lines = first!.filter((l) => l.startsWith("  line")).map((l) => l.match(/^ {2}line \[(.*)\]$/)![1]!.split(", ").map(Number));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual(b);
    expect(lines[1]).toEqual(c.map((v) => Number(v.toPrecision(4))));
    expect(md).toContain("| 12:00:00 | 80 | 104 |");
    expect(md).toContain("error-rate (%), 2 points: too few for a chart.");
    expect(md).toContain("| 12:00:00 | 0.5 | 0.6 |");
  });

  it("ends the standalone analysis with the next step", () => {
    const standalone = renderCanaryMarkdown(report, { slots: { canary: "green", baseline: "blue" }, next: true });
    expect(standalone).toMatch(/\| canary \| green \| v2 \|/);
    expect(standalone.trimEnd().split("\n").at(-1)).toBe("**Next:** Do not promote; run rollback to return all traffic to the baseline.");
  });
});

describe("renderCanaryMarkdown of an inconclusive verdict", () => {
  it("does not show the score of the metrics that could be judged as if it were a pass", () => {
    // Both judged metrics pass; the third could not be measured, so the verdict is inconclusive with score 100.
    const same = [80, 82, 79, 81, 83, 80, 78, 82, 81, 80];
    const passing: Measurement[] = [
      { kind: "counts", baseline: { events: 10, total: 2000 }, canary: { events: 10, total: 2000 }, series: { baseline: pts([0.005, 0.005]), canary: pts([0.005, 0.005]) } },
      { kind: "samples", baseline: same, canary: same, unit: "ms", series: { baseline: pts(same), canary: pts(same) } },
      { kind: "error", message: "GetMetricData | Throttling" },
    ];
    const report = judgeMeasurements(config(""), passing, { baseline: scope.baseline, canary: scope.canary, window: scope.window, look: { index: 5, planned: 5 } });
    expect(report.verdict).toBe("inconclusive");
    expect(report.score).toBe(100);
    const summary = renderCanaryMarkdown(report).split("\n")[2]!;
    expect(summary).toMatch(/^\*\*score 100 over the metrics that could be judged, not a pass\*\*/);
  });
});
