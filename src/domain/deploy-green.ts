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
import type { Fleet, FleetGroup, LaunchTemplateRef } from "../ports/fleet";
import type { TargetGroups } from "../ports/load-balancer";
import type { Clock, Random } from "../util/clock";
import { ConfigurationError, errorMessage, OperationalError, SafetyError } from "../util/errors";
import { analyzeState, type Environment, type EnvironmentPorts, loadEnvironment, type Slot } from "./environment";
import {
  type Change,
  type DeployGreenDeps,
  type DeployGreenPorts,
  type DeployGreenRequest,
  type DeployGreenResult,
  type DeployPlan,
  type DeployTarget,
  findTarget,
  isNumber,
  planDeploy,
  runningOf,
  templateLabel,
} from "./deploy-green-plan";
import { ACTIVITY_SLACK_MS, type Capacity, capacityChange, capacityOf, formatCapacity } from "./fleet-capacity";
import { diagnoseFleet, FleetNotServingError, formatDiagnosis } from "./fleet-diagnosis";
import { guardProcesses } from "./fleet-guard";
import { type Serving, waitUntilGone, waitUntilServing } from "./fleet-serving";
import { acquireLock, type AcquiredLock, parseLegacyLock, parseLockTags } from "./lock";
import { listenerOf, lockOwnerOf, lockPriority } from "./lock-format";
import { checkDeploySchema } from "./schema-check";
import { TAG } from "./tags";
import { formatMinHealthy } from "./target-health";

export type { Change, DeployGreenDeps, DeployGreenPorts, DeployGreenRequest, DeployGreenResult };

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

type BaseResult = Omit<DeployGreenResult, "dryRun" | "launchTemplate" | "instances" | "health" | "lockWarning" | "elapsedMs">;

/** The phases: plan (nothing changes), take the lock, bring the idle group up, wait until it serves, tag it. */
export async function deployGreen(request: DeployGreenRequest, deps: DeployGreenDeps): Promise<DeployGreenResult> {
  const started = deps.clock.now();
  const t = await findTarget(request, deps.ports, deps.log);
  if (request.schemaVersion !== undefined) await checkDeploySchema(t.env, request.schemaVersion, deps.ports.tags);
  const plan = await planDeploy(request, deps, t);
  const base: BaseResult = {
    stableForMs: plan.stable.ms,
    slot: t.idle,
    live: t.live,
    asgName: t.group.name,
    targetGroupArn: t.idle.targetGroupArn,
    version: request.version,
    deploymentId: request.deploymentId,
    capacity: { before: capacityOf(t.group), after: plan.target },
    replaced: plan.replaced,
    resumed: plan.resumed,
    changes: plan.changes,
  };
  if (request.dryRun) return dryRun(request, deps, t, plan, base, started);
  return deploy(request, deps, t, plan, base, started);
}

/** A dry run: says whether the lock is free, changes nothing. */
async function dryRun(request: DeployGreenRequest, deps: DeployGreenDeps, t: DeployTarget, plan: DeployPlan, base: BaseResult, started: number): Promise<DeployGreenResult> {
  const { ports, clock, log } = deps;
  const { env, currentTemplate } = t;
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
    launchTemplate: { before: currentTemplate, after: { ...currentTemplate, version: plan.versionAfter }, created: false, imageBefore: plan.imageBefore, imageAfter: request.imageId ?? plan.imageBefore },
    instances: [],
    lockWarning,
    elapsedMs: clock.now() - started,
  };
}

/** What the waits share: the fleet, the group, the clock, and the time left of the step's budget. */
interface Run {
  lock: AcquiredLock;
  since: Date;
  remaining: () => number;
  waitCommon: { fleet: Fleet; groupName: string; clock: Clock; random: Random; log: (line: string) => void; signal?: AbortSignal | undefined };
  /** Set once the fleet may have changed, so a failure says what the fleet did. */
  fleetTouched: boolean;
}

