/**
 * shift-traffic: moves weight to one slot, at once or in steps with a bake time between them.
 * Before every increase the receiving group must be healthy enough; after every write the weights
 * are read back; between steps, gates (health, alarms, canary analysis) may abort, and any abort
 * puts traffic back on the stable slot. At 100% the new slot becomes stable.
 */
import type { WeightedGroup } from "../ports/load-balancer";
import { errorMessage } from "../util/errors";
import { untrusted } from "../util/untrusted";
import { type Environment, findFleets, fleetOf, type Slot } from "./environment";
import { acquireLock, type AcquiredLock, LockLostError } from "./lock";
import { scaleInAfterDraining } from "./scale-in";
import {
  describeShift,
  dryRunShift,
  type Gate,
  type GateContext,
  type GateResult,
  AbortShift,
  checkAborted,
  type PlannedShift,
  planShift, settledAt, tolerateThrottling, watchDelay,
  type ShiftDeps,
  type ShiftOptions,
  type ShiftPlan,
  type ShiftPorts,
  type ShiftResult,
  type ShiftRun,
  type TimelineEntry,
} from "./shift-traffic-plan";
import { checkGates, type GatedBake, watchGates } from "./shift-traffic-gates";
import { TAG, tagText } from "./tags";
import { formatMinHealthy, readTargetHealth, type TargetGroupHealthReport } from "./target-health";
import { assertRolesUnchanged, assertUnchanged, ListenerChangedError, requireHealthy, unstick, unstuckNote, writeVerified } from "./traffic";
import { shareOf, weightsFor } from "./weights";

export type { Gate, GateContext, GateResult, ShiftDeps, ShiftOptions, ShiftPlan, ShiftPorts, ShiftResult, TimelineEntry };

/** The phases: plan (nothing changes), take the lock, shift step by step (baking between), then promote, scale in and give the lock back. */
export async function shiftTraffic(options: ShiftOptions, deps: ShiftDeps): Promise<ShiftResult> {
  const { clock, ports, log } = deps;
  const started = clock.now();
  const plan = await planShift(options, ports, started);
  const { env, result, restoreTo, stableSlot } = plan;
  if (options.dryRun) {
    dryRunShift(options, plan, log);
    result.durationMs = clock.now() - started;
    return result;
  }

  const lock = await acquireLock({ rules: ports.locks, tags: ports.tags, environment: env.ref, owner: options.lockOwner, ttlMs: options.lockTtlMs, clock, random: deps.random, log, signal: deps.signal });
  deps.onStart?.({ environment: env, restoreTo, stableArn: stableSlot.targetGroupArn, lock: lock.saved() });
  const run: ShiftRun = { lock, current: env.routing.groups, seenAt: clock.now(), canaryStartedAt: plan.startShare > 0 ? started : undefined, lastHealth: undefined };
  const aborted = await shiftSteps(options, deps, plan, run, started);
  if (aborted) return aborted;
  await finish(options, deps, plan, lock, started);
  result.durationMs = clock.now() - started;
  return result;
}

/** Each pending step: health first, then the weights written and read back, then a bake. A failure restores (abortShift). */
async function shiftSteps(options: ShiftOptions, deps: ShiftDeps, plan: PlannedShift, run: ShiftRun, started: number): Promise<ShiftResult | undefined> {
  const { clock, ports, log } = deps;
  const { env, state, to, from, stickiness, steps, pending, result } = plan;
  const { lock } = run;
  const requirement = { minHealthy: options.minHealthy, requireAll: false };
  const bakesAfter = (i: number) => options.plan.kind === "steps" && (i < pending.length - 1 || pending[i]! < 100);
  const looks = pending.map((_, i) => i).filter(bakesAfter);
  try {
    if (state.phase === "steady" && state.inferred && state.live === from) {
      await ports.tags.write(from.targetGroupArn, { [TAG.role]: "stable", [TAG.updatedAt]: new Date(clock.now()).toISOString() });
      log(`${from.name} served all traffic without a role tag: tagged it stable, the slot to restore on any failure`);
    }
    for (const [i, percent] of pending.entries()) {
      checkAborted(deps.signal);
      if (percent > shareOf(run.current, to.targetGroupArn)) {
        // A bake's last health read less than a second old is still the truth; reading again would repeat it.
        const fresh = run.lastHealth && clock.now() - run.lastHealth.at < 1000 ? run.lastHealth.report : undefined;
        const report = fresh ?? (await readTargetHealth(ports.targetGroups, to.targetGroupArn, requirement));
        run.lastHealth = { at: clock.now(), report };
        if (!report.ok) throw new AbortShift(`${to.name} is not healthy enough to receive ${percent}% (min-healthy ${formatMinHealthy(options.minHealthy)}): ${report.summary}`);
      }
      const next = weightsFor(percent, to.targetGroupArn, from.targetGroupArn);
      await lock.assertHeld(`moving ${to.name} to ${percent}%`);
      if (clock.now() - run.seenAt >= 1000) await assertUnchanged(ports.router, env.ref, run.current, `moving ${to.name} to ${percent}%`);
      const verified = await writeVerified(ports.router, env.ref, next, clock, { stickiness });
      // The read-back is the API's view; the nodes route by it a little later. A bake counts from then.
      if (bakesAfter(i) && options.propagationMs) await clock.sleep(options.propagationMs, deps.signal);
      run.current = verified.groups;
      run.seenAt = clock.now();
      run.canaryStartedAt ??= clock.now();
      result.stepsCompleted = steps.length - pending.length + i + 1;
      result.finalWeights = run.current;
      result.finalShare = percent;
      result.timeline.push({ at: clock.now(), share: percent, event: "shift", detail: `verified: ${describeShift(env, run.current)}` });
      log(`Step ${result.stepsCompleted}/${steps.length}: ${describeShift(env, run.current)} (verified on the load balancer)`);
      const look = looks.indexOf(i);
      if (look >= 0) {
        run.lastHealth = await bake(options, deps, {
          lock,
          lastHealth: run.lastHealth,
          to,
          from,
          loadBalancerArn: env.routing.loadBalancerArn,
          canaryStartedAt: run.canaryStartedAt ?? clock.now(),
          share: percent,
          stepIndex: look,
          plannedLooks: looks.length,
          deadline: plan.deadline,
          timeline: result.timeline,
          final: look === looks.length - 1,
        });
      }
    }
    return undefined;
  } catch (error) {
    return abortShift(error, options, deps, plan, run, started);
  }
}

