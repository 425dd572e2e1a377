/**
 * deploy-green: brings the idle slot's Auto Scaling group up on a new version and tags it as the
 * candidate. It never writes to the listener or rule: traffic stays where it is.
 *
 * Order of work: refuse unless the environment is steady (all traffic on one slot); take the
 * deployment lock; point the idle group at the new launch template version (creating one from the
 * group's current version when an image id is given); replace old instances by scaling the idle group
 * to 0 and, once they have started terminating, to the target capacity (the slot has weight 0, so
 * this costs no traffic; Auto Scaling no longer counts leaving instances, so the new ones launch while
 * the old ones drain and the deregistration delay is not waited for); wait until the new instances
 * are InService and every target is healthy; tag the target group and the group.
 *
 * The lock is parked on success: shift-traffic in the same workflow run claims it and releases it
 * when traffic has moved. On failure it is released, so a failed deploy leaves no lock.
 */
import type { RunInfo } from "../entries/runtime";
import type { DeployGreenSettings } from "../inputs/deploy-green";
import type { Fleet, FleetGroup, FleetInstance, LaunchTemplateRef, LaunchTemplates } from "../ports/fleet";
import type { LockRules, TargetGroups } from "../ports/load-balancer";
import type { Clock, Random } from "../util/clock";
import { ConfigurationError, errorMessage, OperationalError, SafetyError } from "../util/errors";
import {
  analyzeState,
  type Environment,
  type EnvironmentPorts,
  type EnvironmentRef,
  findFleets,
  fleetOf,
  loadEnvironment,
  refuseInconsistent,
  resolveEnvironment,
  type Slot,
} from "./environment";
import { environmentRef } from "../inputs/common";
import {
  ACTIVITY_SLACK_MS,
  type Capacity,
  capacityChange,
  capacityOf,
  diagnoseFleet,
  FleetNotServingError,
  formatCapacity,
  formatDiagnosis,
  guardProcesses,
  planCapacity,
  REQUIRED_PROCESSES,
  waitUntilGone,
  waitUntilServing,
} from "./fleet-capacity";
import { acquireLock, type AcquiredLock, parseLegacyLock, parseLockTags } from "./lock";
import { listenerOf, lockOwnerOf, lockPriority } from "./lock-format";
import { TAG, tagText } from "./tags";
import { formatMinHealthy, type MinHealthy, requireStableForFits, resolveStableFor, type StableFor, type TargetGroupHealthReport } from "./target-health";

export interface DeployGreenRequest {
  environment: EnvironmentRef;
  version: string;
  /** Exactly one of launchTemplateVersion and imageId. */
  launchTemplateVersion?: string | undefined;
  imageId?: string | undefined;
  desiredCapacity?: number | undefined;
  minHealthy: MinHealthy;
  timeoutMs: number;
  /** How long the new fleet must keep serving once it serves; default 0. */
  stableFor?: StableFor | undefined;
  deploymentId: string;
  dryRun: boolean;
  lockTtlMs: number;
}

export interface DeployGreenPorts extends EnvironmentPorts {
  /** Built only when an image id is deployed (it loads the EC2 client). */
  launchTemplates: () => Promise<LaunchTemplates>;
  locks: LockRules;
}

export interface DeployGreenDeps {
  ports: DeployGreenPorts;
  clock: Clock;
  random: Random;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
  run: Pick<RunInfo, "lockOwner" | "sha"> & Partial<Pick<RunInfo, "job" | "runAttempt">>;
}

export interface Change {
  what: string;
  before: string;
  after: string;
}

export interface DeployGreenResult {
  dryRun: boolean;
  slot: Slot;
  live: Slot;
  asgName: string;
  targetGroupArn: string;
  version: string;
  deploymentId: string;
  launchTemplate: { before: LaunchTemplateRef; after: LaunchTemplateRef; created: boolean; imageBefore?: string | undefined; imageAfter?: string | undefined };
  capacity: { before: Capacity; after: Capacity };
  /** Instances of the old version that were (or would be) replaced. */
  replaced: string[];
  /** New instances InService and healthy (empty in a dry run). */
  instances: FleetInstance[];
  health?: TargetGroupHealthReport | undefined;
  /** How long the new fleet had to keep serving once it served (0 in a dry run, or with stable-for 0s). */
  stableForMs: number;
  /** Required processes that were suspended and were (or would be) resumed. */
  resumed: string[];
  changes: Change[];
  /** Set when another run holds the lock (dry run only: a real run fails). */
  lockWarning?: string | undefined;
  elapsedMs: number;
}

