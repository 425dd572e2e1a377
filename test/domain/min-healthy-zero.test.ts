/**
 * "No weight is ever given to a target group with fewer than min-healthy healthy targets", and
 * never to one with none: a minimum of 0 counts as 1 in the domain, and the inputs refuse 0.
 */
import { describe, expect, it } from "vitest";
import { evaluateTargetHealth } from "../../src/domain/target-health";
import { shiftTraffic } from "../../src/domain/shift-traffic";
import { TAG } from "../../src/domain/tags";
import { deployGreenAction as deployGreenDefinition } from "../../src/actions/deploy-green/definition";
import { parseInputs, type ActionDefinition, type InputSpec } from "../../src/inputs/define";
import { healthGateAction } from "../../src/actions/health-gate/definition";
import { rollbackAction } from "../../src/actions/rollback/definition";
import { shiftTrafficAction } from "../../src/actions/shift-traffic/definition";
import { ManualClock } from "../../src/util/clock";
import { BLUE_ARN, FakeElb, GREEN_ARN, LISTENER_ARN, healthy, unhealthy } from "../support/fake-elb";
import { FakeFleet } from "../support/fake-fleet";
import { shiftOptions } from "../support/shift-options";

describe("evaluateTargetHealth with a minimum of 0", () => {
  it("an empty group is not ok, and says one healthy target is required", () => {
    const report = evaluateTargetHealth(GREEN_ARN, [], { minHealthy: { kind: "count", value: 0 }, requireAll: false });
    expect(report.ok).toBe(false);
    expect(report.required).toBe(1);
    expect(report.summary).toBe("web-green: no registered targets (1 healthy required)");
  });

  it("a group whose targets are all unhealthy is not ok either", () => {
    const report = evaluateTargetHealth(GREEN_ARN, unhealthy(3), { minHealthy: { kind: "count", value: 0 }, requireAll: false });
    expect(report.ok).toBe(false);
    expect(report.healthy).toBe(0);
  });

  it("one healthy target is enough for it, as for min-healthy 1", () => {
    expect(evaluateTargetHealth(GREEN_ARN, [...healthy(1), ...unhealthy(1)], { minHealthy: { kind: "count", value: 0 }, requireAll: false }).ok).toBe(true);
  });
});

describe("shift-traffic with a minimum of 0 and an empty candidate", () => {
  it("refuses, and gives the empty group no weight", async () => {
    const clock = new ManualClock();
    const elb = new FakeElb();
    elb.healthOf.set(GREEN_ARN, []);
    const fleet = new FakeFleet(clock);
    fleet.addGroup({ name: "web-blue", running: 2, targetGroupArns: [BLUE_ARN] });
    fleet.addGroup({ name: "web-green", running: 0, targetGroupArns: [GREEN_ARN] });
    elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "stable", [TAG.version]: "v1" });
    elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "candidate", [TAG.version]: "v2" });
    const ports = { router: elb, tags: elb.tags, locks: elb.locks, targetGroups: elb, discovery: elb, fleet: async () => fleet, alarms: async () => ({ read: async () => [] }) };
    const run = shiftTraffic(
      shiftOptions({ plan: { kind: "weight", percent: 10 }, minHealthy: { kind: "count", value: 0 } }),
      { ports, gates: [], clock, random: () => 0.5, log: () => {}, warn: () => {} },
    );
    const result = await run;
    expect(result.aborted).toBe(true);
    expect(result.abortReason).toMatch(/web-green: no registered targets \(1 healthy required\)/);
    expect(result.stepsCompleted).toBe(0);
    expect(elb.weightHistory.every((w) => w.find((g) => g.targetGroupArn === GREEN_ARN)!.weight === 0)).toBe(true);
  });
});

function refusal<I extends Record<string, InputSpec>>(definition: ActionDefinition<I>, inputs: Record<string, string>): string {
  try {
    parseInputs(definition, (name) => (inputs[name] ?? "").trim());
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected min-healthy 0 to be refused");
}

describe("the min-healthy input", () => {
  const env = { "listener-arn": LISTENER_ARN };
  it("refuses 0 in every action that has it, saying why and what is valid", () => {
    const zero = { "min-healthy": "0" };
    const cases: [string, string][] = [
      ["shift-traffic", refusal(shiftTrafficAction, { ...env, weight: "10", ...zero })],
      ["rollback", refusal(rollbackAction, { ...env, reason: "bad release", ...zero })],
      ["deploy-green", refusal(deployGreenDefinition, { ...env, "image-id": "ami-0123456789abcdef0", version: "v2", ...zero })],
      ["health-gate", refusal(healthGateAction, { ...env, ...zero })],
    ];
    for (const [name, message] of cases) {
      expect(message, name).toMatch(/^Input min-healthy: "0" is not valid \(0 would let traffic onto a target group with no healthy target; the least is 1\)\. Valid: a count from 1 /);
    }
  });

  it("still takes 1, 00001 and percentages from 1% to 100%", () => {
    for (const value of ["1", "00001", "1%", "100%"]) {
      expect(() => parseInputs(shiftTrafficAction, (name) => ({ ...env, weight: "10", "min-healthy": value })[name as "weight"] ?? "")).not.toThrow();
    }
    expect(refusal(shiftTrafficAction, { ...env, weight: "10", "min-healthy": "0%" })).toMatch(/^Input min-healthy: "0%" is not valid/);
    expect(refusal(shiftTrafficAction, { ...env, weight: "10", "min-healthy": "000" })).toMatch(/the least is 1/);
  });
});
