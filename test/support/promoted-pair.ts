/**
 * A promoted blue/green pair on the fakes: green (v2) is stable with all the weight and 3 instances,
 * blue (v1) the previous slot with `blueRunning` instances (0: scaled in); each target group's health
 * comes from its group's instances. `tags` adds to each slot's role and version tags.
 */
import { TAG } from "../../src/domain/tags";
import { ManualClock } from "../../src/util/clock";
import { BLUE_ARN, FakeElb, GREEN_ARN } from "./fake-elb";
import { FakeFleet } from "./fake-fleet";

export function promotedPair(blueRunning: number, tags: { blue?: Record<string, string>; green?: Record<string, string> } = {}) {
  const clock = new ManualClock();
  const fleet = new FakeFleet(clock);
  const elb = new FakeElb();
  fleet.addGroup({ name: "web-blue", running: blueRunning, targetGroupArns: [BLUE_ARN] });
  fleet.addGroup({ name: "web-green", running: 3, targetGroupArns: [GREEN_ARN] });
  elb.groups = [
    { targetGroupArn: BLUE_ARN, weight: 0 },
    { targetGroupArn: GREEN_ARN, weight: 1 },
  ];
  elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "previous", [TAG.version]: "v1", ...tags.blue });
  elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "stable", [TAG.version]: "v2", ...tags.green });
  elb.healthOf.set(BLUE_ARN, () => fleet.targetsOf(BLUE_ARN));
  elb.healthOf.set(GREEN_ARN, () => fleet.targetsOf(GREEN_ARN));
  const ports = { router: elb, tags: elb.tags, locks: elb.locks, targetGroups: elb, discovery: elb, fleet: async () => fleet };
  const warnings: string[] = [];
  const deps = { ports, clock, random: () => 0.5, log: () => undefined, warn: (l: string) => warnings.push(l) };
  return { clock, fleet, elb, ports, deps, warnings };
}