/** `<run id>-<run attempt>`: one deployment per attempt of a workflow run. */
export function defaultDeploymentId(run: Pick<RunInfo, "runId" | "runAttempt">): string {
  return `${run.runId}-${run.runAttempt}`;
}

export function requestFromSettings(s: DeployGreenSettings, run: Pick<RunInfo, "runId" | "runAttempt">): DeployGreenRequest {
  return {
    environment: environmentRef(s),
    version: s.version,
    launchTemplateVersion: s["launch-template-version"],
    imageId: s["image-id"],
    desiredCapacity: s["desired-capacity"],
    minHealthy: s["min-healthy"],
    timeoutMs: s.timeout,
    stableFor: s["stable-for"],
    deploymentId: s["deployment-id"] ?? defaultDeploymentId(run),
    dryRun: s["dry-run"],
    lockTtlMs: s["lock-ttl"],
  };
}

function isNumber(version: string): boolean {
  return /^\d+$/.test(version);
}

function templateLabel(t: LaunchTemplateRef): string {
  return `${t.id ?? t.name}${t.id && t.name ? ` (${t.name})` : ""}`;
}

/** Instances that are in service or on their way there; Standby ones are outside desired capacity and the target group. */
function runningOf(group: FleetGroup): FleetInstance[] {
  return group.instances.filter((i) => !/^(Terminating|Terminated|Detaching|Detached)|Standby$/.test(i.lifecycleState));
}

/** Reads the environment and the idle group again once the lock is ours; refuses if the idle slot is no longer idle. */
async function recheck(env: Environment, idle: Slot, groupName: string, fleet: Fleet, ports: EnvironmentPorts): Promise<FleetGroup> {
  const state = analyzeState(await loadEnvironment(env.ref, ports, env.knownFleets));
  if (state.phase !== "steady" || state.idle.targetGroupArn !== idle.targetGroupArn) {
    const now = state.phase === "steady" ? `${state.idle.name} is idle now` : state.phase === "inconsistent" ? state.reason : `a ${state.phase} is in progress`;
    throw new SafetyError(`deploy-green refused: the environment changed while this run took the lock (${idle.name} was idle; ${now}). Nothing was deployed; re-run to deploy against the new state.`);
  }
  const group = await fleet.describe(groupName);
  if (!group) throw new OperationalError(`Auto Scaling group ${groupName} no longer exists.`);
  return group;
}

/** Refuses unless all traffic is on one slot and the other is idle (weight 0, not the last known good). */
function idleSlotOf(state: ReturnType<typeof analyzeState>): { live: Slot; idle: Slot } {
  refuseInconsistent(state, "deploy-green");
  if (state.phase === "canary") {
    throw new SafetyError(
      `deploy-green refused: slot ${state.candidate.name} (${state.candidate.targetGroupName}) receives ${state.candidate.share}% of traffic, so a canary is in progress ` +
        `(${state.stable.name} is stable with ${state.stable.share}%). Promote it with shift-traffic or roll back with rollback, then deploy again.`,
    );
  }
  if (state.phase === "promoting") {
    throw new SafetyError(
      `deploy-green refused: slot ${state.candidate.name} (${state.candidate.targetGroupName}) takes all traffic but is still tagged candidate, and the idle slot ${state.stable.name} is tagged stable ` +
        `(the rollback target). Finish the promotion with shift-traffic or roll back with rollback before deploying over it.`,
    );
  }
  return { live: state.live, idle: state.idle };
}

