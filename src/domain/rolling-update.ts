/**
 * rolling-update: replaces the instances of one Auto Scaling group in place with EC2 instance refresh,
 * gated at each checkpoint by the suite's own checks (rolling-checkpoint.ts). The refresh's desired
 * configuration is always a numbered launch template version, never $Latest or $Default, and the
 * group is pinned to a numbered version first, so AWS can always roll it back.
 *
 * Order of work: plan (nothing changes); take the deployment lock on the listener or rule that
 * serves the group; create the version (image-id) and pin the group; tag the candidate; start the
 * refresh with the checkpoints, CheckpointDelay and BakeTime long enough for the checks, and AWS's
 * own alarm gate and AutoRollback when alarms are given (so AWS still rolls back if this job dies);
 * pass every checkpoint; wait until the refresh succeeded and every instance serves the new version;
 * tag the new version good. Any failure rolls back (rolling-revert.ts): RollbackInstanceRefresh while
 * the refresh runs, a new refresh to the previous version otherwise.
 */
import { ConfigurationError, errorMessage, OperationalError } from "../util/errors";
import { waitUntilServing } from "./fleet-serving";
import { acquireLock, type AcquiredLock, LockLostError } from "./lock";
import { passCheckpoint } from "./rolling-checkpoint";
import { refreshGroup, ROLLING_TAG, writeRollingTags } from "./rolling-environment";
import { planRolling, type RollingPlan, type RollingUpdateDeps, type RollingUpdateRequest, type RollingUpdateResult } from "./rolling-plan";
import { revertRolling, waitForRefresh, describeRefresh } from "./rolling-revert";
import { TAG } from "./tags";
import type { InstanceRefreshes } from "../ports/refresh";

export type { RollingUpdateDeps, RollingUpdateRequest, RollingUpdateResult };

export async function rollingUpdate(request: RollingUpdateRequest, deps: RollingUpdateDeps): Promise<RollingUpdateResult> {
  const { clock, log } = deps;
  const started = clock.now();
  const plan = await planRolling(request, deps);
  const { result } = plan;
  if (request.alarmNames.length > 0) {
    const found = new Set((await (await deps.ports.alarms()).read(request.alarmNames)).map((a) => a.name));
    const missing = request.alarmNames.filter((n) => !found.has(n));
    if (missing.length > 0) throw new ConfigurationError(`alarm-names: no CloudWatch alarm named ${missing.join(", ")} in this account and region.`);
  }
  if (request.dryRun) {
    for (const line of result.planLines) log(`[dry-run] would change ${line}`);
    result.elapsedMs = clock.now() - started;
    return result;
  }
  const lock = await acquireLock({ rules: deps.ports.locks, tags: deps.ports.tags, environment: plan.env.routing.ref, owner: request.lockOwner, ttlMs: request.lockTtlMs, clock, random: deps.random, log, signal: deps.signal });
  result.tookOverLockFrom = lock.tookOverFrom;
  const before = new Set(plan.env.group.instances.map((i) => i.id));
  try {
    await update(request, deps, plan, lock);
  } catch (error) {
    if (error instanceof LockLostError) throw error;
    await rollBack(request, deps, plan, lock, errorMessage(error));
  } finally {
    const group = await (await deps.ports.fleet()).describe(plan.env.group.name).catch(() => undefined);
    if (group) result.replaced = [...before].filter((id) => !group.instances.some((i) => i.id === id && /^(Pending|InService)/.test(i.lifecycleState)));
    await lock.release().catch((e) => deps.warn(`Could not release the deployment lock: ${errorMessage(e)}`));
    result.elapsedMs = clock.now() - started;
  }
  return result;
}

