/** Elastic Load Balancing v2 (awsQuery, 2015-12-01): load balancers, listeners, rules, target groups, tags. */
import { z } from "zod";
import type { World } from "../world/world";
import type { Listener } from "../world/model";
import { actionInput, conditionInput, normalizeActions, normalizeConditions } from "./elbv2-actions";
import { attributesOut, defaultRuleOut, lbOut, listenerOut, ruleOut, tgOut } from "./elbv2-shapes";
import { ruleOperations } from "./elbv2-rules";
import { AwsError, validationError } from "./errors";
import { int, list, parseParams, str, tag } from "./params";
import { paginate, type ServiceDefinition } from "./service";

const notFound = {
  loadBalancer: () => new AwsError("LoadBalancerNotFound", "One or more load balancers not found"),
  listener: () => new AwsError("ListenerNotFound", "One or more listeners not found"),
  rule: () => new AwsError("RuleNotFound", "One or more rules not found"),
  targetGroup: () => new AwsError("TargetGroupNotFound", "One or more target groups not found"),
};

const paging = { Marker: str.optional(), PageSize: int(1, 400).optional() };

function page<T>(items: T[], params: { Marker?: string | undefined; PageSize?: number | undefined }) {
  const { page, next } = paginate(items, params.Marker, params.PageSize ?? 400, () => validationError(`Invalid Marker '${params.Marker}'`));
  return { page, NextMarker: next };
}

// -------------------------------------------------------------------------------------------
// Tags
// -------------------------------------------------------------------------------------------

function taggable(world: World, arn: string): Map<string, string> {
  const tags = world.tags.get(arn);
  if (tags) return tags;
  const kind = /:elasticloadbalancing:[^:]*:[^:]*:([a-z-]+)\//.exec(arn)?.[1];
  if (kind === "loadbalancer") throw notFound.loadBalancer();
  if (kind === "listener") throw notFound.listener();
  if (kind === "listener-rule") throw notFound.rule();
  if (kind === "targetgroup") throw notFound.targetGroup();
  throw validationError(`'${arn}' is not a valid load balancer, listener, rule or target group ARN`);
}

const ATTRIBUTE_RULES: Record<string, (v: string) => boolean> = {
  "deregistration_delay.timeout_seconds": (v) => /^[0-9]+$/.test(v) && Number(v) <= 3600,
  "stickiness.enabled": (v) => v === "true" || v === "false",
  "stickiness.type": (v) => v === "lb_cookie" || v === "app_cookie",
  "stickiness.lb_cookie.duration_seconds": (v) => /^[0-9]+$/.test(v) && Number(v) >= 1 && Number(v) <= 604800,
  "stickiness.app_cookie.cookie_name": (v) => v.length <= 256,
  "stickiness.app_cookie.duration_seconds": (v) => /^[0-9]+$/.test(v) && Number(v) >= 1 && Number(v) <= 604800,
  "slow_start.duration_seconds": (v) => /^[0-9]+$/.test(v) && (Number(v) === 0 || (Number(v) >= 30 && Number(v) <= 900)),
  "load_balancing.algorithm.type": (v) => ["round_robin", "least_outstanding_requests", "weighted_random"].includes(v),
  "load_balancing.cross_zone.enabled": (v) => ["true", "false", "use_load_balancer_configuration"].includes(v),
};

// -------------------------------------------------------------------------------------------
// Operations
// -------------------------------------------------------------------------------------------

