import { afterEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../src/adapters/aws/clients";
import type { Ports } from "../../src/adapters/aws/factory";
import { type DeployGreenPorts, type DeployGreenRequest, deployGreen } from "../../src/domain/deploy-green";
import { TAG } from "../../src/domain/tags";
import { run } from "../../src/actions/deploy-green/index";
import { RecordingIO } from "../../src/adapters/github/io";
import { deployGreenAction as deployGreenDefinition } from "../../src/actions/deploy-green/definition";
import { parseInputs } from "../../src/inputs/define";
import type { TargetHealthEntry } from "../../src/ports/load-balancer";
import { ManualClock } from "../../src/util/clock";
import { ConfigurationError, OperationalError, SafetyError } from "../../src/util/errors";
import { BLUE_ARN, FakeElb, GREEN_ARN, LISTENER_ARN } from "../support/fake-elb";
import { FakeFleet, FakeLaunchTemplates, type GroupSpec } from "../support/fake-fleet";

const OWNER = "octo/web/actions/runs/42";
const LT = { id: "lt-0123456789abcdef0", name: "web", version: "4" };
const IMAGES = ["ami-11111111", "ami-22222222", "ami-33333333", "ami-44444444", "ami-55555555"];

interface Options {
  blue?: Partial<GroupSpec>;
  green?: Partial<GroupSpec>;
  blueTags?: Record<string, string>;
  greenTags?: Record<string, string>;
  weights?: [number, number];
}

let current: { elb: FakeElb } | undefined;

function setup(options: Options = {}) {
  const clock = new ManualClock();
  const [blueWeight, greenWeight] = options.weights ?? [1, 0];
  const elb = new FakeElb(undefined, [
    { targetGroupArn: BLUE_ARN, weight: blueWeight },
    { targetGroupArn: GREEN_ARN, weight: greenWeight },
  ]);
  elb.resourceTags.set(BLUE_ARN, options.blueTags ?? { [TAG.role]: "stable", [TAG.version]: "v1" });
  elb.resourceTags.set(GREEN_ARN, options.greenTags ?? { [TAG.role]: "previous", [TAG.version]: "v0" });
  const fleet = new FakeFleet(clock);
  fleet.addGroup({ name: "web-blue", running: 3, minSize: 1, maxSize: 10, launchTemplate: { ...LT, version: "5" }, targetGroupArns: [BLUE_ARN], ...options.blue });
  fleet.addGroup({ name: "web-green", running: 2, minSize: 1, maxSize: 10, launchTemplate: { ...LT }, targetGroupArns: [GREEN_ARN], ...options.green });
  elb.healthOf.set(BLUE_ARN, () => fleet.targetsOf(BLUE_ARN));
  elb.healthOf.set(GREEN_ARN, () => fleet.targetsOf(GREEN_ARN));
  const templates = new FakeLaunchTemplates();
  templates.addTemplate(LT.id, LT.name, IMAGES, 4);
  let templatesBuilt = 0;
  const ports: DeployGreenPorts = {
    router: elb,
    tags: elb.tags,
    locks: elb.locks,
    targetGroups: elb,
    discovery: elb,
    fleet: async () => fleet,
    launchTemplates: async () => {
      templatesBuilt++;
      return templates;
    },
  };
  const logs: string[] = [];
  const deps = { ports, clock, random: () => 0.5, log: (line: string) => logs.push(line), run: { lockOwner: OWNER, sha: "0123abcd" } };
  const request: DeployGreenRequest = {
    environment: { kind: "listener", arn: LISTENER_ARN },
    version: "v2",
    launchTemplateVersion: "6",
    minHealthy: { kind: "percent", value: 100 },
    timeoutMs: 15 * 60_000,
    deploymentId: "42-1",
    dryRun: false,
    lockTtlMs: 2 * 3600_000,
  };
  current = { elb };
  return { clock, elb, fleet, templates, ports, logs, deps, request, templatesBuilt: () => templatesBuilt };
}

/** Rewrites green's target health by the time since all 3 new targets were first healthy. */
function afterServing(t: ReturnType<typeof setup>, change: (targets: TargetHealthEntry[], msSinceServed: number) => TargetHealthEntry[]): { at: () => number | undefined } {
  let servedAt: number | undefined;
  t.elb.healthOf.set(GREEN_ARN, () => {
    const targets = t.fleet.targetsOf(GREEN_ARN);
    if (servedAt === undefined && targets.length === 3 && targets.every((x) => x.state === "healthy")) servedAt = t.clock.now();
    return servedAt === undefined ? targets : change(targets, t.clock.now() - servedAt);
  });
  return { at: () => servedAt };
}

afterEach(() => {
  // Whatever happened, deploy-green never writes to the listener.
  if (current) {
    expect(current.elb.count("setWeights")).toBe(0);
    expect(current.elb.weightHistory).toEqual([]);
  }
  current = undefined;
});

function elbWrites(elb: FakeElb) {
  return elb.calls.filter((c) => ["setWeights", "writeTags", "removeTags"].includes(c.op));
}

/** What a rollback does to a deployment's lock: deletes its rule and creates its own. */
function takeOver(elb: FakeElb, run: string, now: number): void {
  for (const rule of elb.locks.current()) void elb.locks.remove(rule.arn);
  elb.holdLock({ run, expiresAt: new Date(now + 3_600_000) });
}

describe("deploy-green with a launch template version", () => {
  it("replaces the idle group's instances with the new version, waits until healthy, tags the slot and keeps the lock", async () => {
    const t = setup();
    const oldIds = t.fleet.groups.get("web-green")!.instances.map((i) => i.id);

    const result = await deployGreen(t.request, t.deps);

    const green = t.fleet.groups.get("web-green")!;
    expect(green.launchTemplate).toEqual({ ...LT, version: "6" });
    expect(t.fleet.capacityChanges).toEqual([
      { name: "web-green", change: { minSize: 0, maxSize: undefined, desiredCapacity: 0 } },
      { name: "web-green", change: { minSize: 1, maxSize: undefined, desiredCapacity: 3 } },
    ]);
    expect(result.instances).toHaveLength(3);
    expect(result.instances.every((i) => i.launchTemplateVersion === "6" && !oldIds.includes(i.id))).toBe(true);
    expect(result.replaced).toEqual(oldIds);
    expect(t.fleet.targetsOf(GREEN_ARN).map((e) => e.state)).toEqual(["healthy", "healthy", "healthy"]);
    expect(result.health?.ok).toBe(true);
    expect(result.slot.name).toBe("green");
    expect(result.launchTemplate.after.version).toBe("6");
    expect(t.templatesBuilt()).toBe(0);
    const expectedTags = { [TAG.version]: "v2", [TAG.role]: "candidate", [TAG.deploymentId]: "42-1", [TAG.sha]: "0123abcd" };
    expect(t.elb.tagsOf(GREEN_ARN)).toMatchObject(expectedTags);
    expect(green.tags).toMatchObject(expectedTags);
    expect(Date.parse(t.elb.tagsOf(GREEN_ARN)[TAG.updatedAt]!)).not.toBeNaN();
    expect(t.fleet.calls.find((c) => c.op === "tag")?.args).toMatchObject({ name: "web-green" });
    // Left parked for this run's shift-traffic.
    expect(t.elb.lockHolder()).toMatchObject({ run: OWNER, state: "parked" });
    expect(t.elb.tagsOf(BLUE_ARN)).toEqual({ [TAG.role]: "stable", [TAG.version]: "v1" });
    expect(t.fleet.groups.get("web-blue")!.desiredCapacity).toBe(3);
    expect(t.fleet.count("findByTargetGroups")).toBe(1);
  });

  it("tags the slot with the schema version the release needs, and clears an old one from the slot it replaces", async () => {
    const t = setup({ greenTags: { [TAG.role]: "previous", [TAG.version]: "v0", [TAG.schemaVersion]: "40" } });
    const removed: string[][] = [];
    const remove = t.elb.tags.remove.bind(t.elb.tags);
    t.elb.tags.remove = async (arn, keys) => {
      removed.push(keys);
      return remove(arn, keys);
    };

    await deployGreen({ ...t.request, schemaVersion: 43 }, t.deps);

    expect(removed[0]).toContain(TAG.schemaVersion);
    expect(t.elb.tagsOf(GREEN_ARN)[TAG.schemaVersion]).toBe("43");
    expect(t.fleet.groups.get("web-green")!.tags[TAG.schemaVersion]).toBe("43");
  });

  it("waits for the new instances to be InService and healthy, logging progress at least every 5 s", async () => {
    const t = setup();
    t.fleet.script = () => ({ pendingMs: 60_000, healthyAfterMs: 45_000 });
    const start = t.clock.now();

    const result = await deployGreen(t.request, t.deps);

    expect(t.clock.now() - start).toBeGreaterThanOrEqual(105_000);
    expect(result.instances).toHaveLength(3);
    const elapsed = t.logs.filter((l) => l.startsWith("waiting for web-green to be healthy")).map((l) => Number(/\(([\d.]+)s elapsed\)$/.exec(l)![1]));
    expect(elapsed.length).toBeGreaterThan(15);
    for (let i = 1; i < elapsed.length; i++) expect(elapsed[i]! - elapsed[i - 1]!).toBeLessThanOrEqual(6);
    expect(t.logs.some((l) => l.includes("0/3 new instances serving") && l.includes("Pending"))).toBe(true);
  });

  it("launches the new instances while the old ones drain, without waiting for the deregistration delay", async () => {
    const t = setup();
    t.fleet.terminateMs = 300_000;
    const start = t.clock.now();

    const result = await deployGreen(t.request, t.deps);

    expect(t.clock.now() - start).toBeLessThan(120_000);
    expect(result.instances).toHaveLength(3);
    const states = t.fleet.targetsOf(GREEN_ARN).map((e) => e.state).sort();
    expect(states).toEqual(["draining", "draining", "healthy", "healthy", "healthy"]);
  });

  it("keeps instances already running the wanted numbered version instead of replacing them", async () => {
    const t = setup({ green: { launchTemplate: { ...LT, version: "6" }, running: 3 } });
    const ids = t.fleet.groups.get("web-green")!.instances.map((i) => i.id);

    const result = await deployGreen(t.request, t.deps);

    expect(result.replaced).toEqual([]);
    expect(t.fleet.count("setLaunchTemplate")).toBe(0);
    expect(t.fleet.capacityChanges).toEqual([{ name: "web-green", change: { minSize: undefined, maxSize: undefined, desiredCapacity: 3 } }]);
    expect(result.instances.map((i) => i.id).sort()).toEqual(ids.sort());
  });

  it("replaces instances when the version is $Latest, since their version cannot be compared", async () => {
    const t = setup({ green: { launchTemplate: { ...LT, version: "$Latest" }, running: 2 } });
    const result = await deployGreen({ ...t.request, launchTemplateVersion: "$Latest" }, t.deps);
    expect(result.replaced).toHaveLength(2);
    expect(t.fleet.capacityChanges[0]!.change.desiredCapacity).toBe(0);
  });

  it("counts new instances that report $Latest by its number", async () => {
    const t = setup();
    t.fleet.reportVersion = (v) => (v === "$Latest" ? "7" : v);
    const result = await deployGreen({ ...t.request, launchTemplateVersion: "$Latest", timeoutMs: 120_000 }, t.deps);
    expect(result.instances.map((i) => i.launchTemplateVersion)).toEqual(["7", "7", "7"]);
  });
});

describe("deploy-green with an image id", () => {
  it("creates a launch template version from the group's current one with the image and points the group at it", async () => {
    const t = setup();

    const result = await deployGreen({ ...t.request, launchTemplateVersion: undefined, imageId: "ami-0abcdef1234567890" }, t.deps);

    expect(t.templatesBuilt()).toBe(1);
    const create = t.templates.calls.find((c) => c.op === "createVersionWithImage");
    expect(create?.args).toMatchObject({ template: { id: LT.id, version: "4" }, imageId: "ami-0abcdef1234567890" });
    expect((create?.args as { description: string }).description).toContain("42-1");
    expect(t.templates.templates.get(LT.id)!.versions.get(6)).toMatchObject({ imageId: "ami-0abcdef1234567890" });
    expect(t.fleet.groups.get("web-green")!.launchTemplate).toEqual({ ...LT, version: "6" });
    expect(result.launchTemplate).toMatchObject({ created: true, imageBefore: IMAGES[3], imageAfter: "ami-0abcdef1234567890", after: { version: "6" } });
    expect(result.changes[0]!.after).toBe("version 6 (ami-0abcdef1234567890, new)");
    expect(result.instances.every((i) => i.launchTemplateVersion === "6")).toBe(true);
  });

  it("creates no version when the group's numbered version already runs that image", async () => {
    const t = setup({ green: { running: 3 } });
    const result = await deployGreen({ ...t.request, launchTemplateVersion: undefined, imageId: IMAGES[3] }, t.deps);
    expect(t.templates.calls.filter((c) => c.op === "createVersionWithImage")).toHaveLength(0);
    expect(result.replaced).toEqual([]);
    expect(result.launchTemplate.after.version).toBe("4");
  });
});

describe("desired capacity", () => {
  it("defaults to the live group's desired capacity", async () => {
    const t = setup({ blue: { running: 5 } });
    const result = await deployGreen(t.request, t.deps);
    expect(result.capacity.after).toEqual({ minSize: 1, desiredCapacity: 5, maxSize: 10 });
    expect(result.instances).toHaveLength(5);
  });

  it("is at least 1 when the live group runs none", async () => {
    const t = setup({ blue: { running: 0, minSize: 0 } });
    const result = await deployGreen(t.request, t.deps);
    expect(result.capacity.after.desiredCapacity).toBe(1);
  });

  it("is raised to the idle group's minimum size", async () => {
    const t = setup({ green: { minSize: 4, running: 4 } });
    const result = await deployGreen(t.request, t.deps);
    expect(result.capacity.after).toEqual({ minSize: 4, desiredCapacity: 4, maxSize: 10 });
    expect(t.fleet.groups.get("web-green")!.minSize).toBe(4);
  });

  it("is refused when the default does not fit the idle group's maximum size, naming the input, before any write", async () => {
    const t = setup({ green: { maxSize: 2 } });
    const error = await deployGreen(t.request, t.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/desired-capacity not given.*default \(3.*maximum size \(2\) of Auto Scaling group web-green/);
    expect(t.fleet.writes()).toEqual([]);
    expect(elbWrites(t.elb)).toEqual([]);
  });

  it("uses desired-capacity when given, and refuses one above the maximum size", async () => {
    const t = setup();
    const result = await deployGreen({ ...t.request, desiredCapacity: 2 }, t.deps);
    expect(result.instances).toHaveLength(2);

    const u = setup();
    const error = await deployGreen({ ...u.request, desiredCapacity: 11 }, u.deps).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^desired-capacity: 11 is above the maximum size \(10\)/);
    expect(u.fleet.writes()).toEqual([]);
  });
});

describe("refusals", () => {
  it("refuses while the idle slot carries traffic (a canary), naming the slot, its share and what to do", async () => {
    const t = setup({ weights: [900, 100], greenTags: { [TAG.role]: "candidate", [TAG.version]: "v2" } });
    const error = await deployGreen(t.request, t.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toMatch(/slot green \(web-green\) receives 10% of traffic.*Promote it with shift-traffic or roll back with rollback/);
    expect(t.fleet.writes()).toEqual([]);
    expect(elbWrites(t.elb)).toEqual([]);
  });

  it("refuses an inconsistent environment", async () => {
    const t = setup({ greenTags: { [TAG.role]: "stable" } });
    const error = await deployGreen(t.request, t.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toContain("both slots are tagged stable");
    expect(t.fleet.writes()).toEqual([]);
  });

  it("refuses to deploy over the stable slot while a promotion is unfinished", async () => {
    const t = setup({ weights: [0, 1], blueTags: { [TAG.role]: "stable" }, greenTags: { [TAG.role]: "candidate" } });
    const error = await deployGreen(t.request, t.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toMatch(/idle slot blue is tagged stable.*Finish the promotion/);
    expect(t.fleet.writes()).toEqual([]);
  });

  it("refuses when one Auto Scaling group feeds both slots", async () => {
    const t = setup();
    t.fleet.groups.delete("web-green");
    t.fleet.groups.get("web-blue")!.targetGroupArns.push(GREEN_ARN);
    const error = await deployGreen(t.request, t.deps).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/feeds both slots/);
    expect(t.fleet.writes()).toEqual([]);
  });

  it("refuses when another run holds the lock, saying who, and changes nothing", async () => {
    const t = setup();
    t.elb.holdLock({ run: "octo/web/actions/runs/7", expiresAt: new Date(t.clock.now() + 600_000) });
    const error = await deployGreen(t.request, t.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toContain("octo/web/actions/runs/7");
    expect(t.fleet.writes()).toEqual([]);
    expect(t.elb.lockHolder()?.run).toBe("octo/web/actions/runs/7");
  });
});

describe("the lock", () => {
  it("re-reads the environment once the lock is taken and refuses if the idle slot took traffic meanwhile", async () => {
    const t = setup();
    const locks = t.elb.locks;
    // Another run moves all traffic to green just before this run's lock is created.
    t.ports.locks = {
      create: async (...args) => {
        t.elb.groups = [{ targetGroupArn: BLUE_ARN, weight: 0 }, { targetGroupArn: GREEN_ARN, weight: 1 }];
        return locks.create(...args);
      },
      find: (...args) => locks.find(...args),
      tag: (...args) => locks.tag(...args),
      remove: (...args) => locks.remove(...args),
    };

    const error = await deployGreen(t.request, t.deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toMatch(/the environment changed while this run took the lock \(green was idle; all traffic goes to green/);
    expect(t.fleet.writes()).toEqual([]);
    expect(t.elb.lockHolder()).toBeUndefined();
    expect(t.elb.tagsOf(GREEN_ARN)[TAG.role]).toBe("previous");
  });

  it("claims a lock an earlier step of this run left parked", async () => {
    const t = setup();
    t.elb.holdLock({ run: OWNER, job: "build", state: "parked", expiresAt: new Date(t.clock.now() + 600_000) });
    const result = await deployGreen(t.request, t.deps);
    expect(result.instances).toHaveLength(3);
    expect(t.elb.lockHolder()).toMatchObject({ run: OWNER, job: "job", state: "parked" });
  });

  it("takes over a lock of the earlier format this run holds, and removes its tag", async () => {
    const t = setup();
    t.elb.resourceTags.set(LISTENER_ARN, { [TAG.lock]: `owner=${OWNER};expires=${new Date(t.clock.now() + 600_000).toISOString()}` });
    const result = await deployGreen(t.request, t.deps);
    expect(result.instances).toHaveLength(3);
    expect(t.elb.tagsOf(LISTENER_ARN)[TAG.lock]).toBeUndefined();
    expect(t.elb.lockHolder()?.run).toBe(OWNER);
  });
});

describe("suspended processes", () => {
  it("resumes Launch and the other required processes when suspended, and says so", async () => {
    const t = setup({ green: { suspended: ["Launch", "AddToLoadBalancer", "AlarmNotification"] } });

    const result = await deployGreen(t.request, t.deps);

    expect(result.resumed).toEqual(["Launch", "AddToLoadBalancer"]);
    expect(t.fleet.calls.find((c) => c.op === "resume")?.args).toEqual({ name: "web-green", processes: ["Launch", "AddToLoadBalancer"] });
    expect(t.logs.some((l) => l.startsWith("Resumed Launch, AddToLoadBalancer on web-green"))).toBe(true);
    expect(result.instances).toHaveLength(3);
    // AlarmNotification was suspended by someone else: it stays suspended.
    expect([...t.fleet.groups.get("web-green")!.suspended]).toEqual(["AlarmNotification"]);
  });

  it("holds alarms, schedules and rebalancing while scaling and resumes them afterwards", async () => {
    const t = setup();
    await deployGreen(t.request, t.deps);
    expect(t.fleet.calls.filter((c) => c.op === "suspend" || c.op === "resume").map((c) => c.args)).toEqual([
      { name: "web-green", processes: ["AlarmNotification", "ScheduledActions", "AZRebalance"] },
      { name: "web-green", processes: ["AlarmNotification", "ScheduledActions", "AZRebalance"] },
    ]);
    expect(t.fleet.groups.get("web-green")!.suspended.size).toBe(0);
  });
});

describe("failures", () => {
  it("stops without tagging when a rollback takes the lock over once the fleet is up, after the wait's last checkpoint", async () => {
    const t = setup();
    const log = t.deps.log;
    // The wait has ended (its checkpoints all passed): a rollback takes the lock right before the tagging.
    t.deps.log = (line: string) => {
      if (line.includes("are InService and healthy")) takeOver(t.elb, "octo/web/actions/runs/99", t.clock.now());
      return log(line);
    };

    const error = await deployGreen(t.request, t.deps).catch((e: unknown) => e);

    expect(String(error)).toContain("octo/web/actions/runs/99 took this environment's deployment lock over");
    expect(t.elb.tagsOf(GREEN_ARN)[TAG.role]).toBeUndefined();
    expect(t.fleet.count("tag")).toBe(0);
    expect(t.elb.lockHolder()?.run).toBe("octo/web/actions/runs/99");
  });

  it("stops within seconds when a rollback takes the lock over while the fleet is still far from serving", async () => {
    const t = setup();
    // The new instances never turn healthy; a rollback takes the lock 20 s into the wait.
    t.fleet.script = () => ({ health: { state: "unhealthy", reason: "Target.Timeout", description: "Request timed out" } });
    const start = t.clock.now();
    let takenAt: number | undefined;
    t.elb.healthOf.set(GREEN_ARN, () => {
      if (takenAt === undefined && t.clock.now() - start >= 20_000) {
        takenAt = t.clock.now();
        takeOver(t.elb, "octo/web/actions/runs/99", start);
      }
      return t.fleet.targetsOf(GREEN_ARN);
    });

    const error = await deployGreen(t.request, t.deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SafetyError);
    expect(String(error)).toContain("Stopped before the new fleet finished coming up: octo/web/actions/runs/99 took this environment's deployment lock over");
    // Within one checkpoint (5 s) and a poll of the takeover, not at the 15 min timeout.
    expect(t.clock.now() - takenAt!).toBeLessThanOrEqual(6_000);
    expect(t.elb.lockHolder()?.run).toBe("octo/web/actions/runs/99");
    expect(t.elb.tagsOf(GREEN_ARN)[TAG.role]).toBeUndefined();
    expect(t.fleet.groups.get("web-green")!.suspended.size).toBe(0);
  });

  it("names unhealthy targets with their ELB reason, releases the lock, resumes what it suspended, and does not tag", async () => {
    const t = setup();
    t.fleet.script = () => ({ health: { state: "unhealthy", reason: "Target.ResponseCodeMismatch", description: "Health checks failed with these codes: [500]" } });

    const error = await deployGreen({ ...t.request, timeoutMs: 120_000 }, t.deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OperationalError);
    const message = (error as Error).message;
    const ids = t.fleet.groups.get("web-green")!.instances.map((i) => i.id);
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(message).toContain(`${id}:80 unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [500])`);
    expect(message).toMatch(/^deploy-green failed on slot green \(web-green\): 0 of 3 new instances/);
    expect(message).toContain("The listener was not changed: all traffic stays on blue (web-blue)");
    expect(t.elb.lockHolder()).toBeUndefined();
    expect(t.fleet.groups.get("web-green")!.suspended.size).toBe(0);
    expect(t.elb.tagsOf(GREEN_ARN)[TAG.role]).toBeUndefined();
    expect(t.fleet.count("tag")).toBe(0);
  });

  it("with stable-for, waits until the new fleet has kept serving that long; a crash in between starts the wait again", async () => {
    const t = setup();
    // The first new target fails for 3 s, 3 s after the fleet first served, then recovers.
    const served = afterServing(t, (targets, ms) => (ms >= 3_000 && ms < 6_000 ? [{ ...targets[0]!, state: "unhealthy", reason: "Target.FailedHealthChecks", description: "Health checks failed" }, ...targets.slice(1)] : targets));
    const result = await deployGreen({ ...t.request, stableFor: { kind: "fixed", ms: 10_000 } }, t.deps);
    expect(result.stableForMs).toBe(10_000);
    // Not before it has served for 10 s after the recovery.
    expect(t.clock.now() - served.at()!).toBeGreaterThanOrEqual(16_000);
    expect(t.clock.now() - served.at()!).toBeLessThan(20_000);
    expect(t.logs.some((l) => /stopped passing after \d+\.\ds of the 10\.0s it must hold: .*Target\.FailedHealthChecks/.test(l))).toBe(true);
    expect(t.logs.find((l) => l.startsWith("3 instance(s) of v2"))).toMatch(/^3 instance\(s\) of v2 are InService and healthy and have been for 10s: web-green: 3\/3 healthy/);
    expect(t.elb.tagsOf(GREEN_ARN)[TAG.role]).toBe("candidate");
  });

  it("with stable-for, fails a fleet that serves and then crashes, saying so, and does not tag it", async () => {
    const t = setup();
    afterServing(t, (targets, ms) => (ms >= 4_000 ? targets.map((x) => ({ ...x, state: "unhealthy" as const, reason: "Target.Timeout", description: "Request timed out" })) : targets));
    const error = await deployGreen({ ...t.request, timeoutMs: 120_000, stableFor: { kind: "fixed", ms: 30_000 } }, t.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationalError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /The new instances of web-green did not keep serving for the 30\.0s they must hold \(stable-for\) within \d+s\. They served and then stopped 1 time\(s\), last after 4\.\ds: web-green: 0\/3 healthy.* At the last poll 0 of 3 were InService and healthy in web-green\./,
    );
    expect(message).toContain("Target.Timeout: Request timed out");
    expect(message).toContain("The listener was not changed");
    expect(t.elb.tagsOf(GREEN_ARN)[TAG.role]).toBeUndefined();
    expect(t.elb.lockHolder()).toBeUndefined();
  });

  it("stable-for auto: as long as the target group's health checks take to notice a failure, and refused when it does not fit in timeout", async () => {
    const t = setup();
    t.elb.healthChecks.set(GREEN_ARN, { enabled: true, intervalSeconds: 10, unhealthyThreshold: 3 });
    const result = await deployGreen({ ...t.request, stableFor: { kind: "auto" } }, t.deps);
    expect(result.stableForMs).toBe(60_000);
    expect(t.logs).toContain(
      "Once its instances serve, web-green must keep serving for 60s before the deploy succeeds (stable-for auto: twice the 30s web-green can take to mark a failed target unhealthy (3 failed checks 10s apart)).",
    );

    const u = setup();
    u.elb.healthChecks.set(GREEN_ARN, { enabled: true, intervalSeconds: 300, unhealthyThreshold: 2 });
    const error = await deployGreen({ ...u.request, stableFor: { kind: "auto" } }, u.deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/must keep serving for 1200s once it serves .* does not fit in timeout 900s/);
    expect(u.fleet.calls.filter((c) => !/^(describe|activities|findByTargetGroups)$/.test(c.op))).toEqual([]);
    expect(u.elb.lockHolder()).toBeUndefined();
  });

  it("names failed scaling activities with their status message", async () => {
    const t = setup();
    t.fleet.script = () => ({ failLaunch: "The image id '[ami-0bad0bad0bad0bad0]' does not exist. Launching EC2 instance failed." });

    const error = await deployGreen({ ...t.request, timeoutMs: 60_000 }, t.deps).catch((e: unknown) => e);

    const message = (error as Error).message;
    expect(message).toContain("Failed scaling activities: Failed at");
    expect(message).toContain("The image id '[ami-0bad0bad0bad0bad0]' does not exist");
    expect(message).toContain("web-green has no running instances");
    expect(t.logs.some((l) => l.startsWith("Scaling activity of web-green failed"))).toBe(true);
    expect(t.elb.lockHolder()).toBeUndefined();
  });

  it("releases the lock and resumes held processes when a write fails, with what it tried", async () => {
    const t = setup();
    t.fleet.failures.push({ op: "setLaunchTemplate", error: new Error("ValidationError: You must use a valid fully-formed launch template.") });

    const error = await deployGreen(t.request, t.deps).catch((e: unknown) => e);

    expect((error as Error).message).toContain("You must use a valid fully-formed launch template.");
    expect((error as Error).message).toContain("The listener was not changed");
    expect(t.elb.lockHolder()).toBeUndefined();
    expect(t.fleet.groups.get("web-green")!.suspended.size).toBe(0);
    expect(t.fleet.capacityChanges).toEqual([]);
    expect((error as Error).message).toContain("The deployment lock was released.");
  });

  it("says the lock could not be released when giving it back fails, instead of that it was released", async () => {
    const t = setup();
    t.fleet.failures.push({ op: "setLaunchTemplate", error: new Error("ValidationError: You must use a valid fully-formed launch template.") });
    t.elb.failures.push({ op: "deleteRule", error: new Error("Throttling: Rate exceeded") });

    const error = await deployGreen(t.request, t.deps).catch((e: unknown) => e);

    expect((error as Error).message).not.toContain("The deployment lock was released");
    expect((error as Error).message).toContain("The deployment lock could not be released: it stays until its lease expires, or a rollback takes it over.");
    expect(t.logs.join("\n")).toContain("Could not release the deployment lock: Throttling: Rate exceeded");
    expect(t.elb.lockHolder()?.run).toBe(OWNER);
  });
});

describe("cancellation", () => {
  it("stops waiting when the job is cancelled, releases the lock and resumes what it suspended", async () => {
    const t = setup();
    const controller = new AbortController();
    const log = (line: string) => {
      t.logs.push(line);
      if (line.startsWith("waiting for web-green to be healthy")) controller.abort(new Error("cancelled by SIGINT"));
    };

    const error = await deployGreen(t.request, { ...t.deps, log, signal: controller.signal }).catch((e: unknown) => e);

    expect((error as Error).message).toMatch(/^deploy-green failed on slot green \(web-green\): cancelled by SIGINT/);
    expect(t.elb.lockHolder()).toBeUndefined();
    expect(t.fleet.groups.get("web-green")!.suspended.size).toBe(0);
    expect(t.fleet.count("tag")).toBe(0);
  });
});

describe("resuming after a failure", () => {
  it("reports the first failure when resuming held processes fails too, and says what to resume", async () => {
    const t = setup();
    t.fleet.script = () => ({ failLaunch: "We currently do not have sufficient t3.micro capacity in the Availability Zone you requested" });
    t.fleet.failures.push({ op: "resume", error: new Error("ResourceContention: You already have a pending update to an Auto Scaling resource") });

    const error = await deployGreen({ ...t.request, timeoutMs: 60_000 }, t.deps).catch((e: unknown) => e);

    expect((error as Error).message).toContain("sufficient t3.micro capacity");
    expect(t.logs).toContain(
      "Could not resume AlarmNotification, ScheduledActions, AZRebalance on web-green, which this step suspended; resume them by hand: ResourceContention: You already have a pending update to an Auto Scaling resource",
    );
    expect(t.elb.lockHolder()).toBeUndefined();
  });
});

describe("dry run", () => {
  it("prints the plan as before → after and makes no writes at all", async () => {
    const t = setup({ green: { suspended: ["Launch"] } });

    const result = await deployGreen({ ...t.request, dryRun: true, launchTemplateVersion: undefined, imageId: "ami-0abcdef1234567890" }, t.deps);

    expect(t.fleet.writes()).toEqual([]);
    expect(elbWrites(t.elb)).toEqual([]);
    expect(t.templates.calls.filter((c) => c.op === "createVersionWithImage")).toEqual([]);
    expect(result.dryRun).toBe(true);
    expect(result.instances).toEqual([]);
    const plan = t.logs.filter((l) => l.startsWith("Plan: "));
    expect(plan).toContain(`Plan: launch template ${LT.id} (web) on web-green: version 4 (${IMAGES[3]}) → new version from 4 with image ami-0abcdef1234567890`);
    expect(plan).toContain("Plan: capacity of web-green: min 1, desired 2, max 10 → min 1, desired 3, max 10 (replacing 2 old instance(s): scale to 0, then up)");
    expect(plan).toContain("Plan: suspended processes of web-green: Launch → resumed");
    expect(plan).toContain(`Plan: tag ${TAG.role} on target group web-green and Auto Scaling group web-green: previous → candidate`);
    expect(t.logs).toContain("Dry run: nothing was changed.");
  });

  it("warns that a real run would fail when another run holds the lock", async () => {
    const t = setup();
    t.elb.holdLock({ run: "octo/web/actions/runs/7", expiresAt: new Date(t.clock.now() + 600_000) });
    const result = await deployGreen({ ...t.request, dryRun: true }, t.deps);
    expect(result.lockWarning).toContain("octo/web/actions/runs/7");
    expect(elbWrites(t.elb)).toEqual([]);
  });
});

describe("inputs", () => {
  const base = { "listener-arn": LISTENER_ARN, version: "v2" };
  const parse = (inputs: Record<string, string>) => () => parseInputs(deployGreenDefinition, (name) => inputs[name] ?? "");

  it("takes exactly one of launch-template-version and image-id", () => {
    expect(parse(base)).toThrow(/launch-template-version or image-id/);
    expect(parse({ ...base, "launch-template-version": "3", "image-id": "ami-12345678" })).toThrow(/Inputs launch-template-version and image-id both/);
    expect(parse({ ...base, "launch-template-version": "$Latest" })().timeout).toBe(900_000);
  });

  it("names the input, the value and what is valid", () => {
    expect(parse({ ...base, "image-id": "ami-XYZ" })).toThrow(/^Input image-id: "ami-XYZ" is not valid .*Valid: ami- followed by 8 or 17/);
    expect(parse({ ...base, "launch-template-version": "latest" })).toThrow(/^Input launch-template-version: "latest"/);
    expect(parse({ ...base, version: "v 2", "image-id": "ami-12345678" })).toThrow(/^Input version: "v 2"/);
    expect(parse({ ...base, "image-id": "ami-12345678", "desired-capacity": "0" })).toThrow(/^Input desired-capacity: "0"/);
  });

  it("parses min-healthy, desired-capacity and defaults", () => {
    const s = parse({ ...base, "image-id": "ami-0123456789abcdef0", "desired-capacity": "4", "min-healthy": "2" })();
    expect(s["desired-capacity"]).toBe(4);
    expect(s["min-healthy"]).toEqual({ kind: "count", value: 2 });
    expect(s["dry-run"]).toBe(false);
    expect(s["deployment-id"]).toBeUndefined();
    expect(parse({ ...base, "image-id": "ami-12345678", "deployment-id": "release-2026.01/7" })()["deployment-id"]).toBe("release-2026.01/7");
    expect(parse({ ...base, "image-id": "ami-12345678", "deployment-id": "a b" })).toThrow(/^Input deployment-id: "a b"/);
  });
});

describe("entry", () => {
  it("writes the outputs and a summary with what changed and links", async () => {
    const t = setup();
    const io = new RecordingIO(
      { "listener-arn": LISTENER_ARN, version: "v2", "launch-template-version": "6", timeout: "10m" },
      {},
      { GITHUB_RUN_ID: "42", GITHUB_RUN_ATTEMPT: "1", GITHUB_REPOSITORY: "octo/web", GITHUB_SHA: "0123abcd" },
    );
    const ports = { ...t.ports, clients: {} as AwsClients } as Ports;

    const ok = await run({ io, clock: t.clock, random: () => 0.5, signal: new AbortController().signal, ports: async () => ports });

    expect(io.annotations.filter((a) => a.level === "error")).toEqual([]);
    expect(ok).toBe(true);
    expect(io.outputs).toEqual({
      slot: "green",
      "target-group-arn": GREEN_ARN,
      "asg-name": "web-green",
      version: "v2",
      "instance-count": "3",
      "deployment-id": "42-1",
      "launch-template-version": "6",
    });
    expect(io.summary).toContain("## deploy-green: v2 is up on green");
    expect(io.summary).toContain("| capacity of web-green | min 1, desired 2, max 10 | min 1, desired 3, max 10 (replacing 2 old instance(s): scale to 0, then up) |");
    expect(io.summary).toContain("- **Instances:** 3 InService and healthy");
    expect(io.summary).toContain("- **Launch template version:** 6");
    expect(io.summary).toContain("https://console.aws.amazon.com/ec2/home?region=us-east-1#AutoScalingGroupDetails:id=web-green");
    expect(io.summary).toContain("(https://github.com/octo/web/actions/runs/42)");
    expect(t.elb.lockHolder()?.run).toBe("octo/web/actions/runs/42");
  });

  it("fails on bad inputs before building any AWS port", async () => {
    let built = 0;
    const io = new RecordingIO({ "listener-arn": LISTENER_ARN, version: "v2", "image-id": "ami-nothex" });
    const ok = await run({ io, clock: new ManualClock(), random: () => 0.5, signal: new AbortController().signal, ports: async () => (built++, {} as Ports) });
    expect(ok).toBe(false);
    expect(built).toBe(0);
    expect(io.annotations.map((a) => a.message)).toEqual([expect.stringMatching(/^Input image-id: "ami-nothex" is not valid/)]);
    process.exitCode = 0;
  });

  it("fails with one error line naming the problem", async () => {
    const t = setup({ green: { maxSize: 2 } });
    const io = new RecordingIO({ "listener-arn": LISTENER_ARN, version: "v2", "launch-template-version": "6" }, {}, { GITHUB_RUN_ID: "42", GITHUB_REPOSITORY: "octo/web" });
    const ports = { ...t.ports, clients: {} as AwsClients } as Ports;
    const ok = await run({ io, clock: t.clock, random: () => 0.5, signal: new AbortController().signal, ports: async () => ports });
    expect(ok).toBe(false);
    expect(io.annotations).toHaveLength(1);
    expect(io.annotations[0]!.message).toContain("maximum size (2) of Auto Scaling group web-green");
    expect(io.summary).toContain("## deploy-green failed\n\ndesired-capacity not given");
    expect(io.summary).toContain("(https://github.com/octo/web/actions/runs/42)");
    process.exitCode = 0;
  });
});
