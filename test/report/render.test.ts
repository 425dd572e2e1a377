/**
 * Every step summary the actions write, rendered as GitHub renders it (GFM; see gfm-check.ts for
 * the renderer and why): no block runs into another, no markup shows as text, every mermaid
 * chart parses and reads (unique x labels, 3 points or more).
 */
import { describe, expect, it } from "vitest";
import { renderHtml, renderProblems, visibleText } from "./gfm-check";
import { allSummaries } from "./summaries";
import { summary } from "../../src/util/summary";
import { renderHealthGateSummary } from "../../src/actions/health-gate/summary";

describe("every step summary renders on GitHub", () => {
  for (const { name, markdown } of allSummaries()) {
    it(name, async () => {
      expect(await renderProblems(markdown)).toEqual([]);
    });
  }

  it("covers all five actions and the post step", () => {
    const names = allSummaries().map((s) => s.name.split(/[ ,]/)[0]);
    expect(new Set(names)).toEqual(new Set(["deploy-green", "health-gate", "shift-traffic", "canary-analyze", "rollback"]));
    expect(allSummaries().some((s) => s.name.includes("post step"))).toBe(true);
  });
});

describe("the check itself", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["two tables without a blank line", "| a | b |\n| --- | --- |\n| 1 | 2 |\n| c | d |\n| --- | --- |\n| 3 | 4 |\n", /separator row/],
    ["text right after </details>", "<details><summary>Data</summary>\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n</details>\nLinks: [run](https://example.com)\n\n**Next:** x\n", /swallowed by an HTML block/],
    ["a bold label under a table", "| a | b |\n| --- | --- |\n| 1 | 2 |\n**Why it aborted:** x\n", /swallowed a line/],
    ["a heading with nothing under it", "### Over the window\n\n## Canary\n\ntext\n", /nothing under it/],
    ["repeated x labels", '```mermaid\nxychart-beta\n  x-axis ["12:00", "12:00", "12:01"]\n  line [1, 2, 3]\n```\n', /repeats x labels/],
    ["two points", '```mermaid\nxychart-beta\n  x-axis ["a", "b"]\n  line [1, 2]\n```\n', /2 point/],
    ["a chart mermaid cannot parse", '```mermaid\nxychart-beta\n  x-axis ["a", "b", "c"\n  line [1, 2, 3]\n```\n', /mermaid\.parse rejects/],
    ["a heading line inside a paragraph", "**Next:** x\n    ## Canary analysis\n", /heading inside a paragraph/],
    ["a literal link", "Links: \\[x\\](https://example.com)\n", /literal "\]\("/],
  ];
  for (const [name, md, problem] of cases) {
    it(`finds ${name}`, async () => {
      expect((await renderProblems(md)).join("\n")).toMatch(problem);
    });
  }
});

describe("outside text in a summary", () => {
  it("shows as text: no HTML, no link, no heading, no table break", () => {
    const md = renderHealthGateSummary({
      healthy: false,
      healthyCount: 0,
      checks: [{ kind: "http", target: "https://app.example.com/health", ok: false, detail: "status 500; body: <script>alert(1)</script> [click](https://evil.example) | *x*\n## Injected\n::error::x" }],
      targetGroups: [],
      elapsedMs: 1000,
      polls: 1,
      timeoutMs: 1000,
      stableForMs: 0,
      stableForWhy: "",
      lapses: [],
    });
    const html = renderHtml(md);
    expect(html).not.toContain("<script");
    // GitHub links a bare URL in any text; the markdown link around it stays text.
    expect(html).not.toContain(">click</a>");
    expect(html).not.toMatch(/<h2/);
    expect(html.match(/<td>/g)).toHaveLength(4);
    expect(visibleText(html)).toContain("[click](https://evil.example)");
    expect(md).not.toMatch(/^::/m);
  });
});

describe("the builder", () => {
  it("keeps outside text that starts like a block inside its block", () => {
    const hostile = ["# heading", "- item", "1. first", "    indented code", "> quote", "=== rule", "```js"];
    const md = summary().paragraph(...hostile).list(hostile).table(["a"], hostile.map((h) => [h])).toString();
    const html = renderHtml(md);
    expect(html).not.toMatch(/<h\d|<pre|<blockquote|<ol|<ul>\s*<li>\s*<ul/);
    expect(html.match(/<p>/g)).toHaveLength(1);
    expect(html.match(/<li>/g)).toHaveLength(hostile.length);
    expect(html.match(/<tr>/g)).toHaveLength(hostile.length + 1);
  });

  it("puts a blank line between any two blocks and inside a details", () => {
    const md = summary().table(["a", "b"], [[1, 2]]).table(["c", "d"], [[3, 4]]).details("Data", (d) => d.table(["e"], [[5]])).paragraph("after").toString();
    expect(md).toBe("| a | b |\n| --- | --- |\n| 1 | 2 |\n\n| c | d |\n| --- | --- |\n| 3 | 4 |\n\n<details><summary>Data</summary>\n\n| e |\n| --- |\n| 5 |\n\n</details>\n\nafter\n");
  });
});
