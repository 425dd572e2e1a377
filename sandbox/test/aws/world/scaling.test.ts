import { DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand, SetDesiredCapacityCommand, SuspendProcessesCommand, ResumeProcessesCommand, UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateVersionCommand } from "@aws-sdk/client-ec2";
import { DescribeTargetHealthCommand, ModifyListenerCommand, ModifyTargetGroupAttributesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig, RELEASE_IMAGES, type SandboxConfig } from "../../../aws/config";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, eventually } from "../api/clients";
import { send } from "./http";

const SLOW_IMAGE = "ami-0aa11bb22cc33dd44";

function config(): SandboxConfig {
  const base = defaultConfig();
  return {
    // Listener changes here are followed by requests at once; propagation has its own test.
    propagationSeconds: 0,
    ...base,
    releases: {
      ...base.releases,
      [SLOW_IMAGE]: { version: "slow", latencyMs: { median: 400, p99: 500 }, errorRate: 0, health: { path: "/health", status: 200, body: { status: "ok" } }, bootSeconds: 5 },
    },
    // Green drains for 60 sandbox seconds (1.2 s at time scale 50): longer than its slow requests.
    targetGroups: base.targetGroups!.map((t) => (t.name === "web-green" ? { ...t, deregistrationDelaySeconds: 60 } : t)),
  };
}

