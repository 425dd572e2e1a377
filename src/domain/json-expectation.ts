/**
 * Expectations on a JSON body, one per line: `status == "healthy"`, `checks.db.ok == true`,
 * `items.length >= 1`. A tiny parser of paths, six operators and scalar JSON literals; nothing is
 * evaluated as code, and lookups only follow a value's own properties.
 */
import { untrusted } from "../util/untrusted";

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

// Sticky (`y`) patterns read at an index: every scan is linear in the line, with no backtracking
// over it and no copies of what is left of it.
const KEY = /[A-Za-z0-9_$-]+/y;
const INDEX = /\[(\d{1,9})\]/y;
const QUOTED = /\[("(?:[^"\\\u0000-\u001f]|\\.)*")\]/y;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const STRING = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/;
const OPERATORS: readonly JsonOperator[] = ["==", "!=", ">=", "<=", ">", "<"];

/** Longest piece of a line quoted back in a message. */
const SHOWN_CHARS = 120;

export const EXPECTATION_SYNTAX =
  'path operator value, e.g. status == "healthy" or items.length >= 1 (operators ==, !=, >=, <=, >, <; values: a number, a "string", true, false or null)';

/** A piece of the line as a message quotes it: one line, capped, through `untrusted()`. */
function shown(text: string): string {
  return `"${untrusted(text, SHOWN_CHARS)}"`;
}

function at(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(text);
}

export function parsePath(text: string): ParseResult<PathSegment[]> {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < text.length) {
    let m: RegExpExecArray | null;
    if ((m = at(INDEX, text, i))) segments.push({ kind: "index", index: Number(m[1]) });
    else if ((m = at(QUOTED, text, i))) segments.push({ kind: "key", key: JSON.parse(m[1]!) as string });
    else {
      const start = i === 0 ? 0 : text[i] === "." ? i + 1 : -1;
      m = start < 0 ? null : at(KEY, text, start);
      if (!m) return { ok: false, message: `path ${shown(text)} is not keys joined by dots (a.b.c), [index] or ["key"] at ${shown(text.slice(i))}` };
      segments.push({ kind: "key", key: m[0] });
      i = start + m[0].length;
      continue;
    }
    i += m[0].length;
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
  return { ok: false, message: `value ${untrusted(text, SHOWN_CHARS)} is not a number, a "double-quoted string", true, false or null` };
}

/**
 * Where the operator is: the first of the six outside a quoted key, after at least one character of
 * path. One pass over the line.
 */
function findOperator(line: string): { index: number; operator: JsonOperator } | undefined {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (i > 0 && (c === "=" || c === "!" || c === ">" || c === "<")) {
      const operator = OPERATORS.find((op) => line.startsWith(op, i));
      if (operator) return { index: i, operator };
    }
  }
  return undefined;
}

/** Parses one `path operator value` line. */
export function parseExpectation(line: string): ParseResult<JsonExpectation> {
  const source = line.trim();
  const found = findOperator(source);
  const pathText = found ? source.slice(0, found.index).trim() : "";
  const valueText = found ? source.slice(found.index + found.operator.length).trim() : "";
  if (!found || pathText === "" || valueText === "") return { ok: false, message: `${shown(source)} is not ${EXPECTATION_SYNTAX}` };
  const path = parsePath(pathText);
  if (!path.ok) return path;
  const expected = parseScalar(valueText);
  if (!expected.ok) return expected;
  const op = found.operator;
  if ((op === ">" || op === "<" || op === ">=" || op === "<=") && typeof expected.value !== "number") {
    return { ok: false, message: `${shown(source)}: ${op} compares numbers; ${untrusted(valueText, SHOWN_CHARS)} is not a number` };
  }
  return { ok: true, value: { source, path: path.value, pathText, operator: op, expected: expected.value } };
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

/** A value from a body, as a message shows it: JSON, one line, capped, through `untrusted()`. */
export function showJson(value: unknown, max = 80): string {
  if (value === MISSING) return "nothing (no such path)";
  return untrusted(JSON.stringify(value) ?? String(value), max);
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
  const expected = `${expectation.operator} ${untrusted(JSON.stringify(expectation.expected), 200)}`;
  if (actual !== MISSING && holds(actual, expectation.operator, expectation.expected)) return undefined;
  const ordering = expectation.operator !== "==" && expectation.operator !== "!=";
  const note = ordering && actual !== MISSING && typeof actual !== "number" ? " (not a number)" : "";
  return `${untrusted(expectation.pathText, 200)}: expected ${expected}, got ${showJson(actual)}${note}`;
}
