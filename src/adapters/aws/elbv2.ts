/** The one SDK adapter for Elastic Load Balancing v2: traffic router, target groups, tags, discovery. */
import {
  type Action,
  AddTagsCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  RemoveTagsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { loadBalancerArnOf } from "../../util/arn";
import type {
  ForwardState,
  ListenerDiscovery,
  ResourceTags,
  RoutingRef,
  Stickiness,
  TargetGroupInfo,
  TargetGroups,
  TargetHealthEntry,
  TargetStateName,
  TrafficRouter,
  WeightedGroup,
} from "../../ports/load-balancer";
import { ConfigurationError, wrapError } from "../../util/errors";

const PAGE_SIZE = 400;

function listenerArnOfRule(ruleArn: string): string {
  return ruleArn.replace(":listener-rule/", ":listener/").replace(/\/[0-9a-f]{16}$/, "");
}

function forwardOf(actions: Action[] | undefined, ref: RoutingRef): { index: number; action: Action } {
  const index = (actions ?? []).findIndex((a) => a.Type === "forward");
  if (index < 0) {
    const types = (actions ?? []).map((a) => a.Type).join(", ") || "none";
    throw new ConfigurationError(`${ref.kind === "listener" ? "Listener" : "Rule"} ${ref.arn} has no forward action (its actions: ${types}); the suite shifts traffic only between target groups of a forward action.`);
  }
  return { index, action: actions![index]! };
}

function groupsOf(action: Action): WeightedGroup[] {
  const fromConfig = action.ForwardConfig?.TargetGroups ?? [];
  if (fromConfig.length > 0) return fromConfig.map((g) => ({ targetGroupArn: g.TargetGroupArn ?? "", weight: g.Weight ?? 1 }));
  return action.TargetGroupArn ? [{ targetGroupArn: action.TargetGroupArn, weight: 1 }] : [];
}

function stickinessOf(action: Action): Stickiness {
  const config = action.ForwardConfig?.TargetGroupStickinessConfig;
  return { enabled: config?.Enabled ?? false, durationSeconds: config?.DurationSeconds };
}

/** An action as read, made fit to write back unchanged (write-only secrets are kept by reference). */
function writable(action: Action): Action {
  const copy: Action = { ...action };
  if (copy.AuthenticateOidcConfig) copy.AuthenticateOidcConfig = { ...copy.AuthenticateOidcConfig, UseExistingClientSecret: true };
  return copy;
}

export class ElbV2Adapter implements TrafficRouter, TargetGroups, ListenerDiscovery {
  /** The actions last read per routing resource, so a write changes only the weights of what was read. */
  private readonly lastActions = new Map<string, Action[]>();
  /** Default rules read so far, by rule ARN: their listener's ARN. */
  private readonly defaultRules = new Map<string, string>();

  constructor(private readonly client: () => Promise<ElasticLoadBalancingV2Client>) {}

  private async actionsOf(ref: RoutingRef): Promise<{ actions: Action[]; listenerArn: string }> {
    const client = await this.client();
    try {
      if (ref.kind === "listener") {
        const out = await client.send(new DescribeListenersCommand({ ListenerArns: [ref.arn] }));
        const listener = out.Listeners?.[0];
        const actions = listener?.DefaultActions ?? [];
        this.lastActions.set(ref.arn, actions);
        return { actions, listenerArn: ref.arn };
      }
      const out = await client.send(new DescribeRulesCommand({ RuleArns: [ref.arn] }));
      const rule = out.Rules?.[0];
      const actions = rule?.Actions ?? [];
      const listenerArn = listenerArnOfRule(ref.arn);
      this.lastActions.set(ref.arn, actions);
      if (rule?.IsDefault) {
        // The default rule's actions are the listener's default actions; ModifyRule cannot change them.
        this.defaultRules.set(ref.arn, listenerArn);
        this.lastActions.set(listenerArn, actions);
      }
      return { actions, listenerArn };
    } catch (error) {
      throw wrapError(`Reading ${ref.kind} ${ref.arn}`, error);
    }
  }

  /**
   * The forward action's state. A rule ARN that names a listener's default rule (IsDefault) reads as
   * that listener (`ref` is the listener), since AWS changes a default rule only with ModifyListener.
   */
  async read(ref: RoutingRef): Promise<ForwardState> {
    const { actions, listenerArn } = await this.actionsOf(ref);
    const { action } = forwardOf(actions, ref);
    const holder: RoutingRef = this.defaultRules.has(ref.arn) ? { kind: "listener", arn: listenerArn } : ref;
    return { ref: holder, listenerArn, loadBalancerArn: loadBalancerArnOf(listenerArn), groups: groupsOf(action), stickiness: stickinessOf(action) };
  }

  async setWeights(given: RoutingRef, groups: WeightedGroup[], stickiness?: Stickiness): Promise<void> {
    const defaultOf = this.defaultRules.get(given.arn);
    const ref: RoutingRef = defaultOf ? { kind: "listener", arn: defaultOf } : given;
    const actions = this.lastActions.get(ref.arn) ?? (await this.actionsOf(ref)).actions;
    const { index, action } = forwardOf(actions, ref);
    const stick = stickiness ?? stickinessOf(action);
    const forward: Action = {
      ...action,
      TargetGroupArn: undefined,
      ForwardConfig: {
        TargetGroups: groups.map((g) => ({ TargetGroupArn: g.targetGroupArn, Weight: g.weight })),
        TargetGroupStickinessConfig: stick.enabled ? { Enabled: true, DurationSeconds: stick.durationSeconds } : { Enabled: false },
      },
    };
    const next = actions.map((a, i) => (i === index ? forward : writable(a)));
    const client = await this.client();
    try {
      if (ref.kind === "listener") await client.send(new ModifyListenerCommand({ ListenerArn: ref.arn, DefaultActions: next }));
      else await client.send(new ModifyRuleCommand({ RuleArn: ref.arn, Actions: next }));
    } catch (error) {
      throw wrapError(`Writing the weights of ${ref.kind} ${ref.arn}`, error);
    }
  }

  async describe(arns: string[]): Promise<TargetGroupInfo[]> {
    if (arns.length === 0) return [];
    const client = await this.client();
    const out: TargetGroupInfo[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = await client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns, Marker: marker, PageSize: PAGE_SIZE }));
        for (const tg of page.TargetGroups ?? []) {
          const healthCheck =
            tg.HealthCheckIntervalSeconds !== undefined && tg.UnhealthyThresholdCount !== undefined
              ? { enabled: tg.HealthCheckEnabled !== false, intervalSeconds: tg.HealthCheckIntervalSeconds, unhealthyThreshold: tg.UnhealthyThresholdCount }
              : undefined;
          out.push({ arn: tg.TargetGroupArn ?? "", name: tg.TargetGroupName ?? "", targetType: tg.TargetType ?? "instance", loadBalancerArns: tg.LoadBalancerArns ?? [], healthCheck });
        }
        marker = page.NextMarker;
      } while (marker);
    } catch (error) {
      throw wrapError(`Describing target groups ${arns.join(", ")}`, error);
    }
    return out;
  }

  async health(arn: string): Promise<TargetHealthEntry[]> {
    const client = await this.client();
    try {
      const out = await client.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      return (out.TargetHealthDescriptions ?? []).map((d) => ({
        id: d.Target?.Id ?? "",
        port: d.Target?.Port,
        state: (d.TargetHealth?.State ?? "unavailable") as TargetStateName,
        reason: d.TargetHealth?.Reason,
        description: d.TargetHealth?.Description,
      }));
    } catch (error) {
      throw wrapError(`Reading the target health of ${arn}`, error);
    }
  }

  async deregistrationDelaySeconds(arn: string): Promise<number> {
    const client = await this.client();
    try {
      const out = await client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
      const value = out.Attributes?.find((a) => a.Key === "deregistration_delay.timeout_seconds")?.Value;
      return value === undefined ? 300 : Number(value);
    } catch (error) {
      throw wrapError(`Reading the attributes of ${arn}`, error);
    }
  }

  async readTags(arns: string[]): Promise<Map<string, Record<string, string>>> {
    const client = await this.client();
    const out = new Map<string, Record<string, string>>();
    try {
      for (let i = 0; i < arns.length; i += 20) {
        const page = await client.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
        for (const d of page.TagDescriptions ?? []) {
          out.set(d.ResourceArn ?? "", Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])));
        }
      }
    } catch (error) {
      throw wrapError(`Reading tags of ${arns.join(", ")}`, error);
    }
    return out;
  }

  async writeTags(arn: string, tags: Record<string, string>): Promise<void> {
    const client = await this.client();
    try {
      await client.send(new AddTagsCommand({ ResourceArns: [arn], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
    } catch (error) {
      throw wrapError(`Tagging ${arn}`, error);
    }
  }

  async removeTags(arn: string, keys: string[]): Promise<void> {
    const client = await this.client();
    try {
      await client.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: keys }));
    } catch (error) {
      throw wrapError(`Removing tags ${keys.join(", ")} from ${arn}`, error);
    }
  }

  async routingCandidates(loadBalancerArn: string): Promise<ForwardState[]> {
    const client = await this.client();
    const out: ForwardState[] = [];
    try {
      let marker: string | undefined;
      do {
        const page = await client.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker: marker, PageSize: PAGE_SIZE }));
        for (const listener of page.Listeners ?? []) {
          const listenerArn = listener.ListenerArn ?? "";
          const ref: RoutingRef = { kind: "listener", arn: listenerArn };
          const forward = listener.DefaultActions?.find((a) => a.Type === "forward");
          if (forward) {
            this.lastActions.set(listenerArn, listener.DefaultActions ?? []);
            out.push({ ref, listenerArn, loadBalancerArn, groups: groupsOf(forward), stickiness: stickinessOf(forward) });
          }
          let ruleMarker: string | undefined;
          do {
            const rules = await client.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: ruleMarker, PageSize: PAGE_SIZE }));
            for (const rule of rules.Rules ?? []) {
              if (rule.IsDefault) continue;
              const ruleForward = rule.Actions?.find((a) => a.Type === "forward");
              if (!ruleForward || !rule.RuleArn) continue;
              this.lastActions.set(rule.RuleArn, rule.Actions ?? []);
              out.push({ ref: { kind: "rule", arn: rule.RuleArn }, listenerArn, loadBalancerArn, groups: groupsOf(ruleForward), stickiness: stickinessOf(ruleForward) });
            }
            ruleMarker = rules.NextMarker;
          } while (ruleMarker);
        }
        marker = page.NextMarker;
      } while (marker);
    } catch (error) {
      throw wrapError(`Listing the listeners and rules of ${loadBalancerArn}`, error);
    }
    return out;
  }
}

/** The ResourceTags view of the adapter. */
export function elbTags(adapter: ElbV2Adapter): ResourceTags {
  return {
    read: (arns) => adapter.readTags(arns),
    write: (arn, tags) => adapter.writeTags(arn, tags),
    remove: (arn, keys) => adapter.removeTags(arn, keys),
  };
}