export const elbv2: ServiceDefinition = {
  name: "ElasticLoadBalancingV2",
  signingName: "elasticloadbalancing",
  version: "2015-12-01",
  namespace: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
  protocol: "query",
  operations: {
    ...ruleOperations,

    DescribeLoadBalancers(raw, { world }) {
      const p = parseParams(z.object({ LoadBalancerArns: list(str, 20).optional(), Names: list(str).optional(), ...paging }), raw);
      if (p.LoadBalancerArns?.length && p.Names?.length) throw validationError("Load balancer names and load balancer ARNs cannot be specified at the same time");
      let items = [...world.loadBalancers.values()];
      if (p.LoadBalancerArns?.length) items = p.LoadBalancerArns.map((arn) => world.loadBalancers.get(arn) ?? throwIt(notFound.loadBalancer()));
      if (p.Names?.length) items = p.Names.map((n) => items.find((lb) => lb.name === n) ?? throwIt(new AwsError("LoadBalancerNotFound", `Load balancers '[${n}]' not found`)));
      const { page: out, NextMarker } = page(items, p);
      return { LoadBalancers: out.map((lb) => lbOut(world, lb)), NextMarker };
    },

    DescribeListeners(raw, { world }) {
      const p = parseParams(z.object({ LoadBalancerArn: str.optional(), ListenerArns: list(str).optional(), ...paging }), raw);
      let items: Listener[];
      if (p.ListenerArns?.length) {
        if (p.LoadBalancerArn) throw validationError("Listener ARNs and a load balancer ARN cannot be specified at the same time");
        items = p.ListenerArns.map((arn) => world.listeners.get(arn) ?? throwIt(notFound.listener()));
      } else if (p.LoadBalancerArn) {
        const lb = world.loadBalancers.get(p.LoadBalancerArn) ?? throwIt(notFound.loadBalancer());
        items = lb.listenerArns.map((arn) => world.listeners.get(arn)!);
      } else {
        throw validationError("You must specify either listener ARNs or a load balancer ARN");
      }
      const { page: out, NextMarker } = page(items, p);
      return { Listeners: out.map(listenerOut), NextMarker };
    },

    DescribeRules(raw, { world }) {
      const p = parseParams(z.object({ ListenerArn: str.optional(), RuleArns: list(str).optional(), ...paging }), raw);
      let items: ReturnType<typeof ruleOut>[];
      if (p.RuleArns?.length) {
        if (p.ListenerArn) throw validationError("Rule ARNs and a listener ARN cannot be specified at the same time");
        items = p.RuleArns.map((arn) => {
          const rule = world.rules.get(arn);
          if (rule) return ruleOut(rule);
          const listener = [...world.listeners.values()].find((l) => l.defaultRuleArn === arn);
          return listener ? defaultRuleOut(listener) : throwIt(notFound.rule());
        });
      } else if (p.ListenerArn) {
        const listener = world.listeners.get(p.ListenerArn) ?? throwIt(notFound.listener());
        items = [...world.rulesOf(listener).map(ruleOut), defaultRuleOut(listener)];
      } else {
        throw validationError("You must specify either listener ARN or rule ARNs");
      }
      const { page: out, NextMarker } = page(items, p);
      return { Rules: out, NextMarker };
    },

    ModifyListener(raw, { world }) {
      const p = parseParams(
        z.object({
          ListenerArn: str,
          Port: int(1, 65535).optional(),
          Protocol: str.optional(),
          DefaultActions: list(actionInput).optional(),
          SslPolicy: str.optional(),
          Certificates: list(z.object({ CertificateArn: str.optional() })).optional(),
        }),
        raw,
      );
      const listener = world.listeners.get(p.ListenerArn) ?? throwIt(notFound.listener());
      if (p.Protocol !== undefined && p.Protocol !== "HTTP") throw new AwsError("UnsupportedProtocol", `Protocol '${p.Protocol}' is not supported by the sandbox's listeners (HTTP only)`);
      if (p.Certificates?.length || p.SslPolicy) throw new AwsError("IncompatibleProtocols", "Certificates and SSL policies apply only to HTTPS listeners");
      const actions = p.DefaultActions !== undefined ? normalizeActions(world, p.DefaultActions, "DefaultActions") : undefined;
      if (p.Port !== undefined) listener.port = p.Port;
      if (actions) {
        listener.defaultActions = actions;
        world.recordWeights(listener.defaultRuleArn);
        world.refreshInUse();
      }
      return { Listeners: [listenerOut(listener)] };
    },

    ModifyRule(raw, { world }) {
      const p = parseParams(z.object({ RuleArn: str, Conditions: list(conditionInput).optional(), Actions: list(actionInput).optional() }), raw);
      const found = world.actionsOf(p.RuleArn) ?? throwIt(notFound.rule());
      // API_ModifyRule: "To modify the actions for the default rule, use ModifyListener". AWS answers
      // OperationNotPermitted "Default rule '<arn>' cannot be modified" (seen in public reports).
      if (found.isDefault) throw new AwsError("OperationNotPermitted", `Default rule '${p.RuleArn}' cannot be modified`);
      const actions = p.Actions !== undefined ? normalizeActions(world, p.Actions, "Actions") : undefined;
      const rule = world.rules.get(p.RuleArn)!;
      if (p.Conditions !== undefined) rule.conditions = normalizeConditions(p.Conditions);
      if (actions) {
        rule.actions = actions;
        world.recordWeights(rule.arn);
        world.refreshInUse();
      }
      return { Rules: [ruleOut(rule)] };
    },

    DescribeTargetGroups(raw, { world }) {
      const p = parseParams(z.object({ LoadBalancerArn: str.optional(), TargetGroupArns: list(str).optional(), Names: list(str).optional(), ...paging }), raw);
      const given = [p.LoadBalancerArn, p.TargetGroupArns?.length ? 1 : undefined, p.Names?.length ? 1 : undefined].filter((x) => x !== undefined);
      if (given.length > 1) throw validationError("Specify only one of LoadBalancerArn, TargetGroupArns and Names");
      let items = [...world.targetGroups.values()];
      if (p.LoadBalancerArn) items = world.targetGroupsOf(world.loadBalancers.get(p.LoadBalancerArn) ?? throwIt(notFound.loadBalancer()));
      if (p.TargetGroupArns?.length) items = p.TargetGroupArns.map((arn) => world.targetGroups.get(arn) ?? throwIt(notFound.targetGroup()));
      if (p.Names?.length) items = p.Names.map((n) => items.find((t) => t.name === n) ?? throwIt(new AwsError("TargetGroupNotFound", `Target groups '[${n}]' not found`)));
      const { page: out, NextMarker } = page(items, p);
      return { TargetGroups: out.map((tg) => tgOut(world, tg)), NextMarker };
    },

    DescribeTargetHealth(raw, { world }) {
      const p = parseParams(
        z.object({ TargetGroupArn: str, Targets: list(z.object({ Id: str, Port: int(1, 65535).optional(), AvailabilityZone: str.optional() })).optional(), Include: list(str).optional() }),
        raw,
      );
      const tg = world.targetGroups.get(p.TargetGroupArn) ?? throwIt(notFound.targetGroup());
      const views = new Map(tg.health.describe().map((v) => [v.id, v]));
      const asked = p.Targets?.length ? p.Targets : [...tg.targets.values()].map((t) => ({ Id: t.id, Port: t.port }));
      const invalid = asked.filter((t) => !world.instances.has(t.Id));
      if (invalid.length > 0) throw new AwsError("InvalidTarget", `The following targets are not valid instances: ${invalid.map((t) => `'${t.Id}'`).join(", ")}`);
      const hcPort = (port: number) => (tg.healthCheck.port === "traffic-port" ? String(port) : tg.healthCheck.port);
      return {
        TargetHealthDescriptions: asked.map((t) => {
          const registered = tg.targets.get(t.Id);
          const port = t.Port ?? registered?.port ?? tg.port;
          const view = views.get(t.Id);
          if (!registered || !view) {
            return { Target: { Id: t.Id, Port: port }, HealthCheckPort: hcPort(port), TargetHealth: { State: "unused", Reason: "Target.NotRegistered", Description: "Target is not registered to the target group" } };
          }
          const health = view.state === "healthy" ? { State: "healthy" } : { State: view.state, Reason: view.reason, Description: view.description };
          return { Target: { Id: t.Id, Port: registered.port, AvailabilityZone: world.instances.get(t.Id)?.availabilityZone }, HealthCheckPort: hcPort(registered.port), TargetHealth: health };
        }),
      };
    },

    RegisterTargets(raw, { world }) {
      const p = parseParams(z.object({ TargetGroupArn: str, Targets: list(z.object({ Id: str, Port: int(1, 65535).optional(), AvailabilityZone: str.optional() })) }), raw);
      const tg = world.targetGroups.get(p.TargetGroupArn) ?? throwIt(notFound.targetGroup());
      if (p.Targets.length === 0) throw validationError("Value at 'targets' failed to satisfy constraint: Member must have at least one target");
      const bad = p.Targets.filter((t) => {
        const instance = world.instances.get(t.Id);
        return !instance || instance.lifecycle === "Terminated" || instance.lifecycle === "Terminating";
      });
      if (bad.length > 0) throw new AwsError("InvalidTarget", `The following targets are not in a running state and cannot be registered: ${bad.map((t) => `'${t.Id}'`).join(", ")}`);
      for (const t of p.Targets) world.registerTarget(tg, t.Id, t.Port ?? tg.port);
      return {};
    },

    DeregisterTargets(raw, { world }) {
      const p = parseParams(z.object({ TargetGroupArn: str, Targets: list(z.object({ Id: str, Port: int(1, 65535).optional(), AvailabilityZone: str.optional() })) }), raw);
      const tg = world.targetGroups.get(p.TargetGroupArn) ?? throwIt(notFound.targetGroup());
      if (p.Targets.length === 0) throw validationError("Value at 'targets' failed to satisfy constraint: Member must have at least one target");
      const missing = p.Targets.filter((t) => !tg.targets.has(t.Id));
      if (missing.length > 0) throw new AwsError("InvalidTarget", `The following targets are not registered in target group '${tg.name}': ${missing.map((t) => `'${t.Id}'`).join(", ")}`);
      for (const t of p.Targets) void world.deregisterTarget(tg, t.Id);
      return {};
    },

    DescribeTargetGroupAttributes(raw, { world }) {
      const p = parseParams(z.object({ TargetGroupArn: str }), raw);
      const tg = world.targetGroups.get(p.TargetGroupArn) ?? throwIt(notFound.targetGroup());
      return { Attributes: attributesOut(tg) };
    },

    ModifyTargetGroupAttributes(raw, { world }) {
      const p = parseParams(z.object({ TargetGroupArn: str, Attributes: list(z.object({ Key: str, Value: z.string().default("") })) }), raw);
      const tg = world.targetGroups.get(p.TargetGroupArn) ?? throwIt(notFound.targetGroup());
      if (p.Attributes.length === 0) throw validationError("Attributes must contain at least one attribute");
      for (const { Key, Value } of p.Attributes) {
        const check = ATTRIBUTE_RULES[Key];
        if (!check) throw validationError(`Target group attribute key '${Key}' is not recognized; known keys: ${Object.keys(ATTRIBUTE_RULES).join(", ")}`);
        if (!check(Value)) throw new AwsError("InvalidConfigurationRequest", `Target group attribute '${Key}' cannot have the value '${Value}'`);
      }
      for (const { Key, Value } of p.Attributes) tg.attributes.set(Key, Value);
      return { Attributes: attributesOut(tg) };
    },

    AddTags(raw, { world }) {
      const p = parseParams(z.object({ ResourceArns: list(str), Tags: list(tag) }), raw);
      if (p.Tags.length === 0) throw validationError("Tags must contain at least one tag");
      const keys = new Set<string>();
      for (const t of p.Tags) {
        if (keys.has(t.Key)) throw new AwsError("DuplicateTagKeys", `Tag key '${t.Key}' is duplicated`);
        if (t.Key.startsWith("aws:")) throw validationError(`Tag key '${t.Key}' uses the reserved prefix 'aws:'`);
        keys.add(t.Key);
      }
      const targets = p.ResourceArns.map((arn) => taggable(world, arn));
      for (const tags of targets) {
        const after = new Set([...tags.keys(), ...keys]);
        if (after.size > 50) throw new AwsError("TooManyTags", "You've reached the limit on the number of tags for this resource (50)");
      }
      for (const tags of targets) for (const t of p.Tags) tags.set(t.Key, t.Value ?? "");
      return {};
    },

    RemoveTags(raw, { world }) {
      const p = parseParams(z.object({ ResourceArns: list(str), TagKeys: list(str) }), raw);
      const targets = p.ResourceArns.map((arn) => taggable(world, arn));
      for (const tags of targets) for (const key of p.TagKeys) tags.delete(key);
      return {};
    },

    DescribeTags(raw, { world }) {
      const p = parseParams(z.object({ ResourceArns: list(str, 20) }), raw);
      return {
        TagDescriptions: p.ResourceArns.map((arn) => ({ ResourceArn: arn, Tags: [...taggable(world, arn)].map(([Key, Value]) => ({ Key, Value })) })),
      };
    },
  },
};

function throwIt(error: AwsError): never {
  throw error;
}