async function update(request: RollingUpdateRequest, deps: RollingUpdateDeps, plan: RollingPlan, lock: AcquiredLock): Promise<void> {
  const { clock, log, ports } = deps;
  const { env, result } = plan;
  const fleet = await ports.fleet();
  const deadline = clock.now() + request.timeoutMs;
  if (request.imageId) {
    plan.to = { ...plan.from, version: await (await ports.launchTemplates()).createVersionWithImage(plan.from, request.imageId, request.version) };
    result.to = plan.to;
    result.createdVersion = true;
    log(`Created launch template version ${plan.to.version} from ${plan.from.version} with image ${request.imageId}.`);
  }
  if (plan.configured.version !== plan.from.version) {
    await lock.assertHeld(`pinning ${env.group.name} to version ${plan.from.version}`);
    await fleet.setLaunchTemplate(env.group.name, plan.from);
    log(`Pinned ${env.group.name} to launch template version ${plan.from.version} (it was ${plan.configured.version}), so the refresh can be rolled back.`);
  }
  await lock.assertHeld("tagging the candidate");
  await writeRollingTags(env, ports, {
    [ROLLING_TAG.strategy]: "rolling",
    [TAG.role]: "stable",
    [ROLLING_TAG.launchTemplateVersion]: plan.from.version,
    [ROLLING_TAG.candidateVersion]: request.version,
    [ROLLING_TAG.candidateLaunchTemplateVersion]: plan.to.version,
    [TAG.deploymentId]: request.deploymentId,
    [TAG.updatedAt]: new Date(clock.now()).toISOString(),
  });
  const refreshes = await ports.refreshes();
  const startedAt = clock.now();
  result.refreshId = await startRefresh(request, deps, plan, lock);
  for (const [index, report] of result.checkpoints.entries()) {
    try {
      await passCheckpoint({ request, deps, plan, refreshId: result.refreshId, lock, deadline, index, startedAt }, report);
    } catch (error) {
      report.status = "failed";
      report.detail = await withRefreshCause(refreshes, env.group.name, errorMessage(error));
      throw new OperationalError(report.detail, { cause: error });
    }
  }
  const end = await waitForRefresh({ refreshes, groupName: env.group.name, id: result.refreshId, timeoutMs: Math.max(1000, deadline - clock.now()), checkpoint: () => lock.checkpoint("finishing the refresh") }, deps);
  if (end.status !== "Successful") throw new Error(`Instance refresh ${result.refreshId} ended ${describeRefresh(end)} after every checkpoint passed.`);
  const group = await refreshGroup(env, fleet);
  await waitUntilServing({
    fleet,
    groupName: group.name,
    targetGroups: ports.targetGroups,
    targetGroupArn: env.targetGroupArn,
    count: Math.max(1, group.desiredCapacity),
    minHealthy: { kind: "percent", value: 100 },
    accept: (i) => i.launchTemplateVersion === plan.to.version,
    what: `version ${plan.to.version}`,
    since: new Date(startedAt),
    timeoutMs: Math.max(1000, deadline - clock.now()),
    clock,
    random: deps.random,
    log,
    signal: deps.signal,
  });
  await tagSuccess(request, deps, plan, lock);
  log(`Rolling update done: all ${group.desiredCapacity} instances of ${group.name} run ${request.version} (launch template version ${plan.to.version}) and are healthy.`);
}

/** The new version is the good one now; the old one is kept as previous (what rollback returns to). */
async function tagSuccess(request: RollingUpdateRequest, deps: RollingUpdateDeps, plan: RollingPlan, lock: AcquiredLock): Promise<void> {
  const { env, result } = plan;
  const { clock, ports } = deps;
  await lock.assertHeld("tagging the new version good");
  await writeRollingTags(env, ports, {
    [TAG.role]: "stable",
    [TAG.version]: request.version,
    [ROLLING_TAG.launchTemplateVersion]: plan.to.version,
    [ROLLING_TAG.previousVersion]: result.fromVersion ?? "",
    [ROLLING_TAG.previousLaunchTemplateVersion]: plan.from.version,
    [ROLLING_TAG.candidateVersion]: "",
    [ROLLING_TAG.candidateLaunchTemplateVersion]: "",
    [TAG.deploymentId]: request.deploymentId,
    ...(request.sha ? { [TAG.sha]: request.sha } : {}),
    [TAG.updatedAt]: new Date(clock.now()).toISOString(),
  });
}

