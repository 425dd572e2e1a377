/** The one SDK adapter for EC2 Auto Scaling's instance refresh: the `InstanceRefreshes` port. */
import {
  type AutoScalingClient,
  CancelInstanceRefreshCommand,
  DescribeInstanceRefreshesCommand,
  RollbackInstanceRefreshCommand,
  StartInstanceRefreshCommand,
} from "@aws-sdk/client-auto-scaling";
import type { InstanceRefreshes, RefreshStart, RefreshState, RefreshStatus } from "../../ports/refresh";
import { errorMessage, wrapError } from "../../util/errors";

function named(error: unknown, ...names: string[]): boolean {
  const e = error as { name?: string; Code?: string };
  return names.some((n) => e?.name === n || e?.name === `${n}Fault` || e?.Code === n);
}

export class AutoScalingInstanceRefreshes implements InstanceRefreshes {
  constructor(private readonly client: () => Promise<AutoScalingClient>) {}

  async start(s: RefreshStart): Promise<string> {
    const p = s.preferences;
    const { id, name, version } = s.launchTemplate;
    try {
      const out = await (await this.client()).send(
        new StartInstanceRefreshCommand({
          AutoScalingGroupName: s.groupName,
          Strategy: "Rolling",
          DesiredConfiguration: { LaunchTemplate: { ...(id ? { LaunchTemplateId: id } : { LaunchTemplateName: name }), Version: version } },
          Preferences: {
            MinHealthyPercentage: p.minHealthyPercentage,
            MaxHealthyPercentage: p.maxHealthyPercentage,
            ...(p.instanceWarmupSeconds !== undefined ? { InstanceWarmup: p.instanceWarmupSeconds } : {}),
            ...(p.checkpointPercentages?.length ? { CheckpointPercentages: p.checkpointPercentages, CheckpointDelay: p.checkpointDelaySeconds } : {}),
            SkipMatching: p.skipMatching,
            AutoRollback: p.autoRollback,
            ...(p.alarms.length ? { AlarmSpecification: { Alarms: p.alarms } } : {}),
            ...(p.bakeTimeSeconds !== undefined ? { BakeTime: p.bakeTimeSeconds } : {}),
          },
        }),
      );
      return out.InstanceRefreshId ?? "";
    } catch (error) {
      throw wrapError(`StartInstanceRefresh on ${s.groupName} (launch template version ${version})`, error);
    }
  }

  async latest(groupName: string): Promise<RefreshState | undefined> {
    try {
      const out = await (await this.client()).send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: groupName, MaxRecords: 1 }));
      const r = out.InstanceRefreshes?.[0];
      if (!r) return undefined;
      return {
        id: r.InstanceRefreshId ?? "",
        status: (r.Status ?? "Pending") as RefreshStatus,
        statusReason: r.StatusReason,
        percentageComplete: r.PercentageComplete ?? 0,
        instancesToUpdate: r.InstancesToUpdate ?? 0,
        startTime: r.StartTime ?? new Date(0),
        desiredVersion: r.DesiredConfiguration?.LaunchTemplate?.Version,
      };
    } catch (error) {
      throw wrapError(`DescribeInstanceRefreshes of ${groupName}`, error);
    }
  }

  async cancel(groupName: string): Promise<boolean> {
    try {
      await (await this.client()).send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: groupName }));
      return true;
    } catch (error) {
      if (named(error, "ActiveInstanceRefreshNotFound")) return false;
      throw wrapError(`CancelInstanceRefresh on ${groupName}`, error);
    }
  }

  async rollback(groupName: string): Promise<{ outcome: "started" | "none" | "irreversible"; reason?: string | undefined }> {
    try {
      await (await this.client()).send(new RollbackInstanceRefreshCommand({ AutoScalingGroupName: groupName }));
      return { outcome: "started" };
    } catch (error) {
      if (named(error, "ActiveInstanceRefreshNotFound")) return { outcome: "none" };
      if (named(error, "IrreversibleInstanceRefresh")) return { outcome: "irreversible", reason: errorMessage(error) };
      throw wrapError(`RollbackInstanceRefresh on ${groupName}`, error);
    }
  }
}
