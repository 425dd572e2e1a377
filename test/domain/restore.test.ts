/**
 * shift-traffic's post step: puts the stable weights back, verified, only while the main step's
 * lock is still this job's (not after a rollback took it over, nor once its lease lapsed).
 */
import { describe, expect, it } from "vitest";
import { acquireLock, LockLostError } from "../../src/domain/lock";
import { restoreIfNeeded } from "../../src/domain/restore";
import { ManualClock } from "../../src/util/clock";
import { BLUE_ARN, FakeElb, GREEN_ARN, LISTENER_ARN, unhealthy } from "../support/fake-elb";

const OWNER = { run: "acme/web/actions/runs/7", job: "deploy", attempt: 1 };
const TTL = 3_600_000;
const restoreTo = [
  { targetGroupArn: BLUE_ARN, weight: 1 },
  { targetGroupArn: GREEN_ARN, weight: 0 },
];
const split = [
  { targetGroupArn: BLUE_ARN, weight: 500 },
  { targetGroupArn: GREEN_ARN, weight: 500 },
];
const ref = { kind: "listener" as const, arn: LISTENER_ARN };

/** The main step took the lock and saved it, then died. */
async function setup(groups = restoreTo) {
  const clock = new ManualClock();
  const elb = new FakeElb(ref, groups);
  const lock = await acquireLock({ rules: elb.locks, tags: elb.tags, environment: ref, owner: OWNER, ttlMs: TTL, clock, random: () => 0.5, log: () => {} });
  const input = { ref, restoreTo, stableArn: BLUE_ARN, minHealthy: { kind: "count" as const, value: 1 }, lockOwner: OWNER, lock: lock.saved() };
  elb.calls.length = 0;
  return { clock, elb, input, ports: { router: elb, targetGroups: elb, locks: elb.locks } };
}

describe("restoreIfNeeded (shift-traffic's post step)", () => {
  it("puts the stable weights back, verified, and gives up the job's lock", async () => {
    const { clock, elb, input, ports } = await setup(split);
    const outcome = await restoreIfNeeded(input, ports, clock);
    expect(outcome.changed).toBe(true);
    expect(elb.groups).toEqual(restoreTo);
    expect(elb.locks.current()).toEqual([]);
    // The lease is renewed (a write that fails once the rule is gone) before the weights are written.
    const ops = elb.calls.map((c) => c.op);
    expect(ops.indexOf("tagRule")).toBeGreaterThanOrEqual(0);
    expect(ops.indexOf("tagRule")).toBeLessThan(ops.indexOf("setWeights"));
  });

  it("changes no weight when they are already stable, and still gives up the job's lock", async () => {
    const { clock, elb, input, ports } = await setup();
    const outcome = await restoreIfNeeded(input, ports, clock);
    expect(outcome.changed).toBe(false);
    expect(elb.count("setWeights")).toBe(0);
    expect(elb.locks.current()).toEqual([]);
  });

  it("keeps another run's lock", async () => {
    const { clock, elb, input, ports } = await setup();
    for (const rule of elb.locks.current()) await elb.locks.remove(rule.arn);
    elb.holdLock({ run: "acme/web/actions/runs/8", expiresAt: new Date(clock.now() + TTL) });
    await restoreIfNeeded(input, ports, clock);
    expect(elb.lockHolder()?.run).toBe("acme/web/actions/runs/8");
  });

  it("does not restore after a rollback took the lock over: it says why and writes nothing", async () => {
    const { clock, elb, input, ports } = await setup(split);
    for (const rule of elb.locks.current()) await elb.locks.remove(rule.arn);
    elb.holdLock({ run: "acme/web/actions/runs/9", job: "rollback", expiresAt: new Date(clock.now() + TTL) });
    const error = await restoreIfNeeded(input, ports, clock).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockLostError);
    expect(String(error)).toMatch(/Not restoring the stable weights .*: the deployment lock is now held by another step/);
    expect(elb.count("setWeights")).toBe(0);
    expect(elb.lockHolder()?.run).toBe("acme/web/actions/runs/9");
  });

  it("does not restore when a stale read still shows its rule but the rule is gone (a rollback deleted it)", async () => {
    const { clock, elb, input, ports } = await setup(split);
    clock.advance(10_000);
    elb.locks.clock = clock;
    elb.locks.lag = () => 5_000;
    for (const rule of elb.locks.current()) await elb.locks.remove(rule.arn);
    const error = await restoreIfNeeded(input, ports, clock).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockLostError);
    expect(elb.count("setWeights")).toBe(0);
  });

  it("does not restore once half the lease has passed since the main step's last renewal", async () => {
    const { clock, elb, input, ports } = await setup(split);
    clock.advance(TTL / 2);
    const error = await restoreIfNeeded(input, ports, clock).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockLostError);
    expect(String(error)).toMatch(/lapsed/);
    expect(elb.count("setWeights")).toBe(0);
    expect(elb.count("tagRule")).toBe(0);
  });

  it("refuses to move traffic onto an unhealthy stable group", async () => {
    const { clock, elb, input, ports } = await setup(split);
    elb.healthOf.set(BLUE_ARN, unhealthy(2));
    await expect(restoreIfNeeded(input, ports, clock)).rejects.toThrow(/Not restoring traffic to web-blue/);
    expect(elb.count("setWeights")).toBe(0);
  });

  it("fails, saying what the load balancer reports, when the restoring write does not take effect", async () => {
    const { clock, elb, input, ports } = await setup(split);
    elb.ignoreWrites = true;
    await expect(restoreIfNeeded(input, ports, clock)).rejects.toThrow(/still reports web-blue 50%.* instead of web-blue 100%/);
  });
});
