/** The good slot's fleet: read (a failure is kept as the error it is), and scaled back up when the slot is not healthy. */
import type { Fleet, FleetGroup } from "../ports/fleet";
import { ConfigurationError, errorMessage, OperationalError, SafetyError } from "../util/errors";
import { type Environment, type EnvironmentPorts, fleetOf, type Slot } from "./environment";
import { type Capacity, capacityOf, formatCapacity } from "./fleet-capacity";
import { guardProcesses } from "./fleet-guard";
import { waitUntilServing } from "./fleet-serving";
import type { AcquiredLock } from "./lock";
import type { RollbackDeps, RollbackOptions, RollbackResult } from "./rollback";
import type { TargetGroupHealthReport } from "./target-health";

export interface RollbackFleets {
  fleet?: Fleet | undefined;
  group?: FleetGroup | undefined;
  badGroup?: FleetGroup | undefined;
  /** Why the groups could not be read (what was tried, and AWS's answer); never read as "no group". */
  error?: Error | undefined;
}

/** The Auto Scaling groups feeding both slots. A failed read is kept as the error it is, with the groups read before it. */
export async function readFleets(env: Environment, good: Slot, bad: Slot, ports: EnvironmentPorts): Promise<RollbackFleets> {
  const out: RollbackFleets = {};
  let slot = good;
  try {
    out.fleet = await ports.fleet();
    out.group = await fleetOf(env, good, out.fleet);
    slot = bad;
    out.badGroup = await fleetOf(env, bad, out.fleet);
  } catch (error) {
    const Kind = error instanceof ConfigurationError ? ConfigurationError : OperationalError;
    out.error = new Kind(`Could not find the Auto Scaling group of ${slot.name} (${slot.targetGroupName}): ${errorMessage(error)}`, { cause: error });
  }
  return out;
}

/** Refuses (traffic stays where it is) unless the good slot has a group to scale up and becomes healthy in time. */
export async function scaleUpGood(s: {
  options: RollbackOptions;
  deps: RollbackDeps;
  good: Slot;
  fleets: RollbackFleets;
  target: Capacity | undefined;
  healthNow: TargetGroupHealthReport;
  lock: AcquiredLock;
  started: number;
  result: RollbackResult;
}): Promise<void> {
  const { options, deps, good, target, healthNow, lock, started, result } = s;
  const { fleet, group, error: fleetError } = s.fleets;
  const { clock, ports, log } = deps;
  if (fleetError && !group) {
    throw new SafetyError(`Rollback refused: ${healthNow.summary}, and ${good.name} cannot be scaled up: ${errorMessage(fleetError)}. Traffic was left where it is.`, { cause: fleetError });
  }
  if (!group || !fleet || !target) {
    throw new SafetyError(`Rollback refused: ${healthNow.summary}, and no Auto Scaling group feeds ${good.targetGroupName} to scale up. Traffic was left where it is.`);
  }
  const before = formatCapacity(capacityOf(group));
  const guard = await guardProcesses(fleet, group, log);
  try {
    await fleet.setCapacity(group.name, target);
    log(`Scaling ${group.name} back up: ${before} → ${formatCapacity(target)}`);
    const serving = await waitUntilServing({
      fleet,
      groupName: group.name,
      targetGroups: ports.targetGroups,
      targetGroupArn: good.targetGroupArn,
      count: target.desiredCapacity,
      minHealthy: options.minHealthy,
      since: new Date(started),
      timeoutMs: Math.max(1000, started + options.timeoutMs - clock.now()),
      clock,
      random: deps.random,
      log,
      signal: deps.signal,
      checkpoint: () => lock.checkpoint(`${good.name} became healthy`),
    });
    result.health = serving.health;
  } catch (error) {
    await guard.releaseAfterFailure();
    throw new SafetyError(`Rollback refused: ${good.name} did not become healthy in time, so traffic was left where it is. ${errorMessage(error)}`, { cause: error });
  }
  await guard.release();
  result.scaledUp = { asg: group.name, before, after: formatCapacity(target) };
}
