import { ExpressionError } from "./errors";
import type { StatusSnapshot } from "./evaluate";
import { looseEquals, toExpressionValue, toText, type ExpressionValue } from "./values";

interface FunctionDefinition {
  minArgs: number;
  maxArgs: number;
  needsStatus?: boolean;
  call(args: ExpressionValue[], env: { status: StatusSnapshot | undefined; expression: string }): ExpressionValue;
}

function formatString(template: string, args: ExpressionValue[], expression: string): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === "{" && template[i + 1] === "{") {
      out += "{";
      i++;
    } else if (ch === "}" && template[i + 1] === "}") {
      out += "}";
      i++;
    } else if (ch === "{") {
      const close = template.indexOf("}", i);
      const index = close > i ? template.slice(i + 1, close) : "";
      if (!/^\d+$/.test(index)) throw new ExpressionError(`format() string '${template}' has a bad placeholder at ${i}`, expression);
      const n = Number(index);
      if (n >= args.length) throw new ExpressionError(`format() placeholder {${n}} has no argument`, expression);
      out += toText(args[n] ?? null);
      i = close;
    } else if (ch === "}") {
      throw new ExpressionError(`format() string '${template}' has an unmatched '}' at ${i}`, expression);
    } else {
      out += ch;
    }
  }
  return out;
}

/** The expression functions GitHub documents, minus hashFiles (the runner here has no glob). */
export const FUNCTIONS: Record<string, FunctionDefinition> = {
  success: { minArgs: 0, maxArgs: 0, needsStatus: true, call: (_a, { status }) => status?.success ?? false },
  failure: { minArgs: 0, maxArgs: 0, needsStatus: true, call: (_a, { status }) => status?.failure ?? false },
  cancelled: { minArgs: 0, maxArgs: 0, needsStatus: true, call: (_a, { status }) => status?.cancelled ?? false },
  always: { minArgs: 0, maxArgs: 0, needsStatus: true, call: () => true },
  contains: {
    minArgs: 2,
    maxArgs: 2,
    call: ([search = null, item = null]) => {
      if (Array.isArray(search)) return search.some((element) => looseEquals(element, item));
      return toText(search).toUpperCase().includes(toText(item).toUpperCase());
    },
  },
  startswith: {
    minArgs: 2,
    maxArgs: 2,
    call: ([s = null, v = null]) => toText(s).toUpperCase().startsWith(toText(v).toUpperCase()),
  },
  endswith: {
    minArgs: 2,
    maxArgs: 2,
    call: ([s = null, v = null]) => toText(s).toUpperCase().endsWith(toText(v).toUpperCase()),
  },
  format: {
    minArgs: 1,
    maxArgs: Infinity,
    call: ([template = null, ...rest], { expression }) => formatString(toText(template), rest, expression),
  },
  join: {
    minArgs: 1,
    maxArgs: 2,
    call: ([value = null, separator]) => {
      const sep = separator === undefined ? "," : toText(separator);
      return Array.isArray(value) ? value.map(toText).join(sep) : toText(value);
    },
  },
  tojson: { minArgs: 1, maxArgs: 1, call: ([value = null]) => JSON.stringify(value, null, 2) },
  fromjson: {
    minArgs: 1,
    maxArgs: 1,
    call: ([value = null], { expression }) => {
      const text = toText(value);
      try {
        return toExpressionValue(JSON.parse(text));
      } catch (error) {
        throw new ExpressionError(`fromJSON() got text that is not JSON (${JSON.stringify(text.slice(0, 80))}): ${(error as Error).message}`, expression);
      }
    },
  },
};
