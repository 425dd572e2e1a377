/**
 * Instance refresh, one test per documented semantic (docs/FIDELITY.md, "Instance refresh"): batches
 * kept within Min/MaxHealthyPercentage, InstanceWarmup, checkpoints and their delay, SkipMatching,
 * BakeTime, AlarmSpecification, AutoRollback and its limits, manual rollback and cancel, the status
 * values and PercentageComplete, draining before termination, standby and scale-in protected instances.
 */
import {
  CancelInstanceRefreshCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  DescribeScalingActivitiesCommand,
  type InstanceRefresh,
  type RefreshPreferences,
  RollbackInstanceRefreshCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig, RELEASE_IMAGES, type SandboxConfig } from "../../../aws/config";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, eventually, failure } from "../api/clients";

const GROUP = "web-blue";

/** Blue: 4 instances (10 for the capacity tests) on version 1 (v1) of its template, version 2 is v2. */
function config(desired: number, groupVersion = "1"): SandboxConfig {
  const base = defaultConfig();
  return {
    ...base,
    // The test polls the refresh every few milliseconds: more than Auto Scaling's Describe bucket allows (api/throttle.test.ts).
    apiThrottling: { enabled: false },
    targetGroups: base.targetGroups!.map((t) => ({ ...t, deregistrationDelaySeconds: 4 })),
    launchTemplates: base.launchTemplates!.map((t) =>
      t.name === GROUP ? { ...t, versions: [...t.versions!, { imageId: RELEASE_IMAGES.v2, instanceType: "t3.micro", description: "v2" }] } : t,
    ),
    autoScalingGroups: base.autoScalingGroups!.map((g) => (g.name === GROUP ? { ...g, desiredCapacity: desired, maxSize: 20, launchTemplate: { name: GROUP, version: groupVersion } } : g)),
  };
}

let sandbox: Sandbox | undefined;
let c: ReturnType<typeof clientsFor>;
afterEach(async () => {
  c?.destroy();
  await sandbox?.close();
  sandbox = undefined;
});

async function start(desired: number, options: { groupVersion?: string; timeScale?: number } = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ config: config(desired, options.groupVersion), timeScale: options.timeScale ?? 100, seed: 7 });
  c = clientsFor(sandbox);
  await eventually(`${desired} blue instances healthy`, () => (sandbox!.state().targetGroups.find((t) => t.name === GROUP)!.healthy === desired ? true : undefined), 15_000);
  return sandbox;
}

const templateId = () => sandbox!.environment.launchTemplates[GROUP]!;
const toV2 = { LaunchTemplate: { LaunchTemplateId: "", Version: "2" } };
const desiredV2 = () => ({ LaunchTemplate: { ...toV2.LaunchTemplate, LaunchTemplateId: templateId() } });

function refreshWith(preferences: RefreshPreferences, desired: boolean = true) {
  return c.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: GROUP, ...(desired ? { DesiredConfiguration: desiredV2() } : {}), Preferences: preferences }));
}

async function latest(): Promise<InstanceRefresh> {
  return (await c.asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: GROUP }))).InstanceRefreshes![0]!;
}

const until = (label: string, ok: (r: InstanceRefresh) => boolean, timeoutMs = 20_000) => eventually(label, async () => ((r) => (ok(r) ? r : undefined))(await latest()), timeoutMs);

/** An alarm that goes into ALARM at its first evaluation: no data on its metric, and missing data breaches. */
const breachingAlarm = () =>
  c.cw.send(
    new PutMetricAlarmCommand({ AlarmName: "canary-5xx", Namespace: "Sandbox/Test", MetricName: "Unpublished", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "breaching" }),
  );

/** The group's instances now: InService and Healthy, serving (Pending or InService), and by release. */
function census() {
  const state = sandbox!.state();
  const ids = new Set(state.autoScalingGroups.find((g) => g.name === GROUP)!.instances);
  const mine = state.instances.filter((i) => ids.has(i.id));
  const inService = mine.filter((i) => i.lifecycle === "InService" && i.health === "Healthy");
  return {
    inService: inService.length,
    serving: mine.filter((i) => i.lifecycle === "InService" || i.lifecycle === "Pending").length,
    v1InService: inService.filter((i) => i.release === "v1").length,
    releases: mine.filter((i) => i.lifecycle !== "Terminated").map((i) => `${i.release}:${i.lifecycle}`).sort(),
  };
}