/** The refresh: checkpoints with a pause that holds the checks, BakeTime as long, AWS's own alarm gate and AutoRollback when alarms are given. */
async function startRefresh(request: RollingUpdateRequest, deps: RollingUpdateDeps, plan: RollingPlan, lock: AcquiredLock): Promise<string> {
  const { env } = plan;
  await lock.assertHeld("starting the instance refresh");
  const id = await (await deps.ports.refreshes()).start({
    groupName: env.group.name,
    launchTemplate: plan.to,
    preferences: {
      minHealthyPercentage: request.minHealthyPercentage,
      maxHealthyPercentage: request.maxHealthyPercentage,
      instanceWarmupSeconds: request.instanceWarmupSeconds,
      checkpointPercentages: request.checkpoints,
      checkpointDelaySeconds: plan.delaySeconds,
      skipMatching: true,
      autoRollback: request.alarmNames.length > 0,
      alarms: request.alarmNames,
      bakeTimeSeconds: plan.delaySeconds,
    },
  });
  deps.log(`Started instance refresh ${id} of ${env.group.name} to launch template version ${plan.to.version} (${request.version}). Two versions serve at once until it ends.`);
  return id;
}

/**
 * A check that failed because AWS itself stopped the refresh (its alarm gate with AutoRollback, a
 * failure) says so first: that is why the instances went away.
 */
async function withRefreshCause(refreshes: InstanceRefreshes, groupName: string, message: string): Promise<string> {
  const r = await refreshes.latest(groupName).catch(() => undefined);
  if (!r || !/^(Failed|Cancelling|Cancelled|RollbackInProgress|RollbackFailed|RollbackSuccessful)$/.test(r.status) || message.includes(r.id)) return message;
  return `Instance refresh ${r.id} is ${describeRefresh(r)}. ${message}`;
}

/** Every instance back on the version that served before, then the tags say so. A job being stopped only asks AWS to roll back. */
async function rollBack(request: RollingUpdateRequest, deps: RollingUpdateDeps, plan: RollingPlan, lock: AcquiredLock, reason: string): Promise<void> {
  const { result, env } = plan;
  result.rolledBack = true;
  result.rollbackReason = reason;
  deps.warn(`Rolling back ${env.group.name} to launch template version ${plan.from.version}: ${reason}`);
  if (deps.signal?.aborted) {
    const answer = await (await deps.ports.refreshes()).rollback(env.group.name).catch((e: unknown) => ({ outcome: `failed: ${errorMessage(e)}` }));
    result.rollbackSteps.push(`the step was stopped: RollbackInstanceRefresh ${answer.outcome}; run the rollback action to finish and verify`);
    return;
  }
  const revert = await revertRolling(
    {
      env,
      good: plan.from,
      minHealthyPercentage: request.minHealthyPercentage,
      maxHealthyPercentage: request.maxHealthyPercentage,
      instanceWarmupSeconds: request.instanceWarmupSeconds,
      timeoutMs: request.timeoutMs,
      checkpoint: () => lock.checkpoint("rolling back"),
    },
    deps,
  );
  result.rollbackSteps = [...revert.steps, `all ${revert.instances} instances on version ${plan.from.version} and healthy: ${revert.health.summary}`];
  await writeRollingTags(env, deps.ports, {
    [TAG.role]: "stable",
    [ROLLING_TAG.launchTemplateVersion]: plan.from.version,
    [ROLLING_TAG.candidateVersion]: "",
    [ROLLING_TAG.candidateLaunchTemplateVersion]: "",
    [TAG.rolledBackFrom]: request.version,
    [TAG.reason]: reason,
    [TAG.updatedAt]: new Date(deps.clock.now()).toISOString(),
  });
}
