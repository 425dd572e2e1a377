import { describe, expect, it } from "vitest";
import { gatePoll, type GatePlan, runHealthGate } from "../../src/domain/health-gate";
import type { HttpCheckSpec } from "../../src/domain/http-check";
import type { TargetHealthEntry } from "../../src/ports/load-balancer";
import { ManualClock } from "../../src/util/clock";
import type { Fetch } from "../../src/util/node-fetch";
import { FakeElb, GREEN_ARN, healthy } from "../support/fake-elb";

const ALL = { minHealthy: { kind: "count", value: 1 }, requireAll: true } as const;

function plan(overrides: Partial<GatePlan> = {}): GatePlan {
  return { targetGroupArns: [GREEN_ARN], requirement: ALL, http: [], timeoutMs: 300_000, ...overrides };
}

function initial(n: number): TargetHealthEntry[] {
  return Array.from({ length: n }, (_, i) => ({ id: `i-new${i}`, port: 80, state: "initial" as const, reason: "Elb.InitialHealthChecking", description: "Initial health checks in progress" }));
}

/** A gate whose target group answers `script(elapsed ms)`; every DescribeTargetHealth call's time, from the start. */
function scripted(script: (elapsed: number) => TargetHealthEntry[]) {
  const clock = new ManualClock();
  const elb = new FakeElb();
  const start = clock.now();
  const reads: number[] = [];
  elb.healthOf.set(GREEN_ARN, () => {
    reads.push(clock.now() - start);
    return script(clock.now() - start);
  });
  return { clock, reads, deps: { targetGroups: elb, clock, random: () => 0.5, log: () => undefined } };
}

const gaps = (reads: number[], from = 0, to = Infinity) => reads.slice(1).map((at, i) => ({ at, gap: at - reads[i]! })).filter((g) => g.at > from && g.at <= to);

