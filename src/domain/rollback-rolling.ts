/**
 * rollback on a rolling environment (one Auto Scaling group updated in place): every instance goes
 * back to the last good numbered launch template version, from any state — a refresh still running
 * (RollbackInstanceRefresh), one that stopped half way (a crashed job: a new refresh), or a finished
 * update (back to the previous version). Done only when every instance runs that version and is
 * healthy in the target group; then the tags say so. Takes over any deployment lock.
 */
import type { RoutingRef } from "../ports/load-balancer";
import type { LockRules } from "../ports/load-balancer";
import { ConfigurationError, SafetyError } from "../util/errors";
import { acquireLock, type AcquiredLock, type LockHolder, type LockOwner } from "./lock";
import { resolveRolling, ROLLING_TAG, type RollingEnvironment, type RollingRef, writeRollingTags } from "./rolling-environment";
import { revertRolling, type RollingDeps, type RollingPorts } from "./rolling-revert";
import { rollbackReason, TAG } from "./tags";

export interface RollbackRollingOptions {
  environment: RollingRef;
  reason: string;
  toVersion?: string | undefined;
  minHealthyPercentage: number;
  maxHealthyPercentage: number;
  timeoutMs: number;
  dryRun: boolean;
  lockOwner: LockOwner;
  lockTtlMs: number;
  actor?: string | undefined;
}

export interface RollbackRollingDeps extends RollingDeps {
  ports: RollingPorts & { locks: LockRules };
}

export interface RollbackRollingResult {
  groupName: string;
  targetGroupArn: string;
  /** updating: an update had started and not finished; updated: the last update finished; steady: no update to undo. */
  phaseBefore: "updating" | "updated" | "steady";
  fromVersion?: string | undefined;
  toVersion?: string | undefined;
  toLaunchTemplateVersion: string;
  alreadyThere: boolean;
  steps: string[];
  health?: string | undefined;
  planLines: string[];
  dryRun: boolean;
  tookOverLockFrom?: LockHolder | undefined;
  durationMs: number;
}

interface Target {
  phase: RollbackRollingResult["phaseBefore"];
  good: { label?: string | undefined; version: string };
  bad?: { label?: string | undefined; version?: string | undefined } | undefined;
}

/** Which numbered version is the last good one, and why; throws with what to give when the tags do not say. */
export function chooseRollingTarget(env: RollingEnvironment, toVersion: string | undefined): Target {
  const s = env.state;
  const current = { label: s.version, version: s.launchTemplateVersion };
  const previous = { label: s.previousVersion, version: s.previousLaunchTemplateVersion };
  if (toVersion) {
    const match = [current, previous].find((v) => v.label === toVersion && v.version);
    if (!match) throw new ConfigurationError(`to-version: ${env.group.name} records no launch template version for "${toVersion}" (good: ${current.label ?? "untagged"}, previous: ${previous.label ?? "none"}).`);
    return { phase: s.candidateLaunchTemplateVersion ? "updating" : match === current ? "steady" : "updated", good: { label: match.label, version: match.version! }, bad: match === current ? { label: s.candidateVersion, version: s.candidateLaunchTemplateVersion } : current };
  }
  if (s.candidateLaunchTemplateVersion || s.candidateVersion) {
    if (!current.version) throw new SafetyError(`Cannot tell the last good version of ${env.group.name}: an update to ${s.candidateVersion ?? "a candidate"} is tagged, but no deploy:launch-template-version. Give to-version.`);
    return { phase: "updating", good: { label: current.label, version: current.version }, bad: { label: s.candidateVersion, version: s.candidateLaunchTemplateVersion } };
  }
  if (previous.version) return { phase: "updated", good: { label: previous.label, version: previous.version }, bad: current };
  if (current.version) return { phase: "steady", good: { label: current.label, version: current.version } };
  // Never updated by rolling-update (or stopped before it tagged anything): one version everywhere is the good one.
  const versions = new Set(env.group.instances.filter((i) => /^(Pending|InService)/.test(i.lifecycleState)).map((i) => i.launchTemplateVersion));
  const only = versions.size === 1 ? [...versions][0] : undefined;
  if (only) return { phase: "steady", good: { label: current.label, version: only } };
  throw new SafetyError(`Cannot tell the last good version of ${env.group.name}: it has no deploy:launch-template-version tag (rolling-update writes it). Nothing was changed.`);
}

