/**
 * EC2 Auto Scaling instance refresh: replaces a group's instances in batches that keep
 * MinHealthyPercentage of the desired capacity ready (InService, Healthy and warmed up), launching
 * first when MaxHealthyPercentage is over 100; pauses CheckpointDelay at each checkpoint; bakes;
 * fails on an alarm of its AlarmSpecification; rolls back (RollbackInstanceRefresh, AutoRollback) to
 * the configuration the group had before it started. Replaced instances go through the group's own
 * termination, so they drain from their target groups (deregistration delay) before they stop.
 * Durations (InstanceWarmup, CheckpointDelay, BakeTime, the one-hour waits) are sandbox seconds.
 * Semantics and sources: docs/FIDELITY.md, "Instance refresh".
 */
import type { World } from "./world";
import type { AutoScalingGroup, Instance } from "./model";
import { resolveVersion } from "./autoscaling";

export type RefreshStatus =
  | "Pending"
  | "InProgress"
  | "Successful"
  | "Failed"
  | "Cancelling"
  | "Cancelled"
  | "RollbackInProgress"
  | "RollbackFailed"
  | "RollbackSuccessful"
  | "Baking";

/** Pending/InProgress/Baking: running forward (cancellable, reversible); with Cancelling and RollbackInProgress, no other may start. */
export const RUNNING: readonly RefreshStatus[] = ["Pending", "InProgress", "Baking"];
export const ACTIVE: readonly RefreshStatus[] = [...RUNNING, "Cancelling", "RollbackInProgress"];

export interface TemplateRef {
  id: string;
  name: string;
  /** As given: a number, $Latest or $Default. */
  version: string;
}

export interface RefreshPreferences {
  minHealthyPercentage: number;
  maxHealthyPercentage?: number | undefined;
  instanceWarmup?: number | undefined;
  checkpointPercentages?: number[] | undefined;
  checkpointDelay?: number | undefined;
  skipMatching: boolean;
  autoRollback: boolean;
  scaleInProtectedInstances: "Refresh" | "Ignore" | "Wait";
  standbyInstances: "Terminate" | "Ignore" | "Wait";
  alarms?: string[] | undefined;
  bakeTime: number;
}

export interface InstanceRefresh {
  id: string;
  groupName: string;
  status: RefreshStatus;
  statusReason?: string | undefined;
  startTime: number;
  endTime?: number | undefined;
  preferences: RefreshPreferences;
  desired?: TemplateRef | undefined;
  /** The group's launch template when the refresh started: what a rollback returns to. */
  previous: TemplateRef;
  /** Instances present at the start: without SkipMatching, each of them is replaced. */
  initialIds: Set<string>;
  instancesToUpdate: number;
  percentageComplete: number;
  nextCheckpoint: number;
  pausedUntil?: number | undefined;
  bakeUntil?: number | undefined;
  /** Since when the refresh has waited for protected or standby instances (real ms). */
  waitingSince?: number | undefined;
  rollback?: { reason: string; startTime: number; percentageComplete: number; instancesToUpdate: number } | undefined;
}

/** One hour of waiting for scale-in protection to go or standby instances to return, then the refresh fails. */
export const WAIT_LIMIT_SECONDS = 3600;
export const DEFAULT_CHECKPOINT_DELAY = 3600;

const serving = (i: Instance) => i.lifecycle === "Pending" || i.lifecycle === "InService";

export class InstanceRefreshes {
  readonly all: InstanceRefresh[] = [];

  constructor(private readonly world: World) {}

  activeFor(groupName: string): InstanceRefresh | undefined {
    return this.all.find((r) => r.groupName === groupName && ACTIVE.includes(r.status));
  }

  /** The launch template new instances of the group use: the active refresh's target, else the group's own. */
  templateFor(group: AutoScalingGroup): TemplateRef {
    const refresh = this.activeFor(group.name);
    if (!refresh || refresh.status === "Cancelling") return group.launchTemplate;
    return this.target(refresh, group);
  }

  /** While a refresh replaces instances it decides what terminates; the group does not scale in its surge. */
  holdsScaleIn(group: AutoScalingGroup): boolean {
    const refresh = this.activeFor(group.name);
    return refresh !== undefined && (refresh.status === "InProgress" || refresh.status === "RollbackInProgress");
  }

