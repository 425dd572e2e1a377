/** Builds the world's resources from a configuration: ARNs and ids come from the world's seeded generator. */
import type { HealthCheckConfig } from "../contracts";
import type { ActionConfig, ResolvedConfig } from "../config";
import type { Action, AutoScalingGroup, LaunchTemplate, Listener, LoadBalancer, Rule, TargetGroup } from "./model";
import type { World } from "./world";

export function populate(world: World, config: ResolvedConfig): void {
  const elbArn = (resource: string) => `arn:aws:elasticloadbalancing:${world.region}:${world.accountId}:${resource}`;
  const now = world.clock.now();
  for (const [imageId, behaviour] of Object.entries(config.releases)) world.releases.set(imageId, behaviour);

  const tgByName = new Map<string, TargetGroup>();
  for (const tg of config.targetGroups) {
    const id = world.hex(16);
    const healthCheck: HealthCheckConfig = { ...tg.healthCheck };
    const group: TargetGroup = {
      arn: elbArn(`targetgroup/${tg.name}/${id}`),
      name: tg.name,
      dimension: `targetgroup/${tg.name}/${id}`,
      port: tg.port,
      protocol: tg.protocol,
      healthCheck,
      attributes: new Map([
        ["deregistration_delay.timeout_seconds", String(tg.deregistrationDelaySeconds)],
        ["stickiness.enabled", String(tg.stickiness.enabled)],
        ["stickiness.type", "lb_cookie"],
        ["stickiness.lb_cookie.duration_seconds", String(tg.stickiness.durationSeconds)],
        ["stickiness.app_cookie.cookie_name", ""],
        ["stickiness.app_cookie.duration_seconds", "86400"],
        ["slow_start.duration_seconds", "0"],
        ["load_balancing.algorithm.type", "round_robin"],
        ["load_balancing.cross_zone.enabled", "use_load_balancer_configuration"],
      ]),
      targets: new Map(),
      health: world.dataPlane.createTargetGroupHealth({ config: healthCheck, clock: world.clock }),
    };
    world.targetGroups.set(group.arn, group);
    world.tags.set(group.arn, new Map(Object.entries(tg.tags)));
    tgByName.set(tg.name, group);
  }

  const toAction = (action: ActionConfig): Action => {
    if (action.type === "forward") {
      const targets = action.targetGroups.map((g) => ({ TargetGroupArn: tgByName.get(g.name)!.arn, Weight: g.weight }));
      const stickiness = action.stickiness ?? { enabled: false, durationSeconds: 3600 };
      return {
        Type: "forward",
        Order: 1,
        ...(targets.length === 1 ? { TargetGroupArn: targets[0]!.TargetGroupArn } : {}),
        ForwardConfig: {
          TargetGroups: targets,
          TargetGroupStickinessConfig: stickiness.enabled ? { Enabled: true, DurationSeconds: stickiness.durationSeconds } : { Enabled: false },
        },
      };
    }
    if (action.type === "fixed-response") {
      return { Type: "fixed-response", Order: 1, FixedResponseConfig: { StatusCode: String(action.statusCode), ContentType: action.contentType, MessageBody: action.body } };
    }
    return {
      Type: "redirect",
      Order: 1,
      RedirectConfig: {
        StatusCode: `HTTP_${action.statusCode}`,
        Protocol: action.protocol ?? "#{protocol}",
        Host: action.host ?? "#{host}",
        Port: action.port ?? "#{port}",
        Path: action.path ?? "/#{path}",
        Query: action.query ?? "#{query}",
      },
    };
  };

  for (const lb of config.loadBalancers) {
    const id = world.hex(16);
    const balancer: LoadBalancer = {
      arn: elbArn(`loadbalancer/app/${lb.name}/${id}`),
      name: lb.name,
      dimension: `app/${lb.name}/${id}`,
      dnsName: `${lb.name}-${Math.floor(world.random() * 1e10)}.${world.region}.elb.amazonaws.com`,
      createdAt: now,
      listenerArns: [],
    };
    world.loadBalancers.set(balancer.arn, balancer);
    world.tags.set(balancer.arn, new Map(Object.entries(lb.tags)));
    for (const l of lb.listeners) {
      const listenerId = world.hex(16);
      const listener: Listener = {
        arn: elbArn(`listener/app/${lb.name}/${id}/${listenerId}`),
        loadBalancerArn: balancer.arn,
        port: l.port,
        protocol: "HTTP",
        bindPort: l.bindPort,
        defaultActions: [toAction(l.defaultAction)],
        defaultRuleArn: elbArn(`listener-rule/app/${lb.name}/${id}/${listenerId}/${world.hex(16)}`),
        ruleArns: [],
      };
      world.listeners.set(listener.arn, listener);
      world.tags.set(listener.arn, new Map(Object.entries(l.tags)));
      world.tags.set(listener.defaultRuleArn, new Map());
      balancer.listenerArns.push(listener.arn);
      for (const r of l.rules) {
        const conditions = [];
        if (r.pathPatterns) conditions.push({ Field: "path-pattern", Values: r.pathPatterns, PathPatternConfig: { Values: r.pathPatterns } });
        if (r.hostHeaders) conditions.push({ Field: "host-header", Values: r.hostHeaders, HostHeaderConfig: { Values: r.hostHeaders } });
        const rule: Rule = {
          arn: elbArn(`listener-rule/app/${lb.name}/${id}/${listenerId}/${world.hex(16)}`),
          listenerArn: listener.arn,
          priority: r.priority,
          conditions,
          actions: [toAction(r.action)],
        };
        world.rules.set(rule.arn, rule);
        world.tags.set(rule.arn, new Map(Object.entries(r.tags)));
        listener.ruleArns.push(rule.arn);
      }
    }
  }

  const ltByName = new Map<string, LaunchTemplate>();
  for (const lt of config.launchTemplates) {
    const template: LaunchTemplate = {
      id: `lt-${world.hex(17)}`,
      name: lt.name,
      createdAt: now,
      defaultVersion: lt.defaultVersion,
      versions: lt.versions.map((v, i) => ({ number: i + 1, description: v.description, createdAt: now, imageId: v.imageId, instanceType: v.instanceType })),
    };
    world.launchTemplates.set(template.id, template);
    ltByName.set(template.name, template);
  }

  for (const g of config.autoScalingGroups) {
    const lt = ltByName.get(g.launchTemplate.name)!;
    const group: AutoScalingGroup = {
      name: g.name,
      arn: `arn:aws:autoscaling:${world.region}:${world.accountId}:autoScalingGroup:${world.uuid()}:autoScalingGroupName/${g.name}`,
      createdAt: now,
      minSize: g.minSize,
      maxSize: g.maxSize,
      desiredCapacity: g.desiredCapacity,
      launchTemplate: { id: lt.id, name: lt.name, version: g.launchTemplate.version },
      targetGroupArns: g.targetGroups.map((n) => tgByName.get(n)!.arn),
      healthCheckType: g.healthCheckType,
      healthCheckGracePeriod: g.healthCheckGracePeriodSeconds,
      tags: new Map(Object.entries(g.tags).map(([Key, Value]) => [Key, { Key, Value, PropagateAtLaunch: true }])),
      suspended: new Map(),
      instances: new Map(),
      lastCapacityCause: g.desiredCapacity > 0 ? `At ${new Date(now).toISOString().replace(/\.[0-9]{3}Z$/, "Z")} a user request created an AutoScalingGroup changing the desired capacity from 0 to ${g.desiredCapacity}.` : undefined,
      launchBackoffUntil: 0,
    };
    world.groups.set(group.name, group);
  }

  const lbByName = new Map([...world.loadBalancers.values()].map((lb) => [lb.name, lb]));
  for (const a of config.alarms) {
    const dimensions = [...a.dimensions];
    if (a.targetGroup) dimensions.push({ name: "TargetGroup", value: tgByName.get(a.targetGroup)!.dimension });
    if (a.loadBalancer) dimensions.push({ name: "LoadBalancer", value: lbByName.get(a.loadBalancer)!.dimension });
    world.putAlarm({
      definition: {
        alarmName: a.alarmName,
        namespace: a.namespace,
        metricName: a.metricName,
        dimensions,
        statistic: a.statistic,
        periodSeconds: a.periodSeconds,
        evaluationPeriods: a.evaluationPeriods,
        datapointsToAlarm: a.datapointsToAlarm ?? a.evaluationPeriods,
        threshold: a.threshold,
        comparisonOperator: a.comparisonOperator,
        treatMissingData: a.treatMissingData,
      },
      actionsEnabled: true,
      alarmActions: [],
      okActions: [],
      insufficientDataActions: [],
    });
  }
}