describe("Auto Scaling with real instances", () => {
  let sandbox: Sandbox;
  let c: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    sandbox = await startSandbox({ config: config(), timeScale: 50, seed: 17 });
    c = clientsFor(sandbox);
  });
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });

  const group = async (name: string) => (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!;
  const healthOf = async (name: string) =>
    (await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: sandbox.environment.targetGroups[name]! }))).TargetHealthDescriptions!;

  it("scales out from the launch template version's image: Pending → InService → registered → healthy", async () => {
    const templateId = sandbox.environment.launchTemplates["web-green"]!;
    const created = await c.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templateId, SourceVersion: "1", LaunchTemplateData: { ImageId: RELEASE_IMAGES.v2 } }));
    const version = String(created.LaunchTemplateVersion!.VersionNumber);
    await c.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "web-green", LaunchTemplate: { LaunchTemplateId: templateId, Version: version }, DesiredCapacity: 2 }));
    const pending = await group("web-green");
    expect(pending.Instances!.map((i) => i.LifecycleState)).toEqual(["Pending", "Pending"]);
    const healthy = await eventually("green targets healthy", async () => {
      const h = await healthOf("web-green");
      return h.length === 2 && h.every((d) => d.TargetHealth?.State === "healthy") ? h : undefined;
    });
    const ids = healthy.map((d) => d.Target!.Id).sort();
    const g = await group("web-green");
    expect(g.Instances!.map((i) => i.InstanceId).sort()).toEqual(ids);
    expect(g.Instances!.every((i) => i.LifecycleState === "InService" && i.LaunchTemplate?.Version === version)).toBe(true);
    expect(sandbox.state().instances.filter((i) => ids.includes(i.id)).map((i) => i.release)).toEqual(["v2", "v2"]);
    const reply = await send(`${sandbox.environment.listenerUrl}/`, { headers: { host: "x" } });
    expect(reply.headers["x-sandbox-version"]).toBe("v1");
  });

  it("replaces a killed instance and records the activity", async () => {
    const before = await group("web-blue");
    const victim = before.Instances![0]!.InstanceId!;
    sandbox.killInstance(victim);
    await eventually("victim marked Unhealthy", async () => ((await group("web-blue")).Instances!.find((i) => i.InstanceId === victim)?.HealthStatus === "Unhealthy" ? true : undefined));
    const replaced = await eventually("two healthy blue instances again, none of them the victim", async () => {
      const g = await group("web-blue");
      const live = g.Instances!.filter((i) => i.LifecycleState === "InService" && i.HealthStatus === "Healthy");
      return live.length === 2 && !g.Instances!.some((i) => i.InstanceId === victim) ? g : undefined;
    });
    expect(replaced.Instances).toHaveLength(2);
    const activities = (await c.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: "web-blue" }))).Activities!;
    const termination = activities.find((a) => a.Description === `Terminating EC2 instance: ${victim}`)!;
    expect(termination.Cause).toContain("in response to an EC2 instance status check failure");
    expect(termination.StatusCode).toBe("Successful");
  });

  it("leaves a dead instance in place while ReplaceUnhealthy is suspended", async () => {
    await c.asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: "web-blue", ScalingProcesses: ["ReplaceUnhealthy"] }));
    const victim = (await group("web-blue")).Instances![0]!.InstanceId!;
    sandbox.killInstance(victim);
    await eventually("victim Unhealthy", async () => ((await group("web-blue")).Instances!.find((i) => i.InstanceId === victim)?.HealthStatus === "Unhealthy" ? true : undefined));
    await new Promise((r) => setTimeout(r, 400));
    const g = await group("web-blue");
    expect(g.Instances!.find((i) => i.InstanceId === victim)).toMatchObject({ LifecycleState: "InService", HealthStatus: "Unhealthy" });
    expect(g.Instances).toHaveLength(2);
    await c.asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: "web-blue", ScalingProcesses: ["ReplaceUnhealthy"] }));
    await eventually("victim replaced after resume", async () => ((await group("web-blue")).Instances!.some((i) => i.InstanceId === victim) ? undefined : true));
  });

  it("drains on scale-in: every slow in-flight request completes before the instance goes away", async () => {
    const templateId = sandbox.environment.launchTemplates["web-green"]!;
    const slow = await c.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templateId, SourceVersion: "1", LaunchTemplateData: { ImageId: SLOW_IMAGE } }));
    await c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "web-green", DesiredCapacity: 0 }));
    await eventually("green empty", async () => ((await group("web-green")).Instances!.length === 0 ? true : undefined));
    await c.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "web-green", LaunchTemplate: { LaunchTemplateId: templateId, Version: String(slow.LaunchTemplateVersion!.VersionNumber) }, DesiredCapacity: 1 }),
    );
    await eventually("slow green healthy", async () => ((await healthOf("web-green")).some((d) => d.TargetHealth?.State === "healthy") ? true : undefined));
    await c.elb.send(
      new ModifyListenerCommand({
        ListenerArn: sandbox.environment.listenerArn,
        DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: sandbox.environment.targetGroups["web-green"]!, Weight: 1 }] } }],
      }),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const inFlight = Array.from({ length: 20 }, () => send(`${sandbox.environment.listenerUrl}/`, { agent }));
    await eventually("20 requests in flight", () => {
      const inFlight = sandbox.state().loadBalancers[0]!.listeners[0]!.inFlight;
      return Object.values(inFlight).reduce((a, b) => a + b, 0) === 20 ? true : undefined;
    });
    await c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "web-green", DesiredCapacity: 0 }));
    const draining = await eventually("target draining", async () => {
      const h = await healthOf("web-green");
      return h.some((d) => d.TargetHealth?.State === "draining") ? h : undefined;
    });
    expect(draining[0]!.TargetHealth?.Reason).toBe("Target.DeregistrationInProgress");
    const replies = await Promise.all(inFlight);
    agent.destroy();
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(replies.map((r) => r.headers["x-sandbox-version"]))).toEqual(new Set(["slow"]));
    const terminated = await eventually("green terminated", async () => ((await group("web-green")).Instances!.length === 0 ? true : undefined));
    expect(terminated).toBe(true);
    const activity = (await c.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: "web-green", MaxRecords: 1 }))).Activities![0]!;
    expect(activity).toMatchObject({ StatusCode: "Successful" });
    expect(activity.Description).toMatch(/^Terminating EC2 instance: i-/);
  });

  it("replaces instances of a release that crashes after boot (v5), with an activity for each", async () => {
    // No draining from here on: terminations finish at once.
    await c.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: sandbox.environment.targetGroups["web-green"]!, Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "0" }] }));
    const templateId = sandbox.environment.launchTemplates["web-green"]!;
    const crashing = await c.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: templateId, SourceVersion: "1", LaunchTemplateData: { ImageId: RELEASE_IMAGES.v5 } }));
    await c.asg.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "web-green", LaunchTemplate: { LaunchTemplateId: templateId, Version: String(crashing.LaunchTemplateVersion!.VersionNumber) }, DesiredCapacity: 1 }),
    );
    const activities = await eventually("a crashed v5 instance replaced", async () => {
      const all = (await c.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: "web-green" }))).Activities!;
      const crashed = all.find((a) => a.Description?.startsWith("Terminating") && a.Cause?.includes("EC2 instance status check failure"));
      // The replacement may start in the same millisecond as the termination: timestamps on the wire have ms precision.
      return crashed && all.filter((a) => a.Description?.startsWith("Launching") && a.StartTime! >= crashed.StartTime!).length > 0 ? all : undefined;
    });
    const termination = activities.find((a) => a.Description?.startsWith("Terminating") && a.Cause?.includes("EC2 instance status check failure"))!;
    const replacement = activities.filter((a) => a.Description?.startsWith("Launching") && a.StartTime! >= termination.StartTime!).at(-1)!;
    // The replacement's launch cites why the capacity dropped.
    expect(replacement.Cause).toContain("in response to an EC2 instance status check failure");
    expect(replacement.Cause).toContain("increasing the capacity from 0 to 1");
    await c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "web-green", DesiredCapacity: 0 }));
    await eventually("green empty again", async () => ((await group("web-green")).Instances!.length === 0 ? true : undefined));
  });

  it("records every weight change with each group's healthy count", () => {
    const history = sandbox.state().weightHistory;
    expect(history.length).toBeGreaterThanOrEqual(2);
    const last = history.at(-1)!;
    expect(last.groups).toEqual([expect.objectContaining({ name: "web-green", weight: 1, healthy: 1 })]);
    expect(history[0]!.groups.map((g) => [g.name, g.weight])).toEqual([
      ["web-blue", 1],
      ["web-green", 0],
    ]);
  });

  it("changes a release's behaviour live: an unhealthy release fails its health checks", async () => {
    sandbox.setRelease(RELEASE_IMAGES.v1, { health: { path: "/health", status: 503, body: { status: "broken" } } });
    // Blue is not in use while the listener forwards only to green: its targets report unused.
    expect((await healthOf("web-blue")).map((d) => d.TargetHealth?.Reason)).toEqual(["Target.NotInUse", "Target.NotInUse"]);
    await c.elb.send(
      new ModifyListenerCommand({
        ListenerArn: sandbox.environment.listenerArn,
        DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: sandbox.environment.targetGroups["web-blue"]!, Weight: 1 }] } }],
      }),
    );
    const h = await eventually("blue unhealthy with the release's 503", async () => {
      const now = await healthOf("web-blue");
      return now.every((d) => d.TargetHealth?.State === "unhealthy") && now.some((d) => d.TargetHealth?.Reason === "Target.ResponseCodeMismatch") ? now : undefined;
    });
    expect(h.find((d) => d.TargetHealth?.Reason === "Target.ResponseCodeMismatch")!.TargetHealth?.Description).toContain("503");
    sandbox.setRelease(RELEASE_IMAGES.v1, { health: { path: "/health", status: 200, body: { status: "ok" } } });
    await eventually("blue healthy again", async () => ((await healthOf("web-blue")).every((d) => d.TargetHealth?.State === "healthy") ? true : undefined));
    expect(() => sandbox.setRelease("ami-0123456789abcdef0", { errorRate: 0.5 })).toThrow(/new image id needs a full behaviour/);
  });
});