describe("health-gate polling fits the account's API budget", () => {
  it("backs off on a plateau: a 2-minute wait reads target health less than half as often as fixed sub-second polls", async () => {
    const script = (t: number) => (t < 120_000 ? initial(2) : healthy(2, "i-new"));
    const backedOff = scripted(script);
    const fixed = scripted(script);

    const a = await runHealthGate(plan(), backedOff.deps);
    const b = await runHealthGate(plan(), { ...fixed.deps, policy: gatePoll });

    expect(a.healthy && b.healthy).toBe(true);
    // Fixed polls: 0.5 s, 0.65 s, then 0.8 s apart, about 150 calls; backed off: 0.5 s apart for 10 s, then 2.5 s.
    expect(fixed.reads.length).toBeGreaterThan(140);
    expect(backedOff.reads.length).toBeLessThan(fixed.reads.length / 2);
    const perMinute = (backedOff.reads.length - 1) / (backedOff.reads.at(-1)! / 60_000);
    expect(perMinute).toBeLessThan(35);
    expect(Math.max(...gaps(backedOff.reads, 0, 10_000).map((g) => g.gap))).toBeLessThanOrEqual(800);
    expect(Math.min(...gaps(backedOff.reads, 15_000, 120_000).map((g) => g.gap))).toBeGreaterThanOrEqual(2000);
    // The plateau's end is seen within one backed-off delay.
    expect(backedOff.reads.at(-1)! - 120_000).toBeLessThanOrEqual(2500);
    expect(a.polls).toBe(backedOff.reads.length);
  });

  it("polls fast again as soon as the status changes, and reacts within a second to the next change", async () => {
    // One target turns healthy after a minute's plateau, the other 3 s later.
    const { reads, deps } = scripted((t) => (t < 60_000 ? initial(2) : t < 63_000 ? [...healthy(1, "i-new"), ...initial(2).slice(1)] : healthy(2, "i-new")));

    const result = await runHealthGate(plan(), deps);

    expect(result.healthy).toBe(true);
    const firstChange = reads.find((at) => at >= 60_000)!;
    expect(firstChange - 60_000).toBeLessThanOrEqual(2500);
    const after = gaps(reads, firstChange);
    expect(after[0]!.gap).toBeLessThanOrEqual(800);
    expect(reads.at(-1)! - 63_000).toBeLessThanOrEqual(1000);
  });

  it("keeps the hold at 1.0-1.2 s polls, and polls fast again after a hold that breaks", async () => {
    // A plateau, then healthy from 30 s; at 40 s the same targets are back to initial: the hold breaks.
    const { reads, deps } = scripted((t) => (t < 30_000 || (t >= 40_000 && t < 70_000) ? initial(2) : healthy(2, "i-new")));

    const result = await runHealthGate(plan({ stableFor: { kind: "fixed", ms: 20_000 } }), deps);

    expect(result.healthy).toBe(true);
    expect(result.lapses).toHaveLength(1);
    const holding = gaps(reads, reads.find((at) => at >= 30_000)!, 40_000);
    expect(holding.length).toBeGreaterThan(5);
    for (const g of holding) expect(g.gap).toBeGreaterThanOrEqual(1000), expect(g.gap).toBeLessThanOrEqual(1200);
    const broke = reads.find((at) => at >= 40_000)!;
    expect(broke - 40_000).toBeLessThanOrEqual(1200);
    // The status after the lapse is the one before the hold: the wait still starts again from 0.5 s.
    expect(gaps(reads, broke)[0]!.gap).toBeLessThanOrEqual(800);
    const secondHold = gaps(reads, reads.find((at) => at >= 70_000)!);
    for (const g of secondHold) expect(g.gap).toBeLessThanOrEqual(1200);
  });

  it("with URL checks keeps their sub-second polls and spaces the target health reads as without them", async () => {
    const { clock, reads, deps } = scripted((t) => (t < 60_000 ? initial(2) : healthy(2, "i-new")));
    const urlPolls: number[] = [];
    const http: HttpCheckSpec = { url: "http://127.0.0.1:9/health", expectedStatus: [{ min: 200, max: 200 }], expectJson: [], requestTimeoutMs: 1000, consecutiveSuccesses: 3, headers: [] };
    const start = clock.now();
    const fetch: Fetch = async () => (urlPolls.push(clock.now() - start), new Response("ok", { status: 200 }));

    const result = await runHealthGate(plan({ http: [http] }), { ...deps, fetch });

    expect(result.healthy).toBe(true);
    expect(Math.max(...gaps(urlPolls).map((g) => g.gap))).toBeLessThanOrEqual(800);
    expect(reads.length).toBeLessThan(urlPolls.length / 2);
    expect(Math.min(...gaps(reads, 15_000, 60_000).map((g) => g.gap))).toBeGreaterThanOrEqual(1200);
    expect(Math.max(...gaps(reads).map((g) => g.gap))).toBeLessThanOrEqual(2500);
    // The pass is judged on a target health read of the last poll.
    expect(reads.at(-1)).toBe(urlPolls.at(-1));
    expect(reads.at(-1)! - 60_000).toBeLessThanOrEqual(2500);
  });

  it("with URL checks, a URL that recovers after a long wait passes 3 polls later, on a fresh target health read", async () => {
    const { clock, reads, deps } = scripted(() => healthy(2, "i-new"));
    const start = clock.now();
    const urlPolls: number[] = [];
    const fetch: Fetch = async () => {
      urlPolls.push(clock.now() - start);
      return new Response("ok", { status: clock.now() - start < 60_000 ? 503 : 200 });
    };
    const http: HttpCheckSpec = { url: "http://127.0.0.1:9/health", expectedStatus: [{ min: 200, max: 200 }], expectJson: [], requestTimeoutMs: 1000, consecutiveSuccesses: 3, headers: [] };

    const result = await runHealthGate(plan({ http: [http] }), { ...deps, fetch });

    expect(result.healthy).toBe(true);
    const recovered = urlPolls.find((at) => at >= 60_000)!;
    expect(recovered - 60_000).toBeLessThanOrEqual(800);
    expect(urlPolls.filter((at) => at >= 60_000)).toHaveLength(3);
    expect(reads.at(-1)).toBe(urlPolls.at(-1));
    expect(reads.length).toBeLessThan(urlPolls.length / 2);
  });

  it("with URL checks reads target health on every poll of the hold", async () => {
    const { clock, reads, deps } = scripted((t) => (t < 30_000 ? initial(2) : healthy(2, "i-new")));
    const start = clock.now();
    const urlPolls: number[] = [];
    const fetch: Fetch = async () => (urlPolls.push(clock.now() - start), new Response("ok", { status: 200 }));
    const http: HttpCheckSpec = { url: "http://127.0.0.1:9/health", expectedStatus: [{ min: 200, max: 200 }], expectJson: [], requestTimeoutMs: 1000, consecutiveSuccesses: 1, headers: [] };

    const result = await runHealthGate(plan({ http: [http], stableFor: { kind: "fixed", ms: 10_000 } }), { ...deps, fetch });

    expect(result.healthy).toBe(true);
    const passedAt = reads.find((at) => at >= 30_000)!;
    expect(reads.filter((at) => at >= passedAt)).toEqual(urlPolls.filter((at) => at >= passedAt));
    expect(reads.filter((at) => at >= passedAt).length).toBeGreaterThanOrEqual(9);
  });
});
