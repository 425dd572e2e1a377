import {
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  DescribeTagsCommand,
  ResumeProcessesCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateVersionCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, eventually, failure } from "./clients";

describe("Auto Scaling through the unmodified SDK", () => {
  let sandbox: Sandbox;
  let c: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    sandbox = await startSandbox({ timeScale: 50, seed: 3 });
    c = clientsFor(sandbox);
  });
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });

  const group = async (name: string) => (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!;

  it("describes groups with launch template, target groups, tags and instances", async () => {
    const blue = await eventually("blue InService", async () => {
      const g = await group("web-blue");
      return g.Instances?.length === 2 && g.Instances.every((i) => i.LifecycleState === "InService") ? g : undefined;
    });
    expect(blue).toMatchObject({ MinSize: 0, MaxSize: 10, DesiredCapacity: 2, TargetGroupARNs: [sandbox.environment.targetGroups["web-blue"]] });
    expect(blue.LaunchTemplate).toMatchObject({ LaunchTemplateName: "web-blue", Version: "$Default" });
    expect(blue.Tags).toContainEqual({ ResourceId: "web-blue", ResourceType: "auto-scaling-group", Key: "service", Value: "web", PropagateAtLaunch: true });
    expect(blue.Instances![0]).toMatchObject({ HealthStatus: "Healthy", LaunchTemplate: { Version: "1" } });
    const green = await group("web-green");
    expect(green.Instances).toEqual([]);
  });

  it("filters groups by tags and pages with MaxRecords/NextToken", async () => {
    const byTag = await c.asg.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: "tag:service", Values: ["web"] }, { Name: "tag-key", Values: ["environment"] }] }));
    expect(byTag.AutoScalingGroups!.map((g) => g.AutoScalingGroupName)).toEqual(["web-blue", "web-green"]);
    const none = await c.asg.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: "tag-value", Values: ["nope"] }] }));
    expect(none.AutoScalingGroups).toEqual([]);
    const first = await c.asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 1 }));
    expect(first.AutoScalingGroups).toHaveLength(1);
    const second = await c.asg.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 1, NextToken: first.NextToken }));
    expect(second.AutoScalingGroups![0]!.AutoScalingGroupName).toBe("web-green");
    expect(second.NextToken).toBeUndefined();
    const badToken = await failure(c.asg.send(new DescribeAutoScalingGroupsCommand({ NextToken: "garbage" })));
    expect(badToken.name).toBe("InvalidNextToken");
  });

  it("enforces min/max/desired rules", async () => {
    const above = await failure(c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "web-green", DesiredCapacity: 11 })));
    expect(above.name).toBe("ValidationError");
    expect(above.message).toContain("above max value 10");
    const desiredOut = await failure(c.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "web-green", MinSize: 1, MaxSize: 3, DesiredCapacity: 4 })));
    expect(desiredOut.message).toContain("Desired capacity:4 must be between the specified min size:1 and max size:3");
    const minOverMax = await failure(c.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "web-green", MinSize: 5, MaxSize: 3 })));
    expect(minOverMax.name).toBe("ValidationError");
    const unknown = await failure(c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "nope", DesiredCapacity: 1 })));
    expect(unknown.message).toContain("nope");
    // Raising MinSize above the desired capacity raises the desired capacity.
    await c.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: "web-green", ScalingProcesses: ["Launch"] }));
    await c.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "web-green", MinSize: 1 }));
    expect((await group("web-green")).DesiredCapacity).toBe(1);
    await c.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "web-green", MinSize: 0, DesiredCapacity: 0 }));
    await c.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: "web-green" }));
  });

  it("suspends and resumes processes and honours a suspended Launch", async () => {
    await c.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: "web-green", ScalingProcesses: ["Launch", "Terminate"] }));
    let g = await group("web-green");
    expect(g.SuspendedProcesses!.map((p) => p.ProcessName).sort()).toEqual(["Launch", "Terminate"]);
    await c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "web-green", DesiredCapacity: 1 }));
    await new Promise((r) => setTimeout(r, 300));
    expect((await group("web-green")).Instances).toEqual([]);
    const badProcess = await failure(c.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: "web-green", ScalingProcesses: ["Bogus"] })));
    expect(badProcess.name).toBe("ValidationError");
    await c.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: "web-green", ScalingProcesses: ["Launch", "Terminate"] }));
    g = await eventually("green launches after resume", async () => {
      const x = await group("web-green");
      return x.Instances?.length === 1 ? x : undefined;
    });
    expect(g.SuspendedProcesses).toEqual([]);
    await c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "web-green", DesiredCapacity: 0 }));
  });

  it("records scaling activities with status, description and cause, newest first, paged", async () => {
    const out = await eventually("green activities", async () => {
      const a = await c.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: "web-green" }));
      return a.Activities!.length >= 2 ? a : undefined;
    });
    const launch = out.Activities!.find((a) => a.Description?.startsWith("Launching a new EC2 instance: i-"))!;
    expect(launch.Cause).toContain("explicitly set group desired capacity changing the desired capacity from 0 to 1");
    const terminate = out.Activities!.find((a) => a.Description?.startsWith("Terminating EC2 instance: i-"))!;
    expect(terminate.Cause).toContain("shrinking the capacity from 1 to 0");
    const blue = await c.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: "web-blue" }));
    expect(blue.Activities).toHaveLength(2);
    for (const a of blue.Activities!) {
      expect(a).toMatchObject({ StatusCode: "Successful", Progress: 100, AutoScalingGroupName: "web-blue" });
      expect(a.Cause).toContain("a user request created an AutoScalingGroup changing the desired capacity from 0 to 2");
      expect(a.EndTime!.getTime()).toBeGreaterThanOrEqual(a.StartTime!.getTime());
    }
    const starts = out.Activities!.map((a) => a.StartTime!.getTime());
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
    const page = await c.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: "web-green", MaxRecords: 1 }));
    expect(page.Activities).toHaveLength(1);
    expect(page.NextToken).toBeTruthy();
  });

  it("creates, describes and deletes Auto Scaling tags with filters", async () => {
    await c.asg.send(
      new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: "web-green", ResourceType: "auto-scaling-group", Key: "deploy:release", Value: "v2", PropagateAtLaunch: false }] }),
    );
    const tags = await c.asg.send(new DescribeTagsCommand({ Filters: [{ Name: "auto-scaling-group", Values: ["web-green"] }, { Name: "key", Values: ["deploy:release"] }] }));
    expect(tags.Tags).toEqual([{ ResourceId: "web-green", ResourceType: "auto-scaling-group", Key: "deploy:release", Value: "v2", PropagateAtLaunch: false }]);
    await c.asg.send(new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: "web-green", ResourceType: "auto-scaling-group", Key: "deploy:release", Value: "v3" }] }));
    expect((await group("web-green")).Tags).toContainEqual(expect.objectContaining({ Key: "deploy:release", Value: "v3" }));
    await c.asg.send(new DeleteTagsCommand({ Tags: [{ ResourceId: "web-green", ResourceType: "auto-scaling-group", Key: "deploy:release" }] }));
    const after = await c.asg.send(new DescribeTagsCommand({ Filters: [{ Name: "key", Values: ["deploy:release"] }] }));
    expect(after.Tags).toEqual([]);
    const all = await c.asg.send(new DescribeTagsCommand({ MaxRecords: 1 }));
    expect(all.Tags).toHaveLength(1);
    expect(all.NextToken).toBeTruthy();
  });

  it("switches the launch template version and launches new instances from it", async () => {
    const templateId = sandbox.environment.autoScalingGroups["web-green"]!.launchTemplateId;
    const bad = await failure(c.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "web-green", LaunchTemplate: { LaunchTemplateId: templateId, Version: "7" } })));
    expect(bad.name).toBe("ValidationError");
    await c.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "web-green", LaunchTemplate: { LaunchTemplateId: templateId, Version: "$Latest" } }));
    expect((await group("web-green")).LaunchTemplate).toMatchObject({ LaunchTemplateId: templateId, Version: "$Latest" });
  });

  it("records a Failed activity with a StatusMessage when the image id has no release", async () => {
    const templateId = sandbox.environment.autoScalingGroups["web-green"]!.launchTemplateId;
    const unknownImage = "ami-0123456789abcdef0";
    const created = await c.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templateId, SourceVersion: "1", LaunchTemplateData: { ImageId: unknownImage } }));
    await c.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "web-green", LaunchTemplate: { LaunchTemplateId: templateId, Version: String(created.LaunchTemplateVersion!.VersionNumber) }, DesiredCapacity: 1 }),
    );
    const failed = await eventually("a failed launch", async () => {
      const out = await c.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: "web-green", Filters: [{ Name: "Status", Values: ["Failed"] }] }));
      return out.Activities![0];
    });
    expect(failed.StatusMessage).toBe(`The image id '[${unknownImage}]' does not exist. Launching EC2 instance failed.`);
    expect(failed.Description).toContain("Launching a new EC2 instance.  Status Reason:");
    expect((await group("web-green")).Instances).toEqual([]);
    await c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "web-green", DesiredCapacity: 0 }));
  });
});
