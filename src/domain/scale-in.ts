/**
 * Scaling in a slot that no longer carries traffic: only after its target group's deregistration
 * delay (and an optional bake) has passed, so in-flight requests complete, and only if the listener
 * still gives it no weight at that moment.
 */
import type { Fleet } from "../ports/fleet";
import type { TargetGroups, TrafficRouter } from "../ports/load-balancer";
import type { Clock } from "../util/clock";
import { SafetyError } from "../util/errors";
import { sleepWithProgress } from "../util/wait";
import { type Environment, fleetOf, type Slot } from "./environment";
import { shareOf } from "./weights";

export interface ScaleInDeps {
  ports: { router: TrafficRouter; targetGroups: TargetGroups; fleet: () => Promise<Fleet> };
  clock: Clock;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
  /** The input that asked for it, for messages. */
  purpose: string;
}

export async function scaleInAfterDraining(env: Environment, slot: Slot, extraDelayMs: number, deps: ScaleInDeps): Promise<{ asg: string; fromCapacity: number }> {
  const { ports, clock } = deps;
  const fleet = await ports.fleet();
  const group = await fleetOf(env, slot, fleet);
  if (!group) throw new SafetyError(`${deps.purpose}: no Auto Scaling group feeds ${slot.name} (${slot.targetGroupName}); nothing was scaled in.`);
  const delaySeconds = await ports.targetGroups.deregistrationDelaySeconds(slot.targetGroupArn);
  const waitMs = delaySeconds * 1000 + extraDelayMs;
  deps.log(
    `Waiting ${Math.round(waitMs / 1000)}s (deregistration delay ${delaySeconds}s + bake ${Math.round(extraDelayMs / 1000)}s) before scaling in ${group.name}, so in-flight requests complete`,
  );
  await sleepWithProgress(`scaling in ${group.name}`, waitMs, clock, deps.log, deps.signal);
  const now = await ports.router.read(env.ref);
  const share = shareOf(now.groups, slot.targetGroupArn);
  if (share > 0) {
    throw new SafetyError(`${deps.purpose} refused: ${slot.name} carries ${share}% of traffic again; nothing was scaled in.`);
  }
  await fleet.setCapacity(group.name, { minSize: 0, desiredCapacity: 0 });
  deps.log(`Scaled in ${group.name}: ${group.desiredCapacity} → 0`);
  return { asg: group.name, fromCapacity: group.desiredCapacity };
}
