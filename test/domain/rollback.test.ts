import { describe, expect, it } from "vitest";
import { rollback, type RollbackOptions } from "../../src/domain/rollback";
import { TAG } from "../../src/domain/tags";
import { ManualClock } from "../../src/util/clock";
import { ConfigurationError, SafetyError } from "../../src/util/errors";
import { BLUE_ARN, FakeElb, GREEN_ARN, LISTENER_ARN, unhealthy } from "../support/fake-elb";
import { FakeFleet } from "../support/fake-fleet";
import { rollbackOptions } from "../support/rollback-options";

type Phase = "canary" | "promoted-scaled-in" | "promoted-warm" | "steady-no-previous";

function setup(phase: Phase) {
  const clock = new ManualClock();
  const fleet = new FakeFleet(clock);
  const elb = new FakeElb();
  const logs: string[] = [];
  const warnings: string[] = [];
  if (phase === "canary") {
    fleet.addGroup({ name: "web-blue", running: 3, targetGroupArns: [BLUE_ARN] });
    fleet.addGroup({ name: "web-green", running: 3, targetGroupArns: [GREEN_ARN] });
    elb.groups = [
      { targetGroupArn: BLUE_ARN, weight: 900 },
      { targetGroupArn: GREEN_ARN, weight: 100 },
    ];
    elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "stable", [TAG.version]: "v1" });
    elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "candidate", [TAG.version]: "v2" });
  } else {
    fleet.addGroup({ name: "web-blue", running: phase === "promoted-scaled-in" ? 0 : 2, targetGroupArns: [BLUE_ARN] });
    fleet.addGroup({ name: "web-green", running: 3, targetGroupArns: [GREEN_ARN] });
    elb.groups = [
      { targetGroupArn: BLUE_ARN, weight: 0 },
      { targetGroupArn: GREEN_ARN, weight: 1 },
    ];
    elb.resourceTags.set(BLUE_ARN, { [TAG.role]: phase === "steady-no-previous" ? "candidate" : "previous", [TAG.version]: "v1" });
    elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "stable", [TAG.version]: "v2" });
  }
  elb.healthOf.set(BLUE_ARN, () => fleet.targetsOf(BLUE_ARN));
  elb.healthOf.set(GREEN_ARN, () => fleet.targetsOf(GREEN_ARN));
  const deps = {
    ports: { router: elb, tags: elb.tags, locks: elb.locks, targetGroups: elb, discovery: elb, fleet: async () => fleet },
    clock,
    random: () => 0.5,
    log: (l: string) => logs.push(l),
    warn: (l: string) => warnings.push(l),
  };
  return { clock, fleet, elb, deps, logs, warnings };
}

function options(overrides: Partial<RollbackOptions> = {}): RollbackOptions {
  return rollbackOptions({ reason: "p99 doubled after release", actor: "oncall-alice", ...overrides });
}

