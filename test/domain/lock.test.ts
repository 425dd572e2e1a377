/**
 * The deployment lock (invariant 5): one tag with owner and lease, written then read back. A second
 * deployment fails fast naming the holder, a racing writer between write and read-back loses
 * cleanly, rollback takes over, an expired lease is taken over, and release only removes our own.
 */
import { describe, expect, it } from "vitest";
import { acquireLock, formatLock, parseLock } from "../../src/domain/lock";
import { TAG } from "../../src/domain/tags";
import { ManualClock } from "../../src/util/clock";
import { SafetyError } from "../../src/util/errors";
import { FakeElb, LISTENER_ARN } from "../support/fake-elb";

const RUN_A = "acme/web/actions/runs/100";
const RUN_B = "acme/web/actions/runs/200";
const TTL = 60 * 60_000;

function setup() {
  const elb = new FakeElb();
  const clock = new ManualClock();
  const lines: string[] = [];
  const lock = (owner: string, extra: { takeOver?: boolean; ttlMs?: number } = {}) =>
    acquireLock({ tags: elb.tags, resourceArn: LISTENER_ARN, owner, ttlMs: extra.ttlMs ?? TTL, clock, log: (l) => lines.push(l), ...(extra.takeOver ? { takeOver: true } : {}) });
  return { elb, clock, lines, lock };
}

describe("parseLock / formatLock", () => {
  it("round-trips owner and lease, and ignores values that are not a lock", () => {
    const holder = { owner: RUN_A, expiresAt: new Date(Date.UTC(2026, 0, 1, 1)) };
    expect(parseLock(formatLock(holder))).toEqual(holder);
    expect(parseLock(undefined)).toBeUndefined();
    expect(parseLock("")).toBeUndefined();
    expect(parseLock("owner=x;expires=not-a-date")).toBeUndefined();
    expect(parseLock("garbage")).toBeUndefined();
  });
});

describe("acquireLock", () => {
  it("writes the owner and a lease, then reads it back before returning", async () => {
    const { elb, clock, lock } = setup();
    const acquired = await lock(RUN_A);
    expect(acquired.holder).toEqual({ owner: RUN_A, expiresAt: new Date(clock.now() - 300 + TTL) });
    expect(parseLock(elb.tagsOf(LISTENER_ARN)[TAG.lock])?.owner).toBe(RUN_A);
    const ops = elb.calls.map((c) => c.op);
    expect(ops).toEqual(["readTags", "writeTags", "readTags"]);
  });

  it("fails fast when another run holds a live lease, naming the holder and the lease, and writes nothing", async () => {
    const { elb, lock } = setup();
    await lock(RUN_A);
    elb.calls.length = 0;
    const error = await lock(RUN_B).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toContain(RUN_A);
    expect((error as Error).message).toMatch(/lease until \d{4}-\d\d-\d\dT/);
    expect((error as Error).message).toMatch(/rollback/);
    expect(elb.count("writeTags")).toBe(0);
    expect(parseLock(elb.tagsOf(LISTENER_ARN)[TAG.lock])?.owner).toBe(RUN_A);
  });

  it("loses cleanly to a writer that races in between its write and its read-back, and says who won", async () => {
    const { elb, lock } = setup();
    const write = elb.tags.write;
    let raced = false;
    // The other run's write lands right after ours, before our read-back.
    elb.tags.write = async (arn, tags) => {
      await write(arn, tags);
      if (!raced) {
        raced = true;
        await write(arn, { [TAG.lock]: formatLock({ owner: RUN_B, expiresAt: new Date(Date.UTC(2030, 0, 1)) }) });
      }
    };
    const error = await lock(RUN_A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toMatch(/Lost the race/);
    expect((error as Error).message).toContain(RUN_B);
    expect(parseLock(elb.tagsOf(LISTENER_ARN)[TAG.lock])?.owner).toBe(RUN_B);
  });

  it("of two runs racing for a free lock, exactly one proceeds", async () => {
    const { elb, lock } = setup();
    // Both read "free" before either writes: the fake's calls interleave on the microtask queue.
    const results = await Promise.allSettled([lock(RUN_A), lock(RUN_B)]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(SafetyError);
    const holder = parseLock(elb.tagsOf(LISTENER_ARN)[TAG.lock])!.owner;
    expect((won[0] as PromiseFulfilledResult<{ holder: { owner: string } }>).value.holder.owner).toBe(holder);
    expect((lost[0]!.reason as Error).message).toContain(holder);
  });

  it("lets rollback take over a live lease, saying from whom", async () => {
    const { elb, lines, lock } = setup();
    await lock(RUN_A);
    const taken = await lock(RUN_B, { takeOver: true });
    expect(taken.tookOverFrom?.owner).toBe(RUN_A);
    expect(parseLock(elb.tagsOf(LISTENER_ARN)[TAG.lock])?.owner).toBe(RUN_B);
    expect(lines.join("\n")).toContain(`Taking over the deployment lock from ${RUN_A}`);
  });

  it("takes over an expired lease without being asked to, and logs that it expired", async () => {
    const { elb, clock, lines, lock } = setup();
    await lock(RUN_A, { ttlMs: 60_000 });
    clock.advance(61_000);
    const taken = await lock(RUN_B);
    expect(taken.tookOverFrom?.owner).toBe(RUN_A);
    expect(parseLock(elb.tagsOf(LISTENER_ARN)[TAG.lock])?.owner).toBe(RUN_B);
    expect(lines.join("\n")).toMatch(/expired deployment lock from acme\/web\/actions\/runs\/100/);
  });

  it("re-enters a lock the same run holds (later jobs of one workflow run)", async () => {
    const { elb, lock } = setup();
    await lock(RUN_A);
    const again = await lock(RUN_A);
    expect(again.tookOverFrom).toBeUndefined();
    expect(parseLock(elb.tagsOf(LISTENER_ARN)[TAG.lock])?.owner).toBe(RUN_A);
  });

  it("treats an unreadable lock value as free", async () => {
    const { elb, lock } = setup();
    elb.resourceTags.set(LISTENER_ARN, { [TAG.lock]: "something else" });
    await expect(lock(RUN_A)).resolves.toMatchObject({ holder: { owner: RUN_A } });
  });
});

describe("release", () => {
  it("removes its own lock", async () => {
    const { elb, lock } = setup();
    const acquired = await lock(RUN_A);
    await acquired.release();
    expect(elb.tagsOf(LISTENER_ARN)[TAG.lock]).toBeUndefined();
  });

  it("leaves a lock that rollback took over in the meantime", async () => {
    const { elb, lock } = setup();
    const mine = await lock(RUN_A);
    await lock(RUN_B, { takeOver: true });
    await mine.release();
    expect(parseLock(elb.tagsOf(LISTENER_ARN)[TAG.lock])?.owner).toBe(RUN_B);
    expect(elb.count("removeTags")).toBe(0);
  });
});
