/**
 * shift-traffic's vocabulary (options, ports, gates, the result and its timeline) and its first phase,
 * which changes nothing: read the environment, refuse an inconsistent one, and plan the steps still to
 * take. A dry run ends here. The shift itself: ./shift-traffic.ts.
 */
import type { AlarmStates } from "../ports/alarms";
import type { LockRules, Stickiness, WeightedGroup } from "../ports/load-balancer";
import type { Clock, Random } from "../util/clock";
import { errorMessage, isThrottling } from "../util/errors";
import { analyzeState, type Environment, type EnvironmentPorts, type EnvironmentRef, type EnvironmentState, findSlot, otherSlot, refuseInconsistent, resolveEnvironment, type Slot } from "./environment";
import type { AcquiredLock, LockOwner, SavedLock } from "./lock";
import type { MinHealthy, TargetGroupHealthReport } from "./target-health";
import { shareOf, weightsFor } from "./weights";

export type ShiftPlan = { kind: "weight"; percent: number } | { kind: "steps"; percents: number[]; intervalMs: number };

export interface GateContext {
  /** 0-based index of this look (a look follows every bake). */
  stepIndex: number;
  /** Number of looks planned: one after every step except a final 100% step. */
  plannedLooks: number;
  share: number;
  stepStartedAt: number;
  /** When this step's bake time ended (the look may run later, once the bake's metrics are published). */
  bakeEndedAt: number;
  /** When the canary began receiving traffic in this run; analysis windows grow from here. */
  canaryStartedAt: number;
  now: number;
  /** True on the last look: the one before 100%, or after the last step of a canary that stops short of 100%. */
  final: boolean;
  /** The slot gaining traffic (the canary) and the stable one (the baseline). */
  canary: Slot;
  baseline: Slot;
  loadBalancerArn: string;
}

export interface GateResult {
  ok: boolean;
  /** In words; shown in the summary and in the abort reason. */
  detail: string;
}

/** A check made at the end of each bake interval (canary analysis). */
export interface Gate {
  name: string;
  /** How long after a bake ends the gate's data is complete (metrics-delay): the bake is watched that much longer before the check. */
  settleMs?: number | undefined;
  check(ctx: GateContext): Promise<GateResult>;
  /** Continuous monitoring: called at every tick of a bake (watchEveryMs); a failure stops the bake there. */
  watch?(ctx: GateContext): Promise<GateResult>;
}

/** When a bake's looks may run: once every gate's data is complete (its settleMs after the bake), but never past the deadline. */
export function settledAt(gates: Gate[], bakeEnd: number, deadline: number): number {
  const settle = Math.max(0, ...gates.map((g) => g.settleMs ?? 0));
  return Math.max(bakeEnd, Math.min(bakeEnd + settle, deadline));
}

/**
 * The watch during a bake (health, alarms) reads every `everyMs` for its first 30 s, then backs off to
 * twice that: a long bake of many deployments in one account stays within the shared API budget, and
 * a target going unhealthy is still seen within a few seconds.
 */
export function watchDelay(everyMs: number, intoBakeMs: number): number {
  return intoBakeMs < 30_000 ? everyMs : 2 * everyMs;
}

/**
 * A bake's health read throttled past the SDK's retries (the account's API budget is shared): the last
 * reading stands for one more tick, and the next tick reads again, rather than aborting a healthy
 * canary over the budget. With no reading yet, the error stands.
 */
export async function tolerateThrottling<T>(read: () => Promise<T>, last: T | undefined, log: (line: string) => void): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (last === undefined || !isThrottling(error)) throw error;
    log(`Target health read throttled by AWS (${errorMessage(error)}); the last reading stands until the next one`);
    return last;
  }
}

export interface ShiftOptions {
  environment: EnvironmentRef;
  to: string;
  plan: ShiftPlan;
  minHealthy: MinHealthy;
  /** Seconds of stickiness to set on the forward action; 0 turns it off; undefined leaves it. */
  stickinessSeconds?: number | undefined;
  alarmNames: string[];
  scaleInPrevious: boolean;
  /** Extra bake after the deregistration delay before the previous fleet is scaled in. */
  scaleInDelayMs: number;
  timeoutMs: number;
  dryRun: boolean;
  /** The run, job and attempt that hold the deployment lock (a string: the run). */
  lockOwner: LockOwner | string;
  lockTtlMs: number;
  /** How often gates and health are polled during a bake. */
  watchEveryMs: number;
  /** propagation-delay: how long a verified write takes to reach every load balancer node (0 or absent: at once). */
  propagationMs?: number | undefined;
  /** Tags to write on promotion (e.g. sha). */
  sha?: string | undefined;
}

export interface ShiftPorts extends EnvironmentPorts {
  alarms: () => Promise<AlarmStates>;
  locks: LockRules;
}

