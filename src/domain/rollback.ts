/**
 * rollback: puts 100% of traffic back on the last known good slot, from any state — mid-canary,
 * after promotion, after a crashed job. If that slot was scaled in, it is scaled back up and must be
 * healthy first: traffic never moves onto an empty or unhealthy group.
 */
import type { Fleet, FleetGroup } from "../ports/fleet";
import type { LockRules } from "../ports/load-balancer";
import type { Clock, Random } from "../util/clock";
import { ConfigurationError, errorMessage, SafetyError } from "../util/errors";
import {
  analyzeState,
  type Environment,
  type EnvironmentPorts,
  type EnvironmentRef,
  type EnvironmentState,
  findSlot,
  otherSlot,
  resolveEnvironment,
  type Slot,
} from "./environment";
import { capacityOf, formatCapacity, planCapacity } from "./fleet-capacity";
import { acquireLock, type AcquiredLock, type LockHolder, type LockOwner } from "./lock";
import { readFleets, scaleUpGood } from "./rollback-fleet";
import { checkRollbackSchema } from "./schema-check";
import { scaleInAfterDraining } from "./scale-in";
import { rollbackReason, TAG, tagText } from "./tags";
import { type MinHealthy, readTargetHealth, type TargetGroupHealthReport } from "./target-health";
import { unstick, unstuckNote, writeVerified } from "./traffic";
import { shareOf, weightsFor } from "./weights";

export interface RollbackOptions {
  environment: EnvironmentRef;
  reason: string;
  /** Roll back to the slot running this version. */
  toVersion?: string | undefined;
  /** Roll back to this slot (name or role). */
  toSlot?: string | undefined;
  minHealthy: MinHealthy;
  /** Capacity to scale the good slot to if it was scaled in; default: the bad slot's desired capacity. */
  desiredCapacity?: number | undefined;
  scaleInBad: boolean;
  timeoutMs: number;
  dryRun: boolean;
  /** The run, job and attempt that take the deployment lock (a string: the run). */
  lockOwner: LockOwner | string;
  lockTtlMs: number;
  /** Who asked for it (the GitHub actor), recorded in tags. */
  actor?: string | undefined;
  /** Return to the good slot even though the schema it needs was contracted away (rollback-schema.ts). */
  force?: boolean | undefined;
}

export interface RollbackDeps {
  ports: EnvironmentPorts & { locks: LockRules };
  clock: Clock;
  random: Random;
  log: (line: string) => void;
  warn: (line: string) => void;
  signal?: AbortSignal | undefined;
}

export interface RollbackResult {
  environment: Environment;
  phaseBefore: EnvironmentState["phase"];
  good: Slot;
  bad: Slot;
  fromVersion?: string | undefined;
  toVersion?: string | undefined;
  alreadyThere: boolean;
  scaledUp?: { asg: string; before: string; after: string } | undefined;
  health?: TargetGroupHealthReport | undefined;
  scaledIn?: { asg: string; fromCapacity: number } | undefined;
  tookOverLockFrom?: LockHolder | undefined;
  planLines: string[];
  dryRun: boolean;
  durationMs: number;
}

function versions(env: Environment): string {
  return env.slots.map((s) => `${s.name}=${s.version ?? "unknown"}`).join(", ");
}

/** Which slot is the last known good one, and why; throws with what to give when it cannot tell. */
export function chooseGoodSlot(env: Environment, state: EnvironmentState, options: Pick<RollbackOptions, "toVersion" | "toSlot">): Slot {
  if (options.toSlot) return findSlot(env, options.toSlot, "to-slot");
  if (options.toVersion) {
    const matches = env.slots.filter((s) => s.version === options.toVersion);
    if (matches.length === 1) return matches[0]!;
    throw new ConfigurationError(
      matches.length === 0
        ? `to-version: no slot runs version "${options.toVersion}" (slots: ${versions(env)}). Give one of those versions, or to-slot.`
        : `to-version: both slots are tagged version "${options.toVersion}"; give to-slot to choose one.`,
    );
  }
  switch (state.phase) {
    case "canary":
    case "promoting":
      return state.stable;
    case "steady":
      // After a promotion the idle slot is the previous, last known good one. Otherwise the live
      // slot is itself the last known good one (a canary that was restored, a first deployment).
      return state.idle.role === "previous" ? state.idle : state.live;
    case "inconsistent": {
      const stable = env.slots.filter((s) => s.role === "stable");
      if (stable.length === 1) return stable[0]!;
      const previous = env.slots.filter((s) => s.role === "previous");
      if (stable.length === 0 && previous.length === 1) return previous[0]!;
      throw new SafetyError(`Cannot tell the last known good slot: ${state.reason}. Give to-version or to-slot.`);
    }
  }
}

