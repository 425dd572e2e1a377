/** Helpers shared by the template mapping: typed reads of resolved properties, each error naming where. */
import type { SandboxConfig } from "../config";
import { TemplateError, type Resolved, type Scope } from "./intrinsics";

export type Props = Record<string, Resolved>;
export type Config = Required<Pick<SandboxConfig, "targetGroups" | "loadBalancers" | "launchTemplates" | "autoScalingGroups" | "alarms">>;

export interface Ctx {
  config: Config;
  names: Record<string, string>;
  nameOf: (v: Resolved | undefined, type: string, where: string) => string;
  scope: Scope;
}

export const at = (id: string, prop: string) => `Resources.${id}.Properties.${prop}`;

export function num(v: Resolved | undefined, where: string): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new TemplateError(`${where}: expected a number, got ${JSON.stringify(v)}`);
  return n;
}

export function str(v: Resolved | undefined, where: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new TemplateError(`${where}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

export function tags(v: Resolved | undefined, where: string): Record<string, string> {
  if (v === undefined) return {};
  if (!Array.isArray(v)) throw new TemplateError(`${where}: expected a list of {Key, Value}`);
  return Object.fromEntries(v.map((t, i) => {
    const tag = t as Props;
    return [str(tag.Key, `${where}[${i}].Key`)!, str(tag.Value, `${where}[${i}].Value`) ?? ""];
  }));
}

export function only(obj: Props, allowed: string[], where: string): Props {
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) throw new TemplateError(`${where}: property ${key} is not supported by the sandbox; supported: ${allowed.join(", ")}`);
  return obj;
}

export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

