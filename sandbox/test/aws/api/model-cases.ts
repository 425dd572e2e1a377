/**
 * Builds, from a vendored model, one request per constraint kind an operation's input has (required,
 * length, pattern, range, enum, list length), each breaking exactly that constraint at the first member
 * that carries it, with the path and the words AWS's message must contain.
 */
import type { VendoredModel, VendoredShape } from "../../../aws/api/model-types";

export type Kind = "required" | "length" | "pattern" | "range" | "enum" | "list length";

export interface ViolationCase {
  kind: Kind;
  /** The request input (SDK member names). */
  input: Record<string, unknown>;
  /** AWS's member path, e.g. `tags.1.member.value`. */
  path: string;
  /** The text the message must contain. */
  expect: string;
}

type Step = { member: string } | { item: true };

const PATTERN_BREAKERS = [";", ":", "\u0001", "(x)"];
const SAMPLE_STRINGS = ["abc", "HTTP", "200", "1"];

function awsPath(steps: Step[]): string {
  const out: string[] = [];
  for (const s of steps) out.push("member" in s ? s.member.charAt(0).toLowerCase() + s.member.slice(1) : "1.member");
  return out.join(".");
}

/** Puts `value` at `steps` under a fresh input, creating structures and one-element lists on the way. */
function placed(steps: Step[], value: unknown): Record<string, unknown> {
  const build = (i: number): unknown => {
    if (i === steps.length) return value;
    const step = steps[i]!;
    return "member" in step ? { [step.member]: build(i + 1) } : [build(i + 1)];
  };
  return build(0) as Record<string, unknown>;
}

function fits(shape: Extract<VendoredShape, { type: "string" }>, s: string): boolean {
  const n = [...s].length;
  if (shape.length?.min !== undefined && n < shape.length.min) return false;
  if (shape.length?.max !== undefined && n > shape.length.max) return false;
  return shape.pattern === undefined || new RegExp(shape.pattern, "u").test(s);
}

/** A value the SDK serialises for an element of a list (valid where that is easy). */
function sample(model: VendoredModel, name: string, depth = 0): unknown {
  const shape = model.shapes[name];
  if (!shape || depth > 4) return "abc";
  switch (shape.type) {
    case "string":
      return SAMPLE_STRINGS.find((s) => fits(shape, s)) ?? "abc";
    case "enum":
      return shape.values[0];
    case "number":
      return shape.range?.min ?? 1;
    case "list":
      return [sample(model, shape.member, depth + 1)];
    case "structure": {
      const entries = Object.entries(shape.members);
      const chosen = entries.filter(([, r]) => r.required);
      const use = chosen.length > 0 ? chosen : entries.slice(0, 1);
      return Object.fromEntries(use.map(([m, r]) => [m, sample(model, r.target, depth + 1)]));
    }
    case "other":
      return shape.smithyType === "boolean" ? true : shape.smithyType === "timestamp" ? new Date(0) : "abc";
    default:
      return "abc";
  }
}

/** Where and how to break one constraint of `shape`, or undefined when this shape cannot break that kind. */
function breakIt(model: VendoredModel, shape: VendoredShape, kind: Kind, steps: Step[]): ViolationCase | undefined {
  const path = awsPath(steps);
  const at = (value: unknown, constraint: string): ViolationCase => ({ kind, input: placed(steps, value), path, expect: `at '${path}' failed to satisfy constraint: ${constraint}` });
  if (kind === "length" && shape.type === "string" && shape.length) {
    if (shape.length.max !== undefined) return at("a".repeat(shape.length.max + 1), `Member must have length less than or equal to ${shape.length.max}`);
    if (shape.length.min) return at("", `Member must have length greater than or equal to ${shape.length.min}`);
  }
  if (kind === "pattern" && shape.type === "string" && shape.pattern !== undefined) {
    const re = new RegExp(shape.pattern, "u");
    const bad = PATTERN_BREAKERS.find((s) => !re.test(s));
    if (bad !== undefined) return at(bad, `Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
  if (kind === "enum" && shape.type === "enum") return at("NOT_A_VALID_VALUE", `Member must satisfy enum value set: [${shape.values.join(", ")}]`);
  if (kind === "range" && shape.type === "number" && shape.range) {
    if (shape.range.max !== undefined) return at(shape.range.max + 1, `Member must have value less than or equal to ${shape.range.max}`);
    if (shape.range.min !== undefined) return at(shape.range.min - 1, `Member must have value greater than or equal to ${shape.range.min}`);
  }
  if (kind === "list length" && shape.type === "list" && shape.length) {
    const item = sample(model, shape.member);
    if (shape.length.max !== undefined) return at(Array.from({ length: shape.length.max + 1 }, () => item), `Member must have length less than or equal to ${shape.length.max}`);
    if (shape.length.min) return at([], `Member must have length greater than or equal to ${shape.length.min}`);
  }
  return undefined;
}

/** The first case of `kind` in the operation's input (depth first, in model order), if it has one. */
export function caseOf(model: VendoredModel, operation: string, kind: Kind): ViolationCase | undefined {
  const root = model.operations[operation];
  if (!root) return undefined;
  const seen = new Set<string>();
  const walk = (name: string, steps: Step[]): ViolationCase | undefined => {
    const shape = model.shapes[name];
    if (!shape || seen.has(name)) return undefined;
    seen.add(name);
    const direct = breakIt(model, shape, kind, steps);
    if (direct) return direct;
    if (shape.type === "structure") {
      for (const [member, ref] of Object.entries(shape.members)) {
        const next = [...steps, { member }];
        // Only a required member at the top is left out, so no other member has to be filled in.
        if (kind === "required" && ref.required && steps.length === 0) {
          return { kind, input: {}, path: awsPath(next), expect: `Value null at '${awsPath(next)}' failed to satisfy constraint: Member must not be null` };
        }
        const found = walk(ref.target, next);
        if (found) return found;
      }
    }
    if (shape.type === "list") return walk(shape.member, [...steps, { item: true }]);
    return undefined;
  };
  return walk(root, []);
}

export const KINDS: Kind[] = ["required", "length", "pattern", "range", "enum", "list length"];

/** Every constraint kind anywhere in the operation's input tree (computed apart from caseOf, as a check on it). */
export function kindsIn(model: VendoredModel, operation: string): Set<Kind> {
  const kinds = new Set<Kind>();
  const seen = new Set<string>();
  const visit = (name: string | null | undefined) => {
    const shape = name ? model.shapes[name] : undefined;
    if (!name || !shape || seen.has(name)) return;
    seen.add(name);
    if (shape.type === "structure") {
      for (const ref of Object.values(shape.members)) {
        if (ref.required) kinds.add("required");
        visit(ref.target);
      }
    } else if (shape.type === "list") {
      if (shape.length) kinds.add("list length");
      visit(shape.member);
    } else if (shape.type === "map") {
      visit(shape.key);
      visit(shape.value);
    } else if (shape.type === "string") {
      if (shape.length) kinds.add("length");
      if (shape.pattern !== undefined) kinds.add("pattern");
    } else if (shape.type === "enum") kinds.add("enum");
    else if (shape.type === "number" && shape.range) kinds.add("range");
  };
  visit(model.operations[operation]);
  return kinds;
}
