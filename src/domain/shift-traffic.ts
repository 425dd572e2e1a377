/**
 * shift-traffic: moves weight to one slot, at once or in steps with a bake time between them.
 * Before every increase the receiving group must be healthy enough; after every write the weights
 * are read back; between steps, gates (health, alarms, canary analysis) may abort, and any abort
 * puts traffic back on the stable slot. At 100% the new slot becomes stable.
 */
import type { AlarmStates } from "../ports/alarms";
import type { LockRules, Stickiness, WeightedGroup } from "../ports/load-balancer";
import type { Clock, Random } from "../util/clock";
import { errorMessage } from "../util/errors";
import { untrusted } from "../util/untrusted";
import {
  analyzeState,
  type Environment,
  type EnvironmentPorts,
  type EnvironmentRef,
  findSlot,
  findFleets,
  fleetOf,
  otherSlot,
  refuseInconsistent,
  resolveEnvironment,
  type Slot,
} from "./environment";
import { acquireLock, type AcquiredLock, type LockOwner, LockLostError, type SavedLock } from "./lock";
import { scaleInAfterDraining } from "./scale-in";
import { TAG, tagText } from "./tags";
import { formatMinHealthy, type MinHealthy, readTargetHealth, type TargetGroupHealthReport } from "./target-health";
import { assertUnchanged, ListenerChangedError, requireHealthy, writeVerified } from "./traffic";
import { shareOf, weightsFor } from "./weights";

export type ShiftPlan = { kind: "weight"; percent: number } | { kind: "steps"; percents: number[]; intervalMs: number };

