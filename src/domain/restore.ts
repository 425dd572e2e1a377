/**
 * After a main step that did not finish (crash, cancellation, runner killed), puts the weights back
 * to what was stable when it began, if they are not already. Used by shift-traffic's post step.
 */
import type { ResourceTags, RoutingRef, TargetGroups, TrafficRouter, WeightedGroup } from "../ports/load-balancer";
import type { Clock } from "../util/clock";
import { targetGroupName } from "./arn";
import type { MinHealthy } from "./target-health";
import { requireHealthy, writeVerified } from "./traffic";
import { describeWeights, sameWeights } from "./weights";
import { parseLock } from "./lock";
import { TAG } from "./tags";

export interface RestoreInput {
  ref: RoutingRef;
  restoreTo: WeightedGroup[];
  stableArn: string;
  minHealthy: MinHealthy;
  lockOwner: string;
}

export interface RestoreOutcome {
  changed: boolean;
  before: WeightedGroup[];
  after: WeightedGroup[];
  message: string;
}

export async function restoreIfNeeded(input: RestoreInput, ports: { router: TrafficRouter; targetGroups: TargetGroups; tags: ResourceTags }, clock: Clock): Promise<RestoreOutcome> {
  const now = await ports.router.read(input.ref);
  const name = (arn: string) => targetGroupName(arn);
  if (sameWeights(now.groups, input.restoreTo)) {
    await releaseOwnLock(input, ports.tags);
    return { changed: false, before: now.groups, after: now.groups, message: `Weights already stable: ${describeWeights(now.groups, name)}; nothing to restore.` };
  }
  await requireHealthy(ports.targetGroups, input.stableArn, { minHealthy: input.minHealthy, requireAll: false }, `restoring traffic to ${name(input.stableArn)}`);
  const verified = await writeVerified(ports.router, input.ref, input.restoreTo, clock);
  await releaseOwnLock(input, ports.tags);
  return {
    changed: true,
    before: now.groups,
    after: verified.groups,
    message: `Restored ${describeWeights(verified.groups, name)} (was ${describeWeights(now.groups, name)}), verified on the load balancer.`,
  };
}

/** The run that did not finish gives up its deployment lock, so the next deployment is not refused for the whole lease. */
async function releaseOwnLock(input: RestoreInput, tags: ResourceTags): Promise<void> {
  const holder = parseLock((await tags.read([input.ref.arn])).get(input.ref.arn)?.[TAG.lock]);
  if (holder?.owner === input.lockOwner) await tags.remove(input.ref.arn, [TAG.lock]);
}
