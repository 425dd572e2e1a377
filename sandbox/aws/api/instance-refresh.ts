/** EC2 Auto Scaling instance refresh: StartInstanceRefresh, DescribeInstanceRefreshes, CancelInstanceRefresh, RollbackInstanceRefresh. */
import { z } from "zod";
import type { World } from "../world/world";
import type { AutoScalingGroup } from "../world/model";
import { resolveVersion } from "../world/autoscaling";
import { RUNNING, type InstanceRefresh, type RefreshPreferences, type TemplateRef } from "../world/instance-refresh";
import { AwsError, validationError } from "./errors";
import { bool, int, list, parseParams, str } from "./params";
import { paginate, type Handler } from "./service";

const templateSpec = z.object({ LaunchTemplateId: str.optional(), LaunchTemplateName: str.optional(), Version: str.optional() });

const preferences = z.object({
  MinHealthyPercentage: int(0, 100).optional(),
  MaxHealthyPercentage: int(100, 200).optional(),
  InstanceWarmup: int(0).optional(),
  CheckpointPercentages: list(int(1, 100)).optional(),
  CheckpointDelay: int(0, 172800).optional(),
  SkipMatching: bool.optional(),
  AutoRollback: bool.optional(),
  ScaleInProtectedInstances: z.enum(["Refresh", "Ignore", "Wait"]).optional(),
  StandbyInstances: z.enum(["Terminate", "Ignore", "Wait"]).optional(),
  AlarmSpecification: z.object({ Alarms: list(str).optional() }).optional(),
  BakeTime: int(0, 172800).optional(),
});

