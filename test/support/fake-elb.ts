/**
 * A hand-written fake of the ELBv2 ports: one environment's forward action, target groups with
 * scripted health, tags, and a log of every call, so tests assert on calls made and not made.
 */
import type { Clock } from "../../src/util/clock";
import type { LockRule, LockRules } from "../../src/ports/load-balancer";
import type {
  HealthCheckSettings,
  ForwardState,
  ListenerDiscovery,
  ResourceTags,
  RoutingRef,
  Stickiness,
  TargetGroupInfo,
  TargetGroups,
  TargetHealthEntry,
  TrafficRouter,
  WeightedGroup,
} from "../../src/ports/load-balancer";
import { type LockHolder, type LockState, listenerOf, lockPriority, lockTags, parseLockTags } from "../../src/domain/lock-format";
import { CallLog } from "./call-log";

export const ACCOUNT = "123456789012";
export const LB_ARN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188`;
export const LISTENER_ARN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2`;
export const RULE_ARN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
/** The listener's default rule, as DescribeRules names it (IsDefault: true). */
export const DEFAULT_RULE_ARN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/0d6ef8f0a7c1b2e3`;
export const BLUE_ARN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/web-blue/73e2d6bc24d8a067`;
export const GREEN_ARN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/web-green/09966783158cda59`;

export type { FakeCall } from "./call-log";

export function healthy(n: number, prefix = "i-"): TargetHealthEntry[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i).padStart(4, "0")}`, port: 80, state: "healthy" as const }));
}

