import { describe, expect, it } from "vitest";
import { capacityChange, planCapacity, scaleSlot } from "../../src/domain/fleet-capacity";
import { diagnoseFleet, type FleetDiagnosis, FleetNotServingError, formatDiagnosis } from "../../src/domain/fleet-diagnosis";
import { waitUntilGone } from "../../src/domain/fleet-serving";
import type { FleetGroup } from "../../src/ports/fleet";
import { ManualClock } from "../../src/util/clock";
import { FakeElb, GREEN_ARN } from "../support/fake-elb";
import { FakeFleet } from "../support/fake-fleet";

function group(min: number, desired: number, max: number): FleetGroup {
  return { name: "web-green", minSize: min, desiredCapacity: desired, maxSize: max, instances: [], targetGroupArns: [], suspendedProcesses: [], tags: {} };
}

function world() {
  const clock = new ManualClock();
  const fleet = new FakeFleet(clock);
  const elb = new FakeElb();
  elb.healthOf.set(GREEN_ARN, () => fleet.targetsOf(GREEN_ARN));
  fleet.addGroup({ name: "web-green", running: 0, minSize: 0, maxSize: 6, targetGroupArns: [GREEN_ARN], launchTemplate: { id: "lt-1", version: "3" } });
  const logs: string[] = [];
  return { clock, fleet, elb, logs, common: { fleet, targetGroups: elb, targetGroupArn: GREEN_ARN, clock, random: () => 0.5, log: (l: string) => logs.push(l), minHealthy: { kind: "percent" as const, value: 100 } } };
}