  add(refresh: InstanceRefresh): void {
    this.all.push(refresh);
  }

  tick(): void {
    for (const refresh of this.all) if (ACTIVE.includes(refresh.status)) this.step(refresh);
  }

  private target(refresh: InstanceRefresh, group: AutoScalingGroup): TemplateRef {
    if (refresh.status === "RollbackInProgress") return refresh.previous;
    return refresh.desired ?? group.launchTemplate;
  }

  private targetNumber(ref: TemplateRef): string | undefined {
    const template = this.world.launchTemplates.get(ref.id);
    const version = template ? resolveVersion(template, ref.version) : undefined;
    return version ? String(version.number) : undefined;
  }

  private matches(instance: Instance, ref: TemplateRef): boolean {
    return instance.launchTemplateId === ref.id && instance.version === this.targetNumber(ref);
  }

  /** Instances the refresh still has to replace (serving or in standby). */
  private outdated(refresh: InstanceRefresh, group: AutoScalingGroup): Instance[] {
    const target = this.target(refresh, group);
    const rollingBack = refresh.status === "RollbackInProgress";
    return [...group.instances.values()].filter((i) => {
      if (!serving(i) && i.lifecycle !== "Standby") return false;
      if (!this.matches(i, target)) return true;
      return !rollingBack && !refresh.preferences.skipMatching && refresh.initialIds.has(i.id);
    });
  }

  private ready(refresh: InstanceRefresh, instance: Instance, now: number): boolean {
    if (instance.lifecycle !== "InService" || instance.health !== "Healthy") return false;
    const warmup = refresh.preferences.instanceWarmup ?? this.world.groups.get(refresh.groupName)?.healthCheckGracePeriod ?? 0;
    return instance.inServiceAt !== undefined && now - instance.inServiceAt >= this.world.clock.realMs(warmup);
  }

  private finish(refresh: InstanceRefresh, status: RefreshStatus, reason?: string): void {
    refresh.status = status;
    refresh.endTime = this.world.clock.now();
    if (reason !== undefined) refresh.statusReason = reason;
  }

  /** Fails the refresh, or with AutoRollback starts rolling it back. */
  fail(refresh: InstanceRefresh, reason: string): void {
    if (refresh.preferences.autoRollback && RUNNING.includes(refresh.status)) this.startRollback(refresh, `Automatic rollback: ${reason}`);
    else this.finish(refresh, refresh.status === "RollbackInProgress" ? "RollbackFailed" : "Failed", reason);
  }

  startRollback(refresh: InstanceRefresh, reason: string): void {
    refresh.rollback = { reason, startTime: this.world.clock.now(), percentageComplete: refresh.percentageComplete, instancesToUpdate: refresh.instancesToUpdate };
    refresh.status = "RollbackInProgress";
    refresh.statusReason = reason;
    refresh.pausedUntil = undefined;
    refresh.bakeUntil = undefined;
    refresh.waitingSince = undefined;
  }

  cancel(refresh: InstanceRefresh): void {
    refresh.status = "Cancelling";
    refresh.statusReason = "Cancelling the instance refresh: replacements under way finish, no new one starts.";
  }

  private alarmInAlarm(refresh: InstanceRefresh): string | undefined {
    return refresh.preferences.alarms?.find((name) => this.world.alarms.get(name)?.state === "ALARM");
  }

  private step(refresh: InstanceRefresh): void {
    const world = this.world;
    const group = world.groups.get(refresh.groupName);
    if (!group) return this.finish(refresh, "Failed", "The Auto Scaling group no longer exists.");
    const now = world.clock.now();
    if (refresh.status === "Pending") refresh.status = "InProgress";
    this.measure(refresh, group, now);
    if (refresh.status === "Cancelling") {
      const launching = [...group.instances.values()].some((i) => i.lifecycle === "Pending");
      if (!launching) this.finish(refresh, "Cancelled", "The instance refresh was cancelled.");
      return;
    }
    const alarm = refresh.status !== "RollbackInProgress" ? this.alarmInAlarm(refresh) : undefined;
    if (alarm) return this.fail(refresh, `The CloudWatch alarm ${alarm} went into ALARM state.`);
    if (refresh.status === "Baking") {
      if (now >= (refresh.bakeUntil ?? now)) this.succeed(refresh, group);
      return;
    }
    if (group.suspended.has("InstanceRefresh")) return;
    if (refresh.pausedUntil !== undefined) {
      if (now < refresh.pausedUntil) return;
      refresh.pausedUntil = undefined;
      refresh.statusReason = undefined;
    }
    if (!this.targetNumber(this.target(refresh, group))) return this.fail(refresh, "The launch template version of the desired configuration does not exist.");
    this.replace(refresh, group, now);
  }

