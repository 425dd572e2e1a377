/**
 * Narrow, domain-shaped ports to Elastic Load Balancing v2. One SDK adapter implements each
 * (src/adapters/aws/elbv2.ts, elbv2-lock-rules.ts); core logic is tested against hand-written fakes
 * (test/support/fake-elb.ts).
 */

/** Where the environment's forward action lives: a listener's default action or a listener rule. */
export type RoutingRef = { kind: "listener"; arn: string } | { kind: "rule"; arn: string };

export interface WeightedGroup {
  targetGroupArn: string;
  /** ALB weight, 0–999. */
  weight: number;
}

export interface Stickiness {
  enabled: boolean;
  /** 1–604800; present when enabled. */
  durationSeconds?: number | undefined;
}

/** What the load balancer really does for one routing resource, as read back from it. */
export interface ForwardState {
  /**
   * The resource whose actions hold the forward action, the one to write. For a rule ARN naming a
   * listener's default rule (IsDefault), the listener: AWS changes a default rule only with ModifyListener.
   */
  ref: RoutingRef;
  listenerArn: string;
  loadBalancerArn: string;
  groups: WeightedGroup[];
  stickiness: Stickiness;
}

export interface TrafficRouter {
  /** Reads the forward action's weights. Fails when there is no forward action. */
  read(ref: RoutingRef): Promise<ForwardState>;
  /**
   * Replaces the forward action's weights (and stickiness when given), leaving every other action,
   * condition and order untouched. Does not verify: callers read back with `read`.
   */
  setWeights(ref: RoutingRef, groups: WeightedGroup[], stickiness?: Stickiness): Promise<void>;
}

export type TargetStateName = "initial" | "healthy" | "unhealthy" | "unused" | "draining" | "unavailable" | "unhealthy.draining";

export interface TargetHealthEntry {
  id: string;
  port?: number | undefined;
  state: TargetStateName;
  reason?: string | undefined;
  description?: string | undefined;
}

export interface TargetGroupInfo {
  arn: string;
  name: string;
  targetType: string;
  loadBalancerArns: string[];
  /** How the load balancer checks targets; absent when the API did not say. */
  healthCheck?: HealthCheckSettings | undefined;
}

export interface HealthCheckSettings {
  enabled: boolean;
  /** 5–300 s between checks of one target. */
  intervalSeconds: number;
  /** 2–10 failed checks in a row mark a healthy target unhealthy. */
  unhealthyThreshold: number;
}

export interface TargetGroups {
  describe(arns: string[]): Promise<TargetGroupInfo[]>;
  health(arn: string): Promise<TargetHealthEntry[]>;
  /** `deregistration_delay.timeout_seconds`, in seconds. */
  deregistrationDelaySeconds(arn: string): Promise<number>;
}

/** Tags on ELBv2 resources (target groups, listeners, rules). */
export interface ResourceTags {
  read(arns: string[]): Promise<Map<string, Record<string, string>>>;
  write(arn: string, tags: Record<string, string>): Promise<void>;
  remove(arn: string, keys: string[]): Promise<void>;
}

export interface ListenerDiscovery {
  /** Listeners of a load balancer, with their rules, used to find the action forwarding to both slots. */
  routingCandidates(loadBalancerArn: string): Promise<ForwardState[]>;
}

/**
 * The deployment lock's primitive: a listener rule at a reserved priority. ELBv2 refuses a second
 * rule at a priority in use (PriorityInUse), so creating it is atomic; the rule's condition matches
 * no real request and its action is a fixed 404, so it never routes traffic.
 */
export const LOCK_RULE = {
  /** The http-header condition's header; its value is a random token per lock. */
  header: "x-zero-downtime-lock",
} as const;

export interface LockRule {
  ruleArn: string;
  priority: number;
  /** True when the rule's condition is the lock header (a rule the suite created). */
  isLock: boolean;
  tags: Record<string, string>;
}

export interface LockRules {
  /** CreateRule with the lock condition and tags; `undefined` when the priority is in use. */
  create(listenerArn: string, priority: number, token: string, tags: Record<string, string>): Promise<string | undefined>;
  /** The rule at `priority` on the listener, with its tags (DescribeRules, DescribeTags); may lag writes. */
  find(listenerArn: string, priority: number): Promise<LockRule | undefined>;
  /** AddTags on the rule; false when the rule no longer exists (RuleNotFound). */
  tag(ruleArn: string, tags: Record<string, string>): Promise<boolean>;
  /** DeleteRule of exactly this rule; false when it no longer exists (RuleNotFound). */
  remove(ruleArn: string): Promise<boolean>;
}