export async function deployGreen(request: DeployGreenRequest, deps: DeployGreenDeps): Promise<DeployGreenResult> {
  const { ports, clock, log } = deps;
  const started = clock.now();

  // 1. The environment, and the refusals.
  const env = await resolveEnvironment(request.environment, ports);
  const { live, idle } = idleSlotOf(analyzeState(env));
  log(`Environment: ${live.name} (${live.targetGroupName}) is live with ${live.share}% of traffic; deploying to idle slot ${idle.name} (${idle.targetGroupName}).`);

  const fleet = await ports.fleet();
  await findFleets(env, fleet);
  const group = await fleetOf(env, idle, fleet);
  if (!group) {
    throw new ConfigurationError(
      `No Auto Scaling group is attached to target group ${idle.targetGroupName} (idle slot ${idle.name}); deploy-green deploys by scaling that group. Attach the slot's group to its target group.`,
    );
  }
  const liveGroup = await fleetOf(env, live, fleet);
  if (liveGroup?.name === group.name) {
    throw new SafetyError(`deploy-green refused: Auto Scaling group ${group.name} feeds both slots (${live.targetGroupName} and ${idle.targetGroupName}); replacing its instances would take down the live slot. Give each slot its own group.`);
  }
  if (!group.launchTemplate) {
    throw new ConfigurationError(
      `Auto Scaling group ${group.name} has no launch template (it may use a launch configuration or a mixed instances policy, which deploy-green does not change). Give the group a launch template.`,
    );
  }
  const currentTemplate = group.launchTemplate;

  // 2. The plan.
  const liveDesired = liveGroup?.desiredCapacity;
  if (request.desiredCapacity === undefined && liveDesired === undefined) {
    throw new ConfigurationError(`desired-capacity not given, and the live slot ${live.name} has no Auto Scaling group to take it from. Give desired-capacity.`);
  }
  const target = planCapacity(group, request.desiredCapacity, liveDesired ?? 1);

  let templates: LaunchTemplates | undefined;
  let imageBefore: string | undefined;
  let reuseVersion: string | undefined;
  // The new version is made from the very version whose image was read (`$Default` resolved once).
  let sourceTemplate = currentTemplate;
  if (request.imageId) {
    templates = await ports.launchTemplates();
    const source = await templates.describeVersion(currentTemplate);
    imageBefore = source.imageId;
    sourceTemplate = { ...currentTemplate, version: source.version };
    if (imageBefore === request.imageId && isNumber(currentTemplate.version)) reuseVersion = currentTemplate.version;
  }
  const wantedVersion = request.launchTemplateVersion ?? reuseVersion;
  const running = runningOf(group);
  const standby = group.instances.filter((i) => /Standby$/.test(i.lifecycleState));
  if (standby.length > 0) log(`Leaving ${standby.length} Standby instance(s) of ${group.name} alone (${standby.map((i) => i.id).join(", ")}): they receive no traffic.`);
  // Instances already on the wanted numbered version are kept; `$Latest`/`$Default` cannot be compared, so they are replaced.
  const keep =
    wantedVersion !== undefined && isNumber(wantedVersion) && currentTemplate.version === wantedVersion && running.every((i) => i.launchTemplateVersion === wantedVersion);
  const replaced = keep ? [] : running.map((i) => i.id);
  const resumed = REQUIRED_PROCESSES.filter((p) => group.suspendedProcesses.includes(p));

  const newTags: Record<string, string> = {
    [TAG.version]: tagText(request.version),
    [TAG.role]: "candidate",
    [TAG.deploymentId]: tagText(request.deploymentId),
    ...(deps.run.sha ? { [TAG.sha]: tagText(deps.run.sha) } : {}),
    [TAG.updatedAt]: new Date(clock.now()).toISOString(),
  };
  const versionAfter = wantedVersion ?? "(new version)";
  const changes: Change[] = [
    {
      what: `launch template ${templateLabel(currentTemplate)} on ${group.name}`,
      before: `version ${currentTemplate.version}${imageBefore ? ` (${imageBefore})` : ""}`,
      after: request.imageId
        ? reuseVersion
          ? `version ${reuseVersion} (already runs ${request.imageId})`
          : `new version from ${currentTemplate.version} with image ${request.imageId}`
        : `version ${versionAfter}`,
    },
    {
      what: `capacity of ${group.name}`,
      before: formatCapacity(capacityOf(group)),
      after: `${formatCapacity(target)}${replaced.length > 0 ? ` (replacing ${replaced.length} old instance(s): scale to 0, then up)` : ""}`,
    },
  ];
  if (resumed.length > 0) changes.push({ what: `suspended processes of ${group.name}`, before: resumed.join(", "), after: "resumed" });
  for (const [key, value] of Object.entries(newTags)) {
    changes.push({ what: `tag ${key} on target group ${idle.targetGroupName} and Auto Scaling group ${group.name}`, before: idle.tags[key] ?? group.tags[key] ?? "(none)", after: value });
  }
  for (const c of changes) log(`${request.dryRun ? "Plan" : "Change"}: ${c.what}: ${c.before} → ${c.after}`);

  const stable = await resolveStableFor(request.stableFor ?? { kind: "fixed", ms: 0 }, ports.targetGroups, [idle.targetGroupArn]);
  requireStableForFits(stable, request.timeoutMs, (d) => `The new fleet must keep serving for ${d} once it serves`);
  if (stable.ms > 0) log(`Once its instances serve, ${idle.targetGroupName} must keep serving for ${stable.ms / 1000}s before the deploy succeeds (${stable.why}).`);

  const base = {
    stableForMs: stable.ms,
    slot: idle,
    live,
    asgName: group.name,
    targetGroupArn: idle.targetGroupArn,
    version: request.version,
    deploymentId: request.deploymentId,
    capacity: { before: capacityOf(group), after: target },
    replaced,
    resumed,
    changes,
  };

  if (request.dryRun) {
    const found = await ports.locks.find(listenerOf(env.ref), lockPriority(env.ref));
    const holder = found?.isLock ? parseLockTags(found.tags, found.ruleArn) : parseLegacyLock((await ports.tags.read([env.ref.arn])).get(env.ref.arn)?.[TAG.lock]);
    const lockWarning =
      holder && holder.run !== deps.run.lockOwner && holder.expiresAt.getTime() > clock.now()
        ? `A real run would fail now: ${holder.owner} holds the deployment lock until ${holder.expiresAt.toISOString()}.`
        : undefined;
    if (lockWarning) log(lockWarning);
    log("Dry run: nothing was changed.");
    return {
      ...base,
      dryRun: true,
      launchTemplate: { before: currentTemplate, after: { ...currentTemplate, version: versionAfter }, created: false, imageBefore, imageAfter: request.imageId ?? imageBefore },
      instances: [],
      lockWarning,
      elapsedMs: clock.now() - started,
    };
  }

  // 3. The lock, then the fleet.
  const lock = await acquireLock({ rules: ports.locks, tags: ports.tags, environment: env.ref, owner: lockOwnerOf(deps.run), ttlMs: request.lockTtlMs, clock, random: deps.random, log, signal: deps.signal });
  const since = new Date(clock.now() - ACTIVITY_SLACK_MS);
  const deadline = clock.now() + request.timeoutMs;
  const remaining = () => Math.max(0, deadline - clock.now());
  const waitCommon = { fleet, groupName: group.name, clock, random: deps.random, log, signal: deps.signal };
  let fleetTouched = false;
  try {
    // What was read before the lock may have changed until it was ours (another run shifting traffic, say).
    const now = await recheck(env, idle, group.name, fleet, ports);
    const oldIds = keep ? [] : runningOf(now).map((i) => i.id);
    const stale = [TAG.role, TAG.version, TAG.deploymentId, TAG.sha].filter((k) => idle.tags[k] !== undefined);
    if (stale.length > 0) {
      // Its old instances are about to go: the slot stops being a rollback target for the old version.
      await ports.tags.remove(idle.targetGroupArn, stale);
      log(`Cleared the role and version tags of ${idle.targetGroupName} (was ${idle.role ?? "untagged"}, version ${idle.version ?? "unknown"}): its instances are being replaced.`);
    }
    fleetTouched = true;
    const guard = await guardProcesses(fleet, now, log);
    let after: LaunchTemplateRef;
    let serving;
    try {
      if (request.imageId && !reuseVersion) {
        const description = `deploy-green ${request.deploymentId}: ${request.version} (${request.imageId})`;
        const created = await templates!.createVersionWithImage(sourceTemplate, request.imageId, description);
        log(`Created version ${created} of launch template ${templateLabel(currentTemplate)} from version ${sourceTemplate.version}${sourceTemplate.version !== currentTemplate.version ? ` (${currentTemplate.version})` : ""} with image ${request.imageId}.`);
        after = { ...currentTemplate, version: created };
        changes[0]!.after = `version ${created} (${request.imageId}, new)`;
      } else {
        after = { ...currentTemplate, version: wantedVersion! };
      }
      if (after.version !== currentTemplate.version) {
        await fleet.setLaunchTemplate(group.name, after);
        log(`${group.name} now launches version ${after.version} of launch template ${templateLabel(currentTemplate)}.`);
      }
      let current = capacityOf(now);
      if (oldIds.length > 0) {
        const empty: Capacity = { minSize: 0, desiredCapacity: 0, maxSize: now.maxSize };
        await fleet.setCapacity(group.name, capacityChange(current, empty));
        current = empty;
        log(`Scaled ${group.name} to 0 to replace ${oldIds.length} old instance(s).`);
        // Once they are leaving, Auto Scaling no longer counts them: the new ones launch while they drain.
        await waitUntilGone({ ...waitCommon, ids: oldIds, until: "leaving", timeoutMs: remaining(), checkpoint: () => lock.checkpoint("the old instances left") });
      }
      await fleet.setCapacity(group.name, capacityChange(current, target));
      log(`Scaling ${group.name}: ${formatCapacity(current)} → ${formatCapacity(target)}.`);
      const old = new Set(oldIds);
      serving = await waitUntilServing({
        ...waitCommon,
        targetGroups: ports.targetGroups,
        targetGroupArn: idle.targetGroupArn,
        count: target.desiredCapacity,
        minHealthy: request.minHealthy,
        // Auto Scaling may report `$Latest`/`$Default` instances by number, so only a numbered version is compared.
        accept: (i) => !old.has(i.id) && (!isNumber(after.version) || i.launchTemplateVersion === undefined || i.launchTemplateVersion === after.version),
        what: "new",
        since,
        timeoutMs: remaining(),
        holdForMs: stable.ms,
        // A rollback takes the lock over: stop bringing up a fleet nobody will use.
        checkpoint: () => lock.checkpoint("the new fleet finished coming up"),
      });
    } catch (error) {
      await guard.releaseAfterFailure();
      throw error;
    }
    await guard.release();
    log(`${serving.instances.length} instance(s) of ${request.version} are InService and healthy${stable.ms > 0 ? ` and have been for ${stable.ms / 1000}s` : ""}: ${serving.health.summary} (min-healthy ${formatMinHealthy(request.minHealthy)}).`);

    // 4. Tags, unless a rollback took the environment over while the fleet was coming up.
    await lock.assertHeld(`tagging ${idle.targetGroupName} as the candidate`);
    newTags[TAG.updatedAt] = new Date(clock.now()).toISOString();
    await ports.tags.write(idle.targetGroupArn, newTags);
    await fleet.tag(group.name, newTags);
    log(`Tagged ${idle.targetGroupName} and ${group.name} as the candidate (${request.version}, deployment ${request.deploymentId}).`);
    await parkLock(lock, log);

    return {
      ...base,
      replaced: oldIds,
      dryRun: false,
      launchTemplate: { before: currentTemplate, after, created: after.version !== currentTemplate.version && !!request.imageId, imageBefore, imageAfter: request.imageId ?? imageBefore },
      instances: serving.instances,
      health: serving.health,
      elapsedMs: clock.now() - started,
    };
  } catch (error) {
    let lockReleased = true;
    try {
      await lock.release();
    } catch (releaseError) {
      lockReleased = false;
      log(`Could not release the deployment lock: ${errorMessage(releaseError)}`);
    }
    throw await explainFailure(error, { ...waitCommon, targetGroups: ports.targetGroups, targetGroupArn: idle.targetGroupArn, since, fleetTouched, live, idle, lockReleased });
  }
}

