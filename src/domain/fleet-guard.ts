/** The group's processes while we scale: the required ones resumed, the ones that move capacity held still. */
import type { Fleet, FleetGroup } from "../ports/fleet";
import { errorMessage } from "../util/errors";

/** Processes scaling depends on: when suspended, the group cannot launch, register or replace instances. */
export const REQUIRED_PROCESSES = ["Launch", "Terminate", "AddToLoadBalancer", "HealthCheck", "ReplaceUnhealthy"] as const;
/** Processes held still while we scale, so alarms, schedules and rebalancing do not move capacity under us. */
export const HELD_PROCESSES = ["AlarmNotification", "ScheduledActions", "AZRebalance"] as const;

export interface ProcessGuard {
  /** Required processes that were suspended and have been resumed. */
  resumed: string[];
  /** Processes this run suspended; `release` resumes them. */
  held: string[];
  /** Resumes what this run suspended. Safe to call more than once. */
  release(): Promise<void>;
  /** As release, for a step that is already failing: a failure to resume is logged, not thrown, so the first error stays the one reported. */
  releaseAfterFailure(): Promise<void>;
}

/**
 * Resumes the required processes that are suspended (saying so) and suspends the held ones that are
 * not. Call `release()` in a `finally`, so what was suspended here is resumed on failure as well.
 */
export async function guardProcesses(fleet: Fleet, group: FleetGroup, log: (line: string) => void): Promise<ProcessGuard> {
  const suspended = new Set(group.suspendedProcesses);
  const resumed = REQUIRED_PROCESSES.filter((p) => suspended.has(p));
  if (resumed.length > 0) {
    await fleet.resume(group.name, resumed);
    log(`Resumed ${resumed.join(", ")} on ${group.name}: they were suspended, and scaling needs them.`);
  }
  const held = HELD_PROCESSES.filter((p) => !suspended.has(p));
  if (held.length > 0) {
    await fleet.suspend(group.name, held);
    log(`Suspended ${held.join(", ")} on ${group.name} while scaling; they are resumed when this step ends.`);
  }
  let released = false;
  const release = async () => {
    if (released || held.length === 0) return;
    await fleet.resume(group.name, held);
    released = true;
    log(`Resumed ${held.join(", ")} on ${group.name}.`);
  };
  return {
    resumed,
    held,
    release,
    releaseAfterFailure: async () => {
      try {
        await release();
      } catch (error) {
        log(`Could not resume ${held.join(", ")} on ${group.name}, which this step suspended; resume them by hand: ${errorMessage(error)}`);
      }
    },
  };
}