export interface GateContext {
  /** 0-based index of this look (a look follows every bake). */
  stepIndex: number;
  /** Number of looks planned: one after every step except a final 100% step. */
  plannedLooks: number;
  share: number;
  stepStartedAt: number;
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
  check(ctx: GateContext): Promise<GateResult>;
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

class AbortShift extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function planSteps(plan: ShiftPlan): number[] {
  return plan.kind === "weight" ? [plan.percent] : plan.percents;
}

function describeShift(env: Environment, groups: WeightedGroup[]): string {
  return env.slots.map((s) => `${s.name} ${shareOf(groups, s.targetGroupArn)}%`).join(", ");
}

export async function shiftTraffic(options: ShiftOptions, deps: ShiftDeps): Promise<ShiftResult> {
  const { clock, ports, log } = deps;
  const started = clock.now();
  const deadline = started + options.timeoutMs;
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
  const restoreTo = weightsFor(0, to.targetGroupArn, from.targetGroupArn);
  const stableSlot = to.role === "stable" ? to : from;
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
  if (options.dryRun) {
    for (const line of planLines) log(`[dry-run] would set weights: ${line}`);
    if (steps[steps.length - 1] === 100) log(`[dry-run] would tag ${to.name} stable and ${from.name} previous`);
    if (options.scaleInPrevious) log(`[dry-run] would scale in the Auto Scaling group of ${from.name} after its deregistration delay`);
    result.durationMs = clock.now() - started;
    return result;
  }

  const lock = await acquireLock({ rules: ports.locks, tags: ports.tags, environment: env.ref, owner: options.lockOwner, ttlMs: options.lockTtlMs, clock, random: deps.random, log, signal: deps.signal });
  deps.onStart?.({ environment: env, restoreTo, stableArn: stableSlot.targetGroupArn, lock: lock.saved() });
  const requirement = { minHealthy: options.minHealthy, requireAll: false };
  let current = env.routing.groups;
  // When the weights were last read or written: older than a second, they are read again before a write.
  let seenAt = clock.now();
  let canaryStartedAt = startShare > 0 ? started : undefined;
  const bakesAfter = (i: number) => options.plan.kind === "steps" && (i < pending.length - 1 || pending[i]! < 100);
  const looks = pending.map((_, i) => i).filter(bakesAfter);
  let lastHealth: { at: number; report: TargetGroupHealthReport } | undefined;
  try {
    if (state.phase === "steady" && state.inferred && state.live === from) {
      await ports.tags.write(from.targetGroupArn, { [TAG.role]: "stable", [TAG.updatedAt]: new Date(clock.now()).toISOString() });
      log(`${from.name} served all traffic without a role tag: tagged it stable, the slot to restore on any failure`);
    }
    for (const [i, percent] of pending.entries()) {
      checkAborted(deps.signal);
      if (percent > shareOf(current, to.targetGroupArn)) {
        // A bake's last health read less than a second old is still the truth; reading again would repeat it.
        const fresh = lastHealth && clock.now() - lastHealth.at < 1000 ? lastHealth.report : undefined;
        const report = fresh ?? (await readTargetHealth(ports.targetGroups, to.targetGroupArn, requirement));
        lastHealth = { at: clock.now(), report };
        if (!report.ok) throw new AbortShift(`${to.name} is not healthy enough to receive ${percent}% (min-healthy ${formatMinHealthy(options.minHealthy)}): ${report.summary}`);
      }
      const next = weightsFor(percent, to.targetGroupArn, from.targetGroupArn);
      await lock.assertHeld(`moving ${to.name} to ${percent}%`);
      if (clock.now() - seenAt >= 1000) await assertUnchanged(ports.router, env.ref, current, `moving ${to.name} to ${percent}%`);
      const verified = await writeVerified(ports.router, env.ref, next, clock, { stickiness });
      current = verified.groups;
      seenAt = clock.now();
      canaryStartedAt ??= clock.now();
      result.stepsCompleted = steps.length - pending.length + i + 1;
      result.finalWeights = current;
      result.finalShare = percent;
      timeline.push({ at: clock.now(), share: percent, event: "shift", detail: `verified: ${describeShift(env, current)}` });
      log(`Step ${result.stepsCompleted}/${steps.length}: ${describeShift(env, current)} (verified on the load balancer)`);
      const look = looks.indexOf(i);
      if (look >= 0) {
        lastHealth = await bake(options, deps, {
          lock,
          lastHealth,
          to,
          from,
          loadBalancerArn: env.routing.loadBalancerArn,
          canaryStartedAt: canaryStartedAt ?? clock.now(),
          share: percent,
          stepIndex: look,
          plannedLooks: looks.length,
          deadline,
          timeline,
          final: look === looks.length - 1,
        });
      }
    }
  } catch (error) {
    if (error instanceof ListenerChangedError) {
      // Someone else's weights: restoring would overwrite them as surely as the next step would.
      result.aborted = true;
      result.abortReason = error.message;
      timeline.push({ at: clock.now(), share: shareOf(current, to.targetGroupArn), event: "abort", detail: error.message });
      await lock.release().catch((e) => deps.warn(`Could not release the deployment lock: ${errorMessage(e)}`));
      result.durationMs = clock.now() - started;
      throw Object.assign(error, { shiftResult: result });
    }
    if (error instanceof LockLostError) {
      // A rollback owns the environment now; writing weights here would fight it.
      result.aborted = true;
      result.abortReason = error.message;
      timeline.push({ at: clock.now(), share: shareOf(current, to.targetGroupArn), event: "abort", detail: error.message });
      result.durationMs = clock.now() - started;
      throw Object.assign(error, { shiftResult: result });
    }
    const reason = error instanceof AbortShift ? error.reason : errorMessage(error);
    result.aborted = true;
    result.abortReason = reason;
    timeline.push({ at: clock.now(), share: shareOf(current, to.targetGroupArn), event: "abort", detail: reason });
    deps.warn(`Aborting the shift: ${reason}`);
    await restore(env, stableSlot, restoreTo, current, options, deps, result, lock, seenAt);
    // Not restored: the lock stays this job's, so its post step (or a rollback) can still restore.
    if (result.restored) await lock.release().catch((e) => deps.warn(`Could not release the deployment lock: ${errorMessage(e)}`));
    result.durationMs = clock.now() - started;
    if (error instanceof AbortShift) return result;
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { shiftResult: result });
  }

