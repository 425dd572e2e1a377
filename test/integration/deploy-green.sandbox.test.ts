/**
 * deploy-green end to end: the real adapters and the unmodified AWS SDK against the loopback sandbox
 * (Auto Scaling launching instances that serve HTTP, ELB health checks, EC2 launch templates).
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import { DescribeListenersCommand, DescribeTagsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AwsClients, CallCounter } from "../../src/adapters/aws/clients";
import { createPorts } from "../../src/adapters/aws/factory";
import { ElbV2LockRules } from "../../src/adapters/aws/elbv2-lock-rules";
import { deployGreen, type DeployGreenRequest } from "../../src/domain/deploy-green";
import { parseLockTags } from "../../src/domain/lock-format";
import { TAG } from "../../src/domain/tags";
import { systemClock } from "../../src/util/clock";
import { RELEASE_IMAGES } from "../../sandbox/aws";
import { defaultConfig, type Sandbox, startSandbox } from "../../sandbox/aws";
import { startStage } from "../../sandbox/harness";

let sandbox: Sandbox;
let destroy: () => void;
let clients: AwsClients;

/** The environment's deployment lock, as its listener rule's tags have it. */
async function lockOf() {
  const found = await new ElbV2LockRules(() => clients.elbv2()).find(sandbox.environment.listenerArn, 50_000);
  return found && parseLockTags(found.tags, found.ruleArn);
}

beforeEach(async () => {
  // The test reads back the tags the step just wrote: no tag read lag here (the suite is held to it in e2e).
  sandbox = await startSandbox({ config: { ...defaultConfig(), tagReadLagMs: 0 }, timeScale: 40, seed: 7 });
  const config = { endpoint: sandbox.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 3 };
  const elb = new ElasticLoadBalancingV2Client(config);
  const asg = new AutoScalingClient(config);
  const ec2 = new EC2Client(config);
  clients = {
    calls: new CallCounter(),
    elbv2: async () => elb,
    autoScaling: async () => asg,
    cloudWatch: async () => {
      throw new Error("deploy-green does not use CloudWatch");
    },
    ec2: async () => ec2,
  };
  destroy = () => [elb, asg, ec2].forEach((c) => c.destroy());
});

afterEach(async () => {
  destroy();
  await sandbox.close();
});

function request(overrides: Partial<DeployGreenRequest>): DeployGreenRequest {
  return {
    environment: { kind: "tags", tags: { environment: "sandbox", service: "web" } },
    version: "v2",
    minHealthy: { kind: "percent", value: 100 },
    timeoutMs: 60_000,
    deploymentId: "42-1",
    dryRun: false,
    lockTtlMs: 3600_000,
    ...overrides,
  };
}

async function deploy(overrides: Partial<DeployGreenRequest>) {
  const logs: string[] = [];
  const ports = createPorts(clients);
  const run = () => deployGreen(request(overrides), { ports, clock: systemClock, random: Math.random, log: (l) => logs.push(l), run: { lockOwner: "octo/web/actions/runs/42", sha: "0123abcd" } });
  return { run, logs };
}

async function listenerWeights(): Promise<number[]> {
  const elb = await clients.elbv2();
  const out = await elb.send(new DescribeListenersCommand({ ListenerArns: [sandbox.environment.listenerArn] }));
  return out.Listeners![0]!.DefaultActions![0]!.ForwardConfig!.TargetGroups!.map((g) => g.Weight ?? 0);
}

async function tagsOf(arn: string): Promise<Record<string, string>> {
  const elb = await clients.elbv2();
  const out = await elb.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
  return Object.fromEntries((out.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key!, t.Value!]));
}

