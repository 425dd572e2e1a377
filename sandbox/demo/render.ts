/** Markdown of step summaries rendered as plain terminal text: tables aligned, links and charts dropped. */

function inline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/(^|[^\w])_([^_]+)_(?=[^\w]|$)/g, "$1$2")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/<[^>]+>/g, "")
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
    if (/^```/.test(line)) {
      flush();
      while (i + 1 < lines.length && !/^```/.test(lines[i + 1] ?? "")) i++;
      i++;
      continue;
    }
    if (/^\s*<details>/.test(line)) {
      flush();
      while (i < lines.length && !/<\/details>/.test(lines[i] ?? "")) i++;
      continue;
    }
    if (/^\s*\|/.test(line)) {
      const cells = line.trim().replace(/^\||\|$/g, "").split("|").map((c) => inline(c));
      if (cells.every((c) => /^:?-{3,}:?$/.test(c))) continue;
      rows.push(cells);
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
    // Captions of the charts dropped above.
    if (/^_?(line \d+:|First line: baseline)/.test(line.trim())) continue;
    const text = inline(line.replace(/^(\s*)[-*] /, "$1• "));
    if (text === "" && (out.length === 0 || out[out.length - 1] === "")) continue;
    out.push(text);
  }
  flush();
  while (out.length && out[out.length - 1] === "") out.pop();
  return out.flatMap((l) => l.split("\n")).map((l) => (l ? indent + l : l)).join("\n");
}
