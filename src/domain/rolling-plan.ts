/** rolling-update's request, result and plan: what runs now and what will run, both as numbered launch template versions. */
import type { AlarmStates } from "../ports/alarms";
import type { LaunchTemplateRef, LaunchTemplates } from "../ports/fleet";
import type { LockRules } from "../ports/load-balancer";
import { REFRESH_ACTIVE } from "../ports/refresh";
import { ConfigurationError, SafetyError } from "../util/errors";
import type { LockHolder, LockOwner } from "./lock";
import { describeRollingRef, resolveRolling, type RollingEnvironment, type RollingRef } from "./rolling-environment";
import type { RollingDeps, RollingPorts } from "./rolling-revert";
import { resolveStableFor, type StableFor } from "./target-health";

export interface RollingUpdateRequest {
  environment: RollingRef;
  version: string;
  launchTemplateVersion?: string | undefined;
  imageId?: string | undefined;
  /** Ascending percentages of the group that must be new, ending at 100. */
  checkpoints: number[];
  minHealthyPercentage: number;
  maxHealthyPercentage: number;
  instanceWarmupSeconds?: number | undefined;
  stableFor: StableFor;
  /** Watching time at each checkpoint, after health held for stable-for. */
  bakeMs: number;
  /** At each checkpoint, how long the new instances may take to be healthy in the target group. */
  checkpointTimeoutMs: number;
  /** CheckpointDelay (and BakeTime at 100%) in seconds; default: checkpoint-timeout + stable-for + bake + 1 minute. */
  checkpointDelaySeconds?: number | undefined;
  alarmNames: string[];
  timeoutMs: number;
  dryRun: boolean;
  deploymentId: string;
  sha?: string | undefined;
  lockOwner: LockOwner;
  lockTtlMs: number;
}

export interface RollingUpdatePorts extends RollingPorts {
  locks: LockRules;
  launchTemplates: () => Promise<LaunchTemplates>;
  alarms: () => Promise<AlarmStates>;
}

/** A look at the new instances at a checkpoint (canary analysis: new version against old, in the same target group). */
export interface RollingLook {
  index: number;
  planned: number;
  percentage: number;
  targetGroupArn: string;
  loadBalancerArn: string;
  oldVersion?: string | undefined;
  newVersion: string;
  windowStart: number;
  now: number;
}

export interface RollingUpdateDeps extends RollingDeps {
  ports: RollingUpdatePorts;
  warn: (line: string) => void;
  /** Canary analysis at the end of each bake; absent when analysis is off. */
  analyze?: ((look: RollingLook) => Promise<{ ok: boolean; detail: string }>) | undefined;
}

export interface CheckpointReport {
  percentage: number;
  /** New instances the checkpoint needs (of the desired capacity). */
  needed: number;
  status: "passed" | "failed" | "not reached";
  reachedAt?: number | undefined;
  passedAt?: number | undefined;
  health?: string | undefined;
  alarms?: string | undefined;
  analysis?: string | undefined;
  detail?: string | undefined;
}

export interface RollingUpdateResult {
  groupName: string;
  targetGroupArn: string;
  desiredCapacity: number;
  fromVersion?: string | undefined;
  toVersion: string;
  from: LaunchTemplateRef;
  to: LaunchTemplateRef;
  createdVersion: boolean;
  refreshId?: string | undefined;
  checkpointDelaySeconds: number;
  stableForMs: number;
  checkpoints: CheckpointReport[];
  /** Ids of the old instances replaced by new ones (as seen at the end). */
  replaced: string[];
  rolledBack: boolean;
  rollbackReason?: string | undefined;
  rollbackSteps: string[];
  planLines: string[];
  dryRun: boolean;
  tookOverLockFrom?: LockHolder | undefined;
  elapsedMs: number;
}

export interface RollingPlan {
  env: RollingEnvironment;
  from: LaunchTemplateRef;
  /** The group's template as configured (a $Latest/$Default is pinned to `from` before the refresh). */
  configured: LaunchTemplateRef;
  to: LaunchTemplateRef;
  imageBefore?: string | undefined;
  stableForMs: number;
  delaySeconds: number;
  result: RollingUpdateResult;
}

export const NUMBERED = /^[1-9][0-9]*$/;
/** The target version before image-id's version is created. */
export const NEW_VERSION = "(new)";

/** CheckpointDelay and BakeTime: long enough for health to pass and hold, and the bake, with a minute to spare (AWS's maximum is 48 h). */
export function checkpointDelaySeconds(request: Pick<RollingUpdateRequest, "checkpointDelaySeconds" | "bakeMs" | "checkpointTimeoutMs">, stableForMs: number): number {
  if (request.checkpointDelaySeconds !== undefined) return request.checkpointDelaySeconds;
  return Math.min(172_800, Math.ceil((request.checkpointTimeoutMs + stableForMs + request.bakeMs) / 1000) + 60);
}

