import { ExpressionError } from "./errors";
import { FUNCTIONS } from "./functions";
import { callsStatusFunction, parseExpression, type Node } from "./parser";
import { compare, isObjectValue, looseEquals, toExpressionValue, toNumber, truthy, type ExpressionValue } from "./values";

/** Where the job stands, for success(), failure() and cancelled(). */
export interface StatusSnapshot {
  /** Nothing before has failed and the run is not cancelled. */
  success: boolean;
  /** Something before has failed. */
  failure: boolean;
  /** The run was cancelled. */
  cancelled: boolean;
}

export interface ExpressionScope {
  /** Named values available at top level (github, env, steps, needs, inputs, vars, secrets, job, runner...). */
  contexts: Record<string, unknown>;
  /** Status for success()/failure()/cancelled(); status functions are refused where it is absent. */
  status?: StatusSnapshot;
}

function lookup(target: ExpressionValue, name: string): ExpressionValue {
  if (!isObjectValue(target)) return null;
  if (Object.hasOwn(target, name)) return target[name] ?? null;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(target)) if (key.toLowerCase() === wanted) return value;
  return null;
}

/** After `.*`, each further property applies to every element (`labels.*.name`). */
function isFiltered(node: Node): boolean {
  if (node.kind === "filter") return true;
  return node.kind === "property" && isFiltered(node.target);
}

function evaluateNode(node: Node, scope: ExpressionScope, source: string): ExpressionValue {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "context": {
      const wanted = node.name.toLowerCase();
      const key = Object.keys(scope.contexts).find((k) => k.toLowerCase() === wanted);
      if (key === undefined) {
        const known = Object.keys(scope.contexts).sort().join(", ");
        throw new ExpressionError(`Unrecognized named-value: '${node.name}' (available here: ${known})`, source);
      }
      return toExpressionValue(scope.contexts[key]);
    }
    case "property": {
      const target = evaluateNode(node.target, scope, source);
      if (isFiltered(node.target) && Array.isArray(target)) {
        return target.map((element) => lookup(element, node.name)).filter((v) => v !== null);
      }
      return lookup(target, node.name);
    }
    case "index": {
      const target = evaluateNode(node.target, scope, source);
      const index = evaluateNode(node.index, scope, source);
      if (Array.isArray(target)) {
        const n = toNumber(index);
        return Number.isInteger(n) ? (target[n] ?? null) : null;
      }
      return typeof index === "string" ? lookup(target, index) : null;
    }
    case "filter": {
      const target = evaluateNode(node.target, scope, source);
      if (Array.isArray(target)) return target;
      return isObjectValue(target) ? Object.values(target) : [];
    }
    case "not":
      return !truthy(evaluateNode(node.operand, scope, source));
    case "binary": {
      if (node.op === "&&") {
        const left = evaluateNode(node.left, scope, source);
        return truthy(left) ? evaluateNode(node.right, scope, source) : left;
      }
      if (node.op === "||") {
        const left = evaluateNode(node.left, scope, source);
        return truthy(left) ? left : evaluateNode(node.right, scope, source);
      }
      const left = evaluateNode(node.left, scope, source);
      const right = evaluateNode(node.right, scope, source);
      switch (node.op) {
        case "==":
          return looseEquals(left, right);
        case "!=":
          return !looseEquals(left, right);
        case "<":
          return compare(left, right) < 0;
        case "<=":
          return compare(left, right) <= 0;
        case ">":
          return compare(left, right) > 0;
        case ">=":
          return compare(left, right) >= 0;
      }
      return null;
    }
    case "call": {
      const name = node.name.toLowerCase();
      const fn = FUNCTIONS[name];
      if (!fn) {
        throw new ExpressionError(`Unrecognized function: '${node.name}' (known: ${Object.keys(FUNCTIONS).join(", ")})`, source);
      }
      if (node.args.length < fn.minArgs || node.args.length > fn.maxArgs) {
        const range = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs === Infinity ? "any" : fn.maxArgs}`;
        throw new ExpressionError(`Function '${node.name}' takes ${range} argument(s), got ${node.args.length}`, source);
      }
      if (fn.needsStatus && !scope.status) {
        throw new ExpressionError(`Function '${node.name}' is only available in 'if' conditions`, source);
      }
      const args = node.args.map((a) => evaluateNode(a, scope, source));
      return fn.call(args, { status: scope.status, expression: source });
    }
  }
}

/** Evaluates the text inside one `${{ }}`. */
export function evaluateExpression(source: string, scope: ExpressionScope): ExpressionValue {
  return evaluateNode(parseExpression(source), scope, source);
}

/**
 * Evaluates a job's or step's `if`. A condition may be written with or without `${{ }}`; without a
 * status function it means `success() && (condition)`, as on GitHub. An absent condition is `success()`.
 */
export function evaluateCondition(condition: unknown, scope: ExpressionScope): boolean {
  if (condition === undefined || condition === null || condition === "") return scope.status?.success ?? true;
  if (typeof condition === "boolean" || typeof condition === "number") {
    return (scope.status?.success ?? true) && truthy(condition);
  }
  let source = String(condition).trim();
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(source);
  if (whole && !whole[1]?.includes("}}")) source = (whole[1] ?? "").trim();
  else if (source.includes("${{")) {
    throw new ExpressionError("An 'if' condition must be a single expression, with or without ${{ }}", source);
  }
  const tree = parseExpression(source);
  const value = evaluateNode(tree, scope, source);
  if (callsStatusFunction(tree)) return truthy(value);
  return (scope.status?.success ?? true) && truthy(value);
}
