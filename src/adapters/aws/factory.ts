/** Builds every port over the AWS clients (the one factory, ./clients.ts). Auto Scaling, EC2 and CloudWatch adapters are imported on first use. */
import type { EnvironmentPorts } from "../../ports/environment";
import type { AlarmStates } from "../../ports/alarms";
import type { Fleet, LaunchTemplates } from "../../ports/fleet";
import type { InstanceRefreshes } from "../../ports/refresh";
import type { ListenerDiscovery, LockRules, ResourceTags, TargetGroups, TrafficRouter } from "../../ports/load-balancer";
import type { AwsClients } from "./clients";
import { ElbV2Adapter, elbTags } from "./elbv2";
import { ElbV2LockRules } from "./elbv2-lock-rules";

export interface Ports extends EnvironmentPorts {
  clients: AwsClients;
  router: TrafficRouter;
  tags: ResourceTags;
  targetGroups: TargetGroups;
  discovery: ListenerDiscovery;
  locks: LockRules;
  fleet: () => Promise<Fleet>;
  launchTemplates: () => Promise<LaunchTemplates>;
  alarms: () => Promise<AlarmStates>;
  refreshes: () => Promise<InstanceRefreshes>;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

export function createPorts(clients: AwsClients): Ports {
  const elb = new ElbV2Adapter(() => clients.elbv2());
  return {
    clients,
    router: elb,
    tags: elbTags(elb),
    targetGroups: elb,
    discovery: elb,
    locks: new ElbV2LockRules(() => clients.elbv2()),
    fleet: once(async () => {
      const { AutoScalingFleet } = await import("./autoscaling");
      return new AutoScalingFleet(() => clients.autoScaling());
    }),
    launchTemplates: once(async () => {
      const { Ec2LaunchTemplates } = await import("./launch-templates");
      return new Ec2LaunchTemplates(() => clients.ec2());
    }),
    refreshes: once(async () => {
      const { AutoScalingInstanceRefreshes } = await import("./instance-refresh");
      return new AutoScalingInstanceRefreshes(() => clients.autoScaling());
    }),
    alarms: once(async () => {
      const { CloudWatchAlarmStates } = await import("./alarms");
      return new CloudWatchAlarmStates(() => clients.cloudWatch());
    }),
  };
}
