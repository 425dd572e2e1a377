/**
 * Renders step-summary markdown the way GitHub does and lists what would show broken.
 *
 * Renderer: `marked` in GFM mode. GitHub renders with cmark-gfm; the only cmark-gfm binding on
 * the npm registry (`cmark-gfm`) ships no binary in its package: its install runs
 * prebuild-install, which downloads one, or node-gyp, which downloads Node's headers. Neither
 * works offline, so the tests use marked, which follows the same CommonMark/GFM block rules that
 * matter here (a table runs until a blank line; an HTML block such as <details> runs until a
 * blank line and swallows the markdown in it; an ATX heading interrupts a paragraph).
 *
 * Mermaid: the `mermaid` package's own `parse`, in Node. Its parse sanitises text with DOMPurify,
 * which needs a DOM in Node; DOMPurify's hooks and sanitiser are replaced by no-ops (the grammar
 * check is mermaid's, untouched), and `mermaid.parse` then runs the real jison parser.
 *
 * Problems found:
 * - literal `](` or `**` in rendered text (a link or bold that did not render);
 * - a heading line inside a paragraph or swallowed by an HTML block;
 * - a table that swallowed another block (a row of `---` cells, a row with text in its first
 *   cell only, a row that starts like a heading, list, bold label, fence or <details>);
 * - a mermaid block that mermaid.parse rejects, or an xychart whose x labels repeat, whose
 *   lines have a different number of points than labels, or that has fewer than 3 points;
 * - a heading with nothing under it.
 */
import DOMPurify from "dompurify";
import { Marked, type Token, type Tokens } from "marked";

const marked = new Marked({ gfm: true });

type Parse = (text: string) => Promise<unknown>;
let mermaidParse: Promise<Parse> | undefined;

function loadMermaid(): Promise<Parse> {
  mermaidParse ??= (async () => {
    const purify = DOMPurify as unknown as Record<string, unknown>;
    purify.addHook = () => {};
    purify.removeHook = () => {};
    purify.removeHooks = () => {};
    purify.sanitize = (text: unknown) => String(text);
    const { default: mermaid } = await import("mermaid");
    return (text: string) => mermaid.parse(text);
  })();
  return mermaidParse;
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

/** The text a reader sees in rendered HTML: tags and code removed, entities decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<pre[\s\S]*?<\/pre>/g, " ")
    .replace(/<code>[\s\S]*?<\/code>/g, " ")
    .replace(/<\/?(?:p|h[1-6]|li|ul|ol|tr|td|th|table|thead|tbody|details|summary|div|br|hr)\b[^>]*>/g, " ")
    .replace(/<[^>]+>/g, "")
    .replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e);
}

function walk(tokens: Token[], visit: (t: Token, next: Token | undefined) => void): void {
  tokens.forEach((t, i) => {
    visit(t, tokens.slice(i + 1).find((n) => n.type !== "space"));
    const inner = (t as { tokens?: Token[] }).tokens;
    if (inner && t.type !== "table") walk(inner, visit);
  });
}

const BLOCK_START = /^(#{1,6} |\*\*|- |```|<details|<\/details)/;

function tableProblems(t: Tokens.Table): string[] {
  const problems: string[] = [];
  for (const row of t.rows) {
    const cells = row.map((c) => c.text.trim());
    const line = `| ${cells.join(" | ")} |`;
    if (cells.every((c) => /^:?-{3,}:?$/.test(c))) problems.push(`a table swallowed another table's separator row: ${line}`);
    else if (cells.length > 1 && cells.slice(1).every((c) => c === "")) problems.push(`a table swallowed a line of another block: ${line}`);
    else if (BLOCK_START.test(cells[0] ?? "")) problems.push(`a table row starts like another block: ${line}`);
  }
  return problems;
}

function xychartProblems(source: string): string[] {
  if (!/^\s*xychart-beta/m.test(source)) return [];
  const problems: string[] = [];
  const axis = /^\s*x-axis(?:\s+"[^"]*")?\s*\[(.*)\]\s*$/m.exec(source)?.[1];
  const labels = axis === undefined ? [] : [...axis.matchAll(/"([^"]*)"|([^,\s][^,]*)/g)].map((m) => (m[1] ?? m[2] ?? "").trim());
  if (new Set(labels).size !== labels.length) problems.push(`an xychart repeats x labels (mermaid merges them): ${labels.join(", ")}`);
  if (labels.length < 3) problems.push(`an xychart with ${labels.length} point(s): a table says more`);
  for (const m of source.matchAll(/^\s*(?:line|bar)\s*\[(.*)\]\s*$/gm)) {
    const n = m[1]!.split(",").length;
    if (n !== labels.length) problems.push(`an xychart series has ${n} values for ${labels.length} x labels`);
  }
  return problems;
}

function headingProblems(t: Tokens.Heading, next: Token | undefined): string[] {
  if (next === undefined) return [`the heading "${t.text}" has nothing under it`];
  if (next.type === "heading" && (next as Tokens.Heading).depth <= t.depth) return [`the heading "${t.text}" has nothing under it`];
  return [];
}

/** Everything that would show broken when GitHub renders `markdown`. Empty when it renders clean. */
export async function renderProblems(markdown: string): Promise<string[]> {
  const problems: string[] = [];
  const tokens = marked.lexer(markdown);
  const mermaid: string[] = [];
  walk(tokens, (t, next) => {
    if (t.type === "table") problems.push(...tableProblems(t as Tokens.Table));
    if (t.type === "heading") problems.push(...headingProblems(t as Tokens.Heading, next));
    if (t.type === "paragraph" && /^#{1,6} /m.test((t as Tokens.Paragraph).raw)) problems.push(`a heading inside a paragraph: ${t.raw.trim().slice(0, 120)}`);
    if (t.type === "html" && (t as Tokens.HTML).block) {
      const text = t.raw.replace(/<\/?details>|<summary>[\s\S]*?<\/summary>/g, "").trim();
      if (text !== "") problems.push(`markdown swallowed by an HTML block: ${text.slice(0, 120)}`);
    }
    if (t.type === "code" && (t as Tokens.Code).lang === "mermaid") mermaid.push((t as Tokens.Code).text);
  });
  const html = await marked.parse(markdown);
  for (const [, inner] of html.matchAll(/<p>([\s\S]*?)<\/p>/g)) {
    const line = /(?:^|\n|<br>)\s*(#{1,6} \S.*)/.exec(inner!)?.[1];
    if (line) problems.push(`a heading inside a paragraph: ${line.slice(0, 120)}`);
  }
  const text = visibleText(html);
  for (const literal of ["](", "**"]) {
    const at = text.indexOf(literal);
    if (at >= 0) problems.push(`literal "${literal}" in the rendered text: …${text.slice(Math.max(0, at - 60), at + 40).replace(/\s+/g, " ")}…`);
  }
  const parse = mermaid.length ? await loadMermaid() : undefined;
  for (const source of mermaid) {
    try {
      await parse!(source);
    } catch (error) {
      problems.push(`mermaid.parse rejects a block: ${(error as Error).message.split("\n").slice(0, 3).join(" ")}`);
    }
    problems.push(...xychartProblems(source));
  }
  return problems;
}

/** The rendered HTML, for tests that look at what a reader sees. */
export function renderHtml(markdown: string): string {
  return marked.parse(markdown, { async: false });
}
