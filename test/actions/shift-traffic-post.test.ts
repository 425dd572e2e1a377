/**
 * shift-traffic's post step, from its settings and saved state to what it says: a lock this job no
 * longer holds leaves the weights alone and says so, which is not the same as failing to restore.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../src/actions/shift-traffic/post-main";
import type { Ports } from "../../src/adapters/aws/factory";
import { RecordingIO } from "../../src/adapters/github/io";
import { acquireLock } from "../../src/domain/lock";
import type { ActionContext } from "../../src/runtime/run-action";
import { ManualClock } from "../../src/util/clock";
import { runInfo } from "../../src/util/run-info";
import { BLUE_ARN, FakeElb, GREEN_ARN, LISTENER_ARN } from "../support/fake-elb";

const ref = { kind: "listener" as const, arn: LISTENER_ARN };
const restoreTo = [
  { targetGroupArn: BLUE_ARN, weight: 1 },
  { targetGroupArn: GREEN_ARN, weight: 0 },
];
const split = [
  { targetGroupArn: BLUE_ARN, weight: 500 },
  { targetGroupArn: GREEN_ARN, weight: 500 },
];
const env = { GITHUB_REPOSITORY: "acme/web", GITHUB_RUN_ID: "7", GITHUB_RUN_ATTEMPT: "1", GITHUB_JOB: "deploy" };

/** The main step took the lock, saved its state mid-canary, and died. */
async function diedMidCanary() {
  const clock = new ManualClock();
  const elb = new FakeElb(ref, split);
  const run = runInfo((name) => env[name as keyof typeof env]);
  const owner = { run: `${run.repository}/actions/runs/${run.runId}`, job: run.job, attempt: Number(run.runAttempt) };
  const lock = await acquireLock({ rules: elb.locks, tags: elb.tags, environment: ref, owner, ttlMs: 3_600_000, clock, random: () => 0.5, log: () => {} });
  const io = new RecordingIO({}, {
    routing: JSON.stringify(ref),
    restore: JSON.stringify(restoreTo),
    stable: BLUE_ARN,
    lock: JSON.stringify(lock.saved()),
  });
  const ports = { router: elb, targetGroups: elb, locks: elb.locks, tags: elb.tags } as unknown as Ports;
  const ctx: ActionContext = { io, clock, random: () => 0.5, log: (line) => io.info(line), signal: new AbortController().signal, run, ports: async () => ports };
  return { elb, io, ctx, clock };
}

const settings = { "min-healthy": { kind: "count", value: 1 } } as unknown as Parameters<typeof main>[0];

describe("shift-traffic post step", () => {
  it("restores the stable weights while this job still holds the lock", async () => {
    const { elb, io, ctx } = await diedMidCanary();
    await main(settings, ctx);
    expect(elb.groups).toEqual(restoreTo);
    expect(io.annotations.some((a) => a.level === "warning" && /did not finish/.test(a.message))).toBe(true);
  });

  it("after a rollback took the lock over, leaves the weights alone and says why, not that it could not restore", async () => {
    const { elb, ctx, clock } = await diedMidCanary();
    for (const rule of elb.locks.current()) await elb.locks.remove(rule.arn);
    elb.holdLock({ run: "acme/web/actions/runs/9", job: "rollback", expiresAt: new Date(clock.now() + 3_600_000) });
    const error = await main(settings, ctx).catch((e: unknown) => e);
    expect(String(error)).toMatch(/its post step left the weights alone: Not restoring the stable weights .*held by another step.*Run the rollback action only if no other deployment or rollback is running\.$/);
    expect(String(error)).not.toMatch(/could not restore/);
    expect(elb.groups).toEqual(split);
    expect(elb.count("setWeights")).toBe(0);
  });
});
