/**
 * shift-traffic when the weights change under it (a stack update resetting the listener, a change by
 * hand): it stops, says what it found against what it last left, and writes nothing more — neither
 * the next step nor a restore.
 */
import { describe, expect, it } from "vitest";
import { shiftTraffic, type ShiftOptions } from "../../src/domain/shift-traffic";
import { TAG } from "../../src/domain/tags";
import { ListenerChangedError } from "../../src/domain/traffic";
import { ManualClock } from "../../src/util/clock";
import { BLUE_ARN, FakeElb, GREEN_ARN } from "../support/fake-elb";
import { FakeFleet } from "../support/fake-fleet";
import { shiftOptions } from "../support/shift-options";

function setup() {
  const clock = new ManualClock();
  const elb = new FakeElb();
  const fleet = new FakeFleet(clock);
  fleet.addGroup({ name: "web-blue", running: 2, targetGroupArns: [BLUE_ARN] });
  fleet.addGroup({ name: "web-green", running: 2, targetGroupArns: [GREEN_ARN] });
  elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "stable", [TAG.version]: "v1" });
  elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "candidate", [TAG.version]: "v2" });
  const warnings: string[] = [];
  const deps = {
    ports: { router: elb, tags: elb.tags, locks: elb.locks, targetGroups: elb, discovery: elb, fleet: async () => fleet, alarms: async () => ({ read: async () => [] }) },
    gates: [] as { name: string; check: () => Promise<{ ok: boolean; detail: string }> }[],
    clock,
    random: () => 0.5,
    log: () => {},
    warn: (l: string) => warnings.push(l),
  };
  return { elb, deps, warnings, clock };
}

const options: ShiftOptions = shiftOptions({ plan: { kind: "steps", percents: [10, 50, 100], intervalMs: 10_000 } });

const greenWeights = (elb: FakeElb) => elb.weightHistory.map((w) => w.find((g) => g.targetGroupArn === GREEN_ARN)!.weight);

describe("shift-traffic when the listener changes under it", () => {
  it("stops before the next step, names both weights, and neither steps on nor restores", async () => {
    const { elb, deps, warnings } = setup();
    // During the first bake, a stack update puts the listener back to its template: blue 1, green 0.
    deps.gates = [{ name: "analysis", check: async () => ((elb.groups = [{ targetGroupArn: BLUE_ARN, weight: 1 }, { targetGroupArn: GREEN_ARN, weight: 0 }]), { ok: true, detail: "pass" }) }];
    const run = shiftTraffic(options, deps);
    const error = await run.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ListenerChangedError);
    expect((error as Error).message).toMatch(/^The listener changed under this deployment: it forwards .+ where this run last left .+\. Not moving .+ to 50%/);
    expect((error as Error).message).toContain("not overwriting it");
    // Only the run's own first step was written; the reset weights stand.
    expect(greenWeights(elb)).toEqual([100]);
    expect(elb.groups).toEqual([{ targetGroupArn: BLUE_ARN, weight: 1 }, { targetGroupArn: GREEN_ARN, weight: 0 }]);
    expect(elb.lockHolder()).toBeUndefined();
    expect(warnings.join("\n")).not.toMatch(/Restored/);
  });

  it("does not restore over weights someone else changed after an aborted step", async () => {
    const { elb, deps, warnings } = setup();
    // A hand edit sends half the traffic to green, then the gate fails: the restore must not undo the edit blind.
    deps.gates = [{ name: "analysis", check: async () => ((elb.groups = [{ targetGroupArn: BLUE_ARN, weight: 500 }, { targetGroupArn: GREEN_ARN, weight: 500 }]), { ok: false, detail: "fail" }) }];
    const result = await shiftTraffic(options, deps);
    expect(result.restored).toBe(false);
    expect(greenWeights(elb)).toEqual([100]);
    expect(warnings.join("\n")).toContain("The listener changed under this deployment");
  });
});

describe("shift-traffic when the role tags change under it", () => {
  it("does not promote over tags someone else changed during the shift; the weights it verified stay", async () => {
    const { elb, deps } = setup();
    deps.gates = [{ name: "analysis", check: async () => (elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "failed" }), { ok: true, detail: "pass" }) }];
    const error = await shiftTraffic({ ...options, plan: { kind: "steps", percents: [50, 100], intervalMs: 10_000 } }, deps).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ListenerChangedError);
    expect((error as Error).message).toMatch(/^The tags changed under this deployment: .+ is tagged deploy:role=failed where this run found stable\. Not promoting/);
    expect(elb.tagsOf(GREEN_ARN)[TAG.role]).toBe("candidate");
    expect(elb.tagsOf(BLUE_ARN)[TAG.role]).toBe("failed");
    expect(elb.lockHolder()).toBeUndefined();
  });

  it("promotes when its first read was stale: the role it finds later was written before that read (tags are not read-after-write)", async () => {
    const { elb, deps, clock } = setup();
    const writtenBefore = new Date(clock.now() - 500).toISOString();
    // The run's first read saw green untagged (a stale read); green's candidate tag was written before it.
    elb.resourceTags.set(GREEN_ARN, { [TAG.version]: "v2" });
    deps.gates = [{ name: "analysis", check: async () => (elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "candidate", [TAG.version]: "v2", [TAG.updatedAt]: writtenBefore }), { ok: true, detail: "pass" }) }];
    const result = await shiftTraffic({ ...options, to: "green", plan: { kind: "steps", percents: [50, 100], intervalMs: 10_000 } }, deps);
    expect(result.promoted).toBe(true);
  });
});
