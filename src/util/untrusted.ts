/**
 * Outside text (a provider's error body, an alarm's StateReason, an HTTP body, an AWS message, an
 * input shown back) goes through `untrusted()` before it reaches a log line, an annotation or a
 * summary. The runner reads every stdout line that starts with `::` (after whitespace) as a workflow
 * command, and `##[` anywhere as a legacy one; a server that can answer a query must not be able to
 * mask the log, forge an annotation or switch commands off. No imports: the entries load this
 * before their inputs are valid.
 */

/** Longest text `untrusted()` returns by default, ellipsis and count included. */
export const UNTRUSTED_MAX = 1000;

/**
 * C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional embeddings,
 * overrides and isolates (which can make a line read differently from what it says).
 */
const UNSAFE_CLASS = "[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]";
const UNSAFE = new RegExp(UNSAFE_CLASS, "g");
const UNSAFE_CHAR = new RegExp(`^${UNSAFE_CLASS}$`);

/** Whitespace the runner trims before it looks for `::` (.NET's Char.IsWhiteSpace, and more). */
const COMMAND_START = /^([\s\u0085]*)::/;
const LEGACY_COMMAND = /##\[/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeChar(c: string): string {
  return NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Makes one line of text that starts no workflow command: `::` at its start becomes `: :`, `##[`
 * anywhere becomes `# #[`. The rest is left as it is.
 */
export function neutraliseCommands(line: string): string {
  return line.replace(COMMAND_START, "$1: :").replace(LEGACY_COMMAND, "# #[");
}

function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0 || (text.charCodeAt(i - 1) & 0xfc00) !== 0xd800) n++;
  }
  return n;
}

function suffix(cut: number): string {
  return `… (${cut} more characters)`;
}

/**
 * Outside text made safe to print on one line: control, separator and bidi characters are shown as
 * escapes (`\n`, `\u001b`), a leading `::` and every `##[` are neutralised, and text longer than
 * `max` is cut, ending with `…` and how many of its characters were cut. The result is at most
 * `max` characters long (for `max` of 40 or more), and passing it through again changes nothing.
 */
export function untrusted(value: unknown, max = UNTRUSTED_MAX): string {
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  if (text.length <= max) {
    const shown = neutraliseCommands(text.replace(UNSAFE, escapeChar));
    if (shown.length <= max) return shown;
  }
  // Too long: escape one character at a time until the room left for the suffix is used up; one
  // more character is kept back for a leading `::` to be neutralised.
  const room = max - suffix(codePoints(text)).length - 1;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    let next = UNSAFE_CHAR.test(ch) ? out + escapeChar(ch) : out + ch;
    if (ch === "[" && out.endsWith("##")) next = `${out.slice(0, -1)} #[`;
    if (next.length > room) break;
    out = next;
    i += ch.length;
  }
  return `${neutraliseCommands(out)}${suffix(codePoints(text.slice(i)))}`;
}

/**
 * Text with every secret replaced by `***`, as the runner masks its log: for what the runner does
 * not mask (the step summary, a report file). Longer secrets first, so one inside another goes
 * whole; a secret is also found as JSON writes it (its quotes and backslashes escaped).
 */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join("***");
  return out;
}
