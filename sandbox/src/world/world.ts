/**
 * The world: every resource the emulated services hold, plus the running data plane behind them
 * (one real HTTP server per listener, health checks per target group, instances per Auto Scaling group).
 */
import type { HealthCheckConfig, IncomingRequest, MetricsStore, ReleaseBehaviour, RoutePlan, SandboxClock } from "../contracts";
import type { ActionConfig, ResolvedConfig } from "../config";
import type { DataPlane } from "./dataplane";
import type {
  Action,
  Activity,
  Alarm,
  AutoScalingGroup,
  Instance,
  LaunchTemplate,
  Listener,
  LoadBalancer,
  Rule,
  TargetGroup,
  WeightHistoryEntry,
} from "./model";
import { randomHex, randomUuid, type Random } from "./random";
import { forwardTargets, planFor, ruleMatches } from "./routing";
import { AutoScaling } from "./autoscaling";
import { evaluateAlarms } from "./alarms";

export interface WorldOptions {
  config: ResolvedConfig;
  dataPlane: DataPlane;
  clock: SandboxClock;
  random: Random;
}

export class World {
  readonly region: string;
  readonly accountId: string;
  readonly clock: SandboxClock;
  readonly random: Random;
  readonly dataPlane: DataPlane;
  readonly metrics: MetricsStore;

  readonly loadBalancers = new Map<string, LoadBalancer>();
  readonly listeners = new Map<string, Listener>();
  readonly rules = new Map<string, Rule>();
  readonly targetGroups = new Map<string, TargetGroup>();
  /** ELBv2 tags by resource ARN, in insertion order. */
  readonly tags = new Map<string, Map<string, string>>();
  readonly launchTemplates = new Map<string, LaunchTemplate>();
  readonly groups = new Map<string, AutoScalingGroup>();
  readonly instances = new Map<string, Instance>();
  readonly activities: Activity[] = [];
  readonly alarms = new Map<string, Alarm>();
  readonly weightHistory: WeightHistoryEntry[] = [];
  /** Release behaviour by image id. */
  readonly releases = new Map<string, ReleaseBehaviour>();
  readonly autoScaling: AutoScaling;

  private readonly stops: (() => void)[] = [];
  private closed = false;

  constructor(options: WorldOptions) {
    const { config } = options;
    this.region = config.region;
    this.accountId = config.accountId;
    this.clock = options.clock;
    this.random = options.random;
    this.dataPlane = options.dataPlane;
    this.metrics = this.dataPlane.createMetricsStore(this.clock);
    this.autoScaling = new AutoScaling(this);
    this.build(config);
  }

  hex(length: number): string {
    return randomHex(this.random, length);
  }

  uuid(): string {
    return randomUuid(this.random);
  }

  private elbArn(resource: string): string {
    return `arn:aws:elasticloadbalancing:${this.region}:${this.accountId}:${resource}`;
  }