describe("planCapacity", () => {
  it("takes the requested capacity within min and max", () => {
    expect(planCapacity(group(1, 0, 10), 4, 2)).toEqual({ minSize: 1, desiredCapacity: 4, maxSize: 10 });
  });

  it("defaults to the fallback, at least 1 and at least the min", () => {
    expect(planCapacity(group(0, 0, 10), undefined, 3)).toEqual({ minSize: 0, desiredCapacity: 3, maxSize: 10 });
    expect(planCapacity(group(0, 0, 10), undefined, 0)).toEqual({ minSize: 0, desiredCapacity: 1, maxSize: 10 });
    expect(planCapacity(group(5, 0, 10), undefined, 3)).toEqual({ minSize: 5, desiredCapacity: 5, maxSize: 10 });
  });

  it("never raises the max, and names the input when a capacity does not fit", () => {
    expect(() => planCapacity(group(0, 0, 2), undefined, 3, "capacity")).toThrow(/^capacity not given, and its default \(3.*maximum size \(2\)/);
    expect(() => planCapacity(group(0, 0, 2), 3, 1)).toThrow(/^desired-capacity: 3 is above the maximum size \(2\)/);
    expect(() => planCapacity(group(2, 0, 5), 1, 1)).toThrow(/^desired-capacity: 1 is below the minimum size \(2\)/);
  });
});

describe("capacityChange", () => {
  it("sends only the bounds that change", () => {
    expect(capacityChange({ minSize: 1, desiredCapacity: 2, maxSize: 10 }, { minSize: 0, desiredCapacity: 0, maxSize: 10 })).toEqual({ minSize: 0, maxSize: undefined, desiredCapacity: 0 });
    expect(capacityChange({ minSize: 1, desiredCapacity: 2, maxSize: 10 }, { minSize: 1, desiredCapacity: 4, maxSize: 10 })).toEqual({ minSize: undefined, maxSize: undefined, desiredCapacity: 4 });
  });
});

describe("scaleSlot", () => {
  it("scales up, waits until every instance is InService and healthy, and resumes what was suspended", async () => {
    const w = world();
    w.fleet.groups.get("web-green")!.suspended.add("Launch");
    const g = (await w.fleet.describe("web-green"))!;

    const result = await scaleSlot({ ...w.common, group: g, capacity: { minSize: 0, desiredCapacity: 3, maxSize: 6 }, timeoutMs: 300_000 });

    expect(result.instances).toHaveLength(3);
    expect(result.health.healthy).toBe(3);
    expect(result.resumed).toEqual(["Launch"]);
    expect(w.fleet.groups.get("web-green")!.suspended.size).toBe(0);
    expect(w.fleet.capacityChanges).toEqual([{ name: "web-green", change: { minSize: undefined, maxSize: undefined, desiredCapacity: 3 } }]);
    // Polls 1.0–1.2 s apart: the same reads are never repeated within a second.
    expect(w.clock.sleeps.length).toBeGreaterThan(10);
    // 1.1 s apart, backing off to 2 s (± 8%) while nothing changes (fleetPoll).
    expect(w.clock.sleeps.every((ms) => ms >= 1000 && ms <= 2200)).toBe(true);
  });

  it("fails with the failed activities and unhealthy targets, still resuming held processes", async () => {
    const w = world();
    w.fleet.script = (_, n) => (n === 0 ? { failLaunch: "We currently do not have sufficient t3.micro capacity" } : { health: { state: "unhealthy", reason: "Target.Timeout", description: "Request timed out" } });
    const g = (await w.fleet.describe("web-green"))!;

    const error = await scaleSlot({ ...w.common, group: g, capacity: { minSize: 0, desiredCapacity: 1, maxSize: 6 }, timeoutMs: 120_000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FleetNotServingError);
    const message = (error as Error).message;
    expect(message).toMatch(/^0 of 1 instances of web-green became InService and healthy in web-green within 120s\./);
    expect(message).toContain("(We currently do not have sufficient t3.micro capacity)");
    expect(message).toMatch(/i-\w+:80 unhealthy \(Target\.Timeout: Request timed out\)/);
    expect((error as FleetNotServingError).diagnosis.failedActivities).toHaveLength(1);
    expect(w.fleet.groups.get("web-green")!.suspended.size).toBe(0);
  });
});

describe("waitUntilGone", () => {
  it("returns once the instances have terminated", async () => {
    const w = world();
    w.fleet.addGroup({ name: "web-blue", running: 2, targetGroupArns: [] });
    const ids = w.fleet.groups.get("web-blue")!.instances.map((i) => i.id);
    w.fleet.terminateMs = 40_000;
    await w.fleet.setCapacity("web-blue", { desiredCapacity: 0 });
    const start = w.clock.now();

    await waitUntilGone({ fleet: w.fleet, groupName: "web-blue", ids, timeoutMs: 120_000, clock: w.clock, random: () => 0.5, log: w.common.log });

    expect(w.clock.now() - start).toBeGreaterThanOrEqual(40_000);
    expect((await w.fleet.describe("web-blue"))!.instances).toEqual([]);
    expect(w.logs[0]).toMatch(/^waiting for 2 old instance\(s\) of web-blue to terminate: 2 still there \(i-\w+ Terminating/);
  });
});

describe("formatDiagnosis", () => {
  const at = new Date("2026-01-01T00:00:00Z");
  const activity = (id: string, description: string, cause: string) => ({ id, statusCode: "Successful", description, cause, startTime: at });

  it("names instances Auto Scaling replaced because they were unhealthy, and not those a capacity change removed", () => {
    const d: FleetDiagnosis = {
      instances: [],
      failedActivities: [],
      replacedUnhealthy: [
        activity("a1", "Terminating EC2 instance: i-0aaa", "At 2026-01-01T00:00:00Z an instance was taken out of service in response to an EC2 instance status check failure."),
        activity("a2", "Terminating EC2 instance: i-0bbb", "At 2026-01-01T00:00:05Z an instance was taken out of service in response to an ELB system health check failure."),
      ],
      unhealthyTargets: [],
      unreadable: [],
    };
    expect(formatDiagnosis(d, "web-green", GREEN_ARN)).toBe(
      "web-green has no running instances. No scaling activity failed. Auto Scaling replaced 2 unhealthy instance(s): i-0aaa (an EC2 instance status check failure), i-0bbb (an ELB system health check failure).",
    );
  });

  it("diagnoseFleet keeps only unhealthy replacements out of the activities", async () => {
    const w = world();
    const since = new Date(w.clock.now());
    const crashed = w.fleet.addActivity("web-green", { statusCode: "Successful", description: "Terminating EC2 instance: i-0aaa", cause: "At 2026-01-01T00:00:00Z an instance was taken out of service in response to an EC2 instance status check failure." });
    w.fleet.addActivity("web-green", { statusCode: "Successful", description: "Terminating EC2 instance: i-0ccc", cause: "At 2026-01-01T00:00:00Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 2 to 1." });
    w.fleet.addActivity("web-green", { statusCode: "Successful", description: "Launching a new EC2 instance: i-0ddd", cause: "At 2026-01-01T00:00:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 1 to 2." });
    const d = await diagnoseFleet({ fleet: w.fleet, targetGroups: w.elb, groupName: "web-green", targetGroupArn: GREEN_ARN, since });
    expect(d.replacedUnhealthy.map((a) => a.id)).toEqual([crashed.id]);
  });
});