export async function rollbackRolling(options: RollbackRollingOptions, deps: RollbackRollingDeps): Promise<RollbackRollingResult> {
  const { clock, log, ports } = deps;
  const started = clock.now();
  const env = await resolveRolling(options.environment, ports);
  const target = chooseRollingTarget(env, options.toVersion);
  const off = env.group.instances.filter((i) => /^(Pending|InService)/.test(i.lifecycleState) && i.launchTemplateVersion !== target.good.version);
  const latest = await (await ports.refreshes()).latest(env.group.name);
  const running = latest !== undefined && !/^(Successful|Failed|Cancelled|RollbackFailed|RollbackSuccessful)$/.test(latest.status);
  const alreadyThere = target.phase === "steady" && off.length === 0 && !running && env.group.launchTemplate?.version === target.good.version;
  const result: RollbackRollingResult = {
    groupName: env.group.name,
    targetGroupArn: env.targetGroupArn,
    phaseBefore: target.phase,
    fromVersion: target.bad?.label,
    toVersion: target.good.label,
    toLaunchTemplateVersion: target.good.version,
    alreadyThere,
    steps: [],
    planLines: [
      running ? `instance refresh ${latest!.id} (${latest!.status}): rolled back, or cancelled and replaced by a new refresh` : "",
      `${env.group.name}: ${off.length} instance(s) off version ${target.good.version} replaced; every instance must then be healthy in its target group`,
      `tags: ${target.good.label ?? "the good version"} recorded as stable${target.bad?.label ? `, rolled back from ${target.bad.label}` : ""}`,
    ].filter(Boolean),
    dryRun: options.dryRun,
    durationMs: 0,
  };
  if (options.dryRun) {
    for (const line of result.planLines) log(`[dry-run] would change ${line}`);
    result.durationMs = clock.now() - started;
    return result;
  }
  const ref: RoutingRef = env.routing.ref;
  const lock = await acquireLock({ rules: ports.locks, tags: ports.tags, environment: ref, owner: options.lockOwner, ttlMs: options.lockTtlMs, clock, random: deps.random, log, takeOver: true, signal: deps.signal });
  result.tookOverLockFrom = lock.tookOverFrom;
  try {
    if (alreadyThere) {
      log(`Nothing to roll back: every instance of ${env.group.name} runs launch template version ${target.good.version} (${target.good.label ?? "untagged"}), the last good one, and no refresh runs.`);
    } else {
      await undoAndTag(options, deps, env, target, result, lock);
      log(`Rolled ${env.group.name} back: every instance runs launch template version ${target.good.version} (${target.good.label ?? "untagged"}) and is healthy (${result.health}).`);
    }
  } finally {
    await lock.release().catch(() => log("Could not release the deployment lock; it expires with its lease."));
  }
  result.durationMs = clock.now() - started;
  return result;
}

/** Every instance on the good version (rolling-revert.ts), then the tags say so. */
async function undoAndTag(options: RollbackRollingOptions, deps: RollbackRollingDeps, env: RollingEnvironment, target: Target, result: RollbackRollingResult, lock: AcquiredLock): Promise<void> {
  const { clock, ports } = deps;
  const template = env.group.launchTemplate;
  const revert = await revertRolling(
    {
      env,
      good: { id: template?.id, name: template?.name, version: target.good.version },
      minHealthyPercentage: options.minHealthyPercentage,
      maxHealthyPercentage: options.maxHealthyPercentage,
      timeoutMs: options.timeoutMs,
      checkpoint: () => lock.checkpoint("rolling back"),
    },
    deps,
  );
  result.steps = revert.steps;
  result.health = revert.health.summary;
  await lock.assertHeld("tagging the rollback");
  await writeRollingTags(env, ports, {
    [TAG.role]: "stable",
    ...(target.good.label ? { [TAG.version]: target.good.label } : {}),
    [ROLLING_TAG.launchTemplateVersion]: target.good.version,
    [ROLLING_TAG.candidateVersion]: "",
    [ROLLING_TAG.candidateLaunchTemplateVersion]: "",
    ...(target.phase === "updated" ? { [ROLLING_TAG.previousVersion]: "", [ROLLING_TAG.previousLaunchTemplateVersion]: "" } : {}),
    ...(target.bad?.label ? { [TAG.rolledBackFrom]: target.bad.label } : {}),
    [TAG.reason]: rollbackReason(options.reason, options.actor),
    [TAG.updatedAt]: new Date(clock.now()).toISOString(),
  });
}

/** The rolling environment a rollback's inputs name, if they name one: a group, tags matching one group, or a forward action with one target group. */
export async function rollingRefOf(
  s: { asgName?: string | undefined; tags: Record<string, string>; routing?: RoutingRef | undefined },
  ports: RollingPorts,
): Promise<RollingRef | undefined> {
  if (s.asgName) return { kind: "group", name: s.asgName };
  if (Object.keys(s.tags).length > 0) {
    const groups = await (await ports.fleet()).findByTags(s.tags);
    return groups.length === 1 ? { kind: "group", name: groups[0]!.name } : undefined;
  }
  if (!s.routing) return undefined;
  const forward = await ports.router.read(s.routing);
  if (forward.groups.length !== 1) return undefined;
  const fed = await (await ports.fleet()).findByTargetGroups([forward.groups[0]!.targetGroupArn]);
  return fed.length === 1 ? { kind: "group", name: fed[0]!.name } : undefined;
}
