/**
 * The deployment lock (invariant 5): a listener rule at a reserved priority, created atomically
 * (PriorityInUse), its lease renewed by the holder and trusted for half the lease after each
 * renewal. Each scenario of the attacker's review is here: the check-then-write race, two jobs of
 * one run, a lease that lapses, and reads that lag writes.
 */
import { describe, expect, it } from "vitest";
import { acquireLock, LockLostError, type LockOwner } from "../../src/domain/lock";
import { lockPriority, lockTags, parseLegacyLock, parseLockTags } from "../../src/domain/lock-format";
import { TAG } from "../../src/domain/tags";
import { ManualClock } from "../../src/util/clock";
import { ConfigurationError, SafetyError } from "../../src/util/errors";
import { FakeElb, LISTENER_ARN, RULE_ARN } from "../support/fake-elb";
import { SimClock } from "../support/sim-clock";

const RUN_A = "acme/web/actions/runs/100";
const RUN_B = "acme/web/actions/runs/200";
const A: LockOwner = { run: RUN_A, job: "deploy", attempt: 1 };
const B: LockOwner = { run: RUN_B, job: "deploy", attempt: 1 };
const TTL = 60 * 60_000;
const ELB_TAG_VALUE = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const ref = { kind: "listener" as const, arn: LISTENER_ARN };

function setup<C extends ManualClock | SimClock = ManualClock>(clock: C = new ManualClock() as C) {
  const elb = new FakeElb();
  elb.locks.clock = clock;
  const lines: string[] = [];
  const lock = (owner: LockOwner, extra: { takeOver?: boolean; ttlMs?: number; sameRunWaitMs?: number; signal?: AbortSignal } = {}) =>
    acquireLock({ rules: elb.locks, tags: elb.tags, environment: ref, owner, ttlMs: extra.ttlMs ?? TTL, clock, random: () => 0.5, log: (l) => lines.push(l), ...extra });
  return { elb, clock, lines, lock };
}

describe("the lock's tags", () => {
  it("pass ELBv2's tag pattern and length, and read back as written", () => {
    const terms = { owner: A, id: "00ff00ff00ff00ff", state: "active" as const, renewedAt: new Date(Date.UTC(2026, 0, 1)), expiresAt: new Date(Date.UTC(2026, 0, 1, 1)), environment: RULE_ARN };
    const tags = lockTags(terms);
    for (const [key, value] of Object.entries(tags)) {
      expect(value, key).toMatch(ELB_TAG_VALUE);
      expect([...value].length).toBeLessThanOrEqual(256);
      expect(key).toMatch(ELB_TAG_VALUE);
    }
    expect(parseLockTags(tags)).toMatchObject({ run: RUN_A, job: "deploy", attempt: 1, id: terms.id, state: "active", expiresAt: terms.expiresAt, renewedAt: terms.renewedAt });
    // Characters ELBv2 refuses in a run or job name are replaced, and the value is cut to 256.
    const odd = lockTags({ ...terms, owner: { run: `acme/${"x".repeat(300)};(bot)`, job: "a[1]", attempt: 2 } });
    for (const value of Object.values(odd)) expect(value).toMatch(ELB_TAG_VALUE);
    expect([...odd["deploy:lock-run"]!].length).toBe(256);
  });

  it("reads a lock of the earlier format, and ignores what is not a lock", () => {
    expect(parseLegacyLock(`owner=${RUN_A};expires=2026-01-01T01:00:00.000Z`)).toMatchObject({ run: RUN_A, state: "active", legacy: true, expiresAt: new Date(Date.UTC(2026, 0, 1, 1)) });
    expect(parseLegacyLock("owner=x;expires=not-a-date")).toBeUndefined();
    expect(parseLegacyLock("garbage")).toBeUndefined();
    expect(parseLockTags({ [TAG.lock]: "state=active" })).toBeUndefined();
  });

  it("reserves 50000 for a listener's lock and 40001-49999 for a rule's, the same every time", () => {
    expect(lockPriority(ref)).toBe(50_000);
    const p = lockPriority({ kind: "rule", arn: RULE_ARN });
    expect(p).toBeGreaterThanOrEqual(40_001);
    expect(p).toBeLessThanOrEqual(49_999);
    expect(lockPriority({ kind: "rule", arn: RULE_ARN })).toBe(p);
  });
});