/**
 * A step failed. Someone else's weights or a lost lock: stop, writing nothing. Otherwise put traffic
 * back on the stable slot; the lock is given back once restored. An AbortShift (a gate, health, the
 * timeout) returns the result; anything else is thrown with it.
 */
async function abortShift(error: unknown, options: ShiftOptions, deps: ShiftDeps, plan: PlannedShift, run: ShiftRun, started: number): Promise<ShiftResult> {
  const { clock } = deps;
  const { env, to, stableSlot, restoreTo, result } = plan;
  const { lock, current, seenAt } = run;
  const { timeline } = result;
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

/** At 100%: promote (unless the roles changed under us) and scale the previous fleet in. Then the lock: released, or parked part way. */
async function finish(options: ShiftOptions, deps: ShiftDeps, plan: PlannedShift, lock: AcquiredLock, started: number): Promise<void> {
  const { clock } = deps;
  const { env, state, to, from, result } = plan;
  if (result.finalShare === 100 && to.role !== "stable") {
    // The roles this run found, and the one it may have written itself (an untagged live slot tagged stable).
    const found = new Map([[to.targetGroupArn, [to.role]], [from.targetGroupArn, state.phase === "steady" && state.inferred && state.live === from ? [from.role, "stable" as const] : [from.role]]]);
    await assertRolesUnchanged(env, found, started, deps).catch(async (error: unknown) => {
      await lock.release().catch((e) => deps.warn(`Could not release the deployment lock: ${errorMessage(e)}`));
      throw error;
    });
    await promote(env, to, from, options, deps, lock);
    result.promoted = true;
    result.timeline.push({ at: clock.now(), share: 100, event: "promote", detail: `${to.name} tagged stable, ${from.name} previous` });
    if (options.scaleInPrevious) {
      result.scaledIn = await scaleInAfterDraining(env, from, options.scaleInDelayMs + (options.propagationMs ?? 0), { ...deps, purpose: "scale-in-previous", lock });
      result.timeline.push({ at: clock.now(), share: 100, event: "scale-in", detail: `${result.scaledIn.asg}: ${result.scaledIn.fromCapacity} → 0` });
    }
  }
  if (result.finalShare === 100 || result.finalShare === 0) await lock.release();
  // Part way: a later step of this run (the promotion after an approval) claims it.
  else if (!(await lock.park())) deps.warn("The deployment lock was no longer this step's to leave to the next step of its run; the next step takes it as any other deployment would.");
}

/** A step's bake as the gates see it (bakeEndedAt is set once the bake starts), with the run's lock, health and deadline. */
interface BakeContext extends Omit<GatedBake, "bakeEndedAt"> {
  lock: AcquiredLock;
  /** The latest health read; reused when under a second old, so the bake does not repeat it. */
  lastHealth: { at: number; report: TargetGroupHealthReport } | undefined;
  deadline: number;
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
  const judgeAt = settledAt(deps.gates, until, b.deadline);
  const gated = { ...b, bakeEndedAt: until };
  deps.log(`Baking ${b.to.name} at ${b.share}% for ${Math.round(options.plan.intervalMs / 1000)}s${judgeAt > until ? `, then ${Math.round((judgeAt - until) / 1000)}s more until its metrics are published (metrics-delay)` : ""}`);
  let last = b.lastHealth;
  for (;;) {
    checkAborted(deps.signal);
    await b.lock.checkpoint(`baking ${b.to.name} at ${b.share}%`);
    const reuse = last && clock.now() - last.at < 1000 ? last.report : undefined;
    const health = reuse ?? (await tolerateThrottling(() => readTargetHealth(ports.targetGroups, b.to.targetGroupArn, requirement), last?.report, deps.log));
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
    if (now >= judgeAt) break;
    await watchGates(deps.gates, gated, stepStartedAt, now, deps.log);
    await clock.sleep(Math.min(watchDelay(options.watchEveryMs, now - stepStartedAt), judgeAt - now), deps.signal);
  }
  await checkGates(deps.gates, gated, stepStartedAt, () => clock.now(), deps.log);
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
    const sticky = env.routing.stickiness.enabled || (options.stickinessSeconds ?? 0) > 0;
    const verified = await writeVerified(ports.router, env.ref, restoreTo, clock, { stickiness: unstick({ enabled: sticky }) });
    if (sticky) deps.log(unstuckNote(result.to.name, Math.max(env.routing.stickiness.durationSeconds ?? 0, options.stickinessSeconds ?? 0), clock.now()));
    result.finalWeights = verified.groups;
    result.finalShare = shareOf(verified.groups, result.to.targetGroupArn);
    result.restored = true;
    result.timeline.push({ at: clock.now(), share: result.finalShare, event: "restore", detail: `100% on ${stable.name}, verified` });
    deps.log(`Restored 100% of traffic to ${stable.name} (verified on the load balancer)`);
  } catch (error) {
    deps.warn(`Could not restore traffic to ${stable.name}: ${errorMessage(error)}. Traffic stays at ${describeShift(env, current)}. Run the rollback action.`);
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
