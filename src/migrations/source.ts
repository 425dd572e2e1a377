/**
 * A migration file as the lint reads it: its phase (from its marker comment), and its statements'
 * text and line numbers from the parser's byte offsets.
 */
import type { ParsedStatement } from "../ports/sql-parser";

export type Phase = "expand" | "contract";
export type StatementPhase = Phase | "unsafe";

export interface FilePhase {
  phase: Phase;
  /** For a contract: the schema version it ends (`-- migration: contract after 42`). */
  after?: number | undefined;
  /** 1-based line of the marker; undefined when the file has none (then it is expand). */
  markerLine?: number | undefined;
  /** The marker's text when it names no phase the lint knows, for the finding. */
  invalid?: string | undefined;
}

export const DEFAULT_MARKER = "-- migration:";

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The phase a file declares: the first line among its leading comments and blank lines that starts
 * with the marker (`-- migration:` unless told), then `expand`, `contract`, or `contract after <n>`.
 * Without such a line the file is expand.
 */
export function readPhase(text: string, marker = DEFAULT_MARKER): FilePhase {
  const lines = text.split(/\r?\n/);
  const prefix = new RegExp(`^\\s*${escapeRegExp(marker.trim())}\\s*(.*)$`, "i");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const m = prefix.exec(line);
    if (m) return phaseOf(m[1]!.trim(), i + 1);
    if (line !== "" && !line.startsWith("--")) break;
  }
  return { phase: "expand" };
}

function phaseOf(rest: string, markerLine: number): FilePhase {
  if (/^expand$/i.test(rest)) return { phase: "expand", markerLine };
  const contract = /^contract(?:\s+after\s+(\d{1,9}))?$/i.exec(rest);
  if (contract) return { phase: "contract", markerLine, after: contract[1] === undefined ? undefined : Number(contract[1]) };
  return { phase: "expand", markerLine, invalid: rest };
}

/** Byte offsets (UTF-8, as the parser counts) to string indexes and line numbers. */
export class SourceText {
  private readonly bytes: Buffer;
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    this.bytes = Buffer.from(text, "utf8");
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.lineStarts.push(i + 1);
  }

  /** The string index of a byte offset. */
  index(byteOffset: number): number {
    return this.bytes.subarray(0, Math.max(0, Math.min(byteOffset, this.bytes.length))).toString("utf8").length;
  }

  /** 1-based line of a string index. */
  lineOf(index: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** A statement's own text (leading blanks and comments skipped) and the line it starts on. */
  statement(s: ParsedStatement): { text: string; line: number } {
    const start = this.index(s.stmt_location ?? 0);
    const end = s.stmt_len ? this.index((s.stmt_location ?? 0) + s.stmt_len) : this.text.length;
    const from = start + leadingNoise(this.text.slice(start, end));
    // The parser's length stops before the statement's `;`.
    const through = this.text[end] === ";" ? end + 1 : end;
    return { text: this.text.slice(from, through).trim(), line: this.lineOf(from) };
  }
}

/** Length of the blanks, `-- …` line comments and `/* … *\/` block comments at the start of `text`. */
export function leadingNoise(text: string): number {
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith("--", i)) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith("/*", i)) {
      i = blockCommentEnd(text, i);
    } else return i;
  }
}

/** Postgres block comments nest. */
function blockCommentEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text.startsWith("/*", i)) {
      depth++;
      i += 2;
    } else if (text.startsWith("*/", i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return text.length;
}

/** A statement as a finding shows it: one line, blanks collapsed, at most `max` characters. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
