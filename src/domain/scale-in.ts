/**
 * Scaling in a slot that no longer carries traffic: only after its target group's deregistration
 * delay (and an optional bake) has passed, so in-flight requests complete, and only if the listener
 * still gives it no weight at that moment.
 */
import type { Fleet } from "../ports/fleet";
import type { TargetGroups, TrafficRouter } from "../ports/load-balancer";
import type { Clock } from "../util/clock";
import { SafetyError } from "../util/errors";
import { type Environment, fleetOf, type Slot } from "./environment";
import { unstuckNote, writeVerified } from "./traffic";
import { shareOf } from "./weights";

export interface ScaleInDeps {
  ports: { router: TrafficRouter; targetGroups: TargetGroups; fleet: () => Promise<Fleet> };
  clock: Clock;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
  /** The input that asked for it, for messages. */
  purpose: string;
  /** The deployment lock: renewed while waiting, checked before scaling in. */
  lock?: { checkpoint(what: string): Promise<void>; assertHeld(what: string): Promise<void> } | undefined;
}

/**
 * No client may still be sent to a slot that is emptied: with stickiness on, a client holding the
 * cookie for it keeps going there at weight 0 (and the load balancer renews the cookie on every answer),
 * so stickiness is turned off first, verified, and the deregistration delay counts from then.
 */
async function unstickBeforeScaleIn(env: Environment, slot: Slot, deps: ScaleInDeps): Promise<void> {
  const before = await deps.ports.router.read(env.ref);
  if (!before.stickiness.enabled) return;
  await deps.lock?.assertHeld(`turning stickiness off before scaling in ${slot.name}`);
  await writeVerified(deps.ports.router, env.ref, before.groups, deps.clock, { stickiness: { enabled: false } });
  deps.log(unstuckNote(slot.name, before.stickiness.durationSeconds, deps.clock.now()));
}

export async function scaleInAfterDraining(env: Environment, slot: Slot, extraDelayMs: number, deps: ScaleInDeps): Promise<{ asg: string; fromCapacity: number }> {
  const { ports, clock } = deps;
  const fleet = await ports.fleet();
  const group = await fleetOf(env, slot, fleet);
  if (!group) throw new SafetyError(`${deps.purpose}: no Auto Scaling group feeds ${slot.name} (${slot.targetGroupName}); nothing was scaled in.`);
  await unstickBeforeScaleIn(env, slot, deps);
  const delaySeconds = await ports.targetGroups.deregistrationDelaySeconds(slot.targetGroupArn);
  const waitMs = delaySeconds * 1000 + extraDelayMs;
  deps.log(
    `Waiting ${Math.round(waitMs / 1000)}s (deregistration delay ${delaySeconds}s + bake ${Math.round(extraDelayMs / 1000)}s) before scaling in ${group.name}, so in-flight requests complete`,
  );
  const end = clock.now() + waitMs;
  // In slices, so the lock's lease is renewed while the delay runs (it may be longer than half the lease).
  for (let left = end - clock.now(); left > 0; left = end - clock.now()) {
    if (left > 5_000) deps.log(`scaling in ${group.name} in ${Math.ceil(left / 1000)}s`);
    await clock.sleep(Math.min(left, 5_000), deps.signal);
    await deps.lock?.checkpoint(`scaling in ${group.name}`);
  }
  const now = await ports.router.read(env.ref);
  const share = shareOf(now.groups, slot.targetGroupArn);
  if (share > 0) {
    throw new SafetyError(`${deps.purpose} refused: ${slot.name} carries ${share}% of traffic again; nothing was scaled in.`);
  }
  if (now.stickiness.enabled) {
    throw new SafetyError(`${deps.purpose} refused: stickiness was turned back on, so clients holding a cookie for ${slot.name} are still sent to it at weight 0; nothing was scaled in.`);
  }
  await deps.lock?.assertHeld(`scaling in ${group.name}`);
  await fleet.setCapacity(group.name, { minSize: 0, desiredCapacity: 0 });
  deps.log(`Scaled in ${group.name}: ${group.desiredCapacity} → 0`);
  return { asg: group.name, fromCapacity: group.desiredCapacity };
}
