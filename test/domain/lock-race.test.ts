/**
 * Race trials of the deployment lock over the fakes, with simulated time: two shift-traffic canaries
 * on one environment start 0-2 s apart, every AWS call takes 20-300 ms, and every read of the lock
 * rule lags its writes by up to 10 s (a fifth of the lease). Half the trials are two runs, half two
 * jobs of one run (a matrix). In every trial exactly one proceeds, and every weight write is made
 * by the job that holds the lock at that moment, as the load balancer has it (not as a read shows).
 */
import { describe, expect, it } from "vitest";
import { type Gate, shiftTraffic, type ShiftOptions } from "../../src/domain/shift-traffic";
import type { LockOwner } from "../../src/domain/lock";
import { TAG } from "../../src/domain/tags";
import type { TrafficRouter } from "../../src/ports/load-balancer";
import { SafetyError } from "../../src/util/errors";
import { BLUE_ARN, FakeElb, GREEN_ARN } from "../support/fake-elb";
import { FakeFleet } from "../support/fake-fleet";
import { seeded, SimClock } from "../support/sim-clock";
import { shiftOptions } from "../support/shift-options";

const TRIALS = 200;
const TTL = 60_000;
const MAX_LAG = 10_000;

interface Trial {
  proceeded: number;
  refused: string[];
  foreignWrites: string[];
  writes: number;
}

function options(owner: LockOwner): ShiftOptions {
  return shiftOptions({ plan: { kind: "steps", percents: [10, 50, 100], intervalMs: 40_000 }, lockOwner: owner, lockTtlMs: TTL });
}

async function trial(seed: number, matrix: boolean): Promise<Trial> {
  const random = seeded(seed);
  const clock = new SimClock();
  const elb = new FakeElb();
  const fleet = new FakeFleet(clock);
  fleet.addGroup({ name: "web-blue", running: 2, targetGroupArns: [BLUE_ARN] });
  fleet.addGroup({ name: "web-green", running: 2, targetGroupArns: [GREEN_ARN] });
  elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "stable", [TAG.version]: "v1" });
  elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "candidate", [TAG.version]: "v2" });
  elb.locks.clock = clock;
  elb.locks.lag = () => random() * MAX_LAG;
  elb.locks.delay = () => clock.sleep(20 + random() * 280);
  const owners: LockOwner[] = matrix
    ? [
        { run: "acme/web/actions/runs/1", job: "deploy-eu", attempt: 1 },
        { run: "acme/web/actions/runs/1", job: "deploy-us", attempt: 1 },
      ]
    : [
        { run: "acme/web/actions/runs/1", job: "deploy", attempt: 1 },
        { run: "acme/web/actions/runs/2", job: "deploy", attempt: 1 },
      ];
  const out: Trial = { proceeded: 0, refused: [], foreignWrites: [], writes: 0 };
  // Each job writes through its own router, which checks who holds the lock when the write lands.
  const routerOf = (owner: LockOwner): TrafficRouter => ({
    read: (ref) => elb.read(ref),
    setWeights: async (ref, groups, stickiness) => {
      await clock.sleep(20 + random() * 280);
      const holder = elb.lockHolder();
      out.writes++;
      if (holder?.run !== owner.run || holder.job !== owner.job || holder.state !== "active") {
        out.foreignWrites.push(`${owner.job}@${owner.run} wrote while ${holder ? `${holder.job}@${holder.run} (${holder.state})` : "nobody"} held the lock`);
      }
      return elb.setWeights(ref, groups, stickiness);
    },
  });
  const start = (owner: LockOwner, delayMs: number) =>
    clock.sleep(delayMs).then(() =>
      shiftTraffic(options(owner), {
        ports: { router: routerOf(owner), tags: elb.tags, locks: elb.locks, targetGroups: elb, discovery: elb, fleet: async () => fleet, alarms: async () => ({ read: async () => [] }) },
        gates: [] as Gate[],
        clock,
        random,
        log: () => {},
        warn: () => {},
      }),
    );
  const gap = random() * 2_000;
  const results = await clock.run([start(owners[0]!, 0), start(owners[1]!, gap)]);
  for (const r of results) {
    if (r.status === "fulfilled") out.proceeded++;
    else if (r.reason instanceof SafetyError) out.refused.push(r.reason.message);
    else throw r.reason;
  }
  return out;
}

describe(`lock race trials (${TRIALS} seeded, reads lagging up to ${MAX_LAG / 1000}s, lease ${TTL / 1000}s)`, () => {
  it("two runs, or two jobs of one run, started 0-2 s apart: exactly one proceeds, and no weight is written by a job that does not hold the lock", async () => {
    const summary = { trials: 0, matrix: 0, proceeded: 0, refused: 0, writes: 0, foreignWrites: 0, failures: [] as string[] };
    for (let seed = 1; seed <= TRIALS; seed++) {
      const matrix = seed % 2 === 0;
      const t = await trial(seed, matrix);
      summary.trials++;
      if (matrix) summary.matrix++;
      summary.proceeded += t.proceeded;
      summary.refused += t.refused.length;
      summary.writes += t.writes;
      summary.foreignWrites += t.foreignWrites.length;
      if (t.proceeded !== 1 || t.refused.length !== 1 || t.foreignWrites.length > 0) summary.failures.push(`seed ${seed}: ${JSON.stringify(t)}`);
      else expect(t.refused[0]).toMatch(matrix ? /Another job of this workflow run holds/ : /Another deployment holds this environment's lock|holder could not be read/);
    }
    if (process.env.LOCK_TRIALS_REPORT) console.log(JSON.stringify(summary));
    expect(summary.failures).toEqual([]);
    expect(summary).toMatchObject({ trials: TRIALS, matrix: TRIALS / 2, proceeded: TRIALS, refused: TRIALS, foreignWrites: 0 });
    // Every winner walked 10 → 50 → 100%.
    expect(summary.writes).toBe(3 * TRIALS);
  }, 60_000);
});