/** Reads the environment and the versions; refuses what cannot work (a refresh already running, no launch template). */
export async function planRolling(request: RollingUpdateRequest, deps: RollingUpdateDeps): Promise<RollingPlan> {
  const { ports } = deps;
  const env = await resolveRolling(request.environment, ports);
  const { group } = env;
  const configured = group.launchTemplate;
  if (!configured) throw new ConfigurationError(`Auto Scaling group ${group.name} has no launch template (a launch configuration or a mixed instances policy); a rolling update needs one.`);
  if (group.desiredCapacity <= 1 && request.maxHealthyPercentage < 200) {
    throw new SafetyError(
      `rolling-update refused: ${group.name} runs ${group.desiredCapacity} instance(s), so an instance refresh with max-healthy-percentage ${request.maxHealthyPercentage} would terminate it before its replacement serves. Set max-healthy-percentage to 200 (launch before terminate), or scale the group to 2 or more.`,
    );
  }
  const active = await (await ports.refreshes()).latest(group.name);
  if (active && REFRESH_ACTIVE.includes(active.status)) {
    throw new SafetyError(`rolling-update refused: instance refresh ${active.id} of ${group.name} is ${active.status}. Wait for it to end, or run the rollback action.`);
  }
  if (env.state.candidateLaunchTemplateVersion) {
    throw new SafetyError(
      `rolling-update refused: ${group.name} is tagged as in the middle of an update to ${env.state.candidateVersion ?? "a candidate"} (launch template version ${env.state.candidateLaunchTemplateVersion}) that did not finish. Run the rollback action first.`,
    );
  }
  const templates = await ports.launchTemplates();
  const current = await templates.describeVersion(configured);
  const from = { id: configured.id, name: configured.name, version: current.version };
  // A version from an image is created once the lock is held.
  const to = request.imageId ? { ...from, version: NEW_VERSION } : { ...from, version: (await templates.describeVersion({ ...from, version: request.launchTemplateVersion ?? "$Latest" })).version };
  if (!request.imageId && !NUMBERED.test(to.version)) throw new ConfigurationError(`launch-template-version ${request.launchTemplateVersion} resolved to "${to.version}", not a version number.`);
  const stable = await resolveStableFor(request.stableFor, ports.targetGroups, [env.targetGroupArn]);
  const delaySeconds = checkpointDelaySeconds(request, stable.ms);
  deps.log(`${describeRollingRef(request.environment)}: ${group.name} (${group.desiredCapacity} instances) serves from ${env.routing.ref.arn}; launch template version ${from.version} → ${to.version}.`);
  const result: RollingUpdateResult = {
    groupName: group.name,
    targetGroupArn: env.targetGroupArn,
    desiredCapacity: group.desiredCapacity,
    fromVersion: env.state.version,
    toVersion: request.version,
    from,
    to,
    createdVersion: false,
    checkpointDelaySeconds: delaySeconds,
    stableForMs: stable.ms,
    checkpoints: request.checkpoints.map((percentage) => ({ percentage, needed: Math.ceil((percentage * group.desiredCapacity) / 100), status: "not reached" })),
    replaced: [],
    rolledBack: false,
    rollbackSteps: [],
    planLines: [
      ...(configured.version !== from.version ? [`${group.name}: launch template ${configured.version} → ${from.version} (pinned, so AWS can roll the refresh back)`] : []),
      ...(request.imageId ? [`launch template ${from.name ?? from.id}: new version from ${from.version} with image ${request.imageId}`] : []),
      `instance refresh of ${group.name} to version ${to.version}: checkpoints ${request.checkpoints.join("/")}%, min healthy ${request.minHealthyPercentage}%, max healthy ${request.maxHealthyPercentage}%, ${delaySeconds}s at each checkpoint`,
      `at each checkpoint: new instances healthy in the target group for ${stable.ms / 1000}s, then a ${request.bakeMs / 1000}s bake${request.alarmNames.length ? ` watching ${request.alarmNames.join(", ")}` : ""}${deps.analyze ? " and canary analysis" : ""}`,
      `tags on ${group.name} and its target group: version ${env.state.version ?? "unknown"} → ${request.version}`,
    ],
    dryRun: request.dryRun,
    elapsedMs: 0,
  };
  return { env, from, configured, to, imageBefore: current.imageId, stableForMs: stable.ms, delaySeconds, result };
}
