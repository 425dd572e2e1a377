/** How a listener picks an action: rules by priority (path-pattern, host-header, …), then the default. */
import type { IncomingRequest, RoutePlan, ForwardGroup } from "../contracts";
import type { Action, Condition, ForwardTarget, Rule } from "./model";

const compiled = new Map<string, RegExp>();

/** ELB wildcards: `*` any run of characters, `?` exactly one. Compiled once per pattern. */
function wildcard(pattern: string, flags: string): RegExp {
  const key = `${flags}:${pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    regex = new RegExp(`^${body}$`, flags);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(key, regex);
  }
  return regex;
}

function header(request: IncomingRequest, name: string): string[] {
  const value = request.headers[name.toLowerCase()];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function conditionMatches(condition: Condition, request: IncomingRequest): boolean {
  const path = request.path.split("?")[0] ?? "/";
  const rawQuery = (request as { query?: unknown }).query;
  const query = new URLSearchParams(typeof rawQuery === "string" ? rawQuery : request.path.includes("?") ? request.path.slice(request.path.indexOf("?") + 1) : "");
  const host = request.host.replace(/:[0-9]+$/, "");
  const field = condition.Field;
  if (field === "path-pattern") {
    const values = condition.PathPatternConfig?.Values ?? condition.Values ?? [];
    return values.some((v) => wildcard(v, "").test(path));
  }
  if (field === "host-header") {
    const values = condition.HostHeaderConfig?.Values ?? condition.Values ?? [];
    return values.some((v) => wildcard(v, "i").test(host));
  }
  if (field === "http-request-method") {
    return (condition.HttpRequestMethodConfig?.Values ?? []).some((v) => v.toUpperCase() === request.method.toUpperCase());
  }
  if (field === "http-header" && condition.HttpHeaderConfig) {
    const { HttpHeaderName, Values } = condition.HttpHeaderConfig;
    const present = header(request, HttpHeaderName);
    return Values.some((v) => present.some((p) => wildcard(v, "i").test(p)));
  }
  if (field === "query-string" && condition.QueryStringConfig) {
    return condition.QueryStringConfig.Values.some((kv) =>
      kv.Key === undefined ? [...query.values()].some((v) => wildcard(kv.Value, "i").test(v)) : query.getAll(kv.Key).some((v) => wildcard(kv.Value, "i").test(v)),
    );
  }
  // source-ip and anything else the sandbox cannot evaluate never match.
  return false;
}

export function ruleMatches(rule: Rule, request: IncomingRequest): boolean {
  return rule.conditions.length > 0 && rule.conditions.every((c) => conditionMatches(c, request));
}

/** The forward targets of an action in one normalized shape (the single-ARN form has weight 1). */
export function forwardTargets(action: Action): ForwardTarget[] {
  if (action.Type !== "forward") return [];
  if (action.ForwardConfig && action.ForwardConfig.TargetGroups.length > 0) return action.ForwardConfig.TargetGroups;
  return action.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }] : [];
}

/** The action that decides where a request goes: the last one by Order (authenticate actions come first). */
export function routingAction(actions: Action[]): Action | undefined {
  const sorted = [...actions].sort((a, b) => (a.Order ?? 50001) - (b.Order ?? 50001));
  return sorted.filter((a) => !a.Type.startsWith("authenticate-")).at(-1);
}

export interface PlanContext {
  loadBalancerDimension: string;
  listenerPort: number;
  group(arn: string): Omit<ForwardGroup, "weight"> | undefined;
  /** Config stickinessBeatsWeight (AWS: true). */
  stickinessBeatsWeight?: boolean;
}

export function planFor(actions: Action[], request: IncomingRequest, ctx: PlanContext): RoutePlan {
  const action = routingAction(actions);
  if (!action) return { kind: "fixed-response", status: 503, contentType: "text/plain", body: "no routing action" };
  if (action.Type === "fixed-response" && action.FixedResponseConfig) {
    const c = action.FixedResponseConfig;
    return { kind: "fixed-response", status: Number(c.StatusCode), contentType: c.ContentType ?? "text/plain", body: c.MessageBody ?? "" };
  }
  if (action.Type === "redirect" && action.RedirectConfig) {
    const c = action.RedirectConfig;
    const [path = "/", inlineQuery = ""] = request.path.split("?");
    const rawQuery = (request as { query?: unknown }).query;
    const query = typeof rawQuery === "string" ? rawQuery : inlineQuery;
    const host = request.host.replace(/:[0-9]+$/, "");
    const fill = (template: string) =>
      template
        .replace(/#\{protocol\}/g, "http")
        .replace(/#\{host\}/g, host)
        .replace(/#\{port\}/g, String(ctx.listenerPort))
        .replace(/#\{path\}/g, path.replace(/^\//, ""))
        .replace(/#\{query\}/g, query);
    const protocol = fill(c.Protocol ?? "#{protocol}").toLowerCase();
    const target = `${protocol}://${fill(c.Host ?? "#{host}")}:${fill(c.Port ?? "#{port}")}/${fill(c.Path ?? "/#{path}").replace(/^\//, "")}`;
    const q = fill(c.Query ?? "#{query}");
    return { kind: "redirect", status: c.StatusCode === "HTTP_302" ? 302 : 301, location: q ? `${target}?${q}` : target };
  }
  const groups: ForwardGroup[] = [];
  for (const t of forwardTargets(action)) {
    const g = ctx.group(t.TargetGroupArn);
    if (g) groups.push({ ...g, weight: t.Weight });
  }
  const sticky = action.ForwardConfig?.TargetGroupStickinessConfig;
  return {
    kind: "forward",
    loadBalancerDimension: ctx.loadBalancerDimension,
    groups,
    stickiness: { enabled: sticky?.Enabled === true, durationSeconds: sticky?.DurationSeconds ?? 0, beatsWeight: ctx.stickinessBeatsWeight !== false },
  };
}