/** The phases: plan (nothing changes), take the lock, make the good slot healthy (scaling it up), move the traffic, tag, scale the bad slot in. */
export async function rollback(options: RollbackOptions, deps: RollbackDeps): Promise<RollbackResult> {
  const { clock, ports, log } = deps;
  const started = clock.now();
  const plan = await planRollback(options, ports);
  const { env, state, good, bad, alreadyThere, result } = plan;
  if (alreadyThere && !options.toSlot && !options.toVersion) return nothingToRollBack(options, deps, plan, started);
  if (!alreadyThere) await checkRollbackSchema(env, good, options.force === true, ports.tags, deps.warn);
  log(`Rolling back to ${good.name}${good.version ? ` (${good.version})` : ""} from ${bad.name}${bad.version ? ` (${bad.version})` : ""}; state was ${state.phase}${state.phase === "inconsistent" ? ` (${state.reason})` : ""}. Reason: ${options.reason}`);

  const fleets = await readFleets(env, good, bad, ports);
  const { fleet, group, badGroup, error: fleetError } = fleets;
  if (fleetError) deps.warn(`${errorMessage(fleetError)}. The rollback goes on without that group: it is neither scaled nor tagged, and traffic moves back only if ${good.name} is healthy.`);
  const requirement = { minHealthy: options.minHealthy, requireAll: false };
  const healthNow = await readTargetHealth(ports.targetGroups, good.targetGroupArn, requirement);
  const needsCapacity = !healthNow.ok && group !== undefined;
  const target = group && needsCapacity ? planCapacity(group, options.desiredCapacity, Math.max(badGroup?.desiredCapacity ?? 0, group.desiredCapacity), "desired-capacity") : undefined;

  result.planLines = [
    ...(target && group ? [`${group.name}: ${formatCapacity(capacityOf(group))} → ${formatCapacity(target)}, then wait until healthy`] : []),
    alreadyThere ? `traffic: already 100% on ${good.name}` : `traffic: ${good.name} ${good.share}% → 100%, ${bad.name} ${bad.share}% → 0%`,
    `tags: ${good.name} role ${good.role ?? "untagged"} → stable; ${bad.name} role ${bad.role ?? "untagged"} → failed`,
    ...(options.scaleInBad && badGroup ? [`${badGroup.name}: scale to 0 after its deregistration delay`] : []),
  ];
  if (options.dryRun) {
    for (const line of result.planLines) log(`[dry-run] would change ${line}`);
    result.durationMs = clock.now() - started;
    return result;
  }

  const lock = await acquireLock({ rules: ports.locks, tags: ports.tags, environment: env.ref, owner: options.lockOwner, ttlMs: options.lockTtlMs, clock, random: deps.random, log, takeOver: true, signal: deps.signal });
  result.tookOverLockFrom = lock.tookOverFrom;
  try {
    if (!healthNow.ok) {
      await scaleUpGood({ options, deps, good, fleets, target, healthNow, lock, started, result });
    } else {
      result.health = healthNow;
    }
    // With stickiness on, clients holding a cookie for the bad slot stay on it at weight 0: turning it off moves them too.
    const sticky = env.routing.stickiness;
    if (!alreadyThere || good.share !== 100 || sticky.enabled) {
      await lock.assertHeld(`moving all traffic to ${good.name}`);
      const verified = await writeVerified(ports.router, env.ref, weightsFor(100, good.targetGroupArn, bad.targetGroupArn), clock, { stickiness: unstick(sticky) });
      log(`Traffic restored: 100% on ${good.name}, verified on the load balancer (${shareOf(verified.groups, good.targetGroupArn)}%)`);
      if (sticky.enabled) log(unstuckNote(bad.name, sticky.durationSeconds, clock.now()));
      await settleAfterPreemption(lock, started, env, good, bad, deps);
    }
    await tagOutcome(options, deps, plan, fleet ? { fleet, group, badGroup } : undefined);
    if (options.scaleInBad) {
      try {
        result.scaledIn = await scaleInAfterDraining(env, bad, 0, { ports: { ...ports, fleet: ports.fleet }, clock, log, signal: deps.signal, purpose: "scale-in-bad", lock });
      } catch (error) {
        deps.warn(`Traffic is rolled back, but ${bad.name} was not scaled in: ${errorMessage(error)}`);
      }
    }
  } finally {
    await lock.release().catch((e) => deps.warn(`Could not release the deployment lock: ${errorMessage(e)}`));
  }
  result.durationMs = clock.now() - started;
  return result;
}

interface PlannedRollback {
  env: Environment;
  state: EnvironmentState;
  good: Slot;
  bad: Slot;
  /** The good slot already serves all traffic. */
  alreadyThere: boolean;
  result: RollbackResult;
}

