/**
 * Target health of one target group, judged against a minimum. Shared by health-gate, deploy-green,
 * shift-traffic (before every increase) and rollback (before moving traffic back).
 */
import type { TargetGroups, TargetHealthEntry } from "../ports/load-balancer";
import type { Clock, Random } from "../util/clock";
import { ConfigurationError } from "../util/errors";
import { untrusted } from "../util/untrusted";
import { type Lapse, type PollPolicy, pollUntil } from "../util/wait";
import { targetGroupName } from "../util/arn";

export type MinHealthy = { kind: "count"; value: number } | { kind: "percent"; value: number };

export function formatMinHealthy(min: MinHealthy): string {
  return min.kind === "count" ? `${min.value}` : `${min.value}%`;
}

export interface TargetGroupHealthReport {
  targetGroupArn: string;
  targetGroupName: string;
  /** Registered targets that are not leaving (draining) nor unused. */
  registered: number;
  healthy: number;
  /** How many healthy targets the minimum asks for, given the registered count. */
  required: number;
  byState: Record<string, number>;
  /** Targets that are not healthy, with ELB's reason code and description. */
  notHealthy: TargetHealthEntry[];
  /** Ids of the healthy targets. */
  healthyIds: string[];
  ok: boolean;
  /** In words: why the group is or is not healthy enough. */
  summary: string;
}

export interface HealthRequirement {
  minHealthy: MinHealthy;
  /** When true, every registered target must be healthy as well (health-gate, deploy-green). */
  requireAll: boolean;
}

/**
 * Healthy targets the minimum asks for: never fewer than one, whatever it says (a count of 0, a
 * percentage of no registered targets), so a group with no healthy target never passes.
 */
function requiredCount(min: MinHealthy, registered: number): number {
  if (min.kind === "count") return Math.max(1, min.value);
  return Math.max(1, Math.ceil((registered * min.value) / 100));
}

export function describeTarget(t: TargetHealthEntry): string {
  // ELB's reason code and description are AWS's words: outside text.
  const detail = untrusted([t.reason, t.description].filter(Boolean).join(": "), 300);
  return `${t.id}${t.port ? `:${t.port}` : ""} ${t.state}${detail ? ` (${detail})` : ""}`;
}

export function evaluateTargetHealth(arn: string, entries: TargetHealthEntry[], requirement: HealthRequirement): TargetGroupHealthReport {
  const byState: Record<string, number> = {};
  for (const e of entries) byState[e.state] = (byState[e.state] ?? 0) + 1;
  const active = entries.filter((e) => e.state !== "draining" && e.state !== "unused" && e.state !== "unhealthy.draining");
  const healthyIds = active.filter((e) => e.state === "healthy").map((e) => e.id);
  const healthy = healthyIds.length;
  const required = requiredCount(requirement.minHealthy, active.length);
  const notHealthy = active.filter((e) => e.state !== "healthy");
  const enough = healthy >= required;
  const allHealthy = notHealthy.length === 0;
  const ok = enough && (!requirement.requireAll || allHealthy);
  const name = targetGroupName(arn);
  let summary: string;
  if (active.length === 0) summary = `${name}: no registered targets (${required} healthy required)`;
  else if (ok) summary = `${name}: ${healthy}/${active.length} healthy (${required} required)`;
  else {
    const why = notHealthy.slice(0, 5).map(describeTarget).join("; ");
    const more = notHealthy.length > 5 ? `; and ${notHealthy.length - 5} more` : "";
    summary = `${name}: ${healthy}/${active.length} healthy, ${required} required${requirement.requireAll ? " and all registered" : ""}${why ? ` — ${why}${more}` : ""}`;
  }
  return { targetGroupArn: arn, targetGroupName: name, registered: active.length, healthy, required, byState, notHealthy, healthyIds, ok, summary };
}

export async function readTargetHealth(targetGroups: TargetGroups, arn: string, requirement: HealthRequirement): Promise<TargetGroupHealthReport> {
  return evaluateTargetHealth(arn, await targetGroups.health(arn), requirement);
}

/**
 * While health must hold, the same targets must stay healthy: a target that was healthy at one
 * passing poll and is not at the next broke the hold, even when a replacement that turned healthy in
 * between makes the count whole again (a release that crashes and is replaced over and over).
 */
export class HeldTargets {
  private held: Set<string> | undefined;