export interface ShiftDeps {
  ports: ShiftPorts;
  gates: Gate[];
  clock: Clock;
  random: Random;
  log: (line: string) => void;
  warn: (line: string) => void;
  signal?: AbortSignal | undefined;
  /** Called once the plan is known, before any write, so the post step can restore after a crash. */
  onStart?: (restore: { environment: Environment; restoreTo: WeightedGroup[]; stableArn: string; lock: SavedLock }) => void;
}

export interface TimelineEntry {
  at: number;
  /** Share of the receiving slot after the event, 0–100. */
  share: number;
  event: "start" | "shift" | "gate" | "abort" | "restore" | "promote" | "scale-in";
  detail: string;
}

export interface ShiftResult {
  environment: Environment;
  from: Slot;
  to: Slot;
  plan: number[];
  stepsCompleted: number;
  finalWeights: WeightedGroup[];
  finalShare: number;
  aborted: boolean;
  abortReason?: string | undefined;
  restored: boolean;
  promoted: boolean;
  dryRun: boolean;
  planLines: string[];
  timeline: TimelineEntry[];
  scaledIn?: { asg: string; fromCapacity: number } | undefined;
  durationMs: number;
}

export function planSteps(plan: ShiftPlan): number[] {
  return plan.kind === "weight" ? [plan.percent] : plan.percents;
}

export function describeShift(env: Environment, groups: WeightedGroup[]): string {
  return env.slots.map((s) => `${s.name} ${shareOf(groups, s.targetGroupArn)}%`).join(", ");
}

function sameSticky(env: Environment, stickiness: Stickiness | undefined): boolean {
  if (!stickiness) return true;
  const s = env.routing.stickiness;
  return s.enabled === stickiness.enabled && (!s.enabled || s.durationSeconds === stickiness.durationSeconds);
}

/** What the shift will do: the slots, the steps still to take (a step already reached is skipped), where a failure restores to. */
export interface PlannedShift {
  env: Environment;
  state: EnvironmentState;
  to: Slot;
  from: Slot;
  stickiness: Stickiness | undefined;
  steps: number[];
  pending: number[];
  startShare: number;
  restoreTo: WeightedGroup[];
  stableSlot: Slot;
  deadline: number;
  result: ShiftResult;
}

export async function planShift(options: ShiftOptions, ports: EnvironmentPorts, started: number): Promise<PlannedShift> {
  const env = await resolveEnvironment(options.environment, ports);
  const state = analyzeState(env);
  refuseInconsistent(state, "shift-traffic");
  const to = findSlot(env, options.to);
  const from = otherSlot(env, to);
  const stickiness: Stickiness | undefined =
    options.stickinessSeconds === undefined ? undefined : options.stickinessSeconds > 0 ? { enabled: true, durationSeconds: options.stickinessSeconds } : { enabled: false };
  const steps = planSteps(options.plan);
  const startShare = to.share;
  const pending = steps.filter((p) => p > startShare || (p === startShare && p === steps[steps.length - 1] && !sameSticky(env, stickiness)));
  const timeline: TimelineEntry[] = [{ at: started, share: startShare, event: "start", detail: describeShift(env, env.routing.groups) }];
  const planLines = pending.map((p) => {
    const after = weightsFor(p, to.targetGroupArn, from.targetGroupArn);
    return `${describeShift(env, env.routing.groups)} → ${describeShift(env, after)}`;
  });
  const result: ShiftResult = {
    environment: env,
    from,
    to,
    plan: steps,
    stepsCompleted: steps.length - pending.length,
    finalWeights: env.routing.groups,
    finalShare: startShare,
    aborted: false,
    restored: false,
    promoted: false,
    dryRun: options.dryRun,
    planLines,
    timeline,
    durationMs: 0,
  };
  const restoreTo = weightsFor(0, to.targetGroupArn, from.targetGroupArn);
  const stableSlot = to.role === "stable" ? to : from;
  return { env, state, to, from, stickiness, steps, pending, startShare, restoreTo, stableSlot, deadline: started + options.timeoutMs, result };
}

/** A dry run: the weights each step would set, the promotion and the scale-in. */
export function dryRunShift(options: ShiftOptions, plan: PlannedShift, log: (line: string) => void): void {
  const { steps, to, from } = plan;
  for (const line of plan.result.planLines) log(`[dry-run] would set weights: ${line}`);
  if (steps[steps.length - 1] === 100) log(`[dry-run] would tag ${to.name} stable and ${from.name} previous`);
  if (options.scaleInPrevious) log(`[dry-run] would scale in the Auto Scaling group of ${from.name} after its deregistration delay`);
}

/** A step that cannot go on (health, a gate, an alarm, the timeout): traffic goes back to the stable slot. */
export class AbortShift extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("cancelled");
}

/** What changes as the shift goes: the weights last verified and when, the latest health read, when the canary began. */
export interface ShiftRun {
  lock: AcquiredLock;
  current: WeightedGroup[];
  /** When the weights were last read or written: older than a second, they are read again before a write. */
  seenAt: number;
  canaryStartedAt: number | undefined;
  /** The latest health read; reused when under a second old. */
  lastHealth: { at: number; report: TargetGroupHealthReport } | undefined;
}