  if (result.finalShare === 100 && to.role !== "stable") {
    // The roles this run found, and the one it may have written itself (an untagged live slot tagged stable).
    const found = new Map([[to.targetGroupArn, [to.role]], [from.targetGroupArn, state.phase === "steady" && state.inferred && state.live === from ? [from.role, "stable" as const] : [from.role]]]);
    await assertRolesUnchanged(env, found, started, deps).catch(async (error: unknown) => {
      await lock.release().catch((e) => deps.warn(`Could not release the deployment lock: ${errorMessage(e)}`));
      throw error;
    });
    await promote(env, to, from, options, deps, lock);
    result.promoted = true;
    timeline.push({ at: clock.now(), share: 100, event: "promote", detail: `${to.name} tagged stable, ${from.name} previous` });
    if (options.scaleInPrevious) {
      result.scaledIn = await scaleInAfterDraining(env, from, options.scaleInDelayMs, { ...deps, purpose: "scale-in-previous", lock });
      timeline.push({ at: clock.now(), share: 100, event: "scale-in", detail: `${result.scaledIn.asg}: ${result.scaledIn.fromCapacity} → 0` });
    }
  }
  if (result.finalShare === 100 || result.finalShare === 0) await lock.release();
  // Part way: a later step of this run (the promotion after an approval) claims it.
  else if (!(await lock.park())) deps.warn("The deployment lock was no longer this step's to leave to the next step of its run; the next step takes it as any other deployment would.");
  result.durationMs = clock.now() - started;
  return result;
}

function sameSticky(env: Environment, stickiness: Stickiness | undefined): boolean {
  if (!stickiness) return true;
  const s = env.routing.stickiness;
  return s.enabled === stickiness.enabled && (!s.enabled || s.durationSeconds === stickiness.durationSeconds);
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("cancelled");
}

interface BakeContext {
  lock: AcquiredLock;
  /** The latest health read; reused when under a second old, so the bake does not repeat it. */
  lastHealth: { at: number; report: TargetGroupHealthReport } | undefined;
  canaryStartedAt: number;
  to: Slot;
  from: Slot;
  loadBalancerArn: string;
  share: number;
  stepIndex: number;
  plannedLooks: number;
  deadline: number;
  timeline: TimelineEntry[];
  final: boolean;
}

/** Waits one interval, watching health and alarms; runs the gates at the end. Throws AbortShift. Returns the last health read. */
async function bake(options: ShiftOptions, deps: ShiftDeps, b: BakeContext): Promise<{ at: number; report: TargetGroupHealthReport } | undefined> {
  const { clock, ports } = deps;
  if (options.plan.kind !== "steps") return undefined;
  const stepStartedAt = clock.now();
  const until = stepStartedAt + options.plan.intervalMs;
  if (until > b.deadline) throw new AbortShift(`the timeout would pass during the ${Math.round(options.plan.intervalMs / 1000)}s bake at ${b.share}%`);
  const alarms = options.alarmNames.length ? await ports.alarms() : undefined;
  const requirement = { minHealthy: options.minHealthy, requireAll: false };
  deps.log(`Baking ${b.to.name} at ${b.share}% for ${Math.round(options.plan.intervalMs / 1000)}s`);
  let last = b.lastHealth;
  for (;;) {
    checkAborted(deps.signal);
    await b.lock.checkpoint(`baking ${b.to.name} at ${b.share}%`);
    const reuse = last && clock.now() - last.at < 1000 ? last.report : undefined;
    const health = reuse ?? (await readTargetHealth(ports.targetGroups, b.to.targetGroupArn, requirement));
    if (!reuse) last = { at: clock.now(), report: health };
    if (!health.ok) throw new AbortShift(`${b.to.name} lost health during the bake at ${b.share}%: ${health.summary}`);
    if (alarms) {
      const states = await alarms.read(options.alarmNames);
      const firing = states.filter((a) => a.state === "ALARM");
      if (firing.length) throw new AbortShift(`alarm ${firing.map((a) => `${untrusted(a.name, 255)} is in ALARM (${untrusted(a.reason, 500)})`).join("; ")}`);
      const missing = options.alarmNames.filter((n) => !states.some((s) => s.name === n));
      if (missing.length) throw new AbortShift(`alarm-names: no CloudWatch alarm named ${missing.map((n) => untrusted(n, 255)).join(", ")} exists`);
    }
    const now = clock.now();
    if (now >= until) break;
    await clock.sleep(Math.min(options.watchEveryMs, until - now), deps.signal);
  }
  for (const gate of deps.gates) {
    const outcome = await gate.check({
      stepIndex: b.stepIndex,
      plannedLooks: b.plannedLooks,
      share: b.share,
      stepStartedAt,
      canaryStartedAt: b.canaryStartedAt,
      now: clock.now(),
      final: b.final,
      canary: b.to,
      baseline: b.from,
      loadBalancerArn: b.loadBalancerArn,
    });
    b.timeline.push({ at: clock.now(), share: b.share, event: "gate", detail: `${gate.name}: ${outcome.detail}` });
    deps.log(`${gate.name} at ${b.share}%: ${outcome.ok ? "passed" : "failed"} — ${outcome.detail}`);
    if (!outcome.ok) throw new AbortShift(`${gate.name} failed at ${b.share}%: ${outcome.detail}`);
  }
  return last;
}