/** The failure with what went wrong on the fleet and the promise that traffic did not move. */
async function explainFailure(
  error: unknown,
  context: {
    fleet: Fleet;
    targetGroups: TargetGroups;
    groupName: string;
    targetGroupArn: string;
    since: Date;
    fleetTouched: boolean;
    live: Slot;
    idle: Slot;
    lockReleased: boolean;
  },
): Promise<Error> {
  if (error instanceof ConfigurationError || error instanceof SafetyError) return error;
  const lock = context.lockReleased
    ? "The deployment lock was released."
    : "The deployment lock could not be released: it stays until its lease expires, or a rollback takes it over.";
  const untouched = `The listener was not changed: all traffic stays on ${context.live.name} (${context.live.targetGroupName}). ${lock}`;
  // A FleetNotServingError already carries the diagnosis.
  const detail =
    context.fleetTouched && !(error instanceof FleetNotServingError) ? ` ${formatDiagnosis(await diagnoseFleet(context), context.groupName, context.targetGroupArn)}` : "";
  return new OperationalError(`deploy-green failed on slot ${context.idle.name} (${context.groupName}): ${errorMessage(error)}${detail} ${untouched}`, { cause: error });
}

/** Success: the lock stays with this run, parked, for its shift-traffic to claim. */
async function parkLock(lock: AcquiredLock, log: (line: string) => void): Promise<void> {
  if (await lock.park()) {
    log(`Left the deployment lock to the next step of this run (${lock.holder.owner}, lease until ${lock.holder.expiresAt.toISOString()}): shift-traffic claims it and releases it.`);
  } else {
    log("The deployment lock was no longer this step's to leave to shift-traffic; shift-traffic takes it as any other deployment would.");
  }
}