  /** PercentageComplete and InstancesToUpdate from the instances now. */
  private measure(refresh: InstanceRefresh, group: AutoScalingGroup, now: number): void {
    const desired = group.desiredCapacity;
    const forward = refresh.desired ?? group.launchTemplate;
    const onForward = [...group.instances.values()].filter((i) => serving(i) && this.matches(i, forward) && !(refresh.initialIds.has(i.id) && !refresh.preferences.skipMatching));
    const done = refresh.status === "RollbackInProgress" ? onForward.length : onForward.filter((i) => this.ready(refresh, i, now)).length;
    refresh.percentageComplete = desired === 0 ? 100 : Math.min(100, Math.floor((done * 100) / desired));
    if (refresh.status !== "Successful") refresh.instancesToUpdate = this.outdated(refresh, group).length;
  }

  private succeed(refresh: InstanceRefresh, group: AutoScalingGroup): void {
    if (refresh.desired) group.launchTemplate = { ...refresh.desired };
    refresh.instancesToUpdate = 0;
    this.finish(refresh, "Successful");
  }

  /** Which outdated instances may be replaced now; undefined while waiting on protected or standby ones (or failed after an hour). */
  private eligible(refresh: InstanceRefresh, outdated: Instance[], now: number): Instance[] | undefined {
    const prefs = refresh.preferences;
    const protectedOnes = outdated.filter((i) => i.protectedFromScaleIn && prefs.scaleInProtectedInstances !== "Refresh");
    const standby = outdated.filter((i) => i.lifecycle === "Standby");
    const waitingOn = [...protectedOnes.filter(() => prefs.scaleInProtectedInstances === "Wait"), ...standby.filter(() => prefs.standbyInstances === "Wait")];
    const rest = outdated.filter((i) => !protectedOnes.includes(i) && !standby.includes(i));
    if (waitingOn.length > 0 && rest.length === 0) {
      refresh.waitingSince ??= now;
      if (now - refresh.waitingSince >= this.world.clock.realMs(WAIT_LIMIT_SECONDS)) {
        this.fail(refresh, `Timed out after one hour waiting for ${waitingOn.length} instance(s) protected from scale in or in Standby (${waitingOn.map((i) => i.id).join(", ")}).`);
        return undefined;
      }
      refresh.statusReason = `Waiting for ${waitingOn.length} instance(s) protected from scale in or in Standby.`;
      return undefined;
    }
    refresh.waitingSince = undefined;
    if (prefs.standbyInstances === "Terminate") for (const i of standby) void this.world.autoScaling.terminateInstance(this.group(refresh), i, this.cause(refresh, "terminated an instance in Standby"));
    return rest;
  }

  private group(refresh: InstanceRefresh): AutoScalingGroup {
    return this.world.groups.get(refresh.groupName)!;
  }

  private cause(refresh: InstanceRefresh, what: string): string {
    const at = new Date(this.world.clock.now()).toISOString().replace(/\.[0-9]{3}Z$/, "Z");
    const kind = refresh.status === "RollbackInProgress" ? "rollback of instance refresh" : "instance refresh";
    return `At ${at} an ${kind} ${refresh.id} ${what}.`;
  }

  /** The goal of this stretch, in percent of desired capacity: the next checkpoint, else 100. */
  private goal(refresh: InstanceRefresh): number {
    if (refresh.status === "RollbackInProgress") return 100;
    return refresh.preferences.checkpointPercentages?.[refresh.nextCheckpoint] ?? 100;
  }

  private reached(refresh: InstanceRefresh, group: AutoScalingGroup, outdatedCount: number): boolean {
    const goal = this.goal(refresh);
    return goal >= 100 ? outdatedCount === 0 && ![...group.instances.values()].some((i) => i.lifecycle === "Pending") : refresh.percentageComplete >= goal;
  }

