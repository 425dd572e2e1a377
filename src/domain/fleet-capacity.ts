/**
 * Scaling a slot's Auto Scaling group and waiting until it serves: the capacity checks, the
 * processes that must run (and those held still while we scale), waiting for old instances to go
 * and for new ones to be InService and healthy in the slot's target group, and, when that does not
 * happen, the reasons (failed scaling activities, ELB reason codes). Used by deploy-green and rollback.
 */
import type { CapacityChange, Fleet, FleetGroup, FleetInstance, ScalingActivity } from "../ports/fleet";
import type { TargetGroups, TargetHealthEntry } from "../ports/load-balancer";
import type { Clock, Random } from "../util/clock";
import { ConfigurationError, errorMessage, OperationalError } from "../util/errors";
import { untrusted } from "../util/untrusted";
import { type Lapse, type PollPolicy, pollUntil, TimeoutError } from "../util/wait";
import { targetGroupName } from "../util/arn";
import { describeTarget, type MinHealthy, type TargetGroupHealthReport, waitForTargetHealth } from "./target-health";

/** Processes scaling depends on: when suspended, the group cannot launch, register or replace instances. */
export const REQUIRED_PROCESSES = ["Launch", "Terminate", "AddToLoadBalancer", "HealthCheck", "ReplaceUnhealthy"] as const;
/** Processes held still while we scale, so alarms, schedules and rebalancing do not move capacity under us. */
export const HELD_PROCESSES = ["AlarmNotification", "ScheduledActions", "AZRebalance"] as const;

/** Lifecycle states of an instance that is leaving or gone. */
const LEAVING = /^(Terminating|Terminated|Detaching|Detached)/;

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

export interface WaitCommon {
  fleet: Fleet;
  groupName: string;
  timeoutMs: number;
  clock: Clock;
  random: Random;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
}

function describeInstance(i: FleetInstance): string {
  return `${i.id} ${i.lifecycleState}${i.healthStatus && i.healthStatus !== "Healthy" ? `/${i.healthStatus}` : ""}`;
}

async function mustDescribe(fleet: Fleet, name: string): Promise<FleetGroup> {
  const group = await fleet.describe(name);
  if (!group) throw new OperationalError(`Auto Scaling group ${name} no longer exists.`);
  return group;
}

/**
 * Waits until none of `ids` is in the group any more (or each is Terminated or Detached). With
 * `until: "leaving"`, it is enough that each has started leaving (Terminating, draining): Auto Scaling
 * no longer counts them, so new instances can launch while they drain.
 */
export async function waitUntilGone(options: WaitCommon & { ids: string[]; until?: "gone" | "leaving"; checkpoint?: (() => Promise<void>) | undefined }): Promise<void> {
  const ids = new Set(options.ids);
  let lastCheckpoint = options.clock.now();
  const leaving = options.until === "leaving";
  const done = leaving ? LEAVING : /^(Terminated|Detached)$/;
  await pollUntil({
    label: `waiting for ${ids.size} old instance(s) of ${options.groupName} to ${leaving ? "start terminating" : "terminate"}`,
    timeoutMs: options.timeoutMs,
    clock: options.clock,
    random: options.random,
    log: options.log,
    ...(options.signal ? { signal: options.signal } : {}),
    probe: async () => {
      if (options.checkpoint && options.clock.now() - lastCheckpoint >= CHECKPOINT_MS) {
        lastCheckpoint = options.clock.now();
        await options.checkpoint();
      }
      const group = await mustDescribe(options.fleet, options.groupName);
      const left = group.instances.filter((i) => ids.has(i.id) && !done.test(i.lifecycleState));
      if (left.length === 0) return { done: true, value: undefined };
      return { done: false, status: `${left.length} still there (${left.slice(0, 5).map(describeInstance).join(", ")}${left.length > 5 ? ", …" : ""})` };
    },
  });
}

export interface ServingOptions extends WaitCommon {
  targetGroups: TargetGroups;
  targetGroupArn: string;
  /** Instances of the group that must be InService, Healthy and healthy in the target group. */
  count: number;
  minHealthy: MinHealthy;
  /** Which instances count (e.g. those launched for the new version). Default: every instance. */
  accept?: (instance: FleetInstance) => boolean;
  /** Label of the counted instances in progress lines, e.g. "new". */
  what?: string;
  /** Scaling activities from this time on are reported when the wait fails. */
  since: Date;
  /** Once serving, how long the fleet must keep serving before the wait succeeds (default 0). */
  holdForMs?: number | undefined;
  /** Called every CHECKPOINT_MS while waiting (not at the start); what it throws ends the wait (a lost lock). */
  checkpoint?: (() => Promise<void>) | undefined;
}

/**
 * Waiting for instances to launch, boot and pass health checks takes minutes: polls 1.0–1.2 s apart
 * react soon enough and never repeat the same three reads within a second.
 */
export const fleetPoll: PollPolicy = { initialDelayMs: 1100, maxDelayMs: 1200, factor: 1, jitter: 0.08, progressEveryMs: 5000 };

