import { describe, expect, it } from "vitest";
import { judgeMeasurements } from "../../src/judge/analyze";
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
    expect(rows[0]).toMatch(/^\| error-rate \| 0\.5% \| 0\.6% \| \+20% \| 0\.1 pt \[-?[\d.]+ pt, [\d.]+ pt\] @99\.[\d]+% \| [\d.]+ \| ✅ pass \(critical\) \| no significant difference/);
    expect(rows[1]).toMatch(/^\| latency-p99 \| 80\.6 ms \| 105 ms \| \+30% \| .* ms \[.* ms, .* ms\] @.*% \| .* \| ❌ high \| significantly higher \(\+30%/);
    // A pipe in a reason is escaped so the table keeps its columns.
    expect(rows[2]).toContain("measurement failed: GetMetricData \\| Throttling");
    expect(rows[2]).toContain("⚠️ error");
  });

  it("draws a well-formed mermaid xychart per key metric, failing metrics first, with a data table", () => {
    const blocks = [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!.split("\n"));
    expect(blocks).toHaveLength(2);
    const [first] = blocks;
    expect(first![0]).toBe("xychart-beta");
    expect(first![1]).toBe('  title "latency-p99 (ms)"');
    const categories = first![2]!.match(/^ {2}x-axis \[(.*)\]$/)![1]!.split(", ");
    expect(categories).toEqual(["12:00", "12:01", "12:02", "12:03", "12:04", "12:05", "12:06", "12:07", "12:08", "12:09"].map((s) => `"${s}"`));
    expect(first![3]).toBe('  y-axis "ms"');
    const lines = first!.slice(4).map((l) => l.match(/^ {2}line \[(.*)\]$/)![1]!.split(", ").map(Number));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual(b);
    expect(lines[1]).toEqual(c.map((v) => Number(v.toPrecision(4))));
    expect(md).toContain("| 12:00 | 80 | 104 |");
    expect(blocks[1]![1]).toBe('  title "error-rate (%)"');
  });
});