async function planRollback(options: RollbackOptions, ports: EnvironmentPorts): Promise<PlannedRollback> {
  const env = await resolveEnvironment(options.environment, ports);
  const state = analyzeState(env);
  const good = chooseGoodSlot(env, state, options);
  const bad = otherSlot(env, good);
  const alreadyThere = good.share === 100 && (good.role === "stable" || (state.phase === "steady" && state.live === good));
  const result: RollbackResult = {
    environment: env,
    phaseBefore: state.phase,
    good,
    bad,
    fromVersion: bad.share > 0 ? bad.version : good.share === 100 ? good.version : bad.version,
    toVersion: good.version,
    alreadyThere,
    planLines: [],
    dryRun: options.dryRun,
    durationMs: 0,
  };
  return { env, state, good, bad, alreadyThere, result };
}

/** The last known good slot already serves all traffic: take the lock over (stopping a deployment in progress), change nothing. */
async function nothingToRollBack(options: RollbackOptions, deps: RollbackDeps, plan: PlannedRollback, started: number): Promise<RollbackResult> {
  const { clock, ports, log } = deps;
  const { env, good, bad, result } = plan;
  if (!options.dryRun) {
    // A deployment in progress on the idle slot is stopped: it checks the lock before it tags or shifts.
    const lock = await acquireLock({ rules: ports.locks, tags: ports.tags, environment: env.ref, owner: options.lockOwner, ttlMs: options.lockTtlMs, clock, random: deps.random, log, takeOver: true, signal: deps.signal });
    result.tookOverLockFrom = lock.tookOverFrom;
    await lock.release();
  }
  log(
    `Nothing to roll back: ${good.name}${good.version ? ` (${good.version})` : ""} is the last known good slot and already serves all traffic; ` +
      `${bad.name} is ${bad.role ? `tagged ${bad.role}` : "untagged"}, not previous. Give to-version or to-slot to roll to another slot. Nothing was changed.`,
  );
  result.planLines = [`traffic: already 100% on ${good.name}; nothing to change`];
  result.durationMs = clock.now() - started;
  return result;
}

/** The good slot stable, the bad one failed, with why and who asked; on the target groups and their groups. */
async function tagOutcome(options: RollbackOptions, deps: RollbackDeps, plan: PlannedRollback, groups: { fleet: Fleet; group?: FleetGroup | undefined; badGroup?: FleetGroup | undefined } | undefined): Promise<void> {
  const { ports, clock } = deps;
  const { good, bad } = plan;
  const now = new Date(clock.now()).toISOString();
  // Free text fits ELBv2's tag pattern through tagText; the summary shows the reason in full.
  const reason = tagText(rollbackReason(options.reason, options.actor));
  const goodTags = { [TAG.role]: "stable", [TAG.updatedAt]: now, [TAG.rolledBackFrom]: tagText(bad.version ?? bad.name), [TAG.reason]: reason };
  const badTags = { [TAG.role]: "failed", [TAG.updatedAt]: now, [TAG.reason]: reason };
  await ports.tags.write(good.targetGroupArn, goodTags);
  await ports.tags.write(bad.targetGroupArn, badTags);
  if (groups) {
    if (groups.group) await groups.fleet.tag(groups.group.name, goodTags);
    if (groups.badGroup) await groups.fleet.tag(groups.badGroup.name, badTags);
  }
}

/** How long a weight write a preempted deployment had already sent may take to land. */
export const PREEMPT_SETTLE_MS = 5_000;

/**
 * A deployment whose live lease this rollback preempted stops at its next guarded write, but one
 * write it had already sent may still land after ours: look again once it would have, and put the
 * weights back if it did.
 */
async function settleAfterPreemption(lock: AcquiredLock, started: number, env: Environment, good: Slot, bad: Slot, deps: RollbackDeps): Promise<void> {
  const from = lock.tookOverFrom;
  if (!from || from.state === "parked" || from.expiresAt.getTime() <= started) return;
  await deps.clock.sleep(PREEMPT_SETTLE_MS, deps.signal);
  const now = await deps.ports.router.read(env.ref);
  if (shareOf(now.groups, good.targetGroupArn) === 100) return;
  deps.warn(`A write by ${from.owner}, sent before this rollback took its lock, changed the weights after the rollback's write; moving all traffic to ${good.name} again.`);
  await lock.assertHeld(`moving all traffic to ${good.name} again`);
  await writeVerified(deps.ports.router, env.ref, weightsFor(100, good.targetGroupArn, bad.targetGroupArn), deps.clock, { stickiness: unstick(now.stickiness) });
}
