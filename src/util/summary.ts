/**
 * Step-summary markdown built from blocks: heading, paragraph, list, table, details, code and
 * mermaid. The builder puts one blank line between blocks, and inside a <details> after its
 * <summary> and before </details>, so no block can run into the next one (a table swallowing
 * the paragraph below it, text after </details> read as HTML, a heading inside a paragraph).
 *
 * Inline content is text unless it says otherwise: a plain string goes through the sanitiser
 * and is escaped, so outside text (a response body, an AWS message, an input) shows as written
 * and cannot open a link, a heading or a table. Markup comes only from the helpers below
 * (`bold`, `italic`, `code`, `link`, `joined`). Every block is one self-contained string
 * (`blocks()`): the runner IO hands them one by one to @actions/core's summary
 * (`addRaw(block).addEOL()`, a blank line between). No imports beyond the sanitiser: nothing heavy on start-up.
 */
import { untrusted } from "./untrusted";

const MARKUP = Symbol("markdown");

/** Markdown made by the helpers here; never built from a plain string. */
export interface Markup {
  readonly [MARKUP]: string;
}

/** Text (a string or number, escaped), markup from the helpers, nothing (null/undefined), or a sequence of these. */
export type Inline = string | number | Markup | null | undefined | readonly Inline[];

function markup(md: string): Markup {
  return { [MARKUP]: md };
}

function isMarkup(value: unknown): value is Markup {
  return typeof value === "object" && value !== null && MARKUP in value;
}

/** Escapes text so GitHub shows it as written: markdown punctuation, HTML, and no line breaks. */
export function escapeText(text: string): string {
  return untrusted(text)
    .replace(/\r?\n|\r/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|~])/g, "\\$1");
}

/** Renders inline content as markdown on one line. */
export function inline(value: Inline): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return escapeText(String(value));
  if (typeof value === "string") return escapeText(value);
  if (isMarkup(value)) return value[MARKUP];
  return (value as readonly Inline[]).map(inline).join("");
}

export function bold(value: Inline): Markup {
  const md = inline(value);
  return markup(md ? `**${md}**` : "");
}

export function italic(value: Inline): Markup {
  const md = inline(value);
  return markup(md ? `_${md}_` : "");
}

/** An inline code span of `text`, with a fence longer than any run of backticks inside. */
export function code(text: string): Markup {
  const clean = untrusted(text).replace(/\r?\n|\r/g, " ");
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return markup(`${fence}${pad}${clean}${pad}${fence}`);
}

/** A link to an http(s) URL; with no (or another kind of) URL, just the text. */
export function link(text: Inline, url: string | undefined): Markup {
  const label = inline(text);
  if (!url || !/^https?:\/\//.test(url)) return markup(label);
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;
  // Balanced parentheses are legal in a link destination (and some consoles need them literal).
  const href = url.replace(/[\s<>\\]/g, hex).replace(/[()]/g, (c) => (balanced(url) ? c : hex(c)));
  return markup(`[${label}](${href})`);
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const c of text) {
    if (c === "(") depth++;
    else if (c === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

/** Parts joined by a separator (a plain separator is escaped like any text), empty parts left out. */
export function joined(parts: readonly Inline[], separator: Inline = " · "): Markup {
  const rendered = parts.map(inline).filter((p) => p !== "");
  return markup(rendered.join(inline(separator)));
}

/** A table cell: inline markdown with `|` escaped; empty cells show a dash. */
function cell(value: Inline): string {
  const md = inline(value);
  return md === "" ? "—" : md.replace(/(^|[^\\])\|/g, "$1\\|");
}

/** A line of block text must not start like another block (indented code, list, quote, heading, rule). */
function safeStart(md: string): string {
  return md.replace(/^\s+/, "").replace(/^([-+=>#]|\d+[.)])/, "\\$1");
}

function escapeHtml(text: string): string {
  return untrusted(text).replace(/\r?\n|\r/g, " ").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export type HeadingLevel = 1 | 2 | 3 | 4 | 5 | 6;

/** A summary under construction: add blocks in order, then `toString()`. */
export class Summary {
  private readonly parts: string[] = [];

  /** The blocks so far, each a self-contained piece of markdown. */
  blocks(): readonly string[] {
    return this.parts;
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  private add(block: string): this {
    if (block.trim() !== "") this.parts.push(block);
    return this;
  }

  heading(text: Inline, level: HeadingLevel = 3): this {
    return this.add(`${"#".repeat(level)} ${inline(text)}`);
  }

  /** One paragraph; each argument is a line of it (joined with hard breaks). Empty lines are left out. */
  paragraph(...lines: Inline[]): this {
    const rendered = lines.map(inline).filter((l) => l.trim() !== "");
    return this.add(rendered.map(safeStart).join("<br>\n"));
  }

  list(items: readonly Inline[]): this {
    return this.add(
      items
        .map(inline)
        .filter((i) => i.trim() !== "")
        .map((i) => `- ${safeStart(i)}`)
        .join("\n"),
    );
  }

  /** A table; rows shorter than the header are padded with dashes. A table without rows is left out. */
  table(header: readonly Inline[], rows: readonly (readonly Inline[])[]): this {
    if (rows.length === 0 || header.length === 0) return this;
    const line = (cells: readonly Inline[]) => `| ${header.map((_, i) => cell(cells[i])).join(" | ")} |`;
    return this.add([line(header), `| ${header.map(() => "---").join(" | ")} |`, ...rows.map(line)].join("\n"));
  }

  /** A fenced code block (a fence longer than any in the text). */
  code(text: string, language = ""): this {
    const clean = text
      .replace(/\r\n?/g, "\n")
      .replace(/\n+$/, "")
      .split("\n")
      .map((line) => untrusted(line, 10_000))
      .join("\n");
    const longest = Math.max(2, ...(clean.match(/^`{3,}/gm) ?? []).map((run) => run.length));
    const fence = "`".repeat(longest + 1);
    return this.add(`${fence}${language}\n${clean}\n${fence}`);
  }

  /** A mermaid diagram: GitHub draws it; elsewhere it shows as code. */
  mermaid(source: string): this {
    return this.code(source, "mermaid");
  }

  /** A collapsed section holding blocks of its own. */
  details(title: string, body: Summary | ((inner: Summary) => void)): this {
    const inner = body instanceof Summary ? body : new Summary();
    if (!(body instanceof Summary)) body(inner);
    if (inner.empty) return this;
    return this.add(`<details><summary>${escapeHtml(title)}</summary>\n\n${inner.toString().trimEnd()}\n\n</details>`);
  }

  /** Appends another summary's blocks. */
  append(other: Summary): this {
    for (const block of other.blocks()) this.add(block);
    return this;
  }

  toString(): string {
    return this.parts.length === 0 ? "" : `${this.parts.join("\n\n")}\n`;
  }
}

export function summary(): Summary {
  return new Summary();
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