describe("rollback", () => {
  it("puts 100% back on the stable slot mid-canary, verified, and tags both slots", async () => {
    const { elb, deps } = setup("canary");
    const result = await rollback(options(), deps);
    expect(elb.groups.find((g) => g.targetGroupArn === BLUE_ARN)!.weight).toBe(1);
    expect(elb.groups.find((g) => g.targetGroupArn === GREEN_ARN)!.weight).toBe(0);
    expect(elb.calls.map((c) => c.op).lastIndexOf("read")).toBeGreaterThan(elb.calls.map((c) => c.op).indexOf("setWeights"));
    expect(result.fromVersion).toBe("v2");
    expect(result.toVersion).toBe("v1");
    expect(elb.tagsOf(BLUE_ARN)).toMatchObject({ [TAG.role]: "stable", [TAG.rolledBackFrom]: "v2", [TAG.reason]: "p99 doubled after release - by oncall-alice" });
    expect(elb.tagsOf(GREEN_ARN)[TAG.role]).toBe("failed");
  });

  it("turns stickiness off with the restore, so clients holding a cookie for the bad slot move at once", async () => {
    const { elb, deps, logs } = setup("canary");
    elb.stickiness = { enabled: true, durationSeconds: 3600 };
    await rollback(options(), deps);
    expect(elb.groups.find((g) => g.targetGroupArn === GREEN_ARN)!.weight).toBe(0);
    expect(elb.stickiness).toEqual({ enabled: false });
    expect(logs.join("\n")).toContain("Stickiness turned off on the forward action, so clients holding a cookie for green moved at once");
  });

  it("takes over a deployment lock held by another run, then releases it", async () => {
    const { elb, deps, clock } = setup("canary");
    elb.resourceTags.set(LISTENER_ARN, { [TAG.lock]: `owner=org/repo/actions/runs/3;expires=${new Date(clock.now() + 3_600_000).toISOString()}` });
    const result = await rollback(options(), deps);
    expect(result.tookOverLockFrom?.owner).toBe("org/repo/actions/runs/3");
    expect(elb.lockHolder()).toBeUndefined();
  });

  it("after promotion, scales the scaled-in previous slot back up and waits until healthy before moving any traffic", async () => {
    const { elb, fleet, deps } = setup("promoted-scaled-in");
    let healthyAtWrite = -1;
    elb.onWrite = () => {
      healthyAtWrite = fleet.targetsOf(BLUE_ARN).filter((t) => t.state === "healthy").length;
    };
    const result = await rollback(options(), deps);
    expect(fleet.capacityChanges.find((c) => c.name === "web-blue")?.change.desiredCapacity).toBe(3);
    expect(healthyAtWrite).toBe(3);
    expect(result.scaledUp?.asg).toBe("web-blue");
    expect(elb.groups.find((g) => g.targetGroupArn === BLUE_ARN)!.weight).toBe(1);
    expect(result.toVersion).toBe("v1");
  });

  it("moves at once when the previous fleet is warm (no scaling)", async () => {
    const { fleet, deps } = setup("promoted-warm");
    const result = await rollback(options(), deps);
    expect(fleet.capacityChanges).toEqual([]);
    expect(result.scaledUp).toBeUndefined();
  });

  it("fails loudly and leaves traffic where it is when the good slot cannot become healthy in time", async () => {
    const { elb, fleet, deps } = setup("promoted-scaled-in");
    fleet.script = () => ({ health: { state: "unhealthy", reason: "Target.ResponseCodeMismatch", description: "Health checks failed with these codes: [503]" } });
    const error = await rollback(options({ timeoutMs: 120_000 }), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect(String(error)).toContain("traffic was left where it is");
    expect(String(error)).toContain("Target.ResponseCodeMismatch");
    expect(elb.count("setWeights")).toBe(0);
    expect(elb.groups.find((g) => g.targetGroupArn === GREEN_ARN)!.weight).toBe(1);
  });

  it("refuses and leaves traffic where it is when the good slot is unhealthy and no Auto Scaling group feeds it", async () => {
    const { elb, clock, deps } = setup("canary");
    // Blue's targets were registered by hand: there is no group to scale up.
    const bare = new FakeFleet(clock);
    bare.addGroup({ name: "web-green", running: 3, targetGroupArns: [GREEN_ARN] });
    deps.ports.fleet = async () => bare;
    elb.healthOf.set(BLUE_ARN, unhealthy(2));
    const error = await rollback(options(), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect(String(error)).toContain("no Auto Scaling group feeds web-blue");
    expect(elb.count("setWeights")).toBe(0);
    expect(elb.groups.find((g) => g.targetGroupArn === GREEN_ARN)!.weight).toBe(100);
  });

  it("changes nothing when the live slot is already the last known good one, and says so", async () => {
    const { elb, fleet, deps, logs } = setup("steady-no-previous");
    const result = await rollback(options(), deps);
    expect(result.alreadyThere).toBe(true);
    expect(result.good.name).toBe("green");
    expect(logs.join("\n")).toContain("Nothing to roll back: green (v2) is the last known good slot");
    expect(elb.count("setWeights")).toBe(0);
    // The only writes: the lock rule, taken and given back.
    expect(elb.calls.filter((c) => c.op === "writeTags" || c.op === "removeTags")).toEqual([]);
    expect(elb.calls.filter((c) => ["createRule", "tagRule", "deleteRule"].includes(c.op)).map((c) => c.op)).toEqual(["createRule", "deleteRule"]);
    expect(fleet.writes()).toEqual([]);
  });

  it("preempts another run's live lock rule, then releases it", async () => {
    const { elb, deps, clock } = setup("canary");
    elb.holdLock({ run: "org/repo/actions/runs/3", job: "deploy", expiresAt: new Date(clock.now() + 3_600_000) });
    const result = await rollback(options(), deps);
    expect(result.tookOverLockFrom).toMatchObject({ run: "org/repo/actions/runs/3", job: "deploy" });
    expect(elb.locks.current()).toEqual([]);
  });

  it("takes over a running deployment's lock even when there is nothing to roll back, so that deployment stops", async () => {
    const { elb, deps, clock } = setup("steady-no-previous");
    elb.resourceTags.set(LISTENER_ARN, { [TAG.lock]: `owner=org/repo/actions/runs/5;expires=${new Date(clock.now() + 3_600_000).toISOString()}` });
    const result = await rollback(options(), deps);
    expect(result.alreadyThere).toBe(true);
    expect(result.tookOverLockFrom?.owner).toBe("org/repo/actions/runs/5");
    expect(elb.lockHolder()).toBeUndefined();
  });

  it("rolls back to the slot of a given version, and lists the versions when none matches", async () => {
    const a = setup("steady-no-previous");
    const result = await rollback(options({ toVersion: "v1" }), a.deps);
    expect(result.good.name).toBe("blue");
    const b = setup("steady-no-previous");
    const error = await rollback(options({ toVersion: "v9" }), b.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String(error)).toContain("blue=v1, green=v2");
  });

  it("finishes an interrupted promotion backwards: candidate at 100%, stable at 0%", async () => {
    const { elb, deps } = setup("canary");
    elb.groups = [
      { targetGroupArn: BLUE_ARN, weight: 0 },
      { targetGroupArn: GREEN_ARN, weight: 1 },
    ];
    const result = await rollback(options(), deps);
    expect(result.phaseBefore).toBe("promoting");
    expect(result.good.name).toBe("blue");
    expect(elb.groups.find((g) => g.targetGroupArn === BLUE_ARN)!.weight).toBe(1);
  });

  it("recovers from inconsistent tags by choosing the one slot tagged stable", async () => {
    const { elb, deps } = setup("canary");
    elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "previous", [TAG.version]: "v2" });
    elb.groups = [
      { targetGroupArn: BLUE_ARN, weight: 0 },
      { targetGroupArn: GREEN_ARN, weight: 1 },
    ];
    const result = await rollback(options(), deps);
    expect(result.phaseBefore).toBe("inconsistent");
    expect(result.good.name).toBe("blue");
    expect(elb.groups.find((g) => g.targetGroupArn === BLUE_ARN)!.weight).toBe(1);
  });

  it("changes nothing in a dry run", async () => {
    const { elb, fleet, deps } = setup("promoted-scaled-in");
    const result = await rollback(options({ dryRun: true }), deps);
    expect(result.planLines[0]).toContain("web-blue: min 0, desired 0, max 10 → min 0, desired 3, max 10");
    expect(elb.calls.filter((c) => ["setWeights", "writeTags", "removeTags"].includes(c.op))).toEqual([]);
    expect(fleet.writes()).toEqual([]);
  });

  it("scales the bad slot in after its deregistration delay when asked", async () => {
    const { elb, fleet, deps } = setup("canary");
    elb.deregistrationDelay.set(GREEN_ARN, 20);
    const result = await rollback(options({ scaleInBad: true }), deps);
    expect(result.scaledIn).toEqual({ asg: "web-green", fromCapacity: 3 });
    expect(fleet.capacityChanges.find((c) => c.name === "web-green")?.change).toEqual({ minSize: 0, desiredCapacity: 0 });
  });
});
