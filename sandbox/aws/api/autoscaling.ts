/** EC2 Auto Scaling (awsQuery, 2011-01-01): groups, capacity, tags, scaling activities, processes. */
import { z } from "zod";
import type { World } from "../world/world";
import { SCALING_PROCESSES, type AutoScalingGroup } from "../world/model";
import { resolveVersion } from "../world/autoscaling";
import { AwsError, validationError } from "./errors";
import { bool, int, list, parseParams, str } from "./params";
import { paginate, type ServiceDefinition } from "./service";
import { instanceRefreshOperations } from "./instance-refresh";

const invalidToken = () => new AwsError("InvalidNextToken", "The token is not valid.");

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.[0-9]{3}Z$/, "Z");
}

function groupOrFail(world: World, name: string): AutoScalingGroup {
  const group = world.groups.get(name);
  if (!group) throw validationError(`AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
  return group;
}

function tagOut(group: AutoScalingGroup) {
  return [...group.tags.values()].map((t) => ({ ResourceId: group.name, ResourceType: "auto-scaling-group", Key: t.Key, Value: t.Value, PropagateAtLaunch: t.PropagateAtLaunch }));
}

function groupOut(world: World, group: AutoScalingGroup, includeInstances: boolean) {
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    LaunchTemplate: { LaunchTemplateId: group.launchTemplate.id, LaunchTemplateName: group.launchTemplate.name, Version: group.launchTemplate.version },
    MinSize: group.minSize,
    MaxSize: group.maxSize,
    DesiredCapacity: group.desiredCapacity,
    DefaultCooldown: 300,
    AvailabilityZones: ["a", "b", "c"].map((z) => `${world.region}${z}`),
    LoadBalancerNames: [],
    TargetGroupARNs: group.targetGroupArns,
    HealthCheckType: group.healthCheckType,
    HealthCheckGracePeriod: group.healthCheckGracePeriod,
    Instances: includeInstances
      ? [...group.instances.values()].map((i) => ({
          InstanceId: i.id,
          InstanceType: i.instanceType,
          AvailabilityZone: i.availabilityZone,
          LifecycleState: i.lifecycle,
          HealthStatus: i.health,
          LaunchTemplate: { LaunchTemplateId: i.launchTemplateId, LaunchTemplateName: i.launchTemplateName, Version: i.version },
          ProtectedFromScaleIn: i.protectedFromScaleIn === true,
        }))
      : undefined,
    CreatedTime: new Date(group.createdAt),
    SuspendedProcesses: [...group.suspended].map(([ProcessName, SuspensionReason]) => ({ ProcessName, SuspensionReason })),
    VPCZoneIdentifier: "subnet-0a1b2c3d4e5f6a7b8,subnet-0b1b2c3d4e5f6a7b8,subnet-0c1b2c3d4e5f6a7b8",
    EnabledMetrics: [],
    Tags: tagOut(group),
    TerminationPolicies: ["Default"],
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${world.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    TrafficSources: group.targetGroupArns.map((Identifier) => ({ Identifier, Type: "elbv2" })),
  };
}

const filter = z.object({ Name: str, Values: list(str).optional() });

function matchesTagFilters(group: AutoScalingGroup, filters: z.infer<typeof filter>[]): boolean {
  return filters.every((f) => {
    const values = f.Values ?? [];
    const tags = [...group.tags.values()];
    if (f.Name === "tag-key") return tags.some((t) => values.includes(t.Key));
    if (f.Name === "tag-value") return tags.some((t) => values.includes(t.Value));
    if (f.Name.startsWith("tag:")) {
      const tag = group.tags.get(f.Name.slice(4));
      return tag !== undefined && values.includes(tag.Value);
    }
    throw validationError(`Filter name '${f.Name}' is not supported; valid: tag-key, tag-value, tag:<key>`);
  });
}

const processList = list(z.enum(SCALING_PROCESSES, { message: `Member must be one of: ${SCALING_PROCESSES.join(", ")}` })).optional();

export const autoScaling: ServiceDefinition = {
  name: "AutoScaling",
  signingName: "autoscaling",
  version: "2011-01-01",
  namespace: "http://autoscaling.amazonaws.com/doc/2011-01-01/",
  protocol: "query",
  operations: {
    ...instanceRefreshOperations,
    DescribeAutoScalingGroups(raw, { world }) {
      const p = parseParams(
        z.object({ AutoScalingGroupNames: list(str).optional(), IncludeInstances: bool.optional(), Filters: list(filter).optional(), MaxRecords: int(1, 100).optional(), NextToken: str.optional() }),
        raw,
      );
      let groups = [...world.groups.values()];
      if (p.AutoScalingGroupNames?.length) groups = groups.filter((g) => p.AutoScalingGroupNames!.includes(g.name));
      if (p.Filters?.length) groups = groups.filter((g) => matchesTagFilters(g, p.Filters!));
      const { page, next } = paginate(groups, p.NextToken, p.MaxRecords ?? 50, invalidToken);
      return { AutoScalingGroups: page.map((g) => groupOut(world, g, p.IncludeInstances ?? true)), NextToken: next };
    },

    UpdateAutoScalingGroup(raw, { world }) {
      const p = parseParams(
        z.object({
          AutoScalingGroupName: str,
          LaunchTemplate: z.object({ LaunchTemplateId: str.optional(), LaunchTemplateName: str.optional(), Version: str.optional() }).optional(),
          MinSize: int(0).optional(),
          MaxSize: int(0).optional(),
          DesiredCapacity: int(0).optional(),
          DefaultCooldown: int(0).optional(),
          HealthCheckType: z.enum(["EC2", "ELB"]).optional(),
          HealthCheckGracePeriod: int(0).optional(),
        }),
        raw,
      );
      const group = groupOrFail(world, p.AutoScalingGroupName);
      let launchTemplate = group.launchTemplate;
      const refresh = world.refreshes.activeFor(group.name);
      if (p.LaunchTemplate && refresh?.desired) {
        throw validationError("An active instance refresh with a desired configuration exists. All configuration options derived from the desired configuration are not available for update while the instance refresh is active.");
      }
      if (p.LaunchTemplate) {
        const { LaunchTemplateId: id, LaunchTemplateName: name, Version: version = "$Default" } = p.LaunchTemplate;
        if ((id === undefined) === (name === undefined)) throw validationError("Specify exactly one of LaunchTemplateId and LaunchTemplateName in LaunchTemplate");
        const template = id !== undefined ? world.launchTemplates.get(id) : [...world.launchTemplates.values()].find((t) => t.name === name);
        if (!template) {
          throw validationError(`You must use a valid fully-formed launch template. The specified launch template, with template ${id !== undefined ? `ID ${id}` : `name ${name}`}, does not exist.`);
        }
        if (!/^(\$Latest|\$Default|[1-9][0-9]*)$/.test(version) || !resolveVersion(template, version)) {
          throw validationError(`You must use a valid fully-formed launch template. The specified launch template version ${version} of ${template.name} does not exist.`);
        }
        launchTemplate = { id: template.id, name: template.name, version };
      }
      const min = p.MinSize ?? group.minSize;
      const max = p.MaxSize ?? group.maxSize;
      if (min > max) throw validationError(`Min size (${min}) must be less than or equal to max size (${max})`);
      let desired = p.DesiredCapacity;
      if (desired !== undefined && (desired < min || desired > max)) {
        throw validationError(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
      }
      desired ??= Math.min(max, Math.max(min, group.desiredCapacity));
      const before = group.desiredCapacity;
      group.launchTemplate = launchTemplate;
      group.minSize = min;
      group.maxSize = max;
      group.desiredCapacity = desired;
      if (p.HealthCheckType) group.healthCheckType = p.HealthCheckType;
      if (p.HealthCheckGracePeriod !== undefined) group.healthCheckGracePeriod = p.HealthCheckGracePeriod;
      if (desired !== before) {
        group.lastCapacityCause = `At ${iso(world.clock.now())} a user request update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired} changing the desired capacity from ${before} to ${desired}.`;
      }
      world.autoScaling.reconcile(group);
      return undefined;
    },

    SetDesiredCapacity(raw, { world }) {
      const p = parseParams(z.object({ AutoScalingGroupName: str, DesiredCapacity: int(0), HonorCooldown: bool.optional() }), raw);
      const group = groupOrFail(world, p.AutoScalingGroupName);
      if (p.DesiredCapacity > group.maxSize) throw validationError(`New SetDesiredCapacity value ${p.DesiredCapacity} is above max value ${group.maxSize} for the AutoScalingGroup.`);
      if (p.DesiredCapacity < group.minSize) throw validationError(`New SetDesiredCapacity value ${p.DesiredCapacity} is below min value ${group.minSize} for the AutoScalingGroup.`);
      const before = group.desiredCapacity;
      group.desiredCapacity = p.DesiredCapacity;
      if (before !== p.DesiredCapacity) {
        group.lastCapacityCause = `At ${iso(world.clock.now())} a user request explicitly set group desired capacity changing the desired capacity from ${before} to ${p.DesiredCapacity}.`;
      }
      world.autoScaling.reconcile(group);
      return undefined;
    },

    CreateOrUpdateTags(raw, { world }) {
      const p = parseParams(
        z.object({
          Tags: list(
            z.object({
              ResourceId: str,
              ResourceType: z.literal("auto-scaling-group", { message: 'Member must be "auto-scaling-group"' }),
              Key: z.string().min(1).max(128),
              Value: z.string().max(256).optional(),
              PropagateAtLaunch: bool.optional(),
            }),
          ),
        }),
        raw,
      );
      if (p.Tags.length === 0) throw validationError("Tags must contain at least one tag");
      const groups = p.Tags.map((t) => groupOrFail(world, t.ResourceId));
      for (const t of p.Tags) if (t.Key.startsWith("aws:")) throw validationError(`Tag key '${t.Key}' uses the reserved prefix 'aws:'`);
      for (const group of new Set(groups)) {
        const keys = new Set([...group.tags.keys(), ...p.Tags.filter((t) => t.ResourceId === group.name).map((t) => t.Key)]);
        if (keys.size > 50) throw new AwsError("LimitExceeded", `The quota of 50 tags for Auto Scaling group '${group.name}' would be exceeded`);
      }
      p.Tags.forEach((t, i) => groups[i]!.tags.set(t.Key, { Key: t.Key, Value: t.Value ?? "", PropagateAtLaunch: t.PropagateAtLaunch ?? false }));
      return undefined;
    },

    DeleteTags(raw, { world }) {
      const p = parseParams(z.object({ Tags: list(z.object({ ResourceId: str, ResourceType: str.optional(), Key: str, Value: str.optional() })) }), raw);
      const groups = p.Tags.map((t) => groupOrFail(world, t.ResourceId));
      p.Tags.forEach((t, i) => {
        const existing = groups[i]!.tags.get(t.Key);
        if (existing && (t.Value === undefined || t.Value === existing.Value)) groups[i]!.tags.delete(t.Key);
      });
      return undefined;
    },

    DescribeTags(raw, { world }) {
      const p = parseParams(z.object({ Filters: list(filter).optional(), MaxRecords: int(1, 100).optional(), NextToken: str.optional() }), raw);
      let tags = [...world.groups.values()].flatMap(tagOut);
      for (const f of p.Filters ?? []) {
        const values = f.Values ?? [];
        if (f.Name === "auto-scaling-group") tags = tags.filter((t) => values.includes(t.ResourceId));
        else if (f.Name === "key") tags = tags.filter((t) => values.includes(t.Key));
        else if (f.Name === "value") tags = tags.filter((t) => values.includes(t.Value));
        else if (f.Name === "propagate-at-launch") tags = tags.filter((t) => values.includes(String(t.PropagateAtLaunch)));
        else throw validationError(`Filter name '${f.Name}' is not supported; valid: auto-scaling-group, key, value, propagate-at-launch`);
      }
      const { page, next } = paginate(tags, p.NextToken, p.MaxRecords ?? 50, invalidToken);
      return { Tags: page, NextToken: next };
    },

    DescribeScalingActivities(raw, { world }) {
      const p = parseParams(
        z.object({
          ActivityIds: list(str, 50).optional(),
          AutoScalingGroupName: str.optional(),
          IncludeDeletedGroups: bool.optional(),
          MaxRecords: int(1, 100).optional(),
          NextToken: str.optional(),
          Filters: list(filter).optional(),
        }),
        raw,
      );
      let activities = [...world.activities].sort((a, b) => b.StartTime - a.StartTime);
      if (p.AutoScalingGroupName) activities = activities.filter((a) => a.AutoScalingGroupName === p.AutoScalingGroupName);
      if (p.ActivityIds?.length) activities = activities.filter((a) => p.ActivityIds!.includes(a.ActivityId));
      for (const f of p.Filters ?? []) {
        const values = f.Values ?? [];
        if (f.Name === "Status") activities = activities.filter((a) => values.includes(a.StatusCode));
        else if (f.Name === "StartTimeLowerBound") activities = activities.filter((a) => values.every((v) => a.StartTime >= Date.parse(v)));
        else if (f.Name === "StartTimeUpperBound") activities = activities.filter((a) => values.every((v) => a.StartTime <= Date.parse(v)));
        else throw validationError(`Filter name '${f.Name}' is not supported; valid: Status, StartTimeLowerBound, StartTimeUpperBound`);
      }
      const { page, next } = paginate(activities, p.NextToken, p.MaxRecords ?? 100, invalidToken);
      return {
        Activities: page.map((a) => ({ ...a, StartTime: new Date(a.StartTime), EndTime: a.EndTime === undefined ? undefined : new Date(a.EndTime) })),
        NextToken: next,
      };
    },

    SuspendProcesses(raw, { world }) {
      const p = parseParams(z.object({ AutoScalingGroupName: str, ScalingProcesses: processList }), raw);
      const group = groupOrFail(world, p.AutoScalingGroupName);
      const processes = p.ScalingProcesses?.length ? p.ScalingProcesses : SCALING_PROCESSES;
      for (const name of processes) if (!group.suspended.has(name)) group.suspended.set(name, `User suspended at ${iso(world.clock.now())}`);
      return undefined;
    },

    ResumeProcesses(raw, { world }) {
      const p = parseParams(z.object({ AutoScalingGroupName: str, ScalingProcesses: processList }), raw);
      const group = groupOrFail(world, p.AutoScalingGroupName);
      const processes = p.ScalingProcesses?.length ? p.ScalingProcesses : SCALING_PROCESSES;
      for (const name of processes) group.suspended.delete(name);
      world.autoScaling.reconcile(group);
      return undefined;
    },
  },
};
