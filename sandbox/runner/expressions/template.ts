import { ExpressionError } from "./errors";
import { evaluateExpression, type ExpressionScope } from "./evaluate";
import { toText, type ExpressionValue } from "./values";

interface Piece {
  text?: string;
  expression?: string;
}

/** Splits `a ${{ x }} b` into literal text and expressions; `}}` inside a quoted string does not close. */
function split(template: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("${{", i);
    if (open < 0) {
      pieces.push({ text: template.slice(i) });
      break;
    }
    if (open > i) pieces.push({ text: template.slice(i, open) });
    let j = open + 3;
    let inString = false;
    let close = -1;
    while (j < template.length) {
      const ch = template[j];
      if (ch === "'") inString = !inString;
      else if (!inString && ch === "}" && template[j + 1] === "}") {
        close = j;
        break;
      }
      j++;
    }
    if (close < 0) throw new ExpressionError("Unclosed '${{' (expected '}}')", template);
    pieces.push({ expression: template.slice(open + 3, close).trim() });
    i = close + 2;
  }
  return pieces;
}

/** Whether a YAML value holds any `${{ }}`. */
export function hasExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${{");
}

/** Substitutes every `${{ }}` in a string with the text of its value (null → ''). */
export function interpolate(template: string, scope: ExpressionScope): string {
  return split(template)
    .map((p) => (p.expression !== undefined ? toText(evaluateExpression(p.expression, scope)) : (p.text ?? "")))
    .join("");
}

/**
 * A value that is exactly one `${{ expr }}` keeps the expression's type (number, boolean, object);
 * anything else becomes interpolated text. Non-strings pass through.
 */
export function evaluateValue(value: unknown, scope: ExpressionScope): ExpressionValue {
  if (typeof value !== "string") return (value ?? null) as ExpressionValue;
  const pieces = split(value.trim());
  if (pieces.length === 1 && pieces[0]?.expression !== undefined) return evaluateExpression(pieces[0].expression, scope);
  return interpolate(value, scope);
}
