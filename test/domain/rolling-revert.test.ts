/** revertRolling against fakes: which way it undoes an update in each state, and that it ends only when every instance serves the good version. */
import { describe, expect, it } from "vitest";
import { revertRolling, type RollingDeps } from "../../src/domain/rolling-revert";
import { rollingState, type RollingEnvironment } from "../../src/domain/rolling-environment";
import { ManualClock } from "../../src/util/clock";
import { BLUE_ARN, FakeElb, LB_ARN, LISTENER_ARN } from "../support/fake-elb";
import { FakeFleet } from "../support/fake-fleet";
import { FakeRefreshes } from "../support/fake-refresh";

function setup(running = 4) {
  const clock = new ManualClock();
  const fleet = new FakeFleet(clock);
  fleet.addGroup({ name: "web", running, launchTemplate: { id: "lt-1", version: "1" }, targetGroupArns: [BLUE_ARN], maxSize: 8 });
  const elb = new FakeElb();
  elb.healthOf.set(BLUE_ARN, () => fleet.targetsOf(BLUE_ARN));
  const refreshes = new FakeRefreshes(fleet, clock);
  const deps: RollingDeps = {
    ports: { router: elb, tags: elb.tags, targetGroups: elb, discovery: elb, fleet: async () => fleet, refreshes: async () => refreshes },
    clock,
    random: () => 0.5,
    log: () => undefined,
  };
  const env = async (): Promise<RollingEnvironment> => {
    const group = (await fleet.describe("web"))!;
    return { group, targetGroupArn: BLUE_ARN, routing: { ref: { kind: "listener", arn: LISTENER_ARN }, listenerArn: LISTENER_ARN, loadBalancerArn: LB_ARN, groups: [{ targetGroupArn: BLUE_ARN, weight: 1 }], stickiness: { enabled: false } }, state: rollingState({}) };
  };
  const options = async () => ({ env: await env(), good: { id: "lt-1", version: "1" }, minHealthyPercentage: 90, maxHealthyPercentage: 100, timeoutMs: 600_000 });
  const versions = () => fleet.groups.get("web")!.instances.map((i) => i.version);
  return { fleet, refreshes, deps, options, versions };
}

const ops = (r: FakeRefreshes) => r.calls.map((c) => c.op).filter((op) => op !== "latest");

describe("revertRolling", () => {
  it("a refresh still running is rolled back by AWS (RollbackInstanceRefresh), and no new refresh is started", async () => {
    const t = setup();
    t.refreshes.running("web", "2", 2);
    const result = await revertRolling(await t.options(), t.deps);
    expect(ops(t.refreshes)).toEqual(["rollback"]);
    expect(t.versions()).toEqual(["1", "1", "1", "1"]);
    expect(result.steps[0]).toMatch(/^RollbackInstanceRefresh of ir-1/);
    expect(result.instances).toBe(4);
    expect(result.health.ok).toBe(true);
  });

  it("a refresh AWS cannot roll back is cancelled and followed by a new refresh to the good version, skipping what is on it", async () => {
    const t = setup();
    t.refreshes.irreversible = true;
    t.refreshes.running("web", "2", 2);
    const result = await revertRolling(await t.options(), t.deps);
    expect(ops(t.refreshes)).toEqual(["rollback", "cancel", "start"]);
    expect(t.refreshes.calls.find((c) => c.op === "start")!.args).toEqual({ group: "web", version: "1", skipMatching: true });
    expect(t.versions()).toEqual(["1", "1", "1", "1"]);
    expect(result.steps).toEqual([expect.stringMatching(/^CancelInstanceRefresh of ir-1/), expect.stringMatching(/^new instance refresh ir-2 to version 1 \([23] instance\(s\) on another version\)/)]);
  });

  it("after a finished refresh (a killed job's), a new refresh to the good version", async () => {
    const t = setup();
    const r = t.refreshes.running("web", "2", 4);
    r.status = "Successful";
    t.fleet.groups.get("web")!.launchTemplate = { id: "lt-1", version: "2" };
    await revertRolling(await t.options(), t.deps);
    expect(ops(t.refreshes)).toEqual(["start"]);
    expect(t.versions()).toEqual(["1", "1", "1", "1"]);
    expect(t.fleet.groups.get("web")!.launchTemplate?.version).toBe("1");
  });

  it("nothing running and every instance on the good version: no refresh at all", async () => {
    const t = setup();
    await revertRolling(await t.options(), t.deps);
    expect(ops(t.refreshes)).toEqual([]);
  });

  it("a new refresh that fails is an error naming it, not a success", async () => {
    const t = setup();
    const r = t.refreshes.running("web", "2", 4);
    r.status = "Failed";
    t.refreshes.nextEnds = "Failed";
    await expect(revertRolling(await t.options(), t.deps)).rejects.toThrow(/The instance refresh ir-2 back to version 1 ended Failed/);
  });
});