describe("acquireLock", () => {
  it("creates a rule at the reserved priority carrying the holder and lease, and nothing else", async () => {
    const { elb, clock, lock } = setup();
    const held = await lock(A);
    expect(held.holder).toMatchObject({ run: RUN_A, job: "deploy", state: "active", expiresAt: new Date(clock.now() + TTL) });
    expect(elb.locks.current()).toHaveLength(1);
    expect(elb.locks.current()[0]).toMatchObject({ priority: 50_000, isLock: true, arn: held.ruleArn });
    expect(elb.lockHolder()).toMatchObject({ run: RUN_A, job: "deploy", attempt: 1, state: "active" });
    expect(elb.calls.map((c) => c.op)).toEqual(["readTags", "createRule"]);
  });

  it("fails fast when another run holds a live lease, naming the holder and the lease, and deletes nothing", async () => {
    const { elb, clock, lock } = setup();
    await lock(A);
    elb.calls.length = 0;
    const error = await lock(B).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toContain(RUN_A);
    expect((error as Error).message).toMatch(/lease until \d{4}-\d\d-\d\dT/);
    expect((error as Error).message).toMatch(/rollback/);
    expect(elb.count("deleteRule")).toBe(0);
    expect(elb.lockHolder()?.run).toBe(RUN_A);
    // At once: no wait, no retry.
    expect(clock.sleeps).toEqual([]);
    expect(elb.count("createRule")).toBe(1);
  });

  it("check-then-write race: B reads the lock free before A takes it and acts after A would have read back: exactly one proceeds", async () => {
    const clock = new SimClock();
    const { elb, lock } = setup(clock);
    // Every read shows the rules as they were 1 s earlier; every call takes 300 ms.
    elb.locks.lag = () => 1_000;
    elb.locks.delay = () => clock.sleep(300);
    const results = await clock.run([lock(A), lock(B)]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(SafetyError);
    const holder = elb.lockHolder()!;
    expect((lost[0]!.reason as Error).message).toContain(holder.run);
    expect(elb.locks.current()).toHaveLength(1);
  });

  it("two jobs of one run (a matrix): exactly one proceeds, the other is refused saying why, and the first to finish deletes only its own rule", async () => {
    const { elb, lock } = setup();
    const first = await lock({ run: RUN_A, job: "deploy-eu", attempt: 1 });
    const error = await lock({ run: RUN_A, job: "deploy-us", attempt: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect(String(error)).toMatch(/Another job of this workflow run holds this environment's deployment lock .*job deploy-eu.* must run one after another/);
    expect(elb.lockHolder()?.job).toBe("deploy-eu");
    await first.release();
    const second = await lock({ run: RUN_A, job: "deploy-us", attempt: 1 });
    // The first job's handle, used again, cannot delete the second job's rule.
    await first.release();
    expect(elb.lockHolder()?.job).toBe("deploy-us");
    await expect(first.assertHeld("a weight write")).rejects.toBeInstanceOf(LockLostError);
    await expect(second.assertHeld("a weight write")).resolves.toBeUndefined();
  });

  it("stops waiting for another job of its run when the job is cancelled", async () => {
    const { elb, lock } = setup();
    await lock({ run: RUN_A, job: "deploy-eu", attempt: 1 });
    const controller = new AbortController();
    controller.abort(new Error("cancelled by SIGINT"));
    await expect(lock({ run: RUN_A, job: "deploy-us", attempt: 1 }, { signal: controller.signal })).rejects.toThrow("cancelled by SIGINT");
    expect(elb.lockHolder()?.job).toBe("deploy-eu");
  });

  it("hands a parked lock to a later job of the same run, and to a later attempt", async () => {
    const { elb, lock, lines } = setup();
    const deploy = await lock({ run: RUN_A, job: "deploy", attempt: 1 });
    expect(await deploy.park()).toBe(true);
    expect(elb.lockHolder()?.state).toBe("parked");
    // Nobody else gets in while it is parked.
    await expect(lock(B)).rejects.toThrow(/Another deployment holds/);
    const promote = await lock({ run: RUN_A, job: "promote", attempt: 1 });
    expect(promote.tookOverFrom).toMatchObject({ job: "deploy", state: "parked" });
    expect(lines.join("\n")).toContain("an earlier step of this run that left it");
    // A re-run (attempt 2) claims even an active lock of attempt 1, which has ended.
    const rerun = await lock({ run: RUN_A, job: "promote", attempt: 2 });
    expect(elb.lockHolder()).toMatchObject({ job: "promote", attempt: 2 });
    await expect(promote.assertHeld("promotion")).rejects.toBeInstanceOf(LockLostError);
    await expect(rerun.assertHeld("promotion")).resolves.toBeUndefined();
  });

  it("lets rollback preempt a live lease, saying from whom; the preempted holder stops at its next check", async () => {
    const { elb, lines, lock } = setup();
    const deploy = await lock(A);
    const taken = await lock(B, { takeOver: true });
    expect(taken.tookOverFrom?.run).toBe(RUN_A);
    expect(elb.lockHolder()?.run).toBe(RUN_B);
    expect(lines.join("\n")).toContain(`Taking over the deployment lock from ${RUN_A}`);
    await expect(deploy.assertHeld("moving green to 50%")).rejects.toThrow(/Stopped before moving green to 50%: acme\/web\/actions\/runs\/200 took this environment's deployment lock over/);
  });

  it("takes over an expired lease without being asked to, and logs that it expired", async () => {
    const { elb, clock, lines, lock } = setup();
    await lock(A, { ttlMs: 60_000 });
    clock.advance(61_000);
    const taken = await lock(B);
    expect(taken.tookOverFrom?.run).toBe(RUN_A);
    expect(elb.lockHolder()?.run).toBe(RUN_B);
    expect(lines.join("\n")).toMatch(/expired deployment lock from acme\/web\/actions\/runs\/100/);
  });

  it("honours a live lock of the earlier format, and takes an expired one over, removing its tag", async () => {
    const { elb, clock, lock } = setup();
    elb.resourceTags.set(LISTENER_ARN, { [TAG.lock]: `owner=${RUN_A};expires=${new Date(clock.now() + 60_000).toISOString()}` });
    await expect(lock(B)).rejects.toThrow(new RegExp(`Another deployment holds this environment's lock: ${RUN_A}`));
    expect(elb.count("createRule")).toBe(0);
    clock.advance(61_000);
    await lock(B);
    expect(elb.tagsOf(LISTENER_ARN)[TAG.lock]).toBeUndefined();
    expect(elb.lockHolder()?.run).toBe(RUN_B);
  });

  it("refuses, naming the rule, when a rule of the user's own sits at the reserved priority", async () => {
    const { elb, lock } = setup();
    const user = elb.locks.addUserRule(LISTENER_ARN, 50_000);
    const error = await lock(A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(String(error)).toContain(`priority 50000 (${user}) that is not a deployment lock`);
    expect(elb.count("deleteRule")).toBe(0);
  });

  it("waits for a lock rule whose tags are not readable yet, then says so instead of guessing", async () => {
    const { elb, lock } = setup();
    elb.locks.addLockRule(LISTENER_ARN, 50_000, {});
    await expect(lock(A)).rejects.toThrow(/its holder could not be read/);
    expect(elb.count("deleteRule")).toBe(0);
    expect(elb.count("createRule")).toBeGreaterThan(3);
  });
});

describe("lease renewal and expiry", () => {
  it("lock-ttl 1m during a 60m step: renewed at checkpoints, never lapses, never taken over", async () => {
    const { elb, clock, lock } = setup();
    const held = await lock(A, { ttlMs: 60_000 });
    for (let t = 0; t < 60 * 60_000; t += 5_000) {
      clock.advance(5_000);
      await held.checkpoint("the fleet came up");
      // Another run trying all along is refused every time.
      if (t % 300_000 === 0) await expect(lock(B, { ttlMs: 60_000 })).rejects.toThrow(/Another deployment holds/);
    }
    await expect(held.assertHeld("tagging green")).resolves.toBeUndefined();
    // A quarter of the lease between renewals: 4 per minute.
    expect(elb.count("tagRule")).toBeGreaterThanOrEqual(4 * 60);
    expect(elb.lockHolder()!.expiresAt.getTime()).toBeGreaterThan(clock.now());
  });

  it("an expired own lease stops the step before the next weight write, without writing anything", async () => {
    const { elb, clock, lock } = setup();
    const held = await lock(A, { ttlMs: 60_000 });
    clock.advance(30_000);
    elb.calls.length = 0;
    const error = await held.assertHeld("moving green to 50%").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockLostError);
    expect(String(error)).toMatch(/Stopped before moving green to 50%: this step's deployment lock was last renewed at .*half its 60s lease ago/);
    // No renewal afterwards either: a lapsed lease is never revived.
    expect(elb.count("tagRule")).toBe(0);
    await expect(held.checkpoint("baking")).rejects.toBeInstanceOf(LockLostError);
  });

  it("notices within one check that a rollback deleted its rule, even when the read is stale", async () => {
    const { elb, clock, lock } = setup();
    const held = await lock(A);
    clock.advance(10_000);
    await lock(B, { takeOver: true });
    // A read showing our rule: the renewal, which fails on the deleted rule, decides.
    elb.locks.lag = () => 20_000;
    clock.advance(5_000);
    await expect(held.checkpoint("the fleet came up")).rejects.toBeInstanceOf(LockLostError);
  });
});

describe("stale reads", () => {
  it("with reads lagging up to just under half the lease, a renewing holder is never seen expired; a dead one is taken over only after it stopped", async () => {
    const clock = new ManualClock();
    const { elb, lock } = setup(clock);
    const ttl = 60_000;
    elb.locks.lag = () => 29_000;
    const held = await lock(A, { ttlMs: ttl });
    // Alive for 10 minutes, checking every 5 s; B tries every 5 s too and is always refused.
    for (let i = 0; i < 120; i++) {
      clock.advance(5_000);
      await held.checkpoint("baking");
      // Refused: by name once its read shows A's rule, until then because the holder is not readable yet.
      await expect(lock(B, { ttlMs: ttl, sameRunWaitMs: 1_000 })).rejects.toThrow(i >= 6 ? /Another deployment holds/ : /Another deployment holds|holder could not be read/);
    }
    // A stops renewing (a hung call). B takes over only once A's own guard has lapsed.
    const lastRenewal = held.holder.renewedAt!.getTime();
    let takenAt: number | undefined;
    for (let i = 0; i < 40 && takenAt === undefined; i++) {
      clock.advance(5_000);
      if (await lock(B, { ttlMs: ttl, sameRunWaitMs: 1_000 }).then(() => true, () => false)) takenAt = clock.now();
    }
    expect(takenAt).toBeDefined();
    expect(takenAt! - lastRenewal).toBeGreaterThanOrEqual(ttl / 2);
    // A, resuming, is stopped before any write.
    await expect(held.assertHeld("moving green to 100%")).rejects.toBeInstanceOf(LockLostError);
    expect(elb.lockHolder()?.run).toBe(RUN_B);
  });
});

describe("release and park", () => {
  it("release deletes its own rule; park leaves it marked parked for its run", async () => {
    const { elb, lock } = setup();
    const held = await lock(A);
    await held.release();
    expect(elb.locks.current()).toEqual([]);
    const again = await lock(A);
    expect(await again.park()).toBe(true);
    expect(elb.lockHolder()).toMatchObject({ run: RUN_A, state: "parked" });
    // Parked means done: this step changes nothing more under it.
    await expect(again.assertHeld("a write")).rejects.toBeInstanceOf(LockLostError);
  });

  it("leaves a lock that rollback took over in the meantime", async () => {
    const { elb, lock } = setup();
    const mine = await lock(A);
    await lock(B, { takeOver: true });
    await mine.release();
    expect(elb.lockHolder()?.run).toBe(RUN_B);
    expect(await mine.park()).toBe(false);
  });
});
