/**
 * Secrets in a canary configuration, found in its raw text before it is parsed, so they are
 * masked before anything (a YAML error, a schema error, a provider's answer) can print them: the
 * value of every secret-looking key (token, key, password, secret, apiKey, applicationKey,
 * bearerToken, …, in any case) in block or flow style, and the credentials in any URL.
 */

/** Key names whose values are secrets. */
export const SECRET_KEY = /token|key|secret|passw(?:or)?d|pwd|credential|auth|cookie|session|signature/i;

// A key (plain or quoted) and the colon after it, at the start of a line, after `{`, `,` or `- `.
const KEY_AT = /(^|[{,]|-[ \t])[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([A-Za-z0-9_$.-]+))[ \t]*:(?=[ \t"'[{]|$)/gm;
// Credentials in a URL: scheme://user:password@ or scheme://token@.
const URL_CREDENTIALS = /[A-Za-z][A-Za-z0-9+.-]*:\/\/([^\s/?#@"',}\]]+)@/g;

/** Values too common to mask: masking them would hide every such word in the log. */
const TRIVIAL = new Set(["true", "false", "null", "yes", "no", "on", "off", "~"]);

function quoted(text: string, start: number): string | undefined {
  const q = text[start];
  if (q !== '"' && q !== "'") return undefined;
  let out = "";
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (q === '"' && c === "\\" && i + 1 < text.length) {
      out += c + text[++i]!;
      continue;
    }
    if (c === q) {
      if (q === "'" && text[i + 1] === "'") {
        out += "'";
        i++;
        continue;
      }
      return out;
    }
    out += c;
  }
  return out;
}

/** The lines of a block scalar (`key: |` or `key: >`) after the key's line: those indented more than the key. */
function blockLines(text: string, lineEnd: number, keyIndent: number): string[] {
  const out: string[] = [];
  for (const line of text.slice(lineEnd + 1).split("\n")) {
    const indent = line.length - line.trimStart().length;
    if (line.trim() !== "" && indent <= keyIndent) break;
    if (line.trim() !== "") out.push(line.trim());
  }
  return out;
}

/**
 * The value after a secret key's colon, as it may be printed: quoted, a block, or plain: up to a
 * flow delimiter inside `{…}`, else to the end of the line (and up to a delimiter, in case it is a
 * flow mapping written over several lines).
 */
function valuesAt(text: string, from: number, keyIndent: number, flow: boolean): string[] {
  let start = from;
  while (text[start] === " " || text[start] === "\t") start++;
  const newline = text.indexOf("\n", start);
  const lineEnd = newline === -1 ? text.length : newline;
  const inQuotes = quoted(text, start);
  if (inQuotes !== undefined) return [inQuotes, inQuotes.replace(/\\(.)/g, "$1")];
  const rest = text.slice(start, lineEnd);
  if (/^[|>][0-9+-]*[ \t]*(?:#.*)?$/.test(rest)) return blockLines(text, lineEnd, keyIndent);
  const plain = rest.replace(/[ \t]+#.*$/, "").trim();
  const delimited = plain.split(/[,}\]]/)[0]!.trim();
  return flow ? [delimited] : [plain, delimited];
}

/** Every secret the raw text holds, longest first, without duplicates or trivial values. */
export function secretsInText(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(KEY_AT)) {
    const key = m[2] ?? m[3] ?? m[4] ?? "";
    if (!SECRET_KEY.test(key)) continue;
    const lineStart = text.lastIndexOf("\n", m.index) + 1;
    const keyIndent = text.slice(lineStart).length - text.slice(lineStart).replace(/^[ \t-]*/, "").length;
    const flow = m[1] === "{" || m[1] === ",";
    for (const v of valuesAt(text, m.index + m[0].length, keyIndent, flow)) found.add(v);
  }
  for (const m of text.matchAll(URL_CREDENTIALS)) {
    const userinfo = m[1]!;
    found.add(userinfo);
    const colon = userinfo.indexOf(":");
    if (colon >= 0) found.add(userinfo.slice(colon + 1));
    else found.add(userinfo);
  }
  return [...found].filter((s) => s.length >= 3 && !TRIVIAL.has(s.toLowerCase())).sort((a, b) => b.length - a.length);
}
