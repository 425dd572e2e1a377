/** Waiting on a group: until old instances are gone, and until new ones are InService and healthy in the slot's target group (and keep serving). */
import type { Fleet, FleetGroup, FleetInstance } from "../ports/fleet";
import type { TargetGroups, TargetHealthEntry } from "../ports/load-balancer";
import { targetGroupName } from "../util/arn";
import type { Clock, Random } from "../util/clock";
import { OperationalError } from "../util/errors";
import { type Lapse, type PollPolicy, pollUntil, TimeoutError } from "../util/wait";
import { describeActivity, describeInstance, diagnoseFleet, FAILED, FleetNotServingError, formatDiagnosis, LEAVING } from "./fleet-diagnosis";
import { type MinHealthy, type TargetGroupHealthReport, waitForTargetHealth } from "./target-health";

export interface WaitCommon {
  fleet: Fleet;
  groupName: string;
  timeoutMs: number;
  clock: Clock;
  random: Random;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
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
 * Waiting for instances to launch, boot and pass health checks takes minutes, and every deployment in
 * the account shares one API budget (ELB Describe*: 40, refill 10 per second): polls start 1.1 s apart
 * (never the same reads twice within a second), after the first 10 s back off to 2 s while nothing changes, and are 1.1 s
 * apart again after any change (an instance InService, a target healthy), so the wait reacts within
 * about a second while it makes progress.
 */
export const fleetPoll: PollPolicy = { initialDelayMs: 1100, maxDelayMs: 2000, factor: 1.25, jitter: 0.08, progressEveryMs: 5000, resetOnChange: true, backoffAfterMs: 10_000 };

/** How often a wait calls its checkpoint: one cheap read, often enough that a preempted deploy stops within seconds. */
export const CHECKPOINT_MS = 5_000;

export interface Serving {
  group: FleetGroup;
  /** Counted instances that are InService and healthy in the target group. */
  instances: FleetInstance[];
  health: TargetGroupHealthReport;
}

/**
 * Waits until `count` accepted instances are InService and Healthy in the group, each of them is
 * healthy in the target group, and the target group meets `minHealthy` with every registered target
 * healthy. On timeout, throws FleetNotServingError naming the instances and why they failed.
 */
export async function waitUntilServing(options: ServingOptions): Promise<Serving> {
  const progress: ServingProgress = { lastEntries: [], lastGroup: undefined, serving: [], lapses: [] };
  // Keeps the entries waitForTargetHealth reads, so the per-instance check costs no second call.
  const targetGroups: TargetGroups = {
    describe: (arns) => options.targetGroups.describe(arns),
    deregistrationDelaySeconds: (arn) => options.targetGroups.deregistrationDelaySeconds(arn),
    health: async (arn) => {
      const entries = await options.targetGroups.health(arn);
      if (arn === options.targetGroupArn) progress.lastEntries = entries;
      return entries;
    },
  };
  try {
    const reports = await waitForTargetHealth({
      policy: fleetPoll,
      holdForMs: options.holdForMs ?? 0,
      onLapse: (lapse) => progress.lapses.push(lapse),
      targetGroups,
      arns: [options.targetGroupArn],
      requirement: { minHealthy: options.minHealthy, requireAll: true },
      timeoutMs: options.timeoutMs,
      clock: options.clock,
      random: options.random,
      log: options.log,
      ...(options.signal ? { signal: options.signal } : {}),
      alsoRequire: servingProbe(options, progress),
    });
    return { group: progress.lastGroup ?? (await mustDescribe(options.fleet, options.groupName)), instances: progress.serving, health: reports[0]! };
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    throw await notServing(error, options, progress);
  }
}

/** What the wait saw last: the target health entries, the group, the instances serving, the lapses of a hold. */
interface ServingProgress {
  lastEntries: TargetHealthEntry[];
  lastGroup: FleetGroup | undefined;
  serving: FleetInstance[];
  lapses: Lapse[];
}

/**
 * The group's side of the wait, after each target health read: the checkpoint, the accepted
 * instances serving, failed scaling activities (said once each); undefined once `count` serve.
 */
function servingProbe(options: ServingOptions, progress: ServingProgress): () => Promise<string | undefined> {
  const accept = options.accept ?? (() => true);
  const what = options.what ? `${options.what} ` : "";
  const seenFailures = new Set<string>();
  let lastActivityCheck = Number.NEGATIVE_INFINITY;
  let lastCheckpoint = options.clock.now();
  return async () => {
    if (options.checkpoint && options.clock.now() - lastCheckpoint >= CHECKPOINT_MS) {
      lastCheckpoint = options.clock.now();
      await options.checkpoint();
    }
    const group = await mustDescribe(options.fleet, options.groupName);
    progress.lastGroup = group;
    const healthyIds = new Set(progress.lastEntries.filter((e) => e.state === "healthy").map((e) => e.id));
    const counted = group.instances.filter((i) => accept(i) && !LEAVING.test(i.lifecycleState));
    const serving = counted.filter((i) => i.lifecycleState === "InService" && i.healthStatus === "Healthy" && healthyIds.has(i.id));
    progress.serving = serving;
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
  };
}

/** The wait ran out of time: what was serving, whether it held, and the diagnosis. */
async function notServing(error: TimeoutError, options: ServingOptions, progress: ServingProgress): Promise<FleetNotServingError> {
  const what = options.what ? `${options.what} ` : "";
  const { serving, lapses } = progress;
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
  return new FleetNotServingError(`${headline} ` + formatDiagnosis(diagnosis, options.groupName, options.targetGroupArn), diagnosis, { cause: error });
}
