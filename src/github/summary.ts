/** Markdown building blocks for step summaries. Cells are escaped so a value cannot break a table. */

export function cell(value: unknown): string {
  const text = value === undefined || value === null || value === "" ? "—" : String(value);
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

export function table(header: string[], rows: unknown[][]): string {
  const lines = [`| ${header.map(cell).join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(" | ")} |`);
  return lines.join("\n");
}

export function link(text: string, url: string | undefined): string {
  return url ? `[${text.replace(/[[\]]/g, "")}](${url})` : text;
}

export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A mermaid xychart of one or more line series over labelled points, with a table fallback. */
export function lineChart(title: string, xLabels: string[], series: { name: string; values: number[] }[], yLabel: string): string {
  if (xLabels.length === 0 || series.length === 0) return "";
  const safe = (s: string) => s.replace(/"/g, "'");
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const max = all.length ? Math.max(...all) : 1;
  const lines = [
    "```mermaid",
    "xychart-beta",
    `  title "${safe(title)}"`,
    `  x-axis [${xLabels.map((l) => `"${safe(l)}"`).join(", ")}]`,
    `  y-axis "${safe(yLabel)}" 0 --> ${max > 0 ? Number((max * 1.1).toPrecision(3)) : 1}`,
    ...series.map((s) => `  line [${s.values.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : 0)).join(", ")}]`),
    "```",
  ];
  const legend = series.map((s, i) => `line ${i + 1}: ${s.name}`).join(", ");
  const fallback = details(
    `${title} as a table`,
    table(
      ["", ...series.map((s) => s.name)],
      xLabels.map((x, i) => [x, ...series.map((s) => s.values[i])]),
    ),
  );
  return `${lines.join("\n")}\n\n_${legend}_\n\n${fallback}`;
}