export function unhealthy(n: number, prefix = "i-u"): TargetHealthEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${String(i).padStart(4, "0")}`,
    port: 80,
    state: "unhealthy" as const,
    reason: "Target.ResponseCodeMismatch",
    description: "Health checks failed with these codes: [503]",
  }));
}

interface StoredRule {
  arn: string;
  listenerArn: string;
  priority: number;
  isLock: boolean;
  tags: Record<string, string>;
}

/**
 * Listener rules as the lock uses them, with AWS's semantics: CreateRule at a priority in use fails
 * (PriorityInUse), AddTags and DeleteRule of a deleted rule fail (RuleNotFound). Writes apply at
 * once; reads (find) can be made to lag: they show the rules as they were `lag()` ms ago.
 */
export class FakeLockRules implements LockRules {
  private rules: StoredRule[] = [];
  /** Every state the rules were in, oldest first, for lagging reads. */
  private readonly history: { at: number; rules: StoredRule[] }[] = [{ at: Number.NEGATIVE_INFINITY, rules: [] }];
  private serial = 0;
  clock: Pick<Clock, "now"> = { now: () => 0 };
  /** How stale each read is, in ms (0: reads see every write). */
  lag: () => number = () => 0;
  /** Awaited before each call takes effect (simulated latency); a create lands when it returns. */
  delay: () => Promise<void> = async () => {};

  constructor(private readonly log: (op: string, args: unknown) => void) {}

  /** The rules now (not lagged). */
  current(listenerArn?: string): StoredRule[] {
    return this.rules.filter((r) => !listenerArn || r.listenerArn === listenerArn).map((r) => ({ ...r, tags: { ...r.tags } }));
  }

  /** A lock rule put there directly, e.g. one another run holds. */
  addLockRule(listenerArn: string, priority: number, tags: Record<string, string>): string {
    return this.put({ arn: this.nextArn(listenerArn), listenerArn, priority, isLock: true, tags: { ...tags } });
  }

  /** A rule the user made, e.g. at a priority the lock wants. */
  addUserRule(listenerArn: string, priority: number): string {
    return this.put({ arn: this.nextArn(listenerArn), listenerArn, priority, isLock: false, tags: {} });
  }

  private nextArn(listenerArn: string): string {
    return `${listenerArn.replace(":listener/", ":listener-rule/")}/${(++this.serial).toString(16).padStart(16, "0")}`;
  }

  private put(rule: StoredRule): string {
    this.commit([...this.rules, rule]);
    return rule.arn;
  }

  private commit(rules: StoredRule[]): void {
    this.rules = rules;
    this.history.push({ at: this.clock.now(), rules: rules.map((r) => ({ ...r, tags: { ...r.tags } })) });
  }

  async create(listenerArn: string, priority: number, token: string, tags: Record<string, string>): Promise<string | undefined> {
    this.log("createRule", { listenerArn, priority, token, tags });
    await this.delay();
    if (this.rules.some((r) => r.listenerArn === listenerArn && r.priority === priority)) return undefined;
    return this.put({ arn: this.nextArn(listenerArn), listenerArn, priority, isLock: true, tags: { ...tags } });
  }

  async find(listenerArn: string, priority: number): Promise<LockRule | undefined> {
    this.log("findRule", { listenerArn, priority });
    await this.delay();
    const asOf = this.clock.now() - Math.max(0, this.lag());
    const seen = this.history.filter((h) => h.at <= asOf).at(-1)!.rules;
    const rule = seen.find((r) => r.listenerArn === listenerArn && r.priority === priority);
    return rule && { ruleArn: rule.arn, priority, isLock: rule.isLock, tags: { ...rule.tags } };
  }

  async tag(ruleArn: string, tags: Record<string, string>): Promise<boolean> {
    this.log("tagRule", { ruleArn, tags });
    await this.delay();
    if (!this.rules.some((r) => r.arn === ruleArn)) return false;
    this.commit(this.rules.map((r) => (r.arn === ruleArn ? { ...r, tags: { ...r.tags, ...tags } } : r)));
    return true;
  }

  async remove(ruleArn: string): Promise<boolean> {
    this.log("deleteRule", { ruleArn });
    await this.delay();
    if (!this.rules.some((r) => r.arn === ruleArn)) return false;
    this.commit(this.rules.filter((r) => r.arn !== ruleArn));
    return true;
  }
}


export class FakeElb extends CallLog implements TrafficRouter, TargetGroups, ListenerDiscovery {
  readonly weightHistory: WeightedGroup[][] = [];
  groups: WeightedGroup[];
  stickiness: Stickiness = { enabled: false };
  readonly resourceTags = new Map<string, Record<string, string>>();
  /** Health per target group; a function is called on every read (to script changes over time). */
  readonly healthOf = new Map<string, TargetHealthEntry[] | (() => TargetHealthEntry[])>();
  /** Health check settings DescribeTargetGroups reports, by target group ARN (none when unset). */
  readonly healthChecks = new Map<string, HealthCheckSettings>();
  readonly deregistrationDelay = new Map<string, number>();
  /** When set, writes are accepted but reads keep returning the old weights this many times. */
  staleReads = 0;
  /** When set, every write is silently ignored by the "load balancer". */
  ignoreWrites = false;
  /** A rule ref with this ARN is the listener's default rule: it reads as the listener, and setWeights refuses it as AWS refuses ModifyRule. */
  defaultRuleArn: string | undefined = DEFAULT_RULE_ARN;
  /** Called after every accepted write. */
  onWrite?: (groups: WeightedGroup[]) => void;
  private readBack: WeightedGroup[] | undefined;
  /** The lock's listener rules (see FakeLockRules). */
  readonly locks = new FakeLockRules((op, args) => this.record(op, args));

  constructor(
    readonly ref: RoutingRef = { kind: "listener", arn: LISTENER_ARN },
    groups: WeightedGroup[] = [
      { targetGroupArn: BLUE_ARN, weight: 1 },
      { targetGroupArn: GREEN_ARN, weight: 0 },
    ],
  ) {
    super();
    this.groups = groups.map((g) => ({ ...g }));
    this.healthOf.set(BLUE_ARN, healthy(2, "i-blue"));
    this.healthOf.set(GREEN_ARN, healthy(2, "i-green"));
  }

  /** The lock rules' tags on the listener now (the lock's holder, as the load balancer has it). */
  lockTags(listenerArn = LISTENER_ARN): Record<string, string> | undefined {
    return this.locks.current(listenerArn).find((r) => r.isLock)?.tags;
  }

  /** Who holds the environment's lock now, or undefined when it is free. */
  lockHolder(listenerArn = LISTENER_ARN): LockHolder | undefined {
    const rule = this.locks.current(listenerArn).find((r) => r.isLock);
    return rule ? parseLockTags(rule.tags, rule.arn) : undefined;
  }

  /** Makes another run (or step) hold the lock of the environment behind `ref`. */
  holdLock(holder: { run: string; job?: string; attempt?: number; state?: LockState; expiresAt: Date; renewedAt?: Date }, ref: RoutingRef = this.ref): string {
    const owner = { run: holder.run, job: holder.job ?? "job", attempt: holder.attempt ?? 1 };
    const renewedAt = holder.renewedAt ?? new Date(holder.expiresAt.getTime() - 3_600_000);
    const tags = lockTags({ owner, id: "0000000000000000", state: holder.state ?? "active", renewedAt, expiresAt: holder.expiresAt, environment: ref.arn });
    return this.locks.addLockRule(listenerOf(ref), lockPriority(ref), tags);
  }

  tagsOf(arn: string): Record<string, string> {
    return this.resourceTags.get(arn) ?? {};
  }

  private isDefaultRule(ref: RoutingRef): boolean {
    return ref.kind === "rule" && ref.arn === this.defaultRuleArn;
  }

  // TrafficRouter
  async read(ref: RoutingRef): Promise<ForwardState> {
    this.record("read", ref);
    let groups = this.groups;
    if (this.readBack && this.staleReads > 0) {
      this.staleReads--;
      groups = this.readBack;
    }
    return {
      ref: this.isDefaultRule(ref) ? { kind: "listener", arn: LISTENER_ARN } : ref,
      listenerArn: LISTENER_ARN,
      loadBalancerArn: LB_ARN,
      groups: groups.map((g) => ({ ...g })),
      stickiness: { ...this.stickiness },
    };
  }

  async setWeights(ref: RoutingRef, groups: WeightedGroup[], stickiness?: Stickiness): Promise<void> {
    this.record("setWeights", { ref, groups, stickiness });
    if (this.isDefaultRule(ref)) throw Object.assign(new Error("ModifyRule cannot change a default rule; use ModifyListener"), { name: "OperationNotPermitted" });
    if (this.ignoreWrites) return;
    this.readBack = this.groups;
    this.groups = groups.map((g) => ({ ...g }));
    if (stickiness) this.stickiness = { ...stickiness };
    this.weightHistory.push(this.groups.map((g) => ({ ...g })));
    this.onWrite?.(this.groups);
  }

  // TargetGroups
  async describe(arns: string[]): Promise<TargetGroupInfo[]> {
    this.record("describeTargetGroups", arns);
    return arns.map((arn) => ({ arn, name: /targetgroup\/([^/]+)/.exec(arn)?.[1] ?? arn, targetType: "instance", loadBalancerArns: [LB_ARN], healthCheck: this.healthChecks.get(arn) }));
  }

  async health(arn: string): Promise<TargetHealthEntry[]> {
    this.record("health", arn);
    const h = this.healthOf.get(arn) ?? [];
    return (typeof h === "function" ? h() : h).map((e) => ({ ...e }));
  }

  async deregistrationDelaySeconds(arn: string): Promise<number> {
    this.record("deregistrationDelay", arn);
    return this.deregistrationDelay.get(arn) ?? 300;
  }

  // ListenerDiscovery
  async routingCandidates(loadBalancerArn: string): Promise<ForwardState[]> {
    this.record("routingCandidates", loadBalancerArn);
    return [await this.read(this.ref)];
  }

  // ResourceTags
  readonly tags: ResourceTags = {
    read: async (arns) => {
      this.record("readTags", arns);
      return new Map(arns.map((arn) => [arn, { ...this.tagsOf(arn) }]));
    },
    write: async (arn, tags) => {
      this.record("writeTags", { arn, tags });
      this.resourceTags.set(arn, { ...this.tagsOf(arn), ...tags });
    },
    remove: async (arn, keys) => {
      this.record("removeTags", { arn, keys });
      const next = { ...this.tagsOf(arn) };
      for (const k of keys) delete next[k];
      this.resourceTags.set(arn, next);
    },
  };
}
