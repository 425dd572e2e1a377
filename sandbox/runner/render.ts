/**
 * Markdown of step summaries rendered as plain terminal text: tables aligned, links shown as
 * their text, collapsed sections left out, and each chart shown as a compact table of its
 * points, so no heading stands with nothing under it.
 */

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"' };

function inline(text: string): string {
  return text
    .replace(/!?\[((?:\\.|[^\]\\])*)\]\((?:[^()\s]|\([^()\s]*\))*\)/g, "$1")
    .replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/(^|[^\w\\])_([^_]+)_(?=[^\w]|$)/g, "$1$2")
    .replace(/`+([^`]+)`+/g, "$1")
    .replace(/<br>/g, " ")
    .replace(/<[^>]+>/g, "")
    .replace(/\\([!-/:-@[-`{-~])/g, "$1")
    .replace(/&(amp|lt|gt|quot);/g, (e) => ENTITIES[e] ?? e)
    .trim();
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.min(60, Math.max(widths[i] ?? 0, [...cell].length))));
  const clip = (cell: string, width: number) => ([...cell].length > width ? `${[...cell].slice(0, width - 1).join("")}…` : cell.padEnd(width));
  return rows.map((row, r) => {
    const line = row.map((cell, i) => clip(cell, widths[i] ?? 0)).join("  ").trimEnd();
    return r === 0 ? `${line}\n${widths.map((w) => "─".repeat(w)).join("  ")}` : line;
  });
}

/** Cells of a markdown table row, split on the pipes that are not escaped. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||(?<!\\)\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => inline(c));
}

const MAX_ROWS = 8;

/** Up to MAX_ROWS indexes spread over 0..n-1, first and last included. */
function sample(n: number): number[] {
  if (n <= MAX_ROWS) return Array.from({ length: n }, (_, i) => i);
  return [...new Set(Array.from({ length: MAX_ROWS }, (_, i) => Math.round((i * (n - 1)) / (MAX_ROWS - 1))))];
}

/** A mermaid xychart as a compact table: its title, then one row per (sampled) point. */
export function chartAsText(source: string): string[] {
  if (!/^\s*xychart-beta/m.test(source)) return [];
  const title = /^\s*title\s+"([^"]*)"/m.exec(source)?.[1] ?? "chart";
  const axis = /^\s*x-axis(?:\s+"([^"]*)")?\s*\[(.*)\]\s*$/m.exec(source);
  const labels = [...(axis?.[2] ?? "").matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  const series = [...source.matchAll(/^\s*line\s*\[(.*)\]\s*$/gm)].map((m) => m[1]!.split(",").map((v) => v.trim()));
  const names = (/^\s*%% series: (.*)$/m.exec(source)?.[1] ?? "").split(" | ");
  const rows = sample(labels.length);
  const header = [axis?.[1] ?? "", ...series.map((_, i) => names[i] ?? `line ${i + 1}`)];
  const note = rows.length < labels.length ? ` (${rows.length} of ${labels.length} points)` : "";
  return [`${title}${note}`, ...table([header, ...rows.map((i) => [labels[i] ?? "", ...series.map((s) => s[i] ?? "")])])];
}

/** Renders `markdown` for a terminal, each line prefixed by `indent`. */
export function renderMarkdown(markdown: string, indent = "  "): string {
  const out: string[] = [];
  const lines = markdown.split("\n");
  let rows: string[][] = [];
  const flush = () => {
    if (rows.length) out.push(...table(rows));
    rows = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const fence = /^(`{3,})(\w*)/.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      while (i + 1 < lines.length && !(lines[i + 1] ?? "").startsWith(fence[1]!)) body.push(lines[++i] ?? "");
      i++;
      if (fence[2] === "mermaid") out.push(...chartAsText(body.join("\n")));
      else out.push(...body);
      continue;
    }
    if (/^\s*<details>/.test(line)) {
      flush();
      while (i < lines.length && !/<\/details>/.test(lines[i] ?? "")) i++;
      continue;
    }
    if (/^\s*\|/.test(line)) {
      const row = cells(line);
      if (row.every((c) => /^:?-{3,}:?$/.test(c))) continue;
      rows.push(row);
      continue;
    }
    flush();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const text = inline(heading[2] ?? "");
      if (out.length && out[out.length - 1] !== "") out.push("");
      out.push(heading[1]!.length <= 2 ? `▍${text}` : text);
      continue;
    }
    const text = inline(line.replace(/^(\s*)[-*] /, "$1• "));
    if (text === "" && (out.length === 0 || out[out.length - 1] === "")) continue;
    out.push(text);
  }
  flush();
  while (out.length && out[out.length - 1] === "") out.pop();
  return out.flatMap((l) => l.split("\n")).map((l) => (l ? indent + l : l)).join("\n");
}
