/**
 * Expectations on a JSON body, one per line: `status == "healthy"`, `checks.db.ok == true`,
 * `items.length >= 1`. A tiny parser of paths, six operators and scalar JSON literals; nothing is
 * evaluated as code, and lookups only follow a value's own properties.
 */

export type JsonScalar = string | number | boolean | null;
export type JsonOperator = "==" | "!=" | ">=" | "<=" | ">" | "<";
export type PathSegment = { kind: "key"; key: string } | { kind: "index"; index: number };

export interface JsonExpectation {
  /** The line as written (trimmed), for messages. */
  source: string;
  path: PathSegment[];
  /** The path as written, e.g. `checks.db.ok`. */
  pathText: string;
  operator: JsonOperator;
  expected: JsonScalar;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

const KEY = /^[A-Za-z0-9_$-]+/;
const INDEX = /^\[(\d{1,9})\]/;
const QUOTED = /^\[("(?:[^"\\\u0000-\u001f]|\\.)*")\]/;
const LINE = /^(.+?)\s*(==|!=|>=|<=|>|<)\s*(.+)$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const STRING = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/;

export const EXPECTATION_SYNTAX =
  'path operator value, e.g. status == "healthy" or items.length >= 1 (operators ==, !=, >=, <=, >, <; values: a number, a "string", true, false or null)';

export function parsePath(text: string): ParseResult<PathSegment[]> {
  const segments: PathSegment[] = [];
  let rest = text;
  let first = true;
  while (rest !== "") {
    let m: RegExpExecArray | null;
    if ((m = INDEX.exec(rest))) segments.push({ kind: "index", index: Number(m[1]) });
    else if ((m = QUOTED.exec(rest))) segments.push({ kind: "key", key: JSON.parse(m[1]!) as string });
    else {
      const dotted = first ? rest : rest.startsWith(".") ? rest.slice(1) : undefined;
      m = dotted === undefined ? null : KEY.exec(dotted);
      if (!m) return { ok: false, message: `path "${text}" is not keys joined by dots (a.b.c), [index] or ["key"] at "${rest}"` };
      segments.push({ kind: "key", key: m[0] });
      rest = dotted!.slice(m[0].length);
      first = false;
      continue;
    }
    rest = rest.slice(m[0].length);
    first = false;
  }
  if (segments.length === 0) return { ok: false, message: "empty path" };
  return { ok: true, value: segments };
}

export function parseScalar(text: string): ParseResult<JsonScalar> {
  if (text === "true") return { ok: true, value: true };
  if (text === "false") return { ok: true, value: false };
  if (text === "null") return { ok: true, value: null };
  if (NUMBER.test(text)) return { ok: true, value: Number(text) };
  if (STRING.test(text)) return { ok: true, value: JSON.parse(text) as string };
  return { ok: false, message: `value ${text} is not a number, a "double-quoted string", true, false or null` };
}

/** Parses one `path operator value` line. */
export function parseExpectation(line: string): ParseResult<JsonExpectation> {
  const source = line.trim();
  const m = LINE.exec(source);
  if (!m) return { ok: false, message: `"${source}" is not ${EXPECTATION_SYNTAX}` };
  const [, pathText, operator, valueText] = m;
  const path = parsePath(pathText!);
  if (!path.ok) return path;
  const expected = parseScalar(valueText!.trim());
  if (!expected.ok) return expected;
  const op = operator as JsonOperator;
  if ((op === ">" || op === "<" || op === ">=" || op === "<=") && typeof expected.value !== "number") {
    return { ok: false, message: `"${source}": ${op} compares numbers; ${valueText} is not a number` };
  }
  return { ok: true, value: { source, path: path.value, pathText: pathText!, operator: op, expected: expected.value } };
}

const MISSING = Symbol("missing");

/** Follows a path through a parsed JSON value: own keys of objects, indexes and `length` of arrays and strings. */
export function lookup(value: unknown, path: PathSegment[]): unknown {
  let current: unknown = value;
  for (const segment of path) {
    if (segment.kind === "index") {
      if (!Array.isArray(current) || segment.index >= current.length) return MISSING;
      current = current[segment.index];
      continue;
    }
    const key = segment.key;
    if (Array.isArray(current)) {
      if (key === "length") current = current.length;
      else if (/^\d+$/.test(key) && Number(key) < current.length) current = current[Number(key)];
      else return MISSING;
    } else if (typeof current === "string" && key === "length") {
      current = current.length;
    } else if (typeof current === "object" && current !== null && Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key];
    } else {
      return MISSING;
    }
  }
  return current;
}

export function showJson(value: unknown, max = 80): string {
  if (value === MISSING) return "nothing (no such path)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function holds(actual: unknown, operator: JsonOperator, expected: JsonScalar): boolean {
  switch (operator) {
    case "==":
      return actual === expected;
    case "!=":
      return actual !== expected;
    default: {
      if (typeof actual !== "number" || typeof expected !== "number") return false;
      if (operator === ">") return actual > expected;
      if (operator === "<") return actual < expected;
      if (operator === ">=") return actual >= expected;
      return actual <= expected;
    }
  }
}

/** Undefined when the expectation holds; else says the path, what was expected and what was found. */
export function checkExpectation(body: unknown, expectation: JsonExpectation): string | undefined {
  const actual = lookup(body, expectation.path);
  const expected = `${expectation.operator} ${JSON.stringify(expectation.expected)}`;
  if (actual !== MISSING && holds(actual, expectation.operator, expectation.expected)) return undefined;
  const ordering = expectation.operator !== "==" && expectation.operator !== "!=";
  const note = ordering && actual !== MISSING && typeof actual !== "number" ? " (not a number)" : "";
  return `${expectation.pathText}: expected ${expected}, got ${showJson(actual)}${note}`;
}
