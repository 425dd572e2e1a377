/**
 * The world: every resource the emulated services hold, plus the running data plane behind them
 * (one real HTTP server per listener, health checks per target group, instances per Auto Scaling group).
 */
import type { IncomingRequest, MetricsStore, ReleaseBehaviour, RoutePlan, SandboxClock } from "../contracts";
import type { ResolvedConfig } from "../config";
import { populate } from "./build";
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
import { InstanceRefreshes } from "./instance-refresh";
import { evaluateAlarms } from "./alarms";
import { Propagation } from "./propagation";

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
  /** Sandbox seconds after a minute ends before GetMetricData serves it (config metricPublicationLagSeconds). */
  readonly metricPublicationLagSeconds: number;
  /** Config stickinessBeatsWeight: a valid stickiness cookie keeps its group even at weight 0. */
  readonly stickinessBeatsWeight: boolean;
  /** When listener and rule changes reach the data plane (config propagationSeconds). */
  readonly propagation: Propagation;

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
  readonly refreshes: InstanceRefreshes;

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
    this.metricPublicationLagSeconds = config.metricPublicationLagSeconds;
    this.stickinessBeatsWeight = config.stickinessBeatsWeight;
    this.propagation = new Propagation(() => this.clock.now(), this.clock.realMs(config.propagationSeconds));
    this.autoScaling = new AutoScaling(this);
    this.refreshes = new InstanceRefreshes(this);
    populate(this, config);
  }

  hex(length: number): string {
    return randomHex(this.random, length);
  }

  uuid(): string {
    return randomUuid(this.random);
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
    // Every sandbox second, but at most 50 times per real second at high time scales.
    this.stops.push(this.clock.every(Math.max(1, this.clock.timeScale / 50), () => this.tick()));
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
    this.refreshes.tick();
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
      stickinessBeatsWeight: this.stickinessBeatsWeight,
      group: (arn: string) => {
        const tg = this.targetGroups.get(arn);
        return tg ? { targetGroupArn: tg.arn, targetGroupDimension: tg.dimension, health: tg.health } : undefined;
      },
    };
    // Each request is served by one load balancer node, which may not have seen the latest write yet.
    const node = this.propagation.nextNode();
    for (const rule of this.rulesOf(listener)) {
      if (ruleMatches(rule, request)) return planFor(this.propagation.view(rule.arn, rule.actions, node), request, ctx);
    }
    return planFor(this.propagation.view(listener.defaultRuleArn, listener.defaultActions, node), request, ctx);
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
    this.propagation.record(ruleArn, found.actions);
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
