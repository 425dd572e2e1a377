import { describe, expect, it } from "vitest";
import { chartAsText, renderMarkdown } from "../../runner/render";
import { allSummaries } from "../../../test/report/summaries";

const summaryOf = (name: string) => allSummaries().find((s) => s.name === name)!.markdown;

describe("step summaries in the terminal", () => {
  it("shows a compact table where a chart is, under its heading", () => {
    const text = renderMarkdown(summaryOf("canary-analyze fail")).split("\n");
    const heading = text.indexOf("  latency-p99");
    expect(heading).toBeGreaterThan(0);
    expect(text.slice(heading + 1, heading + 6)).toEqual([
      "",
      "  latency-p99 (ms): baseline (blue) vs canary (red) (8 of 10 points)",
      "  time (UTC)  baseline  canary",
      "  ──────────  ────────  ──────",
      "  12:00:00    80        128",
    ]);
  });

  it("leaves no heading with nothing under it, and no markdown syntax", () => {
    for (const { name, markdown } of allSummaries()) {
      const headings = new Map([...markdown.matchAll(/^(#{1,6}) (.*)$/gm)].map((m) => [renderMarkdown(m[2]!, ""), m[1]!.length]));
      const lines = renderMarkdown(markdown, "").split("\n").filter((l) => l !== "").map((l) => l.replace(/^▍/, ""));
      for (const [h, depth] of headings) {
        const at = lines.indexOf(h);
        expect(at, `${name}: heading "${h}"`).toBeGreaterThanOrEqual(0);
        const next = lines[at + 1];
        const empty = next === undefined || (headings.get(next) ?? 7) <= depth;
        expect(empty, `${name}: heading "${h}" has nothing under it (next: ${next ?? "the end"})`).toBe(false);
      }
      expect(lines.join("\n"), name).not.toMatch(/\]\(|\*\*|```|<details>|\\[\\|*_[\]]/);
    }
  });

  it("draws an xychart as its points, sampled to at most 8 rows", () => {
    const source = ['xychart-beta', '  %% series: baseline | canary', '  title "p99 (ms)"', `  x-axis "t" [${Array.from({ length: 20 }, (_, i) => `"${i}"`).join(", ")}]`, `  line [${Array.from({ length: 20 }, (_, i) => i).join(", ")}]`, `  line [${Array.from({ length: 20 }, (_, i) => i * 2).join(", ")}]`].join("\n");
    const rows = chartAsText(source);
    expect(rows[0]).toBe("p99 (ms) (8 of 20 points)");
    expect(rows[1]).toBe("t   baseline  canary\n──  ────────  ──────");
    expect(rows.slice(2).map((r) => r.split(/\s+/)[0])).toEqual(["0", "3", "5", "8", "11", "14", "16", "19"]);
  });
});