/** A real run: take the lock, bring the fleet up, tag it; on failure give the lock back and say why. */
async function deploy(request: DeployGreenRequest, deps: DeployGreenDeps, t: DeployTarget, plan: DeployPlan, base: BaseResult, started: number): Promise<DeployGreenResult> {
  const { ports, clock, log } = deps;
  const { env, idle, live, group, currentTemplate } = t;
  const lock = await acquireLock({ rules: ports.locks, tags: ports.tags, environment: env.ref, owner: lockOwnerOf(deps.run), ttlMs: request.lockTtlMs, clock, random: deps.random, log, signal: deps.signal });
  const deadline = clock.now() + request.timeoutMs;
  const run: Run = {
    lock,
    since: new Date(clock.now() - ACTIVITY_SLACK_MS),
    remaining: () => Math.max(0, deadline - clock.now()),
    waitCommon: { fleet: t.fleet, groupName: group.name, clock, random: deps.random, log, signal: deps.signal },
    fleetTouched: false,
  };
  try {
    const { oldIds, after, serving } = await bringUp(request, deps, t, plan, run);
    await tagCandidate(request, deps, t, plan, lock);
    await parkLock(lock, log);
    return {
      ...base,
      replaced: oldIds,
      dryRun: false,
      launchTemplate: { before: currentTemplate, after, created: after.version !== currentTemplate.version && !!request.imageId, imageBefore: plan.imageBefore, imageAfter: request.imageId ?? plan.imageBefore },
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
    throw await explainFailure(error, { ...run.waitCommon, targetGroups: ports.targetGroups, targetGroupArn: idle.targetGroupArn, since: run.since, fleetTouched: run.fleetTouched, live, idle, lockReleased });
  }
}

/** Once the lock is ours: check again, clear the slot's old role, and replace the fleet with the processes guarded. */
async function bringUp(request: DeployGreenRequest, deps: DeployGreenDeps, t: DeployTarget, plan: DeployPlan, run: Run): Promise<{ oldIds: string[]; after: LaunchTemplateRef; serving: Serving }> {
  const { ports, log } = deps;
  const { env, idle, group, fleet } = t;
  // What was read before the lock may have changed until it was ours (another run shifting traffic, say).
  const now = await recheck(env, idle, group.name, fleet, ports);
  const oldIds = plan.keep ? [] : runningOf(now).map((i) => i.id);
  const stale = [TAG.role, TAG.version, TAG.deploymentId, TAG.sha, TAG.schemaVersion].filter((k) => idle.tags[k] !== undefined);
  if (stale.length > 0) {
    // Its old instances are about to go: the slot stops being a rollback target for the old version.
    await ports.tags.remove(idle.targetGroupArn, stale);
    log(`Cleared the role and version tags of ${idle.targetGroupName} (was ${idle.role ?? "untagged"}, version ${idle.version ?? "unknown"}): its instances are being replaced.`);
  }
  run.fleetTouched = true;
  const guard = await guardProcesses(fleet, now, log);
  let after: LaunchTemplateRef;
  let serving: Serving;
  try {
    after = await pointAtTemplate(request, t, plan, log);
    serving = await replaceInstances(request, deps, t, plan, run, { now, oldIds, after });
  } catch (error) {
    await guard.releaseAfterFailure();
    throw error;
  }
  await guard.release();
  log(`${serving.instances.length} instance(s) of ${request.version} are InService and healthy${plan.stable.ms > 0 ? ` and have been for ${plan.stable.ms / 1000}s` : ""}: ${serving.health.summary} (min-healthy ${formatMinHealthy(request.minHealthy)}).`);
  return { oldIds, after, serving };
}

/** The group launches the wanted version (a new one made from the image, when an image id is deployed). */
async function pointAtTemplate(request: DeployGreenRequest, t: DeployTarget, plan: DeployPlan, log: (line: string) => void): Promise<LaunchTemplateRef> {
  const { group, fleet, currentTemplate } = t;
  const { sourceTemplate } = plan;
  let after: LaunchTemplateRef;
  if (request.imageId && !plan.reuseVersion) {
    const description = `deploy-green ${request.deploymentId}: ${request.version} (${request.imageId})`;
    const created = await plan.templates!.createVersionWithImage(sourceTemplate, request.imageId, description);
    log(`Created version ${created} of launch template ${templateLabel(currentTemplate)} from version ${sourceTemplate.version}${sourceTemplate.version !== currentTemplate.version ? ` (${currentTemplate.version})` : ""} with image ${request.imageId}.`);
    after = { ...currentTemplate, version: created };
    plan.changes[0]!.after = `version ${created} (${request.imageId}, new)`;
  } else {
    after = { ...currentTemplate, version: plan.wantedVersion! };
  }
  if (after.version !== currentTemplate.version) {
    await fleet.setLaunchTemplate(group.name, after);
    log(`${group.name} now launches version ${after.version} of launch template ${templateLabel(currentTemplate)}.`);
  }
  return after;
}

/** Scale to 0 while old instances leave, then to the target; wait until the new ones serve (and keep serving). */
async function replaceInstances(
  request: DeployGreenRequest,
  deps: DeployGreenDeps,
  t: DeployTarget,
  plan: DeployPlan,
  run: Run,
  state: { now: FleetGroup; oldIds: string[]; after: LaunchTemplateRef },
): Promise<Serving> {
  const { group, fleet, idle } = t;
  const { lock, waitCommon, remaining } = run;
  const { now, oldIds, after } = state;
  const { target } = plan;
  let current = capacityOf(now);
  if (oldIds.length > 0) {
    const empty: Capacity = { minSize: 0, desiredCapacity: 0, maxSize: now.maxSize };
    await fleet.setCapacity(group.name, capacityChange(current, empty));
    current = empty;
    deps.log(`Scaled ${group.name} to 0 to replace ${oldIds.length} old instance(s).`);
    // Once they are leaving, Auto Scaling no longer counts them: the new ones launch while they drain.
    await waitUntilGone({ ...waitCommon, ids: oldIds, until: "leaving", timeoutMs: remaining(), checkpoint: () => lock.checkpoint("the old instances left") });
  }
  await fleet.setCapacity(group.name, capacityChange(current, target));
  deps.log(`Scaling ${group.name}: ${formatCapacity(current)} → ${formatCapacity(target)}.`);
  const old = new Set(oldIds);
  return waitUntilServing({
    ...waitCommon,
    targetGroups: deps.ports.targetGroups,
    targetGroupArn: idle.targetGroupArn,
    count: target.desiredCapacity,
    minHealthy: request.minHealthy,
    // Auto Scaling may report `$Latest`/`$Default` instances by number, so only a numbered version is compared.
    accept: (i) => !old.has(i.id) && (!isNumber(after.version) || i.launchTemplateVersion === undefined || i.launchTemplateVersion === after.version),
    what: "new",
    since: run.since,
    timeoutMs: remaining(),
    holdForMs: plan.stable.ms,
    // A rollback takes the lock over: stop bringing up a fleet nobody will use.
    checkpoint: () => lock.checkpoint("the new fleet finished coming up"),
  });
}

/** Tags, unless a rollback took the environment over while the fleet was coming up. */
async function tagCandidate(request: DeployGreenRequest, deps: DeployGreenDeps, t: DeployTarget, plan: DeployPlan, lock: AcquiredLock): Promise<void> {
  const { idle, group, fleet } = t;
  const { newTags } = plan;
  await lock.assertHeld(`tagging ${idle.targetGroupName} as the candidate`);
  newTags[TAG.updatedAt] = new Date(deps.clock.now()).toISOString();
  await deps.ports.tags.write(idle.targetGroupArn, newTags);
  await fleet.tag(group.name, newTags);
  deps.log(`Tagged ${idle.targetGroupName} and ${group.name} as the candidate (${request.version}, deployment ${request.deploymentId}).`);
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
