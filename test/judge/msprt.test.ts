import { describe, expect, it } from "vitest";
import { decideMixture, runMixture, sprtExpectedSize, startMixture, updateMixture, type CountsInterval, type MixtureOptions } from "../../src/judge/msprt";
import { seededRandom } from "../../sandbox/aws";

const options: MixtureOptions = { alpha: 0.01, direction: "increase", allowedIncrease: 1.1, allowedDecrease: 0.9 };

/** Poisson draw by inversion (small means only). */
function poisson(random: () => number, mean: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  const u = random();
  while (u > cdf && k < 1000) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

/** One-second intervals at 200 rps: the canary's share per second and its and the baseline's error rates. */
function stream(random: () => number, seconds: number, share: (t: number) => number, baselineRate: number, canaryRate: number): CountsInterval[] {
  return Array.from({ length: seconds }, (_, t) => {
    const nc = Math.round(200 * share(t));
    const nb = 200 - nc;
    return { baseline: { events: Math.min(nb, poisson(random, nb * baselineRate)), total: nb }, canary: { events: Math.min(nc, poisson(random, nc * canaryRate)), total: nc } };
  });
}

describe("mixture SPRT on counts", () => {
  it("computes the likelihood ratio of one interval by hand", () => {
    // s = 0.5, one alternative check: with 3 canary and 1 baseline events the log LR of theta = 1.1 * 2 against 1.1 is
    // 3 ln(p1/p0) + 1 ln((1-p1)/(1-p0)), p = theta / (theta + 1).
    const state = updateMixture(startMixture(options), { baseline: { events: 1, total: 100 }, canary: { events: 3, total: 100 } }, options);
    const p0 = 1.1 / 2.1;
    const p1 = 2.2 / 3.2;
    expect(state.logLr[2]).toBeCloseTo(3 * Math.log(p1 / p0) + Math.log((1 - p1) / (1 - p0)), 12);
    expect(decideMixture(state, options).ratio).toBe(3);
  });

  it("the statistic is the weighted mean of the alternatives' ratios: moderate effects (1.5x-3x of the boundary) weigh twice as much", () => {
    const interval = { baseline: { events: 1, total: 100 }, canary: { events: 3, total: 100 } };
    const lr = (theta: number, theta0: number) => {
      const p = theta / (theta + 1);
      const p0 = theta0 / (theta0 + 1);
      return Math.pow(p / p0, 3) * ((1 - p) / (1 - p0));
    };
    const grid = [1.25, 1.5, 2, 3, 5, 10, 30];
    const weights = [0.1, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1];
    const up = grid.reduce((sum, g, i) => sum + weights[i]! * lr(1.1 * g, 1.1), 0);
    const down = grid.reduce((sum, g, i) => sum + weights[i]! * lr(0.9 / g, 0.9), 0);
    expect(decideMixture(updateMixture(startMixture(options), interval, options), options).statistic).toBeCloseTo(up, 12);
    const either = { ...options, direction: "either" as const };
    expect(decideMixture(updateMixture(startMixture(either), interval, either), either).statistic).toBeCloseTo((up + down) / 2, 12);
    // Weights sum to 1: with no evidence the statistic is 1 on every side.
    for (const direction of ["increase", "decrease", "either"] as const) expect(decideMixture(startMixture({ ...options, direction }), { ...options, direction }).statistic).toBeCloseTo(1, 12);
  });

  it("an interval with no events, or with trials on one side only, changes nothing", () => {
    const start = startMixture(options);
    const a = updateMixture(start, { baseline: { events: 0, total: 180 }, canary: { events: 0, total: 20 } }, options);
    const b = updateMixture(a, { baseline: { events: 0, total: 0 }, canary: { events: 5, total: 20 } }, options);
    expect(b.logLr).toEqual(start.logLr);
    const decision = decideMixture(b, options);
    expect(decision.statistic).toBeCloseTo(1, 12);
    expect(decision).toMatchObject({ pValue: 1, rejected: false });
  });

  it("refuses counts with more events than trials", () => {
    expect(() => updateMixture(startMixture(options), { baseline: { events: 3, total: 2 }, canary: { events: 0, total: 1 } }, options)).toThrow(/between 0 and the total/);
  });

  it("A/A: over 400 seeded ten-minute streams whose canary share steps 1% → 5% → 10%, it rejects at most alpha of them at any look", () => {
    const random = seededRandom(18);
    let rejected = 0;
    for (let run = 0; run < 400; run++) {
      const intervals = stream(random, 1800, (t) => (t < 600 ? 0.01 : t < 1200 ? 0.05 : 0.1), 0.005, 0.005);
      if (runMixture(intervals, { ...options, alpha: 0.05 }).stoppedAt >= 0) rejected++;
    }
    // Ville's bound is 5% (20 of 400); the mixture sits well under it.
    expect(rejected).toBeLessThanOrEqual(20);
  });

  it("A/A with a baseline incident (both sides' rate jumps tenfold for a minute) does not reject: the baseline is a live control", () => {
    const random = seededRandom(7);
    let rejected = 0;
    for (let run = 0; run < 200; run++) {
      const calm = stream(random, 300, () => 0.1, 0.005, 0.005);
      const incident = stream(random, 60, () => 0.1, 0.05, 0.05);
      if (runMixture([...calm, ...incident, ...calm], options).stoppedAt >= 0) rejected++;
    }
    expect(rejected).toBeLessThanOrEqual(2);
  });

  it("10x errors at a 10% canary of 200 rps: stopped within seconds, after a handful of canary failures", () => {
    const random = seededRandom(99);
    const failures: number[] = [];
    for (let run = 0; run < 200; run++) {
      const intervals = stream(random, 600, () => 0.1, 0.005, 0.05);
      const { stoppedAt } = runMixture(intervals, options);
      expect(stoppedAt).toBeGreaterThanOrEqual(0);
      failures.push(intervals.slice(0, stoppedAt + 1).reduce((n, i) => n + i.canary.events, 0));
    }
    failures.sort((a, b) => a - b);
    const median = failures[100]!;
    const sprt = sprtExpectedSize(0.1, 1.1, 10, 0.01, 0.01).canaryEvents;
    expect(median).toBeLessThanOrEqual(2 * sprt);
    expect(median).toBeLessThan(20);
  });

  it("2x errors at a 10% canary: detected within a ten-minute bake in at least 95% of seeded runs", () => {
    const random = seededRandom(5);
    let detected = 0;
    for (let run = 0; run < 200; run++) if (runMixture(stream(random, 600, () => 0.1, 0.005, 0.01), options).stoppedAt >= 0) detected++;
    expect(detected).toBeGreaterThanOrEqual(190);
  });

  it("does not reject a canary inside the allowed effect (+5% errors)", () => {
    const random = seededRandom(11);
    let rejected = 0;
    for (let run = 0; run < 100; run++) if (runMixture(stream(random, 600, () => 0.1, 0.005, 0.00525), options).stoppedAt >= 0) rejected++;
    expect(rejected).toBeLessThanOrEqual(1);
  });

  it("direction decrease and either watch the other side", () => {
    const random = seededRandom(3);
    const better = stream(random, 600, () => 0.5, 0.05, 0.005);
    expect(runMixture(better, options).stoppedAt).toBe(-1);
    expect(runMixture(better, { ...options, direction: "decrease" }).stoppedAt).toBeGreaterThanOrEqual(0);
    expect(runMixture(better, { ...options, direction: "either" }).stoppedAt).toBeGreaterThanOrEqual(0);
  });

  it("Wald's expected sample size: events and the canary's share of them", () => {
    // s = 0.1, theta 1 vs 10: p0 = 0.1, p1 = 1/1.9; KL(p1 || p0) and ((1-b) ln((1-b)/a) + b ln(b/(1-a))) / KL.
    const p1 = 1 / 1.9;
    const klv = p1 * Math.log(p1 / 0.1) + (1 - p1) * Math.log((1 - p1) / 0.9);
    const events = (0.99 * Math.log(99) + 0.01 * Math.log(0.01 / 0.99)) / klv;
    const got = sprtExpectedSize(0.1, 1, 10, 0.01, 0.01);
    expect(got.events).toBeCloseTo(events, 9);
    expect(got.canaryEvents).toBeCloseTo(events * p1, 9);
  });
});