  /** Call on every poll with whether it passed; returns why the hold broke, if it did. */
  check(passing: boolean, reports: TargetGroupHealthReport[]): string | undefined {
    if (!passing) {
      this.held = undefined;
      return undefined;
    }
    const now = new Set(reports.flatMap((r) => r.healthyIds.map((id) => `${r.targetGroupName}: ${id}`)));
    const left = this.held ? [...this.held].filter((t) => !now.has(t)) : [];
    this.held = left.length > 0 ? undefined : now;
    if (left.length === 0) return undefined;
    return `${left.slice(0, 5).join(", ")}${left.length > 5 ? ` and ${left.length - 5} more` : ""} healthy at the last poll but no longer (stopped, or replaced by a new target)`;
  }
}

export interface WaitForHealthOptions {
  targetGroups: TargetGroups;
  arns: string[];
  requirement: HealthRequirement;
  timeoutMs: number;
  clock: Clock;
  random: Random;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** Extra condition checked on each poll (e.g. Auto Scaling instances InService); return a status when not met. */
  alsoRequire?: () => Promise<string | undefined>;
  /** How long it must all hold once it passes (see pollUntil's holdForMs). */
  holdForMs?: number;
  /** Default: fastPoll. */
  policy?: PollPolicy;
  onLapse?: (lapse: Lapse) => void;
}

/** Polls until every target group meets the requirement; reacts within a second of it becoming true. */
export async function waitForTargetHealth(options: WaitForHealthOptions): Promise<TargetGroupHealthReport[]> {
  let last: TargetGroupHealthReport[] = [];
  const held = new HeldTargets();
  return pollUntil({
    label: `waiting for ${options.arns.map(targetGroupName).join(", ")} to be healthy`,
    timeoutMs: options.timeoutMs,
    clock: options.clock,
    random: options.random,
    log: options.log,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.holdForMs ? { holdForMs: options.holdForMs } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.onLapse ? { onLapse: options.onLapse } : {}),
    probe: async () => {
      last = await Promise.all(options.arns.map((arn) => readTargetHealth(options.targetGroups, arn, options.requirement)));
      const extra = options.alsoRequire ? await options.alsoRequire() : undefined;
      const passing = last.every((r) => r.ok) && !extra;
      const left = options.holdForMs ? held.check(passing, last) : undefined;
      if (passing && !left) return { done: true, value: last };
      return { done: false, status: left ?? [...last.map((r) => r.summary), ...(extra ? [extra] : [])].join("; ") };
    },
  });
}

/** `auto`, or how long health must hold once it passes (0: the first passing poll is enough). */
export type StableFor = { kind: "auto" } | { kind: "fixed"; ms: number };

/** Milliseconds as seconds with at most one decimal: `20s`, `1.5s`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`;
}

/**
 * Refuses a stable-for that does not fit in the timeout: health has to pass first, then hold.
 * `subject` says what must hold, given the duration, e.g. "health must hold for 20s once it passes".
 */
export function requireStableForFits(stable: StableForResolution, timeoutMs: number, subject: (duration: string) => string): void {
  if (stable.ms < timeoutMs) return;
  throw new ConfigurationError(
    `${subject(formatSeconds(stable.ms))} (${stable.why}), which does not fit in timeout ${formatSeconds(timeoutMs)}. Raise timeout, or set stable-for to a shorter duration.`,
  );
}

export interface StableForResolution {
  ms: number;
  /** Why this long, in words, for the log and the summary. */
  why: string;
}

/**
 * How long health must hold once it passes. `auto`: twice as long as the load balancer can take to
 * mark a failed target unhealthy (interval × unhealthy threshold), for the slowest of the target
 * groups, so that a target failing at any time in that first stretch after passing is seen failing
 * before the window ends. With no target groups, 0 (URL checks have consecutive-successes for that).
 */
export async function resolveStableFor(setting: StableFor, targetGroups: TargetGroups | undefined, arns: string[]): Promise<StableForResolution> {
  if (setting.kind === "fixed") return { ms: setting.ms, why: setting.ms === 0 ? "stable-for 0s: the first passing poll is enough" : "as given by stable-for" };
  if (arns.length === 0 || !targetGroups) return { ms: 0, why: "stable-for auto with no target group: consecutive-successes is the URL checks' window" };
  const infos = await targetGroups.describe(arns);
  let slowest: { ms: number; why: string } = { ms: 0, why: "" };
  for (const info of infos) {
    const hc = info.healthCheck;
    if (!hc || !hc.enabled) continue;
    const detect = hc.intervalSeconds * hc.unhealthyThreshold;
    if (2 * detect * 1000 > slowest.ms) {
      slowest = {
        ms: 2 * detect * 1000,
        why: `stable-for auto: twice the ${detect}s ${info.name} can take to mark a failed target unhealthy (${hc.unhealthyThreshold} failed checks ${hc.intervalSeconds}s apart)`,
      };
    }
  }
  if (slowest.ms === 0) return { ms: 0, why: "stable-for auto: the load balancer reports no health check settings for these target groups" };
  return slowest;
}
