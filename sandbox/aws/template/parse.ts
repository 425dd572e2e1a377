/**
 * Reads a CloudFormation template (JSON, or YAML with the short forms !Ref, !GetAtt, !Sub, !Join,
 * !Select, !If, !Equals, !Not, !And, !Or, !Condition, !GetAZs) and resolves its parameters
 * (overrides, then defaults) and conditions.
 */
import { parse as parseYaml, type Tags } from "yaml";
import { condition, TemplateError, type Scope } from "./intrinsics";

const SHORT = ["Ref", "Sub", "Join", "Select", "If", "Equals", "Not", "And", "Or", "Condition", "GetAZs", "GetAtt", "FindInMap", "ImportValue", "Base64", "Cidr", "Split"];

const customTags: Tags = SHORT.flatMap((name) => {
  const key = name === "Ref" || name === "Condition" ? name : `Fn::${name}`;
  const wrap = (value: unknown) => ({ [key]: name === "GetAtt" && typeof value === "string" ? value.split(/\.(.*)/s).slice(0, 2) : value });
  return (["scalar", "seq", "map"] as const).map((collection) => ({
    tag: `!${name}`,
    collection: collection === "scalar" ? undefined : collection,
    resolve: (value: unknown) => wrap(typeof value === "object" && value !== null && "toJSON" in value ? (value as { toJSON(): unknown }).toJSON() : value),
  })) as Tags;
});

export interface Template {
  Parameters?: Record<string, { Type?: string; Default?: unknown; AllowedValues?: unknown[]; AllowedPattern?: string }>;
  Conditions?: Record<string, unknown>;
  Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown>; Condition?: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

export function parseTemplate(textIn: string, file: string): Template {
  let parsed: unknown;
  try {
    parsed = /^\s*\{/.test(textIn) ? JSON.parse(textIn) : parseYaml(textIn, { customTags });
  } catch (error) {
    throw new TemplateError(`${file} is not valid JSON or YAML: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || typeof (parsed as Template).Resources !== "object") throw new TemplateError(`${file} is not a CloudFormation template: it has no Resources`);
  return parsed as Template;
}

/** Placeholders for AWS-specific parameter types the sandbox does not model (VPCs and subnets). */
function placeholder(type: string, name: string, image: string | undefined): string | string[] | undefined {
  if (type === "AWS::EC2::VPC::Id") return "vpc-0000000000sandbox";
  if (type === "List<AWS::EC2::Subnet::Id>") return ["subnet-00000000sandboxa", "subnet-00000000sandboxb"];
  if (type === "AWS::EC2::Subnet::Id") return "subnet-00000000sandboxa";
  if (type === "List<AWS::EC2::SecurityGroup::Id>") return [];
  if (type === "AWS::EC2::Image::Id" && image) return image;
  void name;
  return undefined;
}

export function resolveParameters(template: Template, overrides: Record<string, string>, defaultImage: string | undefined): Map<string, string | string[]> {
  const declared = template.Parameters ?? {};
  for (const key of Object.keys(overrides)) {
    if (!(key in declared)) throw new TemplateError(`parameter ${key} is not declared by the template; its parameters: ${Object.keys(declared).join(", ") || "none"}`);
  }
  const out = new Map<string, string | string[]>();
  for (const [name, p] of Object.entries(declared)) {
    const type = p.Type ?? "String";
    const raw = overrides[name] ?? (p.Default !== undefined ? String(p.Default) : undefined);
    const isList = type.startsWith("List<") || type === "CommaDelimitedList";
    let value: string | string[] | undefined = raw === undefined ? undefined : isList ? (raw === "" ? [] : raw.split(",").map((s) => s.trim())) : raw;
    value ??= placeholder(type, name, defaultImage);
    if (value === undefined) throw new TemplateError(`parameter ${name} (${type}) has no default: pass --parameter ${name}=<value>`);
    if (type === "Number" && (typeof value !== "string" || !Number.isFinite(Number(value)))) throw new TemplateError(`parameter ${name} is a Number, got "${String(value)}"`);
    if (p.AllowedValues && !p.AllowedValues.map(String).includes(String(value))) throw new TemplateError(`parameter ${name} got "${String(value)}"; allowed: ${p.AllowedValues.join(", ")}`);
    if (p.AllowedPattern && typeof value === "string" && !new RegExp(p.AllowedPattern).test(value)) throw new TemplateError(`parameter ${name} got "${value}", which does not match ${p.AllowedPattern}`);
    out.set(name, value);
  }
  return out;
}

/** The scope in which a template's intrinsics resolve: its parameters, conditions and resources. */
export function templateScope(template: Template, parameters: Map<string, string | string[]>, env: { region: string; accountId: string; stackName?: string }): Scope {
  const cache = new Map<string, boolean>();
  const evaluating = new Set<string>();
  const resourcesAll = Object.entries(template.Resources ?? {});
  const scope: Scope = {
    parameters,
    region: env.region,
    accountId: env.accountId,
    stackName: env.stackName ?? "sandbox",
    declared: new Set(resourcesAll.map(([id]) => id)),
    resources: new Set(),
    conditions: (name, where) => {
      if (cache.has(name)) return cache.get(name)!;
      const expr = template.Conditions?.[name];
      if (expr === undefined) throw new TemplateError(`${where}: no condition named ${name}; conditions: ${Object.keys(template.Conditions ?? {}).join(", ") || "none"}`);
      if (evaluating.has(name)) throw new TemplateError(`condition ${name} refers to itself`);
      evaluating.add(name);
      const value = condition(expr, scope, `Conditions.${name}`);
      cache.set(name, value);
      return value;
    },
  };
  for (const [id, r] of resourcesAll) {
    if (r.Condition === undefined || scope.conditions(r.Condition, `Resources.${id}.Condition`)) scope.resources.add(id);
  }
  return scope;
}
