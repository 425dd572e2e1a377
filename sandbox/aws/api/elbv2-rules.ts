/**
 * ELBv2 CreateRule and DeleteRule, with the semantics of AWS: a priority is unique on its listener
 * (PriorityInUse), a load balancer has at most 100 rules besides its listeners' default rules
 * (TooManyRules, the default quota), the default rule cannot be deleted (OperationNotPermitted), and a
 * rule that does not exist is RuleNotFound. Rules carry tags (Tags on CreateRule, AddTags later).
 */
import { z } from "zod";
import type { Rule } from "../world/model";
import type { World } from "../world/world";
import { actionInput, conditionInput, normalizeActions, normalizeConditions } from "./elbv2-actions";
import { ruleOut } from "./elbv2-shapes";
import { AwsError, validationError } from "./errors";
import { int, list, parseParams, str, tag } from "./params";
import type { Handler } from "./service";

/** "Rules per Application Load Balancer (not counting default rules)": 100 by default. */
export const RULES_PER_LOAD_BALANCER = 100;
const TAGS_PER_RESOURCE = 50;

function rulesOfLoadBalancer(world: World, loadBalancerArn: string): number {
  const lb = world.loadBalancers.get(loadBalancerArn);
  return (lb?.listenerArns ?? []).reduce((n, arn) => n + (world.listeners.get(arn)?.ruleArns.length ?? 0), 0);
}

function checkTags(tags: { Key: string; Value?: string | undefined }[]): void {
  const keys = new Set<string>();
  for (const t of tags) {
    if (keys.has(t.Key)) throw new AwsError("DuplicateTagKeys", `Tag key '${t.Key}' is duplicated`);
    if (t.Key.startsWith("aws:")) throw validationError(`Tag key '${t.Key}' uses the reserved prefix 'aws:'`);
    keys.add(t.Key);
  }
  if (keys.size > TAGS_PER_RESOURCE) throw new AwsError("TooManyTags", `You've reached the limit on the number of tags for this resource (${TAGS_PER_RESOURCE})`);
}

export const ruleOperations: Record<string, Handler> = {
  CreateRule(raw, { world }) {
    const p = parseParams(
      z.object({ ListenerArn: str, Priority: int(1, 50000), Conditions: list(conditionInput), Actions: list(actionInput), Tags: list(tag).optional() }),
      raw,
    );
    const listener = world.listeners.get(p.ListenerArn);
    if (!listener) throw new AwsError("ListenerNotFound", "One or more listeners not found");
    const conditions = normalizeConditions(p.Conditions);
    const actions = normalizeActions(world, p.Actions, "Actions");
    if (p.Tags?.length) checkTags(p.Tags);
    if (world.rulesOf(listener).some((r) => r.priority === p.Priority)) throw new AwsError("PriorityInUse", "The specified priority is in use.");
    if (rulesOfLoadBalancer(world, listener.loadBalancerArn) >= RULES_PER_LOAD_BALANCER) {
      throw new AwsError("TooManyRules", `You've reached the limit on the number of rules per load balancer (${RULES_PER_LOAD_BALANCER})`);
    }
    const rule: Rule = {
      arn: `${listener.arn.replace(":listener/", ":listener-rule/")}/${world.hex(16)}`,
      listenerArn: listener.arn,
      priority: p.Priority,
      conditions,
      actions,
    };
    world.rules.set(rule.arn, rule);
    world.tags.set(rule.arn, new Map((p.Tags ?? []).map((t) => [t.Key, t.Value ?? ""])));
    listener.ruleArns.push(rule.arn);
    world.recordWeights(rule.arn);
    world.refreshInUse();
    return { Rules: [ruleOut(rule)] };
  },

  DeleteRule(raw, { world }) {
    const p = parseParams(z.object({ RuleArn: str }), raw);
    const rule = world.rules.get(p.RuleArn);
    if (!rule) {
      if ([...world.listeners.values()].some((l) => l.defaultRuleArn === p.RuleArn)) {
        throw new AwsError("OperationNotPermitted", "The default rule of a listener cannot be deleted; delete the listener, or change its default actions with ModifyListener");
      }
      throw new AwsError("RuleNotFound", "One or more rules not found");
    }
    const listener = world.listeners.get(rule.listenerArn)!;
    listener.ruleArns = listener.ruleArns.filter((arn) => arn !== rule.arn);
    world.rules.delete(rule.arn);
    world.tags.delete(rule.arn);
    world.refreshInUse();
    return {};
  },
};