  private atGoal(refresh: InstanceRefresh, group: AutoScalingGroup, now: number): void {
    if (refresh.status === "RollbackInProgress") return this.finish(refresh, "RollbackSuccessful", refresh.rollback?.reason);
    const checkpoints = refresh.preferences.checkpointPercentages ?? [];
    const last = refresh.nextCheckpoint >= checkpoints.length - 1;
    if (checkpoints.length > 0 && !last) {
      refresh.nextCheckpoint++;
      const delay = refresh.preferences.checkpointDelay ?? DEFAULT_CHECKPOINT_DELAY;
      refresh.pausedUntil = now + this.world.clock.realMs(delay);
      refresh.statusReason = `Checkpoint ${checkpoints[refresh.nextCheckpoint - 1]}% reached; waiting ${delay} s (CheckpointDelay) before continuing.`;
      return;
    }
    if (refresh.preferences.bakeTime > 0) {
      refresh.status = "Baking";
      refresh.bakeUntil = now + this.world.clock.realMs(refresh.preferences.bakeTime);
      refresh.statusReason = `Waiting ${refresh.preferences.bakeTime} s (BakeTime) before the instance refresh is complete.`;
      return;
    }
    this.succeed(refresh, group);
  }

  /** One round of replacement: terminate what MinHealthyPercentage allows, launch what MaxHealthyPercentage allows. */
  private replace(refresh: InstanceRefresh, group: AutoScalingGroup, now: number): void {
    const outdatedAll = this.outdated(refresh, group);
    if (this.reached(refresh, group, outdatedAll.length)) return this.atGoal(refresh, group, now);
    const outdated = this.eligible(refresh, outdatedAll, now);
    if (!outdated || !ACTIVE.includes(refresh.status)) return;
    if (outdated.length === 0) {
      // Only ignored instances are left: the refresh is done with what it may replace.
      if (![...group.instances.values()].some((i) => i.lifecycle === "Pending")) this.atGoal(refresh, group, now);
      return;
    }
    const desired = group.desiredCapacity;
    const prefs = refresh.preferences;
    const minReady = Math.ceil((desired * prefs.minHealthyPercentage) / 100);
    const maxTotal = Math.max(desired, Math.floor((desired * (prefs.maxHealthyPercentage ?? 100)) / 100));
    const active = [...group.instances.values()].filter(serving);
    const ready = active.filter((i) => this.ready(refresh, i, now)).length;
    const outdatedServing = outdated.filter(serving);
    // New instances running or launching, and the capacity the group is about to launch (also new).
    const fresh = active.length - outdatedAll.filter(serving).length;
    const deficit = Math.max(0, desired - active.length);
    const surplus = Math.max(0, active.length - desired);
    // Never more new instances than the next checkpoint needs.
    const budget = Math.ceil((this.goal(refresh) * desired) / 100) - fresh - deficit;
    let terminate: number;
    if (maxTotal > desired) {
      // Launch before terminating: up to MaxHealthyPercentage, then terminate the surplus as capacity allows.
      const toLaunch = Math.min(maxTotal - active.length, budget, outdatedServing.length - surplus);
      for (let n = 0; n < toLaunch; n++) this.world.autoScaling.launchInstance(group, this.cause(refresh, "launched an instance to replace an outdated one"));
      terminate = Math.min(surplus + Math.max(0, toLaunch), ready - minReady, outdatedServing.length);
    } else {
      // Terminate first (the group launches the replacements), keeping MinHealthyPercentage ready.
      const inFlight = deficit > 0 || active.some((i) => i.lifecycle === "Pending");
      terminate = Math.min(ready - minReady, outdatedServing.length, budget);
      // 100% healthy with no room above 100%: one instance at a time.
      if (terminate <= 0 && !inFlight && minReady >= desired && budget > 0) terminate = 1;
    }
    const victims = [...outdatedServing].sort((a, b) => Number(a.health === "Healthy") - Number(b.health === "Healthy") || a.launchedAt - b.launchedAt).slice(0, Math.max(0, terminate));
    for (const victim of victims) void this.world.autoScaling.terminateInstance(group, victim, this.cause(refresh, "replaced an outdated instance"));
  }
}
