/**
 * Query templates: `{{name}}` placeholders filled from the analysis scope. Side variables
 * ({{targetGroup}}, {{version}}, ...) take the side the query is run for.
 */
import { loadBalancerDimension, targetGroupDimension } from "./presets";
import type { Scope } from "./provider";

export type Side = "baseline" | "canary";

export function templateVariables(scope: Scope, side: Side): Record<string, string | undefined> {
  const tg = (s: Side) => targetGroupDimension(scope[s].targetGroupArn);
  const tgName = (s: Side) => tg(s).split("/")[1];
  const seconds = Math.max(1, Math.round((scope.window.end.getTime() - scope.window.start.getTime()) / 1000));
  return {
    canary: tg("canary"),
    baseline: tg("baseline"),
    canaryName: tgName("canary"),
    baselineName: tgName("baseline"),
    canaryVersion: scope.canary.version,
    baselineVersion: scope.baseline.version,
    targetGroup: tg(side),
    targetGroupName: tgName(side),
    version: scope[side].version,
    loadBalancer: loadBalancerDimension(scope[side].loadBalancerArn),
    side,
    window: `${seconds}s`,
    start: String(Math.floor(scope.window.start.getTime() / 1000)),
    end: String(Math.floor(scope.window.end.getTime() / 1000)),
  };
}

/** Fills every `{{name}}`; throws a RangeError naming an unknown or empty variable. */
export function fill(template: string, vars: Record<string, string | undefined>): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_, key: string) => {
    if (!(key in vars)) throw new RangeError(`unknown template variable {{${key}}}; known: ${Object.keys(vars).map((k) => `{{${k}}}`).join(", ")}`);
    const value = vars[key];
    if (value === undefined || value === "") throw new RangeError(`template variable {{${key}}} has no value (was the version given?)`);
    return value;
  });
}
