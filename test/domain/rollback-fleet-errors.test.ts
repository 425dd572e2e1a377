/**
 * rollback when the Auto Scaling groups cannot be read: the error is told as it is (what was
 * tried, and AWS's answer), never as "no Auto Scaling group feeds the slot".
 */
import { describe, expect, it } from "vitest";
import { rollback } from "../../src/domain/rollback";
import { OperationalError, SafetyError } from "../../src/util/errors";
import { BLUE_ARN, FakeElb, GREEN_ARN } from "../support/fake-elb";
import { promotedPair } from "../support/promoted-pair";
import { rollbackOptions } from "../support/rollback-options";

const options = rollbackOptions();

const DENIED = "Describing Auto Scaling groups (feeding web-blue): AccessDenied: User is not authorized to perform: autoscaling:DescribeAutoScalingGroups";

const blueWeight = (elb: FakeElb) => elb.groups.find((g) => g.targetGroupArn === BLUE_ARN)!.weight;

describe("rollback with Auto Scaling reads failing", () => {
  it("a good slot that must be scaled up: refuses with the read error, not 'no group feeds it', and moves nothing", async () => {
    const { fleet, elb, deps } = promotedPair(0);
    fleet.failures.push({ op: "findByTargetGroups", error: new OperationalError(DENIED) });

    const error = await rollback(options, deps).then(
      () => new Error("expected the rollback to be refused"),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(SafetyError);
    expect(error.message).toBe(
      `Rollback refused: web-blue: no registered targets (1 healthy required), and blue cannot be scaled up: Could not find the Auto Scaling group of blue (web-blue): ${DENIED}. Traffic was left where it is.`,
    );
    expect(error.message).not.toContain("no Auto Scaling group feeds");
    expect(blueWeight(elb)).toBe(0);
    expect(elb.count("setWeights")).toBe(0);
  });

  it("the factory of the Auto Scaling port failing is told the same way", async () => {
    const { elb, deps } = promotedPair(0);
    const ports = { ...deps.ports, fleet: () => Promise.reject(new OperationalError("Loading the Auto Scaling client: connect ETIMEDOUT")) };

    await expect(rollback(options, { ...deps, ports })).rejects.toThrow(/cannot be scaled up: Could not find the Auto Scaling group of blue \(web-blue\): Loading the Auto Scaling client: connect ETIMEDOUT\./);
    expect(elb.count("setWeights")).toBe(0);
  });

  it("a good slot that is healthy: traffic goes back, and a warning says which read failed and what was skipped", async () => {
    const { fleet, elb, deps, warnings } = promotedPair(2);
    fleet.failures.push({ op: "findByTargetGroups", error: new OperationalError(DENIED) });

    const result = await rollback(options, deps);
    expect(result.good.name).toBe("blue");
    expect(blueWeight(elb)).toBeGreaterThan(0);
    expect(elb.groups.find((g) => g.targetGroupArn === GREEN_ARN)!.weight).toBe(0);
    expect(warnings).toEqual([
      `Could not find the Auto Scaling group of blue (web-blue): ${DENIED}. The rollback goes on without that group: it is neither scaled nor tagged, and traffic moves back only if blue is healthy.`,
    ]);
    expect(fleet.calls.filter((c) => c.op === "tag")).toEqual([]);
  });

  it("the bad slot's group failing to read leaves the good one usable, and says so", async () => {
    const { fleet, elb, deps, warnings } = promotedPair(0);
    const original = fleet.findByTargetGroups.bind(fleet);
    fleet.findByTargetGroups = async (arns) => {
      if (arns.includes(GREEN_ARN)) throw new OperationalError("Describing Auto Scaling groups (feeding web-green): Throttling: Rate exceeded");
      return original(arns);
    };

    const result = await rollback(options, deps);
    expect(result.scaledUp?.asg).toBe("web-blue");
    expect(blueWeight(elb)).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(/^Could not find the Auto Scaling group of green \(web-green\): Describing Auto Scaling groups \(feeding web-green\): Throttling: Rate exceeded\./);
  });

  it("a target group fed by two groups is a configuration error named as such, not 'no group'", async () => {
    const { fleet, deps } = promotedPair(0);
    fleet.addGroup({ name: "web-blue-old", running: 0, targetGroupArns: [BLUE_ARN] });

    await expect(rollback(options, deps)).rejects.toThrow(/cannot be scaled up: Could not find the Auto Scaling group of blue \(web-blue\): target group web-blue is fed by 2 Auto Scaling groups \(web-blue, web-blue-old\)/);
  });
});
