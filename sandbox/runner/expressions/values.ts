/**
 * GitHub's expression value rules: loose equality, truthiness and string conversion, as documented
 * under "Expressions" (literals, operators and type coercion).
 */
export type ExpressionValue = null | boolean | number | string | ExpressionValue[] | { [key: string]: ExpressionValue };

const JSON_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_NUMBER = /^0x[0-9a-f]+$/i;

/** A JavaScript value from outside (contexts, parsed JSON) as an expression value. */
export function toExpressionValue(value: unknown): ExpressionValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean" || typeof value === "number" || typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(toExpressionValue);
  if (typeof value === "object") {
    const out: Record<string, ExpressionValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toExpressionValue(v);
    return out;
  }
  return String(value);
}

export function isObjectValue(value: ExpressionValue): value is { [key: string]: ExpressionValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function truthy(value: ExpressionValue): boolean {
  if (value === null || value === false || value === "") return false;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  return true;
}

export function toNumber(value: ExpressionValue): number {
  if (value === null) return 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (trimmed === "") return 0;
    if (HEX_NUMBER.test(trimmed)) return Number.parseInt(trimmed.slice(2), 16);
    return JSON_NUMBER.test(trimmed) ? Number(trimmed) : Number.NaN;
  }
  return Number.NaN;
}

export function toText(value: ExpressionValue): string {
  if (value === null) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Object.is(value, -0) ? "0" : String(value);
  if (typeof value === "string") return value;
  return Array.isArray(value) ? "Array" : "Object";
}

function sameKind(a: ExpressionValue, b: ExpressionValue): boolean {
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b);
  return typeof a === typeof b;
}

/** `==`: same types compare directly (strings ignore case); different types are compared as numbers. */
export function looseEquals(a: ExpressionValue, b: ExpressionValue): boolean {
  if (sameKind(a, b)) {
    if (typeof a === "string" && typeof b === "string") return a.toUpperCase() === b.toUpperCase();
    return a === b;
  }
  if (typeof a === "object" && a !== null) return false;
  if (typeof b === "object" && b !== null) return false;
  return toNumber(a) === toNumber(b);
}

/** `<`, `>`, ...: strings (of both sides) compare ignoring case, everything else as numbers; NaN compares false. */
export function compare(a: ExpressionValue, b: ExpressionValue): number {
  if (typeof a === "string" && typeof b === "string") {
    const x = a.toUpperCase();
    const y = b.toUpperCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  return x < y ? -1 : x > y ? 1 : 0;
}
