import {
  AutoScalingClient,
  type AutoScalingGroup,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { AutoScalingFleet } from "../../src/adapters/aws/autoscaling";
import { OperationalError } from "../../src/util/errors";
import { BLUE_ARN, GREEN_ARN } from "../support/fake-elb";

const mock = mockClient(AutoScalingClient);
const client = new AutoScalingClient({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
const fleet = new AutoScalingFleet(async () => client);

afterEach(() => mock.reset());

function asg(name: string, extra: Partial<AutoScalingGroup> = {}): AutoScalingGroup {
  return {
    AutoScalingGroupName: name,
    MinSize: 1,
    MaxSize: 10,
    DesiredCapacity: 2,
    DefaultCooldown: 300,
    AvailabilityZones: ["us-east-1a"],
    HealthCheckType: "ELB",
    CreatedTime: new Date("2026-01-01T00:00:00Z"),
    ...extra,
  };
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: 400 } });
}

describe("AutoScalingFleet.describe", () => {
  it("maps a group: capacity, instances with their version, launch template, target groups from both fields, suspended processes, tags", async () => {
    mock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        asg("web-green", {
          LaunchTemplate: { LaunchTemplateId: "lt-0abc", LaunchTemplateName: "web", Version: "7" },
          Instances: [
            {
              InstanceId: "i-1",
              LifecycleState: "InService",
              HealthStatus: "Healthy",
              AvailabilityZone: "us-east-1a",
              ProtectedFromScaleIn: false,
              LaunchTemplate: { LaunchTemplateId: "lt-0abc", Version: "7" },
            },
            { InstanceId: "i-2", LifecycleState: "Pending", HealthStatus: "Healthy", AvailabilityZone: "us-east-1a", ProtectedFromScaleIn: false },
          ],
          TargetGroupARNs: [GREEN_ARN],
          TrafficSources: [{ Identifier: GREEN_ARN, Type: "elbv2" }, { Identifier: BLUE_ARN, Type: "elbv2" }, { Identifier: "vpc-lattice-arn", Type: "vpc-lattice" }],
          SuspendedProcesses: [{ ProcessName: "Launch", SuspensionReason: "User suspended at 2026-01-01" }],
          Tags: [{ Key: "deploy:slot", Value: "green", ResourceId: "web-green", ResourceType: "auto-scaling-group", PropagateAtLaunch: false }],
        }),
      ],
    });

    const group = await fleet.describe("web-green");

    expect(mock.commandCalls(DescribeAutoScalingGroupsCommand)[0]!.args[0].input).toMatchObject({ AutoScalingGroupNames: ["web-green"], MaxRecords: 100 });
    expect(group).toEqual({
      name: "web-green",
      minSize: 1,
      maxSize: 10,
      desiredCapacity: 2,
      instances: [
        { id: "i-1", lifecycleState: "InService", healthStatus: "Healthy", launchTemplateVersion: "7" },
        { id: "i-2", lifecycleState: "Pending", healthStatus: "Healthy", launchTemplateVersion: undefined },
      ],
      launchTemplate: { id: "lt-0abc", name: "web", version: "7" },
      targetGroupArns: [GREEN_ARN, BLUE_ARN],
      suspendedProcesses: ["Launch"],
      tags: { "deploy:slot": "green" },
    });
  });

  it("returns undefined for an unknown name", async () => {
    mock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    expect(await fleet.describe("nope")).toBeUndefined();
  });

  it("wraps errors with what was tried", async () => {
    mock.on(DescribeAutoScalingGroupsCommand).rejects(awsError("ResourceContention", "You already have a pending update"));
    const error = await fleet.describe("web-green").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as Error).message).toBe("Describing Auto Scaling groups (name web-green): ResourceContention: You already have a pending update");
  });
});

describe("AutoScalingFleet discovery", () => {
  it("finds groups by tags with one tag:<key> filter per tag, following NextToken", async () => {
    mock
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [asg("a", { Tags: [{ Key: "env", Value: "prod" }, { Key: "service", Value: "web" }] })], NextToken: "t1" })
      .resolvesOnce({ AutoScalingGroups: [asg("b", { Tags: [{ Key: "env", Value: "prod" }, { Key: "service", Value: "web" }] })] });

    const found = await fleet.findByTags({ env: "prod", service: "web" });

    expect(found.map((g) => g.name)).toEqual(["a", "b"]);
    const inputs = mock.commandCalls(DescribeAutoScalingGroupsCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      Filters: [
        { Name: "tag:env", Values: ["prod"] },
        { Name: "tag:service", Values: ["web"] },
      ],
      MaxRecords: 100,
      NextToken: undefined,
    });
    expect(inputs[1]).toMatchObject({ NextToken: "t1" });
  });

  it("finds groups attached to target groups through TargetGroupARNs or TrafficSources, across pages", async () => {
    mock
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [asg("other", { TargetGroupARNs: [] }), asg("web-blue", { TargetGroupARNs: [BLUE_ARN] })], NextToken: "p2" })
      .resolvesOnce({ AutoScalingGroups: [asg("web-green", { TrafficSources: [{ Identifier: GREEN_ARN, Type: "elbv2" }] })] });

    const found = await fleet.findByTargetGroups([GREEN_ARN, BLUE_ARN]);

    expect(found.map((g) => g.name)).toEqual(["web-blue", "web-green"]);
    expect(mock.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(2);
  });
});