describe("deploy-green against the sandbox", () => {
  it("deploys an image to the idle group through a new launch template version, found by tags", async () => {
    const greenArn = sandbox.environment.targetGroups["web-green"]!;
    const { run, logs } = await deploy({ imageId: RELEASE_IMAGES.v2 });

    const result = await run();

    expect(result.slot.name).toBe("green");
    expect(result.launchTemplate).toMatchObject({ created: true, imageBefore: RELEASE_IMAGES.v1, imageAfter: RELEASE_IMAGES.v2, after: { version: "2" } });
    expect(result.instances).toHaveLength(2);
    const asg = await clients.autoScaling();
    const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web-green"] }))).AutoScalingGroups![0]!;
    expect(group.LaunchTemplate?.Version).toBe("2");
    expect(group.DesiredCapacity).toBe(2);
    expect(group.Instances!.filter((i) => i.LifecycleState === "InService").map((i) => i.LaunchTemplate?.Version)).toEqual(["2", "2"]);
    expect(group.Tags).toContainEqual(expect.objectContaining({ Key: TAG.role, Value: "candidate", PropagateAtLaunch: false }));
    expect(group.SuspendedProcesses).toEqual([]);
    const health = await (await clients.elbv2()).send(new DescribeTargetHealthCommand({ TargetGroupArn: greenArn }));
    expect(health.TargetHealthDescriptions!.map((d) => d.TargetHealth?.State)).toEqual(["healthy", "healthy"]);
    expect(await tagsOf(greenArn)).toMatchObject({ [TAG.role]: "candidate", [TAG.version]: "v2", [TAG.deploymentId]: "42-1", [TAG.sha]: "0123abcd" });
    // Left parked for the run's shift-traffic, on a listener rule that routes nothing.
    expect(await lockOf()).toMatchObject({ run: "octo/web/actions/runs/42", state: "parked" });
    expect(await listenerWeights()).toEqual([1, 0]);
    expect(logs.some((l) => l.includes("Created version 2 of launch template"))).toBe(true);
    expect(sandbox.calls().filter((c) => /^Modify(Listener|Rule)$/.test(c.operation))).toEqual([]);
  });

  it("fails on a release whose health check returns 503, naming the targets and the reason, releasing the lock", async () => {
    const { run } = await deploy({ environment: { kind: "listener", arn: sandbox.environment.listenerArn }, imageId: RELEASE_IMAGES.v4, version: "v4", timeoutMs: 6_000 });

    const error = await run().catch((e: unknown) => e);

    const message = (error as Error).message;
    expect(message).toMatch(/^deploy-green failed on slot green \(web-green\): 0 of 2 new instances of web-green became InService and healthy in web-green within 6s\./);
    expect(message).toContain("unhealthy (Target.ResponseCodeMismatch");
    expect(message).toContain("The listener was not changed: all traffic stays on blue (web-blue)");
    expect(await lockOf()).toBeUndefined();
    expect(await listenerWeights()).toEqual([1, 0]);
    const asg = await clients.autoScaling();
    const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["web-green"] }))).AutoScalingGroups![0]!;
    expect(group.SuspendedProcesses).toEqual([]);
  });

  it("makes no write call at all in a dry run", async () => {
    sandbox.resetCalls();
    const { run } = await deploy({ imageId: RELEASE_IMAGES.v2, dryRun: true });

    const result = await run();

    expect(result.dryRun).toBe(true);
    const operations = [...new Set(sandbox.calls().map((c) => c.operation))].sort();
    expect(operations.every((op) => /^Describe/.test(op))).toBe(true);
    expect(operations).toContain("DescribeLaunchTemplateVersions");
  });
});

describe("deploy-green under load", () => {
  it("deploys to the idle slot twice while the live slot serves every request", async () => {
    // The suite's sandbox is replaced by a stage with load on the listener for this test.
    destroy();
    await sandbox.close();
    const stage = await startStage({ rps: 60, seed: 11 });
    sandbox = stage.sandbox;
    const config = { endpoint: sandbox.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 3 };
    const elb = new ElasticLoadBalancingV2Client(config);
    const asg = new AutoScalingClient(config);
    const ec2 = new EC2Client(config);
    clients = { calls: new CallCounter(), elbv2: async () => elb, autoScaling: async () => asg, ec2: async () => ec2, cloudWatch: async () => Promise.reject(new Error("unused")) };
    destroy = () => [elb, asg, ec2].forEach((c) => c.destroy());
    try {
      const listener = { kind: "listener" as const, arn: sandbox.environment.listenerArn };
      await (await deploy({ environment: listener, imageId: RELEASE_IMAGES.v2 })).run();
      const second = await (await deploy({ environment: listener, imageId: RELEASE_IMAGES.v3, version: "v3" })).run();
      expect(second.replaced).toHaveLength(2);
    } finally {
      const report = (await stage.close())!;
      expect(report.failed, JSON.stringify(report.byStatus)).toBe(0);
      expect(report.total).toBeGreaterThan(50);
      expect(Object.keys(report.byVersion)).toEqual(["v1"]);
    }
  });
});
