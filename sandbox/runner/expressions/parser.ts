import { ExpressionError } from "./errors";

/** The syntax tree of one `${{ }}` expression. */
export type Node =
  | { kind: "literal"; value: null | boolean | number | string }
  | { kind: "context"; name: string }
  | { kind: "property"; target: Node; name: string }
  | { kind: "index"; target: Node; index: Node }
  | { kind: "filter"; target: Node }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "not"; operand: Node }
  | { kind: "binary"; op: "==" | "!=" | "<" | "<=" | ">" | ">=" | "&&" | "||"; left: Node; right: Node };

type Token =
  | { type: "number"; value: number; pos: number }
  | { type: "string"; value: string; pos: number }
  | { type: "word"; value: string; pos: number }
  | { type: "punct"; value: string; pos: number };

const PUNCTUATION = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ",", ".", "*"];
const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_-]/;
const NUMBER = /^[+-]?(?:0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'") {
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= source.length) throw new ExpressionError(`Unterminated string literal at position ${i + 1}`, source);
        if (source[j] === "'") {
          if (source[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += source[j];
        j++;
      }
      tokens.push({ type: "string", value, pos: i });
      i = j + 1;
      continue;
    }
    const previous = tokens[tokens.length - 1];
    const signAllowed = !previous || (previous.type === "punct" && previous.value !== ")" && previous.value !== "]");
    if (/[0-9.]/.test(ch) || ((ch === "-" || ch === "+") && signAllowed && /[0-9.]/.test(source[i + 1] ?? ""))) {
      const match = NUMBER.exec(source.slice(i));
      if (match && !(ch === "." && previous && previous.type !== "punct")) {
        const text = match[0];
        const unsigned = text.replace(/^[+-]/, "");
        const magnitude = /^0x/i.test(unsigned) ? Number.parseInt(unsigned.slice(2), 16) : Number(unsigned);
        tokens.push({ type: "number", value: text.startsWith("-") ? -magnitude : magnitude, pos: i });
        i += text.length;
        continue;
      }
    }
    if (WORD_START.test(ch)) {
      let j = i + 1;
      while (j < source.length && WORD_PART.test(source[j] as string)) j++;
      tokens.push({ type: "word", value: source.slice(i, j), pos: i });
      i = j;
      continue;
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
    if (!punct) throw new ExpressionError(`Unexpected symbol '${ch}' at position ${i + 1}`, source);
    tokens.push({ type: "punct", value: punct, pos: i });
    i += punct.length;
  }
  return tokens;
}

/** Parses an expression (the text inside `${{ }}`) into a tree; syntax errors name the expression. */
export function parseExpression(source: string): Node {
  const tokens = tokenize(source);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const isPunct = (value: string): boolean => {
    const t = peek();
    return t?.type === "punct" && t.value === value;
  };
  const expect = (value: string): void => {
    if (!isPunct(value)) {
      const t = peek();
      const where = t ? `'${String(t.value)}' at position ${t.pos + 1}` : "the end of the expression";
      throw new ExpressionError(`Expected '${value}' but found ${where}`, source);
    }
    at++;
  };

  const binaryLevel = (ops: string[], next: () => Node) => (): Node => {
    let left = next();
    for (;;) {
      const t = peek();
      if (t?.type !== "punct" || !ops.includes(t.value)) return left;
      at++;
      const right = next();
      left = { kind: "binary", op: t.value as "==", left, right };
    }
  };

  const primary = (): Node => {
    const t = peek();
    if (!t) throw new ExpressionError("Unexpected end of expression", source);
    at++;
    if (t.type === "number") return { kind: "literal", value: t.value };
    if (t.type === "string") return { kind: "literal", value: t.value };
    if (t.type === "punct") {
      if (t.value === "(") {
        const inner = orExpr();
        expect(")");
        return inner;
      }
      throw new ExpressionError(`Unexpected symbol '${t.value}' at position ${t.pos + 1}`, source);
    }
    if (t.value === "true" || t.value === "false") return { kind: "literal", value: t.value === "true" };
    if (t.value === "null") return { kind: "literal", value: null };
    if (t.value === "NaN") return { kind: "literal", value: Number.NaN };
    if (t.value === "Infinity") return { kind: "literal", value: Number.POSITIVE_INFINITY };
    if (isPunct("(")) {
      at++;
      const args: Node[] = [];
      if (!isPunct(")")) {
        for (;;) {
          args.push(orExpr());
          if (isPunct(",")) {
            at++;
            continue;
          }
          break;
        }
      }
      expect(")");
      return { kind: "call", name: t.value, args };
    }
    return { kind: "context", name: t.value };
  };

  const postfix = (): Node => {
    let node = primary();
    for (;;) {
      if (isPunct(".")) {
        at++;
        const t = peek();
        if (t?.type === "punct" && t.value === "*") {
          at++;
          node = { kind: "filter", target: node };
        } else if (t?.type === "word") {
          at++;
          node = { kind: "property", target: node, name: t.value };
        } else {
          throw new ExpressionError(`Expected a property name after '.' at position ${(t?.pos ?? source.length) + 1}`, source);
        }
      } else if (isPunct("[")) {
        at++;
        if (isPunct("*")) {
          at++;
          expect("]");
          node = { kind: "filter", target: node };
        } else {
          const index = orExpr();
          expect("]");
          node = { kind: "index", target: node, index };
        }
      } else {
        return node;
      }
    }
  };

  const unary = (): Node => {
    if (isPunct("!")) {
      at++;
      return { kind: "not", operand: unary() };
    }
    return postfix();
  };

  const comparison = binaryLevel(["<", "<=", ">", ">="], unary);
  const equality = binaryLevel(["==", "!="], comparison);
  const andExpr = binaryLevel(["&&"], equality);
  const orExpr: () => Node = binaryLevel(["||"], andExpr);

  if (tokens.length === 0) throw new ExpressionError("Empty expression", source);
  const tree = orExpr();
  const rest = peek();
  if (rest) throw new ExpressionError(`Unexpected '${String(rest.value)}' at position ${rest.pos + 1}`, source);
  return tree;
}

/** Whether the tree calls one of the status functions (then an `if` is not wrapped in `success() && (...)`). */
export function callsStatusFunction(node: Node): boolean {
  switch (node.kind) {
    case "call":
      return ["success", "failure", "always", "cancelled"].includes(node.name.toLowerCase()) || node.args.some(callsStatusFunction);
    case "not":
      return callsStatusFunction(node.operand);
    case "binary":
      return callsStatusFunction(node.left) || callsStatusFunction(node.right);
    case "property":
    case "filter":
      return callsStatusFunction(node.target);
    case "index":
      return callsStatusFunction(node.target) || callsStatusFunction(node.index);
    default:
      return false;
  }
}
