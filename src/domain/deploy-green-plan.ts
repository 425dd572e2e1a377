/**
 * deploy-green's first phases, which change nothing: find the idle slot and its group (with the
 * refusals), then plan the launch template, the capacity, the instances to replace and the tags.
 * A dry run stops after these; a real run carries the plan out (./deploy-green.ts).
 */
import type { Fleet, FleetGroup, FleetInstance, LaunchTemplateRef, LaunchTemplates } from "../ports/fleet";
import type { LockRules } from "../ports/load-balancer";
import type { Clock, Random } from "../util/clock";
import type { RunInfo } from "../util/run-info";
import { ConfigurationError, SafetyError } from "../util/errors";
import { analyzeState, type Environment, type EnvironmentPorts, type EnvironmentRef, findFleets, fleetOf, refuseInconsistent, resolveEnvironment, type Slot } from "./environment";
import { type Capacity, capacityOf, formatCapacity, planCapacity } from "./fleet-capacity";
import { REQUIRED_PROCESSES } from "./fleet-guard";
import { TAG, tagText } from "./tags";
import { type MinHealthy, requireStableForFits, resolveStableFor, type StableFor, type TargetGroupHealthReport } from "./target-health";

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
  /** The schema version the release needs, tagged deploy:schema-version (read by migration-guard's gate and rollback). */
  schemaVersion?: number | undefined;
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

export function isNumber(version: string): boolean {
  return /^\d+$/.test(version);
}

export function templateLabel(t: LaunchTemplateRef): string {
  return `${t.id ?? t.name}${t.id && t.name ? ` (${t.name})` : ""}`;
}

/** Instances that are in service or on their way there; Standby ones are outside desired capacity and the target group. */
export function runningOf(group: FleetGroup): FleetInstance[] {
  return group.instances.filter((i) => !/^(Terminating|Terminated|Detaching|Detached)|Standby$/.test(i.lifecycleState));
}

