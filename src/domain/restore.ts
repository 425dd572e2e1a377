/**
 * After a main step that did not finish (crash, cancellation, runner killed), puts the weights back
 * to what was stable when it began, if they are not already, and only while the main step's
 * deployment lock is still this job's (not after a rollback took it over, or its lease lapsed).
 * Used by shift-traffic's post step.
 */
import type { LockRules, RoutingRef, TargetGroups, TrafficRouter, WeightedGroup } from "../ports/load-balancer";
import type { Clock } from "../util/clock";
import { targetGroupName } from "../util/arn";
import type { MinHealthy } from "./target-health";
import { requireHealthy, unstick, unstuckNote, writeVerified } from "./traffic";
import { describeWeights, sameWeights } from "./weights";
import { LockLostError, type LockOwner, resumeLock, type SavedLock } from "./lock";

export interface RestoreInput {
  ref: RoutingRef;
  restoreTo: WeightedGroup[];
  stableArn: string;
  minHealthy: MinHealthy;
  lockOwner: LockOwner | string;
  /** The lock the main step held (saved when it began). */
  lock?: SavedLock | undefined;
}

export interface RestoreOutcome {
  changed: boolean;
  before: WeightedGroup[];
  after: WeightedGroup[];
  message: string;
}

export async function restoreIfNeeded(
  input: RestoreInput,
  ports: { router: TrafficRouter; targetGroups: TargetGroups; locks: LockRules },
  clock: Clock,
  log: (line: string) => void = () => {},
): Promise<RestoreOutcome> {
  const now = await ports.router.read(input.ref);
  const name = (arn: string) => targetGroupName(arn);
  const resumed = input.lock
    ? await resumeLock(input.lock, { rules: ports.locks, environment: input.ref, clock, log, owner: input.lockOwner })
    : { lock: undefined, why: "the main step took no deployment lock" };
  if (sameWeights(now.groups, input.restoreTo)) {
    // The run that did not finish gives up its lock, so the next deployment is not refused for the whole lease.
    await resumed.lock?.release();
    return { changed: false, before: now.groups, after: now.groups, message: `Weights already stable: ${describeWeights(now.groups, name)}; nothing to restore.` };
  }
  if (!resumed.lock) {
    throw new LockLostError(`Not restoring the stable weights (${describeWeights(now.groups, name)} now): ${resumed.why}, so another deployment or a rollback may own the environment.`, undefined);
  }
  await requireHealthy(ports.targetGroups, input.stableArn, { minHealthy: input.minHealthy, requireAll: false }, `restoring traffic to ${name(input.stableArn)}`);
  await resumed.lock.assertHeld(`restoring traffic to ${name(input.stableArn)}`);
  const verified = await writeVerified(ports.router, input.ref, input.restoreTo, clock, { stickiness: unstick(now.stickiness) });
  if (now.stickiness.enabled) log(unstuckNote(now.groups.filter((g) => !input.restoreTo.some((r) => r.targetGroupArn === g.targetGroupArn && r.weight > 0)).map((g) => name(g.targetGroupArn)).join(", ") || "the other slot", now.stickiness.durationSeconds, clock.now()));
  await resumed.lock.release();
  return {
    changed: true,
    before: now.groups,
    after: verified.groups,
    message: `Restored ${describeWeights(verified.groups, name)} (was ${describeWeights(now.groups, name)}), verified on the load balancer.`,
  };
}
