/**
 * Validates a decoded request against the operation's official API model before the operation acts,
 * as AWS's query and JSON services do: required members, string length (in code points) and pattern
 * (ECMA-262, `u` flag), numeric range, enum values and list lengths, nested through structures and lists.
 * Members the model does not know are ignored (the SDK may be newer than the model).
 *
 * A violation reads as AWS words it, e.g. `Value 'a;b' at 'tags.1.member.value' failed to satisfy
 * constraint: Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`.
 * Patterns are compiled once; checkers are built once per operation.
 */
import asgModel from "./models/asg.json" with { type: "json" };
import cwModel from "./models/cw.json" with { type: "json" };
import elbv2Model from "./models/elbv2.json" with { type: "json" };
import { ec2Violations, hasEc2Rules } from "./ec2-constraints";
import { AwsError } from "./errors";
import { elbv2HandWritten } from "./model-hand";
import type { VendoredModel, VendoredShape } from "./model-types";

type Checker = (value: unknown, path: string, out: string[]) => void;

interface ServiceModel {
  operations: Record<string, string | null>;
  shapes: Record<string, VendoredShape>;
  compiled: Map<string, Checker>;
}

function serviceModel(model: VendoredModel, extra?: { operations: Record<string, string>; shapes: Record<string, VendoredShape> }): ServiceModel {
  return {
    operations: { ...model.operations, ...(extra?.operations ?? {}) },
    shapes: { ...model.shapes, ...(extra?.shapes ?? {}) },
    compiled: new Map(),
  };
}

/** Models by the service names of the call log. */
const MODELS: Record<string, ServiceModel> = {
  ElasticLoadBalancingV2: serviceModel(elbv2Model as unknown as VendoredModel, elbv2HandWritten),
  AutoScaling: serviceModel(asgModel as unknown as VendoredModel),
  CloudWatch: serviceModel(cwModel as unknown as VendoredModel),
};

const memberPath = (path: string, name: string) => {
  const segment = name.charAt(0).toLowerCase() + name.slice(1);
  return path === "" ? segment : `${path}.${segment}`;
};