/** How often a wait calls its checkpoint: one cheap read, often enough that a preempted deploy stops within seconds. */
export const CHECKPOINT_MS = 5_000;

export interface Serving {
  group: FleetGroup;
  /** Counted instances that are InService and healthy in the target group. */
  instances: FleetInstance[];
  health: TargetGroupHealthReport;
}

/** Why a fleet did not come to serve: the instances, the failed scaling activities, the unhealthy targets. */
export interface FleetDiagnosis {
  instances: FleetInstance[];
  failedActivities: ScalingActivity[];
  /** Terminations of instances Auto Scaling found unhealthy (they crashed or failed health checks). */
  replacedUnhealthy: ScalingActivity[];
  unhealthyTargets: TargetHealthEntry[];
  /** Diagnostics that could not be read, in words. */
  unreadable: string[];
}

export class FleetNotServingError extends OperationalError {
  static override readonly kind: string = "FleetNotServingError";
  constructor(
    message: string,
    readonly diagnosis: FleetDiagnosis,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const FAILED = /^(Failed|Cancelled)$/;
/** "At <time> an instance was taken out of service in response to <why>", unless <why> is a capacity change. */
const TAKEN_OUT = /taken out of service in response to (?!a difference between desired and actual capacity)(.+?)\.?$/;

function replacementReason(a: ScalingActivity): string | undefined {
  if (!/^Terminating/.test(a.description)) return undefined;
  return TAKEN_OUT.exec(a.cause ?? "")?.[1];
}

export function describeActivity(a: ScalingActivity): string {
  // Auto Scaling's words (a status message can quote a launch failure): outside text.
  const why = a.statusMessage || a.cause;
  return `${untrusted(a.statusCode, 40)} at ${a.startTime.toISOString()}: ${untrusted(a.description, 300)}${why ? ` (${untrusted(why, 500)})` : ""}`;
}

/** Reads, best effort, what went wrong with a group and its target group since `since`. */
export async function diagnoseFleet(options: { fleet: Fleet; targetGroups: TargetGroups; groupName: string; targetGroupArn: string; since: Date }): Promise<FleetDiagnosis> {
  const diagnosis: FleetDiagnosis = { instances: [], failedActivities: [], replacedUnhealthy: [], unhealthyTargets: [], unreadable: [] };
  const [group, activities, health] = await Promise.allSettled([
    options.fleet.describe(options.groupName),
    options.fleet.activities(options.groupName, options.since),
    options.targetGroups.health(options.targetGroupArn),
  ]);
  if (group.status === "fulfilled") diagnosis.instances = group.value?.instances ?? [];
  else diagnosis.unreadable.push(`instances: ${errorMessage(group.reason)}`);
  if (activities.status === "fulfilled") {
    diagnosis.failedActivities = activities.value.filter((a) => FAILED.test(a.statusCode));
    diagnosis.replacedUnhealthy = activities.value.filter((a) => replacementReason(a) !== undefined);
  }
  else diagnosis.unreadable.push(`scaling activities: ${errorMessage(activities.reason)}`);
  if (health.status === "fulfilled") diagnosis.unhealthyTargets = health.value.filter((t) => t.state !== "healthy" && t.state !== "draining" && t.state !== "unused");
  else diagnosis.unreadable.push(`target health: ${errorMessage(health.reason)}`);
  return diagnosis;
}

/** The diagnosis in sentences, for an error message. */
export function formatDiagnosis(d: FleetDiagnosis, groupName: string, targetGroupArn: string): string {
  const parts: string[] = [];
  const live = d.instances.filter((i) => !LEAVING.test(i.lifecycleState));
  parts.push(live.length > 0 ? `Instances of ${groupName}: ${live.slice(0, 10).map(describeInstance).join(", ")}${live.length > 10 ? `, and ${live.length - 10} more` : ""}.` : `${groupName} has no running instances.`);
  if (d.failedActivities.length > 0) {
    parts.push(`Failed scaling activities: ${d.failedActivities.slice(0, 5).map(describeActivity).join("; ")}${d.failedActivities.length > 5 ? `; and ${d.failedActivities.length - 5} more` : ""}.`);
  } else if (!d.unreadable.some((u) => u.startsWith("scaling"))) {
    parts.push("No scaling activity failed.");
  }
  if (d.replacedUnhealthy.length > 0) {
    const shown = d.replacedUnhealthy.slice(0, 5).map((a) => `${a.description.replace(/^Terminating EC2 instance: /, "")} (${replacementReason(a)})`);
    parts.push(`Auto Scaling replaced ${d.replacedUnhealthy.length} unhealthy instance(s): ${shown.join(", ")}${d.replacedUnhealthy.length > 5 ? ", …" : ""}.`);
  }
  if (d.unhealthyTargets.length > 0) {
    parts.push(`Not healthy in ${targetGroupName(targetGroupArn)}: ${d.unhealthyTargets.slice(0, 10).map(describeTarget).join("; ")}${d.unhealthyTargets.length > 10 ? `; and ${d.unhealthyTargets.length - 10} more` : ""}.`);
  }
  if (d.unreadable.length > 0) parts.push(`Could not read ${d.unreadable.join("; ")}.`);
  return parts.join(" ");
}

/**
 * Waits until `count` accepted instances are InService and Healthy in the group, each of them is
 * healthy in the target group, and the target group meets `minHealthy` with every registered target
 * healthy. On timeout, throws FleetNotServingError naming the instances and why they failed.
 */
export async function waitUntilServing(options: ServingOptions): Promise<Serving> {
  const accept = options.accept ?? (() => true);
  const what = options.what ? `${options.what} ` : "";
  let lastEntries: TargetHealthEntry[] = [];
  let lastGroup: FleetGroup | undefined;
  let serving: FleetInstance[] = [];
  // Keeps the entries waitForTargetHealth reads, so the per-instance check costs no second call.
  const targetGroups: TargetGroups = {
    describe: (arns) => options.targetGroups.describe(arns),
    deregistrationDelaySeconds: (arn) => options.targetGroups.deregistrationDelaySeconds(arn),
    health: async (arn) => {
      const entries = await options.targetGroups.health(arn);
      if (arn === options.targetGroupArn) lastEntries = entries;
      return entries;
    },
  };
  const seenFailures = new Set<string>();
  let lastActivityCheck = Number.NEGATIVE_INFINITY;
  const lapses: Lapse[] = [];
  let lastCheckpoint = options.clock.now();
  try {
    const reports = await waitForTargetHealth({
      policy: fleetPoll,
      holdForMs: options.holdForMs ?? 0,
      onLapse: (lapse) => lapses.push(lapse),
      targetGroups,
      arns: [options.targetGroupArn],
      requirement: { minHealthy: options.minHealthy, requireAll: true },
      timeoutMs: options.timeoutMs,
      clock: options.clock,
      random: options.random,
      log: options.log,
      ...(options.signal ? { signal: options.signal } : {}),
      alsoRequire: async () => {
        if (options.checkpoint && options.clock.now() - lastCheckpoint >= CHECKPOINT_MS) {
          lastCheckpoint = options.clock.now();
          await options.checkpoint();
        }
        const group = await mustDescribe(options.fleet, options.groupName);
        lastGroup = group;
        const healthyIds = new Set(lastEntries.filter((e) => e.state === "healthy").map((e) => e.id));
        const counted = group.instances.filter((i) => accept(i) && !LEAVING.test(i.lifecycleState));
        serving = counted.filter((i) => i.lifecycleState === "InService" && i.healthStatus === "Healthy" && healthyIds.has(i.id));
        if (options.clock.now() - lastActivityCheck >= 10_000) {
          lastActivityCheck = options.clock.now();
          for (const a of (await options.fleet.activities(options.groupName, options.since)).filter((x) => FAILED.test(x.statusCode))) {
            if (seenFailures.has(a.id)) continue;
            seenFailures.add(a.id);
            options.log(`Scaling activity of ${options.groupName} failed: ${describeActivity(a)}`);
          }
        }
        if (serving.length >= options.count) return undefined;
        const waiting = counted.filter((i) => !serving.includes(i));
        const detail = waiting
          .slice(0, 5)
          .map((i) => (i.lifecycleState === "InService" && i.healthStatus === "Healthy" ? `${i.id} InService, not yet healthy in ${targetGroupName(options.targetGroupArn)}` : describeInstance(i)))
          .join(", ");
        return `${options.groupName}: ${serving.length}/${options.count} ${what}instances serving${detail ? ` (${detail}${waiting.length > 5 ? ", …" : ""})` : ", none launched yet"}`;
      },
    });
    return { group: lastGroup ?? (await mustDescribe(options.fleet, options.groupName)), instances: serving, health: reports[0]! };
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    const diagnosis = await diagnoseFleet({ ...options, since: options.since });
    const within = `within ${Math.round(options.timeoutMs / 1000)}s`;
    const hold = `${((options.holdForMs ?? 0) / 1000).toFixed(1)}s`;
    const last = lapses.at(-1);
    const lapsed = last ? ` They served and then stopped ${lapses.length} time(s), last after ${(last.heldMs / 1000).toFixed(1)}s: ${last.status}.` : "";
    let headline: string;
    if (error.heldMs > 0) {
      headline = `All ${options.count} ${what}instances of ${options.groupName} were serving, but for only ${(error.heldMs / 1000).toFixed(1)}s of the ${hold} they must hold (stable-for) ${within}.${lapsed}`;
    } else if (last) {
      headline = `The ${what}instances of ${options.groupName} did not keep serving for the ${hold} they must hold (stable-for) ${within}.${lapsed} At the last poll ${serving.length} of ${options.count} were InService and healthy in ${targetGroupName(options.targetGroupArn)}.`;
    } else {
      headline = `${serving.length} of ${options.count} ${what}instances of ${options.groupName} became InService and healthy in ${targetGroupName(options.targetGroupArn)} ${within}.`;
    }
    throw new FleetNotServingError(
      `${headline} ` + formatDiagnosis(diagnosis, options.groupName, options.targetGroupArn),
      diagnosis,
      { cause: error },
    );
  }
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
