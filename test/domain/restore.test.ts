import { describe, expect, it } from "vitest";
import { restoreIfNeeded } from "../../src/domain/restore";
import { TAG } from "../../src/domain/tags";
import { ManualClock } from "../../src/util/clock";
import { BLUE_ARN, FakeElb, GREEN_ARN, LISTENER_ARN, unhealthy } from "../support/fake-elb";

const OWNER = "acme/web/actions/runs/7";
const restoreTo = [
  { targetGroupArn: BLUE_ARN, weight: 1 },
  { targetGroupArn: GREEN_ARN, weight: 0 },
];

function setup(groups = restoreTo) {
  const clock = new ManualClock();
  const elb = new FakeElb({ kind: "listener", arn: LISTENER_ARN }, groups);
  elb.resourceTags.set(LISTENER_ARN, { [TAG.lock]: `owner=${OWNER};expires=${new Date(clock.now() + 3_600_000).toISOString()}` });
  const input = { ref: { kind: "listener" as const, arn: LISTENER_ARN }, restoreTo, stableArn: BLUE_ARN, minHealthy: { kind: "count" as const, value: 1 }, lockOwner: OWNER };
  return { clock, elb, input, ports: { router: elb, targetGroups: elb, tags: elb.tags } };
}

describe("restoreIfNeeded (shift-traffic's post step)", () => {
  it("puts the stable weights back, verified, and gives up the run's lock", async () => {
    const { clock, elb, input, ports } = setup([
      { targetGroupArn: BLUE_ARN, weight: 500 },
      { targetGroupArn: GREEN_ARN, weight: 500 },
    ]);
    const outcome = await restoreIfNeeded(input, ports, clock);
    expect(outcome.changed).toBe(true);
    expect(elb.groups).toEqual(restoreTo);
    expect(elb.tagsOf(LISTENER_ARN)[TAG.lock]).toBeUndefined();
  });

  it("changes no weight when they are already stable, and still gives up the run's lock", async () => {
    const { clock, elb, input, ports } = setup();
    const outcome = await restoreIfNeeded(input, ports, clock);
    expect(outcome.changed).toBe(false);
    expect(elb.count("setWeights")).toBe(0);
    expect(elb.tagsOf(LISTENER_ARN)[TAG.lock]).toBeUndefined();
  });

  it("keeps another run's lock", async () => {
    const { clock, elb, input, ports } = setup();
    const other = `owner=acme/web/actions/runs/8;expires=${new Date(clock.now() + 3_600_000).toISOString()}`;
    elb.resourceTags.set(LISTENER_ARN, { [TAG.lock]: other });
    await restoreIfNeeded(input, ports, clock);
    expect(elb.tagsOf(LISTENER_ARN)[TAG.lock]).toBe(other);
  });

  it("refuses to move traffic onto an unhealthy stable group", async () => {
    const { clock, elb, input, ports } = setup([
      { targetGroupArn: BLUE_ARN, weight: 500 },
      { targetGroupArn: GREEN_ARN, weight: 500 },
    ]);
    elb.healthOf.set(BLUE_ARN, unhealthy(2));
    await expect(restoreIfNeeded(input, ports, clock)).rejects.toThrow(/Not restoring traffic to web-blue/);
    expect(elb.count("setWeights")).toBe(0);
  });

  it("fails, saying what the load balancer reports, when the restoring write does not take effect", async () => {
    const { clock, elb, input, ports } = setup([
      { targetGroupArn: BLUE_ARN, weight: 500 },
      { targetGroupArn: GREEN_ARN, weight: 500 },
    ]);
    elb.ignoreWrites = true;
    await expect(restoreIfNeeded(input, ports, clock)).rejects.toThrow(/still reports web-blue 50%.* instead of web-blue 100%/);
  });
});
