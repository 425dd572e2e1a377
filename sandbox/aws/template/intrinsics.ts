/**
 * CloudFormation's intrinsic functions, as far as a sandbox environment needs them: Ref, Fn::GetAtt,
 * Fn::Sub, Fn::Join, Fn::Select, Fn::If with Conditions (Fn::Equals, Fn::Not, Fn::And, Fn::Or,
 * Condition), Fn::GetAZs and the pseudo parameters. A Ref or GetAtt of a resource resolves to a
 * ResourceValue that the mapping turns into the sandbox's name for it; any other function is an
 * error naming where it was found.
 */

export class TemplateError extends Error {}

/** A reference to another resource of the template (its Ref, or one of its attributes). */
export interface ResourceValue {
  readonly resource: string;
  readonly attribute: string | undefined;
}

export function isResourceValue(value: unknown): value is ResourceValue {
  return typeof value === "object" && value !== null && "resource" in value && typeof (value as ResourceValue).resource === "string" && Object.keys(value).length === 2;
}

export type Resolved = string | number | boolean | null | ResourceValue | Resolved[] | { [key: string]: Resolved };

export interface Scope {
  parameters: Map<string, string | string[]>;
  /** Conditions by name, evaluated on first use. */
  conditions: (name: string, where: string) => boolean;
  /** Logical ids of the resources that exist (their Condition holds). */
  resources: Set<string>;
  /** Logical ids declared in the template at all. */
  declared: Set<string>;
  region: string;
  accountId: string;
  stackName: string;
}

/** The marker for AWS::NoValue: the property is removed. */
export const NO_VALUE = Symbol("AWS::NoValue");

const NOT_SUPPORTED = ["Fn::FindInMap", "Fn::ImportValue", "Fn::Base64", "Fn::Cidr", "Fn::Split", "Fn::Length", "Fn::ToJsonString", "Fn::Transform", "Fn::GetStackOutput"];

function pseudo(name: string, scope: Scope): string | undefined {
  switch (name) {
    case "AWS::Region":
      return scope.region;
    case "AWS::AccountId":
      return scope.accountId;
    case "AWS::StackName":
      return scope.stackName;
    case "AWS::StackId":
      return `arn:aws:cloudformation:${scope.region}:${scope.accountId}:stack/${scope.stackName}/sandbox`;
    case "AWS::Partition":
      return "aws";
    case "AWS::URLSuffix":
      return "amazonaws.com";
    default:
      return undefined;
  }
}

function ref(name: unknown, scope: Scope, where: string): Resolved | typeof NO_VALUE {
  if (typeof name !== "string") throw new TemplateError(`${where}: Ref takes a name, got ${JSON.stringify(name)}`);
  if (name === "AWS::NoValue") return NO_VALUE;
  const p = pseudo(name, scope);
  if (p !== undefined) return p;
  const param = scope.parameters.get(name);
  if (param !== undefined) return param;
  if (scope.resources.has(name)) return { resource: name, attribute: undefined };
  if (scope.declared.has(name)) throw new TemplateError(`${where}: Ref ${name}, a resource whose Condition is false (it is not created)`);
  throw new TemplateError(`${where}: Ref ${name}: no parameter, resource or pseudo parameter has that name`);
}

/** A resolved value as text, for Join and Sub (a resource reference becomes `<logicalId>` or `<logicalId>.<attribute>`). */
function text(value: Resolved, where: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (isResourceValue(value)) return value.attribute ? `${value.resource}.${value.attribute}` : value.resource;
  throw new TemplateError(`${where}: expected a string, got ${JSON.stringify(value)}`);
}

function sub(args: unknown, scope: Scope, where: string): string {
  const [pattern, vars] = typeof args === "string" ? [args, {}] : Array.isArray(args) ? [args[0], args[1] ?? {}] : [undefined, undefined];
  if (typeof pattern !== "string" || typeof vars !== "object" || vars === null) throw new TemplateError(`${where}: Fn::Sub takes a string or [string, {variables}]`);
  const local = new Map(Object.entries(vars as Record<string, unknown>).map(([k, v]) => [k, text(resolve(v, scope, `${where}.Fn::Sub.${k}`) as Resolved, where)]));
  return pattern.replace(/\$\{(!?)([^}]*)\}/g, (_, bang: string, name: string) => {
    if (bang) return `\${${name}}`;
    if (local.has(name)) return local.get(name)!;
    const [id, ...attr] = name.split(".");
    const value = attr.length ? getAtt([id, attr.join(".")], scope, where) : ref(name, scope, where);
    if (value === NO_VALUE) throw new TemplateError(`${where}: Fn::Sub cannot use AWS::NoValue`);
    return text(value, where);
  });
}