function groupOrFail(world: World, name: string): AutoScalingGroup {
  const group = world.groups.get(name);
  if (!group) throw validationError(`AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
  return group;
}

const numbered = (version: string) => /^[1-9][0-9]*$/.test(version);

function desiredTemplate(world: World, spec: z.infer<typeof templateSpec>): TemplateRef {
  const { LaunchTemplateId: id, LaunchTemplateName: name, Version: version = "$Default" } = spec;
  if ((id === undefined) === (name === undefined)) throw validationError("Specify exactly one of LaunchTemplateId and LaunchTemplateName in DesiredConfiguration.LaunchTemplate");
  const template = id !== undefined ? world.launchTemplates.get(id) : [...world.launchTemplates.values()].find((t) => t.name === name);
  if (!template) throw validationError(`The specified launch template, with template ${id !== undefined ? `ID ${id}` : `name ${name}`}, does not exist.`);
  if (!/^(\$Latest|\$Default|[1-9][0-9]*)$/.test(version) || !resolveVersion(template, version)) {
    throw validationError(`The specified launch template version ${version} of ${template.name} does not exist.`);
  }
  return { id: template.id, name: template.name, version };
}

function resolvePreferences(p: z.infer<typeof preferences> | undefined): RefreshPreferences {
  const min = p?.MinHealthyPercentage ?? 90;
  const max = p?.MaxHealthyPercentage;
  if (max !== undefined && max - min > 100) throw validationError(`The difference between MaxHealthyPercentage (${max}) and MinHealthyPercentage (${min}) must be 100 or less.`);
  const checkpoints = p?.CheckpointPercentages;
  if (p?.CheckpointDelay !== undefined && !checkpoints?.length) throw validationError("CheckpointDelay requires CheckpointPercentages.");
  if (checkpoints?.some((c, i) => i > 0 && c <= checkpoints[i - 1]!)) throw validationError("CheckpointPercentages must be unique and in ascending order.");
  return {
    minHealthyPercentage: min,
    maxHealthyPercentage: max,
    instanceWarmup: p?.InstanceWarmup,
    checkpointPercentages: checkpoints?.length ? checkpoints : undefined,
    checkpointDelay: p?.CheckpointDelay,
    skipMatching: p?.SkipMatching ?? false,
    autoRollback: p?.AutoRollback ?? false,
    scaleInProtectedInstances: p?.ScaleInProtectedInstances ?? "Wait",
    standbyInstances: p?.StandbyInstances ?? "Wait",
    alarms: p?.AlarmSpecification?.Alarms?.length ? p.AlarmSpecification.Alarms : undefined,
    bakeTime: p?.BakeTime ?? 0,
  };
}

/** Why a rollback of this refresh is not possible (IrreversibleInstanceRefresh), if it is not. */
function irreversible(refresh: Pick<InstanceRefresh, "desired" | "previous">): string | undefined {
  if (!refresh.desired) return "The instance refresh has no desired configuration, so there is no previous configuration to roll back to.";
  if (!numbered(refresh.previous.version)) return `The Auto Scaling group uses the launch template's ${refresh.previous.version} version; a rollback needs a numbered version.`;
  if (!numbered(refresh.desired.version)) return `The desired configuration uses the launch template's ${refresh.desired.version} version; a rollback needs a numbered version.`;
  return undefined;
}

function preferencesOut(p: RefreshPreferences) {
  return {
    MinHealthyPercentage: p.minHealthyPercentage,
    MaxHealthyPercentage: p.maxHealthyPercentage,
    InstanceWarmup: p.instanceWarmup,
    CheckpointPercentages: p.checkpointPercentages,
    CheckpointDelay: p.checkpointDelay ?? (p.checkpointPercentages ? 3600 : undefined),
    SkipMatching: p.skipMatching,
    AutoRollback: p.autoRollback,
    ScaleInProtectedInstances: p.scaleInProtectedInstances,
    StandbyInstances: p.standbyInstances,
    AlarmSpecification: p.alarms ? { Alarms: p.alarms } : undefined,
    BakeTime: p.bakeTime,
  };
}

function refreshOut(r: InstanceRefresh) {
  const template = (t: TemplateRef) => ({ LaunchTemplate: { LaunchTemplateId: t.id, LaunchTemplateName: t.name, Version: t.version } });
  return {
    InstanceRefreshId: r.id,
    AutoScalingGroupName: r.groupName,
    Status: r.status,
    StatusReason: r.statusReason,
    StartTime: new Date(r.startTime),
    EndTime: r.endTime === undefined ? undefined : new Date(r.endTime),
    PercentageComplete: r.percentageComplete,
    InstancesToUpdate: r.instancesToUpdate,
    Preferences: preferencesOut(r.preferences),
    DesiredConfiguration: r.desired ? template(r.desired) : undefined,
    Strategy: "Rolling",
    RollbackDetails: r.rollback
      ? {
          RollbackReason: r.rollback.reason,
          RollbackStartTime: new Date(r.rollback.startTime),
          PercentageCompleteOnRollback: r.rollback.percentageComplete,
          InstancesToUpdateOnRollback: r.rollback.instancesToUpdate,
        }
      : undefined,
  };
}

const noActive = (name: string, what: string) => new AwsError("ActiveInstanceRefreshNotFound", `No in progress or pending Instance Refresh found for Auto Scaling group ${name} to ${what}.`);

export const instanceRefreshOperations: Record<string, Handler> = {
  StartInstanceRefresh(raw, { world }) {
    const p = parseParams(
      z.object({
        AutoScalingGroupName: str,
        Strategy: z.enum(["Rolling", "ReplaceRootVolume"]).optional(),
        DesiredConfiguration: z.object({ LaunchTemplate: templateSpec.optional() }).optional(),
        Preferences: preferences.optional(),
      }),
      raw,
    );
    const group = groupOrFail(world, p.AutoScalingGroupName);
    if (p.Strategy === "ReplaceRootVolume") throw validationError("The sandbox supports only the Rolling strategy.");
    const active = world.refreshes.activeFor(group.name);
    if (active) throw new AwsError("InstanceRefreshInProgress", `An Instance Refresh is already in progress and blocks the execution of this Instance Refresh (${active.id}, ${active.status}).`);
    const desired = p.DesiredConfiguration?.LaunchTemplate ? desiredTemplate(world, p.DesiredConfiguration.LaunchTemplate) : undefined;
    const prefs = resolvePreferences(p.Preferences);
    const previous = { ...group.launchTemplate };
    if (prefs.autoRollback) {
      const why = irreversible({ desired, previous });
      if (why) throw validationError(`AutoRollback is not supported: ${why}`);
    }
    const refresh: InstanceRefresh = {
      id: world.uuid(),
      groupName: group.name,
      status: "Pending",
      startTime: world.clock.now(),
      preferences: prefs,
      desired,
      previous,
      initialIds: new Set([...group.instances.values()].filter((i) => i.lifecycle !== "Terminating" && i.lifecycle !== "Terminated").map((i) => i.id)),
      instancesToUpdate: 0,
      percentageComplete: 0,
      nextCheckpoint: 0,
    };
    world.refreshes.add(refresh);
    return { InstanceRefreshId: refresh.id };
  },

  DescribeInstanceRefreshes(raw, { world }) {
    const p = parseParams(z.object({ AutoScalingGroupName: str, InstanceRefreshIds: list(str).optional(), NextToken: str.optional(), MaxRecords: int(1, 100).optional() }), raw);
    let refreshes = world.refreshes.all.filter((r) => r.groupName === p.AutoScalingGroupName).reverse();
    if (p.InstanceRefreshIds?.length) refreshes = refreshes.filter((r) => p.InstanceRefreshIds!.includes(r.id));
    const { page, next } = paginate(refreshes, p.NextToken, p.MaxRecords ?? 50, () => new AwsError("InvalidNextToken", "The token is not valid."));
    return { InstanceRefreshes: page.map(refreshOut), NextToken: next };
  },

  CancelInstanceRefresh(raw, { world }) {
    const p = parseParams(z.object({ AutoScalingGroupName: str }), raw);
    const group = groupOrFail(world, p.AutoScalingGroupName);
    const refresh = world.refreshes.activeFor(group.name);
    if (!refresh || !RUNNING.includes(refresh.status)) throw noActive(group.name, "cancel");
    world.refreshes.cancel(refresh);
    return { InstanceRefreshId: refresh.id };
  },

  RollbackInstanceRefresh(raw, { world }) {
    const p = parseParams(z.object({ AutoScalingGroupName: str }), raw);
    const group = groupOrFail(world, p.AutoScalingGroupName);
    const refresh = world.refreshes.activeFor(group.name);
    if (!refresh || !RUNNING.includes(refresh.status)) throw noActive(group.name, "roll back");
    const why = irreversible(refresh);
    if (why) throw new AwsError("IrreversibleInstanceRefresh", why);
    world.refreshes.startRollback(refresh, "Manual rollback (RollbackInstanceRefresh).");
    return { InstanceRefreshId: refresh.id };
  },
};


