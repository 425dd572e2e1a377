/**
 * Scaling a slot's Auto Scaling group and waiting until it serves: the capacity checks, the
 * processes that must run (and those held still while we scale), waiting for old instances to go
 * and for new ones to be InService and healthy in the slot's target group, and, when that does not
 * happen, the reasons (failed scaling activities, ELB reason codes). Used by deploy-green and rollback.
 *
 * This file holds the capacity (what to scale to, and scaling a slot); the phases around it have a file
 * each: ./fleet-guard.ts (processes), ./fleet-serving.ts (waiting), ./fleet-diagnosis.ts (why not).
 */
import type { CapacityChange, FleetGroup } from "../ports/fleet";
import { ConfigurationError } from "../util/errors";
import { guardProcesses } from "./fleet-guard";
import { type Serving, type ServingOptions, waitUntilServing } from "./fleet-serving";

export interface Capacity {
  minSize: number;
  desiredCapacity: number;
  maxSize: number;
}

export function capacityOf(group: FleetGroup): Capacity {
  return { minSize: group.minSize, desiredCapacity: group.desiredCapacity, maxSize: group.maxSize };
}

export function formatCapacity(c: Capacity): string {
  return `min ${c.minSize}, desired ${c.desiredCapacity}, max ${c.maxSize}`;
}

/**
 * The capacity to scale to: `requested` (checked against the group's min and max; `input` names the
 * input in errors) or, when absent, `fallback` (at least 1, raised to the group's min). Never raises
 * the max: a request above it is refused with what to do.
 */
export function planCapacity(group: FleetGroup, requested: number | undefined, fallback: number, input = "desired-capacity"): Capacity {
  let desired: number;
  if (requested !== undefined) {
    if (requested > group.maxSize) {
      throw new ConfigurationError(
        `${input}: ${requested} is above the maximum size (${group.maxSize}) of Auto Scaling group ${group.name}. Give at most ${group.maxSize}, or raise the group's maximum size.`,
      );
    }
    if (requested < group.minSize) {
      throw new ConfigurationError(
        `${input}: ${requested} is below the minimum size (${group.minSize}) of Auto Scaling group ${group.name}. Give at least ${group.minSize}, or lower the group's minimum size.`,
      );
    }
    desired = requested;
  } else {
    desired = Math.max(1, fallback, group.minSize);
    if (desired > group.maxSize) {
      throw new ConfigurationError(
        `${input} not given, and its default (${desired}, the live slot's desired capacity) is above the maximum size (${group.maxSize}) of Auto Scaling group ${group.name}. ` +
          `Give ${input} of at most ${group.maxSize}, or raise the group's maximum size.`,
      );
    }
  }
  return { minSize: Math.min(group.minSize, desired), desiredCapacity: desired, maxSize: group.maxSize };
}

export interface ScaleSlotOptions extends Omit<ServingOptions, "count" | "since" | "groupName"> {
  group: FleetGroup;
  capacity: Capacity;
}

export interface ScaleSlotResult extends Serving {
  before: Capacity;
  after: Capacity;
  resumed: string[];
}

/**
 * Scales a slot's group to `capacity` and waits until it serves (see waitUntilServing), resuming
 * required processes that were suspended and holding alarms, schedules and rebalancing still
 * meanwhile (resumed again on success and failure).
 */
export async function scaleSlot(options: ScaleSlotOptions): Promise<ScaleSlotResult> {
  const { fleet, group, capacity } = options;
  const since = new Date(options.clock.now() - ACTIVITY_SLACK_MS);
  const guard = await guardProcesses(fleet, group, options.log);
  try {
    await fleet.setCapacity(group.name, capacityChange(group, capacity));
    options.log(`Scaling ${group.name}: ${formatCapacity(capacityOf(group))} → ${formatCapacity(capacity)}`);
    const serving = await waitUntilServing({ ...options, groupName: group.name, count: capacity.desiredCapacity, since });
    await guard.release();
    return { ...serving, before: capacityOf(group), after: capacity, resumed: guard.resumed };
  } catch (error) {
    await guard.releaseAfterFailure();
    throw error;
  }
}

/** Only the fields that change, so a concurrent edit of the others is not overwritten. */
export function capacityChange(group: Capacity, to: Capacity): CapacityChange {
  return {
    minSize: to.minSize !== group.minSize ? to.minSize : undefined,
    maxSize: to.maxSize !== group.maxSize ? to.maxSize : undefined,
    desiredCapacity: to.desiredCapacity,
  };
}

/** Scaling activities are timestamped by AWS; this much earlier than our clock catches skew. */
export const ACTIVITY_SLACK_MS = 30_000;