/** Refuses unless all traffic is on one slot and the other is idle (weight 0, not the last known good). */
export function idleSlotOf(state: ReturnType<typeof analyzeState>): { live: Slot; idle: Slot } {
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

/** Where the deploy goes: the live and the idle slot, and the idle slot's group (which must be its own). */
export interface DeployTarget {
  env: Environment;
  live: Slot;
  idle: Slot;
  fleet: Fleet;
  group: FleetGroup;
  liveGroup: FleetGroup | undefined;
  currentTemplate: LaunchTemplateRef;
}

/** The environment, the idle slot's group, and the refusals. */
export async function findTarget(request: DeployGreenRequest, ports: DeployGreenPorts, log: (line: string) => void): Promise<DeployTarget> {
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
  return { env, live, idle, fleet, group, liveGroup, currentTemplate: group.launchTemplate };
}

/** The launch template side of the plan: the version to launch, or the image to make one from. */
interface TemplatePlan {
  /** Set when an image id is deployed. */
  templates: LaunchTemplates | undefined;
  imageBefore: string | undefined;
  /** The current numbered version, when it already runs the image asked for. */
  reuseVersion: string | undefined;
  /** The new version is made from the very version whose image was read (`$Default` resolved once). */
  sourceTemplate: LaunchTemplateRef;
  wantedVersion: string | undefined;
}

async function planTemplate(request: DeployGreenRequest, ports: DeployGreenPorts, currentTemplate: LaunchTemplateRef): Promise<TemplatePlan> {
  let templates: LaunchTemplates | undefined;
  let imageBefore: string | undefined;
  let reuseVersion: string | undefined;
  let sourceTemplate = currentTemplate;
  if (request.imageId) {
    templates = await ports.launchTemplates();
    const source = await templates.describeVersion(currentTemplate);
    imageBefore = source.imageId;
    sourceTemplate = { ...currentTemplate, version: source.version };
    if (imageBefore === request.imageId && isNumber(currentTemplate.version)) reuseVersion = currentTemplate.version;
  }
  return { templates, imageBefore, reuseVersion, sourceTemplate, wantedVersion: request.launchTemplateVersion ?? reuseVersion };
}

export interface DeployPlan extends TemplatePlan {
  target: Capacity;
  /** Instances already on the wanted numbered version are kept. */
  keep: boolean;
  replaced: string[];
  resumed: string[];
  newTags: Record<string, string>;
  versionAfter: string;
  changes: Change[];
  stable: { ms: number; why: string };
}

/** What the deploy will change, logged line by line (as a plan in a dry run). */
export async function planDeploy(request: DeployGreenRequest, deps: DeployGreenDeps, t: DeployTarget): Promise<DeployPlan> {
  const { ports, clock, log } = deps;
  const { group, live, idle, currentTemplate } = t;
  const liveDesired = t.liveGroup?.desiredCapacity;
  if (request.desiredCapacity === undefined && liveDesired === undefined) {
    throw new ConfigurationError(`desired-capacity not given, and the live slot ${live.name} has no Auto Scaling group to take it from. Give desired-capacity.`);
  }
  const target = planCapacity(group, request.desiredCapacity, liveDesired ?? 1);
  const template = await planTemplate(request, ports, currentTemplate);
  const { wantedVersion } = template;
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
    ...(request.schemaVersion !== undefined ? { [TAG.schemaVersion]: String(request.schemaVersion) } : {}),
    [TAG.updatedAt]: new Date(clock.now()).toISOString(),
  };
  const versionAfter = wantedVersion ?? "(new version)";
  const changes = planChanges(request, t, { ...template, target, replaced, resumed, newTags, versionAfter });
  for (const c of changes) log(`${request.dryRun ? "Plan" : "Change"}: ${c.what}: ${c.before} → ${c.after}`);

  const stable = await resolveStableFor(request.stableFor ?? { kind: "fixed", ms: 0 }, ports.targetGroups, [idle.targetGroupArn]);
  requireStableForFits(stable, request.timeoutMs, (d) => `The new fleet must keep serving for ${d} once it serves`);
  if (stable.ms > 0) log(`Once its instances serve, ${idle.targetGroupName} must keep serving for ${stable.ms / 1000}s before the deploy succeeds (${stable.why}).`);
  return { ...template, target, keep, replaced, resumed, newTags, versionAfter, changes, stable };
}

/** The changes as the summary lists them: template, capacity, resumed processes, tags. */
function planChanges(
  request: DeployGreenRequest,
  t: DeployTarget,
  p: Pick<DeployPlan, "imageBefore" | "reuseVersion" | "target" | "replaced" | "resumed" | "newTags" | "versionAfter">,
): Change[] {
  const { group, idle, currentTemplate } = t;
  const changes: Change[] = [
    {
      what: `launch template ${templateLabel(currentTemplate)} on ${group.name}`,
      before: `version ${currentTemplate.version}${p.imageBefore ? ` (${p.imageBefore})` : ""}`,
      after: request.imageId
        ? p.reuseVersion
          ? `version ${p.reuseVersion} (already runs ${request.imageId})`
          : `new version from ${currentTemplate.version} with image ${request.imageId}`
        : `version ${p.versionAfter}`,
    },
    {
      what: `capacity of ${group.name}`,
      before: formatCapacity(capacityOf(group)),
      after: `${formatCapacity(p.target)}${p.replaced.length > 0 ? ` (replacing ${p.replaced.length} old instance(s): scale to 0, then up)` : ""}`,
    },
  ];
  if (p.resumed.length > 0) changes.push({ what: `suspended processes of ${group.name}`, before: p.resumed.join(", "), after: "resumed" });
  for (const [key, value] of Object.entries(p.newTags)) {
    changes.push({ what: `tag ${key} on target group ${idle.targetGroupName} and Auto Scaling group ${group.name}`, before: idle.tags[key] ?? group.tags[key] ?? "(none)", after: value });
  }
  return changes;
}