async function restore(
  env: Environment,
  stable: Slot,
  restoreTo: WeightedGroup[],
  current: WeightedGroup[],
  options: ShiftOptions,
  deps: ShiftDeps,
  result: ShiftResult,
  lock: AcquiredLock,
  seenAt: number,
): Promise<void> {
  const { ports, clock } = deps;
  if (shareOf(current, stable.targetGroupArn) === 100) {
    result.restored = true;
    return;
  }
  try {
    await requireHealthy(ports.targetGroups, stable.targetGroupArn, { minHealthy: options.minHealthy, requireAll: false }, `restoring traffic to ${stable.name}`);
    await lock.assertHeld(`restoring traffic to ${stable.name}`);
    if (clock.now() - seenAt >= 1000) await assertUnchanged(ports.router, env.ref, current, `restoring traffic to ${stable.name}`);
    const verified = await writeVerified(ports.router, env.ref, restoreTo, clock);
    result.finalWeights = verified.groups;
    result.finalShare = shareOf(verified.groups, result.to.targetGroupArn);
    result.restored = true;
    result.timeline.push({ at: clock.now(), share: result.finalShare, event: "restore", detail: `100% on ${stable.name}, verified` });
    deps.log(`Restored 100% of traffic to ${stable.name} (verified on the load balancer)`);
  } catch (error) {
    deps.warn(`Could not restore traffic to ${stable.name}: ${errorMessage(error)}. Traffic stays at ${describeShift(env, current)}. Run the rollback action.`);
  }
}

/**
 * Before promotion rewrites the roles: the slots' role tags must still be what this run found (a
 * second old at least: the environment was just read otherwise). A changed role means someone else
 * changed the environment; promoting would overwrite their tags.
 */
async function assertRolesUnchanged(env: Environment, found: Map<string, (string | undefined)[]>, readAt: number, deps: ShiftDeps): Promise<void> {
  if (deps.clock.now() - readAt < 1000) return;
  const now = await deps.ports.tags.read([...found.keys()]);
  for (const slot of env.slots) {
    const expected = found.get(slot.targetGroupArn);
    const role = now.get(slot.targetGroupArn)?.[TAG.role];
    if (expected && !expected.includes(role)) {
      throw new ListenerChangedError(
        `The tags changed under this deployment: ${slot.name} is tagged ${TAG.role}=${untrusted(role ?? "(none)", 64)} where this run found ${expected.map((r) => r ?? "(none)").join(" or ")}. ` +
          "Not promoting, and not overwriting them: find out what changed them, then run rollback or deploy again.",
      );
    }
  }
}

async function promote(env: Environment, to: Slot, from: Slot, options: ShiftOptions, deps: ShiftDeps, lock: AcquiredLock): Promise<void> {
  await lock.assertHeld(`promoting ${to.name} to stable`);
  const now = new Date(deps.clock.now()).toISOString();
  const tags = deps.ports.tags;
  const sha: Record<string, string> = options.sha ? { [TAG.sha]: tagText(to.sha ?? options.sha) } : {};
  await tags.write(to.targetGroupArn, { [TAG.role]: "stable", [TAG.updatedAt]: now, ...sha });
  await tags.write(from.targetGroupArn, { [TAG.role]: "previous", [TAG.updatedAt]: now });
  const fleet = await deps.ports.fleet().catch(() => undefined);
  if (fleet) {
    await findFleets(env, fleet).catch(() => undefined);
    for (const [slot, role] of [
      [to, "stable"],
      [from, "previous"],
    ] as const) {
      // Only the name is needed to tag it: no second read of a group found just now.
      const group = env.knownFleets.get(slot.targetGroupArn) ?? (await fleetOf(env, slot, fleet).catch(() => undefined));
      if (group) await fleet.tag(group.name, { [TAG.role]: role, [TAG.updatedAt]: now, ...(slot === to ? sha : {}) });
    }
  }
  deps.log(`Promoted ${to.name}${to.version ? ` (${to.version})` : ""} to stable; ${from.name}${from.version ? ` (${from.version})` : ""} is now previous`);
}