  private build(config: ResolvedConfig): void {
    const now = this.clock.now();
    for (const [imageId, behaviour] of Object.entries(config.releases)) this.releases.set(imageId, behaviour);

    const tgByName = new Map<string, TargetGroup>();
    for (const tg of config.targetGroups) {
      const id = this.hex(16);
      const healthCheck: HealthCheckConfig = { ...tg.healthCheck };
      const group: TargetGroup = {
        arn: this.elbArn(`targetgroup/${tg.name}/${id}`),
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
        health: this.dataPlane.createTargetGroupHealth({ config: healthCheck, clock: this.clock }),
      };
      this.targetGroups.set(group.arn, group);
      this.tags.set(group.arn, new Map(Object.entries(tg.tags)));
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
      const id = this.hex(16);
      const balancer: LoadBalancer = {
        arn: this.elbArn(`loadbalancer/app/${lb.name}/${id}`),
        name: lb.name,
        dimension: `app/${lb.name}/${id}`,
        dnsName: `${lb.name}-${Math.floor(this.random() * 1e10)}.${this.region}.elb.amazonaws.com`,
        createdAt: now,
        listenerArns: [],
      };
      this.loadBalancers.set(balancer.arn, balancer);
      this.tags.set(balancer.arn, new Map(Object.entries(lb.tags)));
      for (const l of lb.listeners) {
        const listenerId = this.hex(16);
        const listener: Listener = {
          arn: this.elbArn(`listener/app/${lb.name}/${id}/${listenerId}`),
          loadBalancerArn: balancer.arn,
          port: l.port,
          protocol: "HTTP",
          bindPort: l.bindPort,
          defaultActions: [toAction(l.defaultAction)],
          defaultRuleArn: this.elbArn(`listener-rule/app/${lb.name}/${id}/${listenerId}/${this.hex(16)}`),
          ruleArns: [],
        };
        this.listeners.set(listener.arn, listener);
        this.tags.set(listener.arn, new Map(Object.entries(l.tags)));
        this.tags.set(listener.defaultRuleArn, new Map());
        balancer.listenerArns.push(listener.arn);
        for (const r of l.rules) {
          const conditions = [];
          if (r.pathPatterns) conditions.push({ Field: "path-pattern", Values: r.pathPatterns, PathPatternConfig: { Values: r.pathPatterns } });
          if (r.hostHeaders) conditions.push({ Field: "host-header", Values: r.hostHeaders, HostHeaderConfig: { Values: r.hostHeaders } });
          const rule: Rule = {
            arn: this.elbArn(`listener-rule/app/${lb.name}/${id}/${listenerId}/${this.hex(16)}`),
            listenerArn: listener.arn,
            priority: r.priority,
            conditions,
            actions: [toAction(r.action)],
          };
          this.rules.set(rule.arn, rule);
          this.tags.set(rule.arn, new Map(Object.entries(r.tags)));
          listener.ruleArns.push(rule.arn);
        }
      }
    }

    const ltByName = new Map<string, LaunchTemplate>();
    for (const lt of config.launchTemplates) {
      const template: LaunchTemplate = {
        id: `lt-${this.hex(17)}`,
        name: lt.name,
        createdAt: now,
        defaultVersion: lt.defaultVersion,
        versions: lt.versions.map((v, i) => ({ number: i + 1, description: v.description, createdAt: now, imageId: v.imageId, instanceType: v.instanceType })),
      };
      this.launchTemplates.set(template.id, template);
      ltByName.set(template.name, template);
    }

    for (const g of config.autoScalingGroups) {
      const lt = ltByName.get(g.launchTemplate.name)!;
      const group: AutoScalingGroup = {
        name: g.name,
        arn: `arn:aws:autoscaling:${this.region}:${this.accountId}:autoScalingGroup:${this.uuid()}:autoScalingGroupName/${g.name}`,
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
      this.groups.set(group.name, group);
    }

    const lbByName = new Map([...this.loadBalancers.values()].map((lb) => [lb.name, lb]));
    for (const a of config.alarms) {
      const dimensions = [...a.dimensions];
      if (a.targetGroup) dimensions.push({ name: "TargetGroup", value: tgByName.get(a.targetGroup)!.dimension });
      if (a.loadBalancer) dimensions.push({ name: "LoadBalancer", value: lbByName.get(a.loadBalancer)!.dimension });
      this.putAlarm({
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

  putAlarm(input: Pick<Alarm, "definition" | "actionsEnabled" | "alarmActions" | "okActions" | "insufficientDataActions"> & { description?: string | undefined; unit?: string | undefined }): Alarm {
    const now = this.clock.now();
    const existing = this.alarms.get(input.definition.alarmName);
    const alarm: Alarm = {
      ...input,
      arn: `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${input.definition.alarmName}`,
      state: existing?.state ?? "INSUFFICIENT_DATA",
      reason: existing?.reason ?? "Unchecked: Initial alarm creation",
      stateUpdatedAt: existing?.stateUpdatedAt ?? now,
      configurationUpdatedAt: now,
    };
    this.alarms.set(alarm.definition.alarmName, alarm);
    return alarm;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle
  // -------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    for (const listener of this.listeners.values()) {
      listener.running = await this.dataPlane.startListener({
        ...(listener.bindPort > 0 ? { port: listener.bindPort } : {}),
        resolve: (request) => this.route(listener.arn, request),
        metrics: this.metrics,
        clock: this.clock,
        random: this.random,
      });
      for (const ruleArn of [listener.defaultRuleArn, ...listener.ruleArns]) this.recordWeights(ruleArn);
    }
    this.refreshInUse();
    this.stops.push(this.clock.every(1, () => this.tick()));
    this.autoScaling.reconcileAll();
  }

  private tick(): void {
    if (this.closed) return;
    const now = this.clock.now();
    for (const lb of this.loadBalancers.values()) {
      for (const tg of this.targetGroupsOf(lb)) {
        const counts = tg.health.counts();
        this.metrics.recordHostCounts(lb.dimension, tg.dimension, counts.healthy, counts.unhealthy, now);
      }
    }
    evaluateAlarms(this, now);
    this.autoScaling.reconcileAll();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.stops.splice(0)) stop();
    this.autoScaling.close();
    await Promise.allSettled([...this.listeners.values()].map((l) => l.running?.close()));
    for (const instance of this.instances.values()) {
      if (!instance.running.dead) instance.running.kill();
    }
    for (const tg of this.targetGroups.values()) tg.health.close();
  }

  // -------------------------------------------------------------------------------------------
  // Routing and weights
  // -------------------------------------------------------------------------------------------

  /** The listener's rules sorted by priority (the default rule is not included). */
  rulesOf(listener: Listener): Rule[] {
    return listener.ruleArns.map((arn) => this.rules.get(arn)!).sort((a, b) => a.priority - b.priority);
  }

  route(listenerArn: string, request: IncomingRequest): RoutePlan {
    const listener = this.listeners.get(listenerArn)!;
    const lb = this.loadBalancers.get(listener.loadBalancerArn)!;
    const ctx = {
      loadBalancerDimension: lb.dimension,
      listenerPort: listener.port,
      group: (arn: string) => {
        const tg = this.targetGroups.get(arn);
        return tg ? { targetGroupArn: tg.arn, targetGroupDimension: tg.dimension, health: tg.health } : undefined;
      },
    };
    for (const rule of this.rulesOf(listener)) {
      if (ruleMatches(rule, request)) return planFor(rule.actions, request, ctx);
    }
    return planFor(listener.defaultActions, request, ctx);
  }

  /** Actions of a rule ARN (the default rule's are the listener's default actions). */
  actionsOf(ruleArn: string): { listener: Listener; actions: Action[]; isDefault: boolean } | undefined {
    const rule = this.rules.get(ruleArn);
    if (rule) return { listener: this.listeners.get(rule.listenerArn)!, actions: rule.actions, isDefault: false };
    for (const listener of this.listeners.values()) {
      if (listener.defaultRuleArn === ruleArn) return { listener, actions: listener.defaultActions, isDefault: true };
    }
    return undefined;
  }

  /** Appends the forward weights of a rule to the weight history, with each group's health now. */
  recordWeights(ruleArn: string): void {
    const found = this.actionsOf(ruleArn);
    if (!found) return;
    for (const action of found.actions) {
      const targets = forwardTargets(action);
      if (targets.length === 0) continue;
      this.weightHistory.push({
        at: this.clock.now(),
        listenerArn: found.listener.arn,
        ...(found.isDefault ? {} : { ruleArn }),
        groups: targets.map((t) => {
          const tg = this.targetGroups.get(t.TargetGroupArn);
          const counts = tg?.health.counts() ?? { healthy: 0, unhealthy: 0 };
          return { targetGroupArn: t.TargetGroupArn, name: tg?.name ?? "?", weight: t.Weight, healthy: counts.healthy, unhealthy: counts.unhealthy };
        }),
      });
    }
  }

  /** Target groups some listener of this load balancer forwards to. */
  targetGroupsOf(lb: LoadBalancer): TargetGroup[] {
    const arns = new Set<string>();
    for (const listenerArn of lb.listenerArns) {
      const listener = this.listeners.get(listenerArn)!;
      const actionLists = [listener.defaultActions, ...listener.ruleArns.map((r) => this.rules.get(r)!.actions)];
      for (const actions of actionLists) for (const a of actions) for (const t of forwardTargets(a)) arns.add(t.TargetGroupArn);
    }
    return [...arns].map((a) => this.targetGroups.get(a)).filter((t): t is TargetGroup => t !== undefined);
  }

  loadBalancersOf(tg: TargetGroup): LoadBalancer[] {
    return [...this.loadBalancers.values()].filter((lb) => this.targetGroupsOf(lb).includes(tg));
  }

  /** Tells each target group whether a listener uses it (unused groups report Target.NotInUse). */
  refreshInUse(): void {
    const used = new Set<TargetGroup>();
    for (const lb of this.loadBalancers.values()) for (const tg of this.targetGroupsOf(lb)) used.add(tg);
    for (const tg of this.targetGroups.values()) tg.health.setInUse(used.has(tg));
  }

  // -------------------------------------------------------------------------------------------
  // Targets
  // -------------------------------------------------------------------------------------------

  registerTarget(tg: TargetGroup, id: string, port: number): void {
    const instance = this.instances.get(id);
    const existing = tg.targets.get(id);
    tg.targets.set(id, { id, port, draining: false });
    if (existing && !existing.draining) return;
    tg.health.register({ id, host: instance?.running.host ?? "127.0.0.1", port: instance?.running.port ?? 0 });
  }

  /** Starts draining; resolves when the target is gone (after the group's deregistration delay). */
  async deregisterTarget(tg: TargetGroup, id: string): Promise<void> {
    const target = tg.targets.get(id);
    if (!target) return;
    target.draining = true;
    const delay = Number(tg.attributes.get("deregistration_delay.timeout_seconds") ?? "300");
    await tg.health.deregister(id, delay);
    if (tg.targets.get(id) === target) tg.targets.delete(id);
  }

  /** An instance started listening: point every target group that holds it at its real port. */
  instanceReady(instance: Instance): void {
    for (const tg of this.targetGroups.values()) {
      if (tg.targets.has(instance.id)) tg.health.updateEndpoint({ id: instance.id, host: instance.running.host, port: instance.running.port });
    }
  }
}