/** How AWS shows a value in a message (lists and structures as Java prints them). */
function show(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${k}=${show(v)}`).join(", ")}}`;
  if (typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${k}: ${show(v)}`).join(", ")}}`;
  return String(value);
}

const violation = (value: unknown, path: string, constraint: string) => `Value '${show(value)}' at '${path}' failed to satisfy constraint: ${constraint}`;

function lengthCheck(size: number, value: unknown, path: string, bounds: { min?: number; max?: number } | undefined, out: string[]): void {
  if (!bounds) return;
  if (bounds.min !== undefined && size < bounds.min) out.push(violation(value, path, `Member must have length greater than or equal to ${bounds.min}`));
  if (bounds.max !== undefined && size > bounds.max) out.push(violation(value, path, `Member must have length less than or equal to ${bounds.max}`));
}

/** A list as decoded: an array, "" (awsQuery's empty list) or a `{ item: [...] }` wrapper of a renamed member. */
function asList(value: unknown, memberXmlName: string | undefined): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (value === "") return [];
  if (memberXmlName && value && typeof value === "object" && Array.isArray((value as Record<string, unknown>)[memberXmlName])) return (value as Record<string, unknown[]>)[memberXmlName];
  return undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** The length in code points; skips counting when the UTF-16 length already settles the bounds. */
function codePoints(value: string, bounds: { min?: number; max?: number }): number {
  const units = value.length;
  if ((bounds.max === undefined || units <= bounds.max) && (bounds.min === undefined || Math.ceil(units / 2) >= bounds.min)) return units;
  return [...value].length;
}

const noCheck: Checker = () => {};

function compile(model: ServiceModel, name: string): Checker {
  const done = model.compiled.get(name);
  if (done) return done;
  // A placeholder lets recursive shapes refer to themselves while they are being built.
  let real: Checker = noCheck;
  model.compiled.set(name, (v, p, o) => real(v, p, o));
  real = build(model, name);
  model.compiled.set(name, real);
  return real;
}

function build(model: ServiceModel, name: string): Checker {
  const shape = model.shapes[name];
  if (!shape) return noCheck;
  switch (shape.type) {
    case "structure":
      return structureChecker(model, shape);
    case "list":
      return listChecker(model, shape);
    case "map":
      return mapChecker(model, shape);
    case "string":
      return stringChecker(shape);
    case "enum":
      return enumChecker(shape);
    case "number":
      return numberChecker(shape);
    default:
      return noCheck;
  }
}

type ShapeOf<T extends VendoredShape["type"]> = Extract<VendoredShape, { type: T }>;

function structureChecker(model: ServiceModel, shape: ShapeOf<"structure">): Checker {
  const members = Object.entries(shape.members).map(([member, ref]) => ({ member, ref, check: compile(model, ref.target) }));
  return (value, path, out) => {
    if (!value || typeof value !== "object" || Array.isArray(value) || value instanceof Map) return;
    const record = value as Record<string, unknown>;
    for (const { member, ref, check } of members) {
      const v = Object.hasOwn(record, member) ? record[member] : ref.xmlName && Object.hasOwn(record, ref.xmlName) ? record[ref.xmlName] : undefined;
      const at = memberPath(path, member);
      if (v === undefined || v === null) {
        if (ref.required) out.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      } else check(v, at, out);
    }
  };
}

function listChecker(model: ServiceModel, shape: ShapeOf<"list">): Checker {
  const item = compile(model, shape.member);
  return (value, path, out) => {
    const items = asList(value, shape.memberXmlName);
    if (!items) return;
    lengthCheck(items.length, items, path, shape.length, out);
    items.forEach((v, i) => item(v, `${path}.${i + 1}.member`, out));
  };
}

function mapChecker(model: ServiceModel, shape: ShapeOf<"map">): Checker {
  const key = compile(model, shape.key);
  const val = compile(model, shape.value);
  return (value, path, out) => {
    const entries = value instanceof Map ? [...value] : value && typeof value === "object" && !Array.isArray(value) ? Object.entries(value) : undefined;
    if (!entries) return;
    lengthCheck(entries.length, value, path, shape.length, out);
    entries.forEach(([k, v], i) => {
      key(k, `${path}.${i + 1}.key`, out);
      val(v, `${path}.${i + 1}.value`, out);
    });
  };
}

function stringChecker(shape: ShapeOf<"string">): Checker {
  const pattern = shape.pattern !== undefined ? new RegExp(shape.pattern, "u") : undefined;
  return (value, path, out) => {
    if (typeof value !== "string") return;
    if (shape.length) lengthCheck(codePoints(value, shape.length), value, path, shape.length, out);
    if (pattern && !pattern.test(value)) out.push(violation(value, path, `Member must satisfy regular expression pattern: ${shape.pattern}`));
  };
}

function enumChecker(shape: ShapeOf<"enum">): Checker {
  const allowed = new Set(shape.values);
  const text = `Member must satisfy enum value set: [${shape.values.join(", ")}]`;
  return (value, path, out) => {
    if (typeof value === "string" && !allowed.has(value)) out.push(violation(value, path, text));
  };
}

function numberChecker(shape: ShapeOf<"number">): Checker {
  const range = shape.range;
  if (!range) return noCheck;
  return (value, path, out) => {
    const n = asNumber(value);
    if (n === undefined) return;
    if (range.min !== undefined && n < range.min) out.push(violation(value, path, `Member must have value greater than or equal to ${range.min}`));
    if (range.max !== undefined && n > range.max) out.push(violation(value, path, `Member must have value less than or equal to ${range.max}`));
  };
}

/** Whether the sandbox holds a model (vendored or hand-written) for the operation. */
export function hasModel(service: string, operation: string): boolean {
  const model = MODELS[service];
  return model !== undefined && Object.hasOwn(model.operations, operation);
}

/** The model violations of one decoded request, in AWS's words; [] when it passes or has no model. */
export function modelViolations(service: string, operation: string, input: unknown): string[] {
  const model = MODELS[service];
  if (!model || !Object.hasOwn(model.operations, operation)) return [];
  const shape = model.operations[operation];
  if (!shape) return [];
  const out: string[] = [];
  compile(model, shape)(input ?? {}, "", out);
  return out;
}

/** AWS's message for a list of violations: `N validation error(s) detected: a; b`. */
export function validationMessage(violations: string[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? "" : "s"} detected: ${violations.join("; ")}`;
}

/** Whether the request's operation has constraints here: a model (vendored or hand-written) or EC2's documented ones. */
export function hasConstraints(service: string, operation: string): boolean {
  return service === "EC2" ? hasEc2Rules(operation) : hasModel(service, operation);
}

/** Every constraint the decoded request breaks (models, or EC2's documented constraints), as text. */
export function requestViolations(service: string, operation: string, input: unknown): string[] {
  if (service === "EC2") return ec2Violations(operation, (input ?? {}) as Record<string, unknown>).map((v) => `${v.code}: ${v.message}`);
  return modelViolations(service, operation, input);
}

/** The error AWS answers for a request that breaks its constraints, or undefined when it passes. */
export function requestError(service: string, operation: string, input: unknown): AwsError | undefined {
  if (service === "EC2") {
    const first = ec2Violations(operation, (input ?? {}) as Record<string, unknown>)[0];
    return first ? new AwsError(first.code, first.message, 400) : undefined;
  }
  const violations = modelViolations(service, operation, input);
  return violations.length > 0 ? new AwsError("ValidationError", validationMessage(violations), 400) : undefined;
}

export interface RecheckResult {
  /** Recorded requests re-validated (their input was kept and their operation has constraints). */
  checked: number;
  /** Recorded requests whose input was no longer kept (the call log keeps the newest inputs only). */
  unchecked: number;
  violations: { operation: string; requestId: string; message: string }[];
}

/** Re-validates recorded requests through the same checks the endpoint applies. */
export function recheckCalls(calls: readonly { service: string; operation: string; requestId: string; input?: unknown }[]): RecheckResult {
  const result: RecheckResult = { checked: 0, unchecked: 0, violations: [] };
  for (const call of calls) {
    if (!hasConstraints(call.service, call.operation)) continue;
    if (call.input === undefined) {
      result.unchecked += 1;
      continue;
    }
    result.checked += 1;
    const found = requestViolations(call.service, call.operation, call.input);
    if (found.length > 0) result.violations.push({ operation: `${call.service}.${call.operation}`, requestId: call.requestId, message: validationMessage(found) });
  }
  return result;
}