/** Samples the census every 10 ms while `work` runs. */
async function watching<T>(work: () => Promise<T>): Promise<{ value: T; minInService: number; maxServing: number }> {
  let minInService = Infinity;
  let maxServing = 0;
  const timer = setInterval(() => {
    const now = census();
    minInService = Math.min(minInService, now.inService);
    maxServing = Math.max(maxServing, now.serving);
  }, 10);
  try {
    return { value: await work(), minInService, maxServing };
  } finally {
    clearInterval(timer);
  }
}

describe("instance refresh", () => {
  it("MinHealthyPercentage 90 with checkpoints 10/50/100: pauses at each with PercentageComplete, never below 9 of 10 in service, then applies the desired configuration", async () => {
    await start(10);
    const watched = await watching(async () => {
      await refreshWith({ MinHealthyPercentage: 90, CheckpointPercentages: [10, 50, 100], CheckpointDelay: 60, InstanceWarmup: 0 });
      const first = await until("the 10% checkpoint", (r) => /Checkpoint 10%/.test(r.StatusReason ?? ""));
      expect(first).toMatchObject({ Status: "InProgress", PercentageComplete: 10, InstancesToUpdate: 9 });
      expect(census().releases.filter((r) => r.startsWith("v2"))).toEqual(["v2:InService"]);
      const second = await until("the 50% checkpoint", (r) => /Checkpoint 50%/.test(r.StatusReason ?? ""));
      expect(second).toMatchObject({ PercentageComplete: 50, InstancesToUpdate: 5 });
      return until("Successful", (r) => r.Status === "Successful", 30_000);
    });
    expect(watched.value).toMatchObject({ PercentageComplete: 100, InstancesToUpdate: 0, EndTime: expect.any(Date) });
    expect(watched.minInService).toBeGreaterThanOrEqual(9);
    expect(watched.maxServing).toBeLessThanOrEqual(10);
    const group = (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [GROUP] }))).AutoScalingGroups![0]!;
    expect(group.LaunchTemplate?.Version).toBe("2");
    await eventually("the last replaced instance gone", () => (census().releases.every((r) => r === "v2:InService") ? true : undefined));
    expect(census().releases).toEqual(Array(10).fill("v2:InService"));
  }, 60_000);

  it("MaxHealthyPercentage 110 with MinHealthyPercentage 100 launches before it terminates: 10 in service throughout, 11 at most", async () => {
    await start(10);
    const watched = await watching(async () => {
      await refreshWith({ MinHealthyPercentage: 100, MaxHealthyPercentage: 110, InstanceWarmup: 0 });
      return until("Successful", (r) => r.Status === "Successful", 40_000);
    });
    expect(watched.minInService).toBeGreaterThanOrEqual(10);
    expect(watched.maxServing).toBe(11);
    // The last instance replaced may still be draining when the refresh reports Successful.
    await eventually("the last replaced instance gone", () => (census().releases.every((r) => r === "v2:InService") ? true : undefined));
    expect(census().releases).toEqual(Array(10).fill("v2:InService"));
  }, 60_000);

  it("refuses preferences AWS refuses: Min/Max more than 100 apart, CheckpointDelay without checkpoints, unordered checkpoints, values out of range", async () => {
    await start(2);
    expect((await failure(refreshWith({ MinHealthyPercentage: 0, MaxHealthyPercentage: 150 }))).name).toBe("ValidationError");
    expect((await failure(refreshWith({ CheckpointDelay: 30 }))).message).toMatch(/CheckpointDelay requires CheckpointPercentages/);
    expect((await failure(refreshWith({ CheckpointPercentages: [50, 20, 100] }))).message).toMatch(/ascending/);
    expect((await failure(refreshWith({ MaxHealthyPercentage: 99 }))).name).toBe("ValidationError");
  });

  it("InstanceWarmup: a new instance counts toward PercentageComplete only once warmed up", async () => {
    await start(2);
    // 20 sandbox seconds of warm-up (0.2 s real) after InService.
    await refreshWith({ MinHealthyPercentage: 50, InstanceWarmup: 20, CheckpointPercentages: [50, 100], CheckpointDelay: 3600 });
    const inService = await eventually("a v2 instance InService", () => (census().releases.includes("v2:InService") ? Date.now() : undefined));
    expect((await latest()).PercentageComplete).toBe(0);
    const reached = await until("the 50% checkpoint", (r) => r.PercentageComplete === 50);
    expect(Date.now() - inService).toBeGreaterThanOrEqual(150);
    expect(reached.Status).toBe("InProgress");
  });

  it("SkipMatching skips instances already on the desired configuration; without it every instance is replaced", async () => {
    await start(2, { groupVersion: "2" });
    const before = sandbox!.state().autoScalingGroups.find((g) => g.name === GROUP)!.instances.sort();
    await refreshWith({ SkipMatching: true });
    expect((await until("Successful", (r) => r.Status === "Successful")).InstancesToUpdate).toBe(0);
    expect(sandbox!.state().autoScalingGroups.find((g) => g.name === GROUP)!.instances.sort()).toEqual(before);
    await refreshWith({ SkipMatching: false, MinHealthyPercentage: 50, InstanceWarmup: 0 });
    await until("Successful", (r) => r.Status === "Successful");
    const after = sandbox!.state().autoScalingGroups.find((g) => g.name === GROUP)!.instances;
    expect(after.filter((id) => before.includes(id))).toEqual([]);
  });

  it("BakeTime: Baking after the last instance, then Successful", async () => {
    await start(2);
    await refreshWith({ MinHealthyPercentage: 50, InstanceWarmup: 0, BakeTime: 60 });
    const baking = await until("Baking", (r) => r.Status === "Baking");
    expect(baking.PercentageComplete).toBe(100);
    await until("Successful", (r) => r.Status === "Successful");
  });

  it("AlarmSpecification without AutoRollback: an alarm in ALARM fails the refresh and leaves the replaced instances", async () => {
    await start(4);
    await refreshWith({ MinHealthyPercentage: 75, InstanceWarmup: 0, CheckpointPercentages: [25, 100], CheckpointDelay: 3600, AlarmSpecification: { Alarms: ["canary-5xx"] } });
    await until("the 25% checkpoint", (r) => r.PercentageComplete === 25);
    await breachingAlarm();
    const failed = await until("Failed", (r) => r.Status === "Failed");
    expect(failed.StatusReason).toMatch(/canary-5xx went into ALARM/);
    expect(census().releases.filter((r) => r.startsWith("v2"))).toEqual(["v2:InService"]);
  });

  it("AutoRollback: refused without a desired configuration or with $Latest; an alarm rolls back to the previous version (RollbackInProgress → RollbackSuccessful, PercentageComplete back to 0)", async () => {
    await start(4);
    expect((await failure(refreshWith({ AutoRollback: true }, false))).message).toMatch(/AutoRollback is not supported/);
    const latestDesired = { LaunchTemplate: { LaunchTemplateId: templateId(), Version: "$Latest" } };
    expect((await failure(c.asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: GROUP, DesiredConfiguration: latestDesired, Preferences: { AutoRollback: true } })))).message).toMatch(/\$Latest/);
    await refreshWith({ MinHealthyPercentage: 75, InstanceWarmup: 0, CheckpointPercentages: [50, 100], CheckpointDelay: 3600, AutoRollback: true, AlarmSpecification: { Alarms: ["canary-5xx"] } });
    await until("the 50% checkpoint", (r) => r.PercentageComplete === 50);
    await breachingAlarm();
    const rolling = await until("RollbackInProgress", (r) => r.Status === "RollbackInProgress");
    expect(rolling.RollbackDetails).toMatchObject({ PercentageCompleteOnRollback: 50, RollbackReason: expect.stringMatching(/canary-5xx/) });
    const done = await until("RollbackSuccessful", (r) => r.Status === "RollbackSuccessful");
    expect(done.PercentageComplete).toBe(0);
    await eventually("the replaced instances gone", () => (census().releases.every((r) => r === "v1:InService") ? true : undefined));
    expect(census().releases).toEqual(Array(4).fill("v1:InService"));
  });

  it("RollbackInstanceRefresh and CancelInstanceRefresh: ActiveInstanceRefreshNotFound with none running, InstanceRefreshInProgress for a second start, IrreversibleInstanceRefresh on $Default", async () => {
    await start(4);
    expect((await failure(c.asg.send(new RollbackInstanceRefreshCommand({ AutoScalingGroupName: GROUP })))).name).toBe("ActiveInstanceRefreshNotFoundFault");
    expect((await failure(c.asg.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: GROUP })))).name).toBe("ActiveInstanceRefreshNotFoundFault");
    await refreshWith({ MinHealthyPercentage: 75, InstanceWarmup: 0, CheckpointPercentages: [25, 100], CheckpointDelay: 3600 });
    expect((await failure(refreshWith({}))).name).toBe("InstanceRefreshInProgressFault");
    expect((await failure(c.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: GROUP, LaunchTemplate: { LaunchTemplateId: templateId(), Version: "1" } })))).message).toMatch(/active instance refresh/);
    await until("the 25% checkpoint", (r) => r.PercentageComplete === 25);
    await c.asg.send(new RollbackInstanceRefreshCommand({ AutoScalingGroupName: GROUP }));
    await until("RollbackSuccessful", (r) => r.Status === "RollbackSuccessful");
    await eventually("the replaced instances gone", () => (census().releases.every((r) => r === "v1:InService") ? true : undefined));
    expect(census().releases).toEqual(Array(4).fill("v1:InService"));
    // Cancel: the replaced instance stays on the new version, the group's configuration does not change.
    await refreshWith({ MinHealthyPercentage: 75, InstanceWarmup: 0, CheckpointPercentages: [25, 100], CheckpointDelay: 3600 });
    await until("the 25% checkpoint", (r) => r.PercentageComplete === 25);
    await c.asg.send(new CancelInstanceRefreshCommand({ AutoScalingGroupName: GROUP }));
    await until("Cancelled", (r) => r.Status === "Cancelled");
    expect(census().releases.filter((r) => r.startsWith("v2"))).toEqual(["v2:InService"]);
    await sandbox!.close();
    await start(2, { groupVersion: "$Default" });
    await refreshWith({ MinHealthyPercentage: 50, CheckpointPercentages: [50, 100], CheckpointDelay: 3600 });
    expect((await failure(c.asg.send(new RollbackInstanceRefreshCommand({ AutoScalingGroupName: GROUP })))).name).toBe("IrreversibleInstanceRefreshFault");
  }, 60_000);

  it("replaced instances drain from the target group (deregistration delay) before they terminate", async () => {
    await start(2);
    await refreshWith({ MinHealthyPercentage: 50, InstanceWarmup: 0 });
    await eventually("a target draining", () => (sandbox!.state().targetGroups.find((t) => t.name === GROUP)!.targets.some((t) => t.state === "draining") ? true : undefined));
    await until("Successful", (r) => r.Status === "Successful");
    const activities = (await c.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: GROUP }))).Activities!;
    const terminations = activities.filter((a) => a.Description?.startsWith("Terminating") && /instance refresh/.test(a.Cause ?? ""));
    expect(terminations).toHaveLength(2);
    expect(terminations.every((a) => a.StatusCode === "Successful")).toBe(true);
  });

  it("standby and scale-in protected instances: Ignore leaves them, Wait waits and fails after one hour", async () => {
    await start(3, { timeScale: 400 });
    const [standby, guarded] = sandbox!.state().autoScalingGroups.find((g) => g.name === GROUP)!.instances;
    sandbox!.setInstance(standby!, { standby: true });
    sandbox!.setInstance(guarded!, { protectedFromScaleIn: true });
    await refreshWith({ MinHealthyPercentage: 0, InstanceWarmup: 0, StandbyInstances: "Ignore", ScaleInProtectedInstances: "Ignore" });
    await until("Successful", (r) => r.Status === "Successful");
    const kept = sandbox!.state().instances.filter((i) => i.id === standby || i.id === guarded).map((i) => [i.release, i.lifecycle]);
    expect(kept).toEqual([["v1", "Standby"], ["v1", "InService"]]);
    await refreshWith({ MinHealthyPercentage: 0, InstanceWarmup: 0, StandbyInstances: "Ignore", ScaleInProtectedInstances: "Wait", SkipMatching: true });
    expect((await until("waiting", (r) => /Waiting for 1 instance/.test(r.StatusReason ?? ""))).Status).toBe("InProgress");
    // One sandbox hour is 9 real seconds at time scale 400.
    const failed = await until("Failed", (r) => r.Status === "Failed", 20_000);
    expect(failed.StatusReason).toMatch(/one hour/);
  }, 40_000);
});
