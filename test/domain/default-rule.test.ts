/**
 * A rule-arn that names a listener's default rule: AWS changes a default rule only with
 * ModifyListener, so the environment is its listener (every write goes to the listener's default
 * actions). Any other rule stays a rule, written as before.
 */
import { describe, expect, it } from "vitest";
import { loadEnvironment } from "../../src/domain/environment";
import { rollback } from "../../src/domain/rollback";
import { shiftTraffic, type ShiftOptions } from "../../src/domain/shift-traffic";
import { TAG } from "../../src/domain/tags";
import type { RoutingRef } from "../../src/ports/load-balancer";
import { ManualClock } from "../../src/util/clock";
import { BLUE_ARN, DEFAULT_RULE_ARN, FakeElb, GREEN_ARN, LISTENER_ARN, RULE_ARN } from "../support/fake-elb";
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
  const ports = { router: elb, tags: elb.tags, locks: elb.locks, targetGroups: elb, discovery: elb, fleet: async () => fleet, alarms: async () => ({ read: async () => [] }) };
  const deps = { ports, gates: [], clock, random: () => 0.5, log: () => {}, warn: () => {} };
  return { elb, deps };
}

function shift(environment: RoutingRef, overrides: Partial<ShiftOptions> = {}): ShiftOptions {
  return shiftOptions({ environment, ...overrides });
}

const writtenRefs = (elb: FakeElb) => elb.calls.filter((c) => c.op === "setWeights").map((c) => (c.args as { ref: RoutingRef }).ref);

describe("a rule-arn naming the listener's default rule", () => {
  it("is the listener's environment", async () => {
    const { elb, deps } = setup();
    const env = await loadEnvironment({ kind: "rule", arn: DEFAULT_RULE_ARN }, deps.ports);
    expect(env.ref).toEqual({ kind: "listener", arn: LISTENER_ARN });
    expect(env.slots.map((s) => s.name)).toEqual(["blue", "green"]);
    expect(elb.calls[0]).toMatchObject({ op: "read", args: { kind: "rule", arn: DEFAULT_RULE_ARN } });
  });

  it("shift-traffic writes the listener's default actions, never the default rule", async () => {
    const { elb, deps } = setup();
    const result = await shiftTraffic(shift({ kind: "rule", arn: DEFAULT_RULE_ARN }, { plan: { kind: "steps", percents: [10, 100], intervalMs: 1000 } }), deps);
    expect(result.aborted).toBe(false);
    expect(result.promoted).toBe(true);
    expect(elb.weightHistory.map((w) => w.map((g) => g.weight))).toEqual([
      [900, 100],
      [0, 1],
    ]);
    const refs = writtenRefs(elb);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.every((r) => r.kind === "listener" && r.arn === LISTENER_ARN)).toBe(true);
  });

  it("rollback does too", async () => {
    const { elb, deps } = setup();
    elb.groups = [
      { targetGroupArn: BLUE_ARN, weight: 500 },
      { targetGroupArn: GREEN_ARN, weight: 500 },
    ];
    const result = await rollback(
      {
        environment: { kind: "rule", arn: DEFAULT_RULE_ARN },
        reason: "errors",
        minHealthy: { kind: "count", value: 1 },
        scaleInBad: false,
        timeoutMs: 60_000,
        dryRun: false,
        lockOwner: "org/repo/actions/runs/2",
        lockTtlMs: 3_600_000,
      },
      deps,
    );
    expect(result.good.name).toBe("blue");
    expect(Object.fromEntries(elb.groups.map((g) => [g.targetGroupArn, g.weight > 0]))).toEqual({ [BLUE_ARN]: true, [GREEN_ARN]: false });
    expect(writtenRefs(elb)).toEqual([{ kind: "listener", arn: LISTENER_ARN }]);
  });
});

describe("any other rule", () => {
  it("stays a rule: written with the rule's ref, exactly as before", async () => {
    const { elb, deps } = setup();
    const result = await shiftTraffic(shift({ kind: "rule", arn: RULE_ARN }), deps);
    expect(result.promoted).toBe(true);
    expect(result.environment.ref).toEqual({ kind: "rule", arn: RULE_ARN });
    expect(writtenRefs(elb)).toEqual([{ kind: "rule", arn: RULE_ARN }]);
  });
});