function getAtt(args: unknown, scope: Scope, where: string): ResourceValue {
  const [id, attribute] = typeof args === "string" ? [args.slice(0, args.indexOf(".")), args.slice(args.indexOf(".") + 1)] : Array.isArray(args) ? args : [];
  if (typeof id !== "string" || typeof attribute !== "string" || !id || !attribute) throw new TemplateError(`${where}: Fn::GetAtt takes [logicalId, attribute]`);
  if (!scope.resources.has(id)) throw new TemplateError(`${where}: Fn::GetAtt of ${id}, ${scope.declared.has(id) ? "a resource whose Condition is false" : "which the template does not declare"}`);
  return { resource: id, attribute };
}

/** Evaluates a condition expression (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition). */
export function condition(expr: unknown, scope: Scope, where: string): boolean {
  if (typeof expr !== "object" || expr === null || Array.isArray(expr) || Object.keys(expr).length !== 1) throw new TemplateError(`${where}: a condition must be one of Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition`);
  const [fn, args] = Object.entries(expr)[0]!;
  const list = (n?: number) => {
    if (!Array.isArray(args) || (n !== undefined && args.length !== n)) throw new TemplateError(`${where}: ${fn} takes a list${n ? ` of ${n}` : ""}`);
    return args as unknown[];
  };
  switch (fn) {
    case "Condition":
      if (typeof args !== "string") throw new TemplateError(`${where}: Condition takes a condition's name`);
      return scope.conditions(args, where);
    case "Fn::Equals": {
      const [a, b] = list(2).map((v) => JSON.stringify(resolve(v, scope, `${where}.Fn::Equals`)));
      return a === b;
    }
    case "Fn::Not":
      return !condition(list(1)[0], scope, `${where}.Fn::Not`);
    case "Fn::And":
      return list().every((c) => condition(c, scope, `${where}.Fn::And`));
    case "Fn::Or":
      return list().some((c) => condition(c, scope, `${where}.Fn::Or`));
    default:
      throw new TemplateError(`${where}: ${fn} is not a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)`);
  }
}

/** Resolves every intrinsic in `value`; NO_VALUE removes a property or list item. */
export function resolve(value: unknown, scope: Scope, where: string): Resolved | typeof NO_VALUE {
  if (Array.isArray(value)) return value.map((v, i) => resolve(v, scope, `${where}[${i}]`)).filter((v): v is Resolved => v !== NO_VALUE);
  if (typeof value !== "object" || value === null) return value as Resolved;
  const keys = Object.keys(value);
  const args = (value as Record<string, unknown>)[keys[0]!];
  if (keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::") || keys[0] === "Condition")) {
    const fn = keys[0]!;
    const at = `${where}.${fn}`;
    switch (fn) {
      case "Ref":
        return ref(args, scope, where);
      case "Fn::GetAtt":
        return getAtt(args, scope, at);
      case "Fn::Sub":
        return sub(args, scope, at);
      case "Fn::Join": {
        if (!Array.isArray(args) || typeof args[0] !== "string") throw new TemplateError(`${at}: takes [delimiter, [values]]`);
        const items = resolve(args[1], scope, at);
        if (!Array.isArray(items)) throw new TemplateError(`${at}: the second argument must be a list`);
        return items.map((v) => text(v, at)).join(args[0]);
      }
      case "Fn::Select": {
        if (!Array.isArray(args) || args.length !== 2) throw new TemplateError(`${at}: takes [index, [values]]`);
        const index = Number(resolve(args[0], scope, at));
        const items = resolve(args[1], scope, at);
        if (!Array.isArray(items) || !Number.isInteger(index) || index < 0 || index >= items.length) throw new TemplateError(`${at}: index ${String(args[0])} is outside the list`);
        return items[index]!;
      }
      case "Fn::If": {
        if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== "string") throw new TemplateError(`${at}: takes [conditionName, valueIfTrue, valueIfFalse]`);
        return resolve(scope.conditions(args[0], at) ? args[1] : args[2], scope, at);
      }
      case "Fn::GetAZs":
        return ["a", "b", "c"].map((z) => `${scope.region}${z}`);
      default:
        throw new TemplateError(`${where}: ${fn} is not supported by the sandbox${NOT_SUPPORTED.includes(fn) ? "" : " (nor a CloudFormation function it knows)"}; supported: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::If, Fn::GetAZs`);
    }
  }
  const out: Record<string, Resolved> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = resolve(v, scope, `${where}.${k}`);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}