describe("AutoScalingFleet writes", () => {
  it("sets capacity with UpdateAutoScalingGroup, leaving out what does not change", async () => {
    mock.on(UpdateAutoScalingGroupCommand).resolves({});
    await fleet.setCapacity("web-green", { minSize: 0, desiredCapacity: 0 });
    expect(mock.commandCalls(UpdateAutoScalingGroupCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: "web-green",
      MinSize: 0,
      MaxSize: undefined,
      DesiredCapacity: 0,
    });
  });

  it("sets the launch template by id (or name) and version", async () => {
    mock.on(UpdateAutoScalingGroupCommand).resolves({});
    await fleet.setLaunchTemplate("web-green", { id: "lt-0abc", name: "web", version: "8" });
    await fleet.setLaunchTemplate("web-green", { name: "web", version: "$Latest" });
    const inputs = mock.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { AutoScalingGroupName: "web-green", LaunchTemplate: { LaunchTemplateId: "lt-0abc", Version: "8" } },
      { AutoScalingGroupName: "web-green", LaunchTemplate: { LaunchTemplateName: "web", Version: "$Latest" } },
    ]);
  });

  it("names the group and the change when an update fails", async () => {
    mock.on(UpdateAutoScalingGroupCommand).rejects(awsError("ValidationError", "Desired capacity:12 must be between the specified min size:1 and max size:10"));
    const error = await fleet.setCapacity("web-green", { desiredCapacity: 12 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "Updating Auto Scaling group web-green (capacity to desired 12): ValidationError: Desired capacity:12 must be between the specified min size:1 and max size:10",
    );
  });

  it("suspends and resumes the named processes, and never sends an empty list (which would mean all)", async () => {
    mock.on(SuspendProcessesCommand).resolves({});
    mock.on(ResumeProcessesCommand).resolves({});
    await fleet.suspend("web-green", ["AlarmNotification", "AZRebalance"]);
    await fleet.resume("web-green", ["Launch"]);
    await fleet.suspend("web-green", []);
    await fleet.resume("web-green", []);
    expect(mock.commandCalls(SuspendProcessesCommand).map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: "web-green", ScalingProcesses: ["AlarmNotification", "AZRebalance"] }]);
    expect(mock.commandCalls(ResumeProcessesCommand).map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: "web-green", ScalingProcesses: ["Launch"] }]);
  });

  it("tags the group without propagating the tags to instances", async () => {
    mock.on(CreateOrUpdateTagsCommand).resolves({});
    await fleet.tag("web-green", { "deploy:version": "v2", "deploy:role": "candidate" });
    expect(mock.commandCalls(CreateOrUpdateTagsCommand)[0]!.args[0].input).toEqual({
      Tags: [
        { ResourceId: "web-green", ResourceType: "auto-scaling-group", Key: "deploy:version", Value: "v2", PropagateAtLaunch: false },
        { ResourceId: "web-green", ResourceType: "auto-scaling-group", Key: "deploy:role", Value: "candidate", PropagateAtLaunch: false },
      ],
    });
  });
});

describe("AutoScalingFleet.activities", () => {
  it("reads activities since a time, with the lower-bound filter and status message, stopping at older pages", async () => {
    const since = new Date("2026-01-01T00:10:00Z");
    mock
      .on(DescribeScalingActivitiesCommand)
      .resolvesOnce({
        Activities: [
          {
            ActivityId: "a3",
            AutoScalingGroupName: "web-green",
            Cause: "At 2026-01-01T00:12:00Z an instance was started",
            StartTime: new Date("2026-01-01T00:12:00Z"),
            StatusCode: "Failed",
            StatusMessage: "The image id '[ami-0bad]' does not exist. Launching EC2 instance failed.",
            Description: "Launching a new EC2 instance.  Status Reason: The image id '[ami-0bad]' does not exist.",
          },
        ],
        NextToken: "n1",
      })
      .resolvesOnce({
        Activities: [
          { ActivityId: "a2", AutoScalingGroupName: "web-green", Cause: "c", StartTime: new Date("2026-01-01T00:11:00Z"), StatusCode: "Successful", Description: "Terminating EC2 instance: i-1" },
          { ActivityId: "a1", AutoScalingGroupName: "web-green", Cause: "c", StartTime: new Date("2026-01-01T00:05:00Z"), StatusCode: "Successful", Description: "old" },
        ],
        NextToken: "n2",
      });

    const activities = await fleet.activities("web-green", since);

    expect(activities.map((a) => a.id)).toEqual(["a3", "a2"]);
    expect(activities[0]).toMatchObject({ statusCode: "Failed", statusMessage: "The image id '[ami-0bad]' does not exist. Launching EC2 instance failed." });
    const calls = mock.commandCalls(DescribeScalingActivitiesCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual({
      AutoScalingGroupName: "web-green",
      Filters: [{ Name: "StartTimeLowerBound", Values: ["2026-01-01T00:10:00.000Z"] }],
      MaxRecords: 100,
      NextToken: undefined,
    });
    expect(calls[1]).toMatchObject({ NextToken: "n1" });
  });
});
