/** The one SDK adapter for EC2 Auto Scaling: the `Fleet` port. */
import {
  type Activity,
  type AutoScalingClient,
  type AutoScalingGroup,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  type DescribeAutoScalingGroupsCommandInput,
  DescribeScalingActivitiesCommand,
  type Filter,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import type { CapacityChange, Fleet, FleetGroup, LaunchTemplateRef, ScalingActivity } from "../../ports/fleet";
import { wrapError } from "../../util/errors";

const PAGE_SIZE = 100;

function toGroup(g: AutoScalingGroup): FleetGroup {
  const fromSources = (g.TrafficSources ?? []).filter((s) => !s.Type || s.Type === "elbv2").map((s) => s.Identifier ?? "");
  const lt = g.LaunchTemplate;
  return {
    name: g.AutoScalingGroupName ?? "",
    minSize: g.MinSize ?? 0,
    maxSize: g.MaxSize ?? 0,
    desiredCapacity: g.DesiredCapacity ?? 0,
    instances: (g.Instances ?? []).map((i) => ({
      id: i.InstanceId ?? "",
      lifecycleState: i.LifecycleState ?? "",
      healthStatus: i.HealthStatus ?? "",
      launchTemplateVersion: i.LaunchTemplate?.Version,
    })),
    launchTemplate: lt ? { id: lt.LaunchTemplateId, name: lt.LaunchTemplateName, version: lt.Version ?? "$Default" } : undefined,
    targetGroupArns: [...new Set([...(g.TargetGroupARNs ?? []), ...fromSources].filter(Boolean))],
    suspendedProcesses: (g.SuspendedProcesses ?? []).map((p) => p.ProcessName ?? "").filter(Boolean),
    tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
  };
}

function toActivity(a: Activity): ScalingActivity {
  return {
    id: a.ActivityId ?? "",
    statusCode: a.StatusCode ?? "",
    description: a.Description ?? "",
    cause: a.Cause ?? "",
    statusMessage: a.StatusMessage,
    startTime: a.StartTime ?? new Date(0),
  };
}

export class AutoScalingFleet implements Fleet {
  constructor(private readonly client: () => Promise<AutoScalingClient>) {}

  /** Every group the query returns, following NextToken. */
  private async groups(input: DescribeAutoScalingGroupsCommandInput, what: string): Promise<FleetGroup[]> {
    const client = await this.client();
    const out: FleetGroup[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await client.send(new DescribeAutoScalingGroupsCommand({ ...input, MaxRecords: PAGE_SIZE, NextToken: token }));
        for (const g of page.AutoScalingGroups ?? []) out.push(toGroup(g));
        token = page.NextToken;
      } while (token);
    } catch (error) {
      throw wrapError(`Describing Auto Scaling groups (${what})`, error);
    }
    return out;
  }

  async describe(name: string): Promise<FleetGroup | undefined> {
    const found = await this.groups({ AutoScalingGroupNames: [name] }, `name ${name}`);
    return found.find((g) => g.name === name);
  }

  async findByTags(tags: Record<string, string>): Promise<FleetGroup[]> {
    const entries = Object.entries(tags);
    if (entries.length === 0) return [];
    const filters: Filter[] = entries.map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));
    const found = await this.groups({ Filters: filters }, `tags ${entries.map(([k, v]) => `${k}=${v}`).join(", ")}`);
    // The filter is applied by Auto Scaling; checking again keeps a lenient implementation from widening the match.
    return found.filter((g) => entries.every(([k, v]) => g.tags[k] === v));
  }

  async findByTargetGroups(targetGroupArns: string[]): Promise<FleetGroup[]> {
    if (targetGroupArns.length === 0) return [];
    const wanted = new Set(targetGroupArns);
    const all = await this.groups({}, `attached to ${targetGroupArns.join(", ")}`);
    return all.filter((g) => g.targetGroupArns.some((arn) => wanted.has(arn)));
  }

  private async update(name: string, what: string, input: Omit<ConstructorParameters<typeof UpdateAutoScalingGroupCommand>[0], "AutoScalingGroupName">): Promise<void> {
    const client = await this.client();
    try {
      await client.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, ...input }));
    } catch (error) {
      throw wrapError(`Updating Auto Scaling group ${name} (${what})`, error);
    }
  }

  async setCapacity(name: string, change: CapacityChange): Promise<void> {
    const parts = [
      change.minSize !== undefined ? `min ${change.minSize}` : "",
      `desired ${change.desiredCapacity}`,
      change.maxSize !== undefined ? `max ${change.maxSize}` : "",
    ].filter(Boolean);
    await this.update(name, `capacity to ${parts.join(", ")}`, {
      MinSize: change.minSize,
      MaxSize: change.maxSize,
      DesiredCapacity: change.desiredCapacity,
    });
  }

  async setLaunchTemplate(name: string, template: LaunchTemplateRef): Promise<void> {
    // Auto Scaling takes exactly one of the id and the name.
    const spec = template.id ? { LaunchTemplateId: template.id } : { LaunchTemplateName: template.name };
    await this.update(name, `launch template ${template.id ?? template.name} version ${template.version}`, {
      LaunchTemplate: { ...spec, Version: template.version },
    });
  }

  async suspend(name: string, processes: string[]): Promise<void> {
    // An empty list would mean every process to Auto Scaling.
    if (processes.length === 0) return;
    const client = await this.client();
    try {
      await client.send(new SuspendProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: processes }));
    } catch (error) {
      throw wrapError(`Suspending ${processes.join(", ")} on Auto Scaling group ${name}`, error);
    }
  }

  async resume(name: string, processes: string[]): Promise<void> {
    if (processes.length === 0) return;
    const client = await this.client();
    try {
      await client.send(new ResumeProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: processes }));
    } catch (error) {
      throw wrapError(`Resuming ${processes.join(", ")} on Auto Scaling group ${name}`, error);
    }
  }

  async activities(name: string, since: Date): Promise<ScalingActivity[]> {
    const client = await this.client();
    const out: ScalingActivity[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await client.send(
          new DescribeScalingActivitiesCommand({
            AutoScalingGroupName: name,
            Filters: [{ Name: "StartTimeLowerBound", Values: [since.toISOString()] }],
            MaxRecords: PAGE_SIZE,
            NextToken: token,
          }),
        );
        const activities = (page.Activities ?? []).map(toActivity);
        out.push(...activities.filter((a) => a.startTime.getTime() >= since.getTime()));
        // Newest first: once a page reaches before `since`, later pages are older still.
        token = activities.some((a) => a.startTime.getTime() < since.getTime()) ? undefined : page.NextToken;
      } while (token);
    } catch (error) {
      throw wrapError(`Reading the scaling activities of Auto Scaling group ${name} since ${since.toISOString()}`, error);
    }
    return out;
  }

  async tag(name: string, tags: Record<string, string>): Promise<void> {
    const entries = Object.entries(tags);
    if (entries.length === 0) return;
    const client = await this.client();
    try {
      await client.send(
        new CreateOrUpdateTagsCommand({
          Tags: entries.map(([Key, Value]) => ({ ResourceId: name, ResourceType: "auto-scaling-group", Key, Value, PropagateAtLaunch: false })),
        }),
      );
    } catch (error) {
      throw wrapError(`Tagging Auto Scaling group ${name} with ${entries.map(([k]) => k).join(", ")}`, error);
    }
  }
}
