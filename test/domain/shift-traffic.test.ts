import { describe, expect, it } from "vitest";
import { shiftTraffic, type Gate } from "../../src/domain/shift-traffic";
import { TAG } from "../../src/domain/tags";
import type { AlarmState } from "../../src/ports/alarms";
import { ManualClock } from "../../src/util/clock";
import { LockLostError } from "../../src/domain/lock";
import { SafetyError } from "../../src/util/errors";
import { BLUE_ARN, FakeElb, GREEN_ARN, LISTENER_ARN, healthy, unhealthy } from "../support/fake-elb";
import { FakeFleet } from "../support/fake-fleet";
import { shiftOptions } from "../support/shift-options";

function setup(options: { alarms?: AlarmState[] } = {}) {
  const clock = new ManualClock();
  const elb = new FakeElb();
  const fleet = new FakeFleet(clock);
  fleet.addGroup({ name: "web-blue", running: 2, targetGroupArns: [BLUE_ARN] });
  fleet.addGroup({ name: "web-green", running: 2, targetGroupArns: [GREEN_ARN] });
  elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "stable", [TAG.version]: "v1" });
  elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "candidate", [TAG.version]: "v2" });
  const alarmCalls: string[][] = [];
  let alarmStates = options.alarms ?? [];
  const logs: string[] = [];
  const warnings: string[] = [];
  const deps = {
    ports: {
      router: elb,
      tags: elb.tags,
      locks: elb.locks,
      targetGroups: elb,
      discovery: elb,
      fleet: async () => fleet,
      alarms: async () => ({
        read: async (names: string[]) => {
          alarmCalls.push(names);
          return alarmStates.filter((a) => names.includes(a.name));
        },
      }),
    },
    gates: [] as Gate[],
    clock,
    random: () => 0.5,
    log: (l: string) => logs.push(l),
    warn: (l: string) => warnings.push(l),
  };
  const setAlarms = (a: AlarmState[]) => {
    alarmStates = a;
  };
  return { clock, elb, fleet, deps, logs, warnings, alarmCalls, setAlarms };
}

const options = shiftOptions;

const share = (elb: FakeElb, arn: string) => {
  const total = elb.groups.reduce((t, g) => t + g.weight, 0);
  return (elb.groups.find((g) => g.targetGroupArn === arn)!.weight / total) * 100;
};

describe("shiftTraffic", () => {
  it("maps a 0.5% canary exactly onto ALB weights and verifies the write by reading it back", async () => {
    const { elb, deps } = setup();
    const result = await shiftTraffic(options({ plan: { kind: "weight", percent: 0.5 } }), deps);
    expect(elb.groups).toEqual([
      { targetGroupArn: BLUE_ARN, weight: 995 },
      { targetGroupArn: GREEN_ARN, weight: 5 },
    ]);
    const ops = elb.calls.map((c) => c.op);
    expect(ops.indexOf("read", ops.indexOf("setWeights"))).toBeGreaterThan(ops.indexOf("setWeights"));
    expect(result.finalShare).toBe(0.5);
    expect(result.promoted).toBe(false);
  });

  it("walks the steps, bakes between them, and promotes at 100%", async () => {
    const { elb, deps, clock, fleet } = setup();
    const start = clock.now();
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [1, 10, 50, 100], intervalMs: 60_000 } }), deps);
    expect(elb.weightHistory.map((w) => w.find((g) => g.targetGroupArn === GREEN_ARN)!.weight)).toEqual([10, 100, 500, 1]);
    expect(clock.now() - start).toBeGreaterThanOrEqual(3 * 60_000);
    expect(result.stepsCompleted).toBe(4);
    expect(result.promoted).toBe(true);
    expect(elb.tagsOf(GREEN_ARN)[TAG.role]).toBe("stable");
    expect(elb.tagsOf(BLUE_ARN)[TAG.role]).toBe("previous");
    expect(elb.lockHolder()).toBeUndefined();
    // Both groups are tagged too, found in one scan of the account's groups.
    expect((await fleet.describe("web-green"))!.tags[TAG.role]).toBe("stable");
    expect((await fleet.describe("web-blue"))!.tags[TAG.role]).toBe("previous");
    expect(fleet.count("findByTargetGroups")).toBe(1);
  });

  it("refuses to give weight to a target group without enough healthy targets, and writes nothing", async () => {
    const { elb, deps } = setup();
    elb.healthOf.set(GREEN_ARN, unhealthy(2));
    const result = await shiftTraffic(options({ plan: { kind: "weight", percent: 10 } }), deps);
    expect(result.aborted).toBe(true);
    expect(result.abortReason).toContain("Target.ResponseCodeMismatch");
    expect(elb.count("setWeights")).toBe(0);
    expect(share(elb, BLUE_ARN)).toBe(100);
  });

  it("honours a percent min-healthy against the registered targets", async () => {
    const { elb, deps } = setup();
    elb.healthOf.set(GREEN_ARN, [...healthy(1), ...unhealthy(3)]);
    const result = await shiftTraffic(options({ plan: { kind: "weight", percent: 10 }, minHealthy: { kind: "percent", value: 50 } }), deps);
    expect(result.aborted).toBe(true);
    expect(result.abortReason).toContain("1/4 healthy, 2 required");
  });

  it("retries the read-back until the load balancer reports the new weights", async () => {
    const { elb, deps } = setup();
    elb.staleReads = 2;
    const result = await shiftTraffic(options({ plan: { kind: "weight", percent: 10 } }), deps);
    expect(result.aborted).toBe(false);
    expect(elb.count("read")).toBeGreaterThanOrEqual(4);
  });

  it("fails when a write never takes effect, and says what the load balancer reports", async () => {
    const { elb, deps } = setup();
    elb.ignoreWrites = true;
    await expect(shiftTraffic(options({ plan: { kind: "weight", percent: 10 } }), deps)).rejects.toThrow(/still reports .*web-blue 100%.* instead of .*web-green 10%/);
  });

  it("fails when the load balancer keeps the old stickiness, since the write did not take effect", async () => {
    const { elb, deps } = setup();
    const setWeights = elb.setWeights.bind(elb);
    elb.setWeights = (ref, groups) => setWeights(ref, groups);
    await expect(shiftTraffic(options({ plan: { kind: "weight", percent: 10 }, stickinessSeconds: 3600 }), deps)).rejects.toThrow(/still reports stickiness off instead of on for 3600s after \d+ reads; the write did not take effect/);
    expect(elb.stickiness).toEqual({ enabled: false });
  });

  it("aborts when an alarm fires during a bake and restores 100% to the stable slot, verified", async () => {
    const { elb, deps, clock, setAlarms } = setup({ alarms: [{ name: "web-5xx", state: "OK", reason: "" }] });
    elb.onWrite = (groups) => {
      if (groups.find((g) => g.targetGroupArn === GREEN_ARN)!.weight === 100) {
        clock.advance(1);
        setAlarms([{ name: "web-5xx", state: "ALARM", reason: "Threshold Crossed: 1 datapoint [12.0] was greater than 5.0" }]);
      }
    };
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [1, 10, 50, 100], intervalMs: 60_000 }, alarmNames: ["web-5xx"] }), deps);
    expect(result.aborted).toBe(true);
    expect(result.abortReason).toContain("web-5xx is in ALARM (Threshold Crossed");
    expect(result.restored).toBe(true);
    expect(share(elb, BLUE_ARN)).toBe(100);
    expect(elb.weightHistory.map((w) => w.find((g) => g.targetGroupArn === GREEN_ARN)!.weight)).toEqual([10, 100, 0]);
    expect(elb.tagsOf(GREEN_ARN)[TAG.role]).toBe("candidate");
  });

  it("says so when a named alarm does not exist", async () => {
    const { deps } = setup();
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 10_000 }, alarmNames: ["missing-alarm"] }), deps);
    expect(result.abortReason).toContain("no CloudWatch alarm named missing-alarm");
  });

  it("aborts on a failed gate and restores", async () => {
    const { elb, deps } = setup();
    deps.gates = [{ name: "canary analysis", check: async () => ({ ok: false, detail: "fail: error-rate high (2.1% vs 0.4%)" }) }];
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 10_000 } }), deps);
    expect(result.abortReason).toBe("canary analysis failed at 10%: fail: error-rate high (2.1% vs 0.4%)");
    expect(share(elb, BLUE_ARN)).toBe(100);
  });

  it("a gate's watch runs at every tick of the bake and stops it there: the bad canary is restored mid-bake", async () => {
    const { elb, deps, clock } = setup();
    const ticks: number[] = [];
    let checked = false;
    deps.gates = [
      {
        name: "canary analysis",
        watch: async (ctx) => (ticks.push(ctx.now - ctx.stepStartedAt), ticks.length < 4 ? { ok: true, detail: "ok" } : { ok: false, detail: "sequential test stopped the canary" }),
        check: async () => ((checked = true), { ok: true, detail: "ok" }),
      },
    ];
    const started = clock.now();
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 60_000 } }), deps);
    expect(ticks).toEqual([0, 2000, 4000, 6000]);
    expect(checked).toBe(false);
    expect(result.abortReason).toBe("canary analysis failed at 10%, 6.0s into the bake: sequential test stopped the canary");
    expect(clock.now() - started).toBeLessThan(60_000);
    expect(share(elb, BLUE_ARN)).toBe(100);
  });

  it("a watch that stops the canary while the bake waits for its metrics (settleMs) says the bake time was over", async () => {
    const { deps } = setup();
    deps.gates = [{ name: "canary analysis", settleMs: 6_000, watch: async (ctx) => (ctx.now - ctx.stepStartedAt >= 12_000 ? { ok: false, detail: "sequential test stopped the canary" } : { ok: true, detail: "ok" }), check: async () => ({ ok: true, detail: "ok" }) }];
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 10_000 } }), deps);
    expect(result.abortReason).toBe("canary analysis failed at 10%, 12.0s into the bake (its 10.0s were over; waiting for its metrics to be published): sequential test stopped the canary");
  });

  it("a good canary's watch never stops it: the bake lasts its whole interval and the look at its end runs", async () => {
    const { deps } = setup();
    let ticks = 0;
    const looks: number[] = [];
    deps.gates = [{ name: "probe", watch: async () => (ticks++, { ok: true, detail: "ok" }), check: async (ctx) => (looks.push(ctx.now - ctx.stepStartedAt), { ok: true, detail: "ok" }) }];
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 10_000 } }), deps);
    expect(result.promoted).toBe(true);
    expect(ticks).toBe(5);
    expect(looks).toEqual([10_000]);
  });

  it("gives gates the look number, the window of the bake and both slots", async () => {
    const { deps } = setup();
    const seen: unknown[] = [];
    deps.gates = [
      {
        name: "probe",
        check: async (ctx) => {
          seen.push({ step: ctx.stepIndex, looks: ctx.plannedLooks, final: ctx.final, window: ctx.now - ctx.stepStartedAt, canary: ctx.canary.name, baseline: ctx.baseline.name });
          return { ok: true, detail: "ok" };
        },
      },
    ];
    await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 50, 100], intervalMs: 30_000 } }), deps);
    expect(seen).toEqual([
      { step: 0, looks: 2, final: false, window: 30_000, canary: "green", baseline: "blue" },
      { step: 1, looks: 2, final: true, window: 30_000, canary: "green", baseline: "blue" },
    ]);
  });

  it("watches a bake settleMs longer before its look (metrics-delay), health included, and tells the look when the bake ended", async () => {
    const { deps, elb, logs } = setup();
    const seen: unknown[] = [];
    let healthReads = 0;
    const health = elb.health.bind(elb);
    elb.health = async (arn: string) => (healthReads++, health(arn));
    deps.gates = [{ name: "probe", settleMs: 9_000, check: async (ctx) => (seen.push({ waited: ctx.now - ctx.bakeEndedAt, bake: ctx.bakeEndedAt - ctx.stepStartedAt }), { ok: true, detail: "ok" }) }];
    await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 30_000 } }), deps);
    expect(seen).toEqual([{ waited: 9_000, bake: 30_000 }]);
    expect(logs).toContain("Baking green at 10% for 30s, then 9s more until its metrics are published (metrics-delay)");
    // Health was read through the settling too (every 2 s for 30 s, then every 4 s), not only during the 30 s bake.
    expect(healthReads).toBeGreaterThanOrEqual(17);
  });

  it("starts each bake, and the canary's window, propagation-delay after the verified write", async () => {
    const { deps, elb, clock } = setup();
    const writes: number[] = [];
    elb.onWrite = () => writes.push(clock.now());
    const seen: unknown[] = [];
    deps.gates = [{ name: "probe", check: async (ctx) => (seen.push({ bake: ctx.stepStartedAt - writes[0]!, window: ctx.canaryStartedAt - writes[0]! }), { ok: true, detail: "ok" }) }];
    await shiftTraffic(options({ propagationMs: 5_000, plan: { kind: "steps", percents: [10, 100], intervalMs: 30_000 } }), deps);
    const [at] = seen as { bake: number; window: number }[];
    expect(at!.bake).toBeGreaterThanOrEqual(5_000);
    expect(at!.window).toBeGreaterThanOrEqual(5_000);
  });

  it("never settles past the timeout: the look runs at the deadline", async () => {
    const { deps, clock } = setup();
    const seen: number[] = [];
    const start = clock.now();
    deps.gates = [{ name: "probe", settleMs: 600_000, check: async (ctx) => (seen.push(ctx.now - ctx.bakeEndedAt), { ok: true, detail: "ok" }) }];
    await shiftTraffic(options({ timeoutMs: 100_000, plan: { kind: "steps", percents: [10, 100], intervalMs: 30_000 } }), deps);
    expect(seen).toHaveLength(1);
    expect(seen[0]!).toBeLessThanOrEqual(100_000 - 30_000);
    expect(clock.now() - start).toBeLessThan(110_000);
  });

  it("bakes and judges after the last step of a canary that stops short of 100%", async () => {
    const { deps, clock } = setup();
    const looks: unknown[] = [];
    deps.gates = [{ name: "probe", check: async (ctx) => (looks.push({ look: ctx.stepIndex, of: ctx.plannedLooks, final: ctx.final, share: ctx.share }), { ok: true, detail: "ok" }) }];
    const start = clock.now();
    await shiftTraffic(options({ plan: { kind: "steps", percents: [1, 10], intervalMs: 60_000 } }), deps);
    expect(looks).toEqual([
      { look: 0, of: 2, final: false, share: 1 },
      { look: 1, of: 2, final: true, share: 10 },
    ]);
    expect(clock.now() - start).toBeGreaterThanOrEqual(120_000);
  });

  it("tags an untagged live slot stable before the first canary step, so a later job knows what to restore", async () => {
    const { elb, deps } = setup();
    elb.resourceTags.set(BLUE_ARN, {});
    elb.resourceTags.set(GREEN_ARN, { [TAG.version]: "v2" });
    await shiftTraffic(options({ to: "green", plan: { kind: "weight", percent: 10 } }), deps);
    expect(elb.tagsOf(BLUE_ARN)[TAG.role]).toBe("stable");
    const ops = elb.calls.map((c) => c.op);
    expect(ops.indexOf("writeTags")).toBeLessThan(ops.indexOf("setWeights"));
  });

  it("does not read target health again right after a bake's last read", async () => {
    const { elb, deps, clock } = setup();
    const readsAt: number[] = [];
    const health = elb.health.bind(elb);
    elb.health = async (arn) => (arn === GREEN_ARN && readsAt.push(clock.now()), health(arn));
    await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 50, 100], intervalMs: 10_000 } }), deps);
    const gaps = readsAt.slice(1).map((t, i) => t - readsAt[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
  });

  it("stops without writing another weight when a rollback takes the lock over mid-canary", async () => {
    const { elb, deps, clock } = setup();
    elb.onWrite = (groups) => {
      if (groups.find((g) => g.targetGroupArn === GREEN_ARN)!.weight === 100) {
        // What a rollback does: deletes this run's lock rule and creates its own.
        for (const rule of elb.locks.current()) void elb.locks.remove(rule.arn);
        elb.holdLock({ run: "org/repo/actions/runs/77", expiresAt: new Date(clock.now() + 600_000) });
      }
    };
    await expect(shiftTraffic(options({ plan: { kind: "steps", percents: [10, 50, 100], intervalMs: 10_000 } }), deps)).rejects.toThrow(/org\/repo\/actions\/runs\/77 took this environment's deployment lock over/);
    expect(elb.weightHistory.map((w) => w.find((g) => g.targetGroupArn === GREEN_ARN)!.weight)).toEqual([100]);
  });

  it("aborts when the canary loses health mid-bake", async () => {
    const { elb, deps, clock } = setup();
    const start = clock.now();
    elb.healthOf.set(GREEN_ARN, () => (clock.now() - start > 5_000 ? unhealthy(2) : healthy(2)));
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 60_000 } }), deps);
    expect(result.abortReason).toContain("lost health during the bake at 10%");
    expect(share(elb, BLUE_ARN)).toBe(100);
  });

  it("does not restore onto a stable slot that is itself unhealthy; it says to run rollback", async () => {
    const { elb, deps, clock, warnings } = setup();
    const start = clock.now();
    elb.healthOf.set(BLUE_ARN, () => (clock.now() - start > 1_000 ? unhealthy(2) : healthy(2)));
    deps.gates = [{ name: "gate", check: async () => ({ ok: false, detail: "no" }) }];
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 10_000 } }), deps);
    expect(result.restored).toBe(false);
    expect(share(elb, GREEN_ARN)).toBe(10);
    expect(warnings.join("\n")).toContain("Run the rollback action");
  });

  it("does not report traffic restored when the restoring write does not take effect; it says to run rollback", async () => {
    const { elb, deps, warnings } = setup();
    elb.onWrite = () => {
      elb.ignoreWrites = true;
    };
    deps.gates = [{ name: "gate", check: async () => ({ ok: false, detail: "no" }) }];
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 10_000 } }), deps);
    expect(result.restored).toBe(false);
    expect(share(elb, GREEN_ARN)).toBe(10);
    expect(warnings.join("\n")).toMatch(/the write did not take effect.*Run the rollback action/);
  });

  it("restores when the job is cancelled during a bake", async () => {
    const { elb, deps } = setup();
    const controller = new AbortController();
    elb.onWrite = (groups) => {
      if (groups.find((g) => g.targetGroupArn === GREEN_ARN)!.weight === 100) controller.abort(new Error("cancelled by SIGINT"));
    };
    await expect(shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 60_000 } }), { ...deps, signal: controller.signal })).rejects.toThrow("cancelled by SIGINT");
    expect(share(elb, BLUE_ARN)).toBe(100);
  });

  it("restores with stickiness off when a canary with stickiness aborts, so clients stuck on the canary move at once", async () => {
    const { elb, deps, logs } = setup();
    deps.gates = [{ name: "gate", check: async () => ({ ok: false, detail: "no" }) }];
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 10_000 }, stickinessSeconds: 3600 }), deps);
    expect(result.restored).toBe(true);
    expect(share(elb, BLUE_ARN)).toBe(100);
    expect(elb.stickiness).toEqual({ enabled: false });
    expect(logs.join("\n")).toMatch(/Stickiness turned off on the forward action, so clients holding a cookie for green moved at once .* Cookies naming green stay valid until \S+Z/);
  });

  it("scales the previous fleet in only after turning stickiness off, and refuses if it is turned back on", async () => {
    const { elb, fleet, deps, clock } = setup();
    const writes: unknown[] = [];
    elb.onWrite = () => writes.push({ at: clock.now(), stickiness: elb.stickiness });
    const result = await shiftTraffic(options({ plan: { kind: "weight", percent: 100 }, stickinessSeconds: 600, scaleInPrevious: true, scaleInDelayMs: 0 }), deps);
    expect(result.scaledIn).toMatchObject({ asg: "web-blue" });
    expect(elb.stickiness).toEqual({ enabled: false });
    expect(writes).toHaveLength(2);
    expect(fleet.groups.get("web-blue")!.desiredCapacity).toBe(0);

    const again = setup();
    // Someone turns stickiness back on while the deregistration delay runs (after the off write was verified).
    let offWritten = false;
    let readsSince = 0;
    again.elb.onWrite = () => (offWritten ||= !again.elb.stickiness.enabled);
    const read = again.elb.read.bind(again.elb);
    again.elb.read = async (ref) => {
      if (offWritten && ++readsSince === 2) again.elb.stickiness = { enabled: true, durationSeconds: 600 };
      return read(ref);
    };
    const refused = await shiftTraffic(options({ plan: { kind: "weight", percent: 100 }, stickinessSeconds: 600, scaleInPrevious: true, scaleInDelayMs: 0 }), again.deps).catch((e: Error) => e);
    expect(String(refused)).toMatch(/stickiness was turned back on/);
    expect(again.fleet.groups.get("web-blue")!.desiredCapacity).toBe(2);
  });

  it("sets stickiness on the forward action", async () => {
    const { elb, deps } = setup();
    await shiftTraffic(options({ plan: { kind: "weight", percent: 10 }, stickinessSeconds: 3600 }), deps);
    expect(elb.stickiness).toEqual({ enabled: true, durationSeconds: 3600 });
  });

  it("prints the plan and changes nothing in a dry run", async () => {
    const { elb, fleet, deps, logs } = setup();
    const result = await shiftTraffic(options({ plan: { kind: "steps", percents: [10, 100], intervalMs: 60_000 }, dryRun: true, scaleInPrevious: true }), deps);
    expect(result.planLines).toEqual(["blue 100%, green 0% → blue 90%, green 10%", "blue 100%, green 0% → blue 0%, green 100%"]);
    expect(logs.join("\n")).toContain("[dry-run] would set weights");
    expect(elb.calls.filter((c) => ["setWeights", "writeTags", "removeTags"].includes(c.op))).toEqual([]);
    expect(fleet.writes()).toEqual([]);
  });

  it("fails fast, writing nothing, when another run holds the deployment lock", async () => {
    const { elb, deps, clock } = setup();
    elb.resourceTags.set(LISTENER_ARN, { [TAG.lock]: `owner=org/repo/actions/runs/99;expires=${new Date(clock.now() + 600_000).toISOString()}` });
    await expect(shiftTraffic(options(), deps)).rejects.toThrow(/org\/repo\/actions\/runs\/99/);
    expect(elb.count("setWeights")).toBe(0);
  });

  it("refuses when weights and tags disagree", async () => {
    const { elb, deps } = setup();
    elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "previous" });
    await expect(shiftTraffic(options(), deps)).rejects.toBeInstanceOf(SafetyError);
    expect(elb.count("setWeights")).toBe(0);
  });

  it("scales in the previous fleet only after its deregistration delay, and only while it has no weight", async () => {
    const { elb, fleet, deps, clock } = setup();
    elb.deregistrationDelay.set(BLUE_ARN, 30);
    const before = clock.now();
    let promotedAt = 0;
    elb.onWrite = () => {
      promotedAt = clock.now();
    };
    const result = await shiftTraffic(options({ scaleInPrevious: true, scaleInDelayMs: 15_000 }), deps);
    expect(result.scaledIn).toEqual({ asg: "web-blue", fromCapacity: 2 });
    const change = fleet.capacityChanges.find((c) => c.name === "web-blue");
    expect(change?.change).toEqual({ minSize: 0, desiredCapacity: 0 });
    expect(clock.now() - Math.max(promotedAt, before)).toBeGreaterThanOrEqual(45_000);
  });

  it("does not scale in a previous fleet that carries weight again", async () => {
    const { elb, fleet, deps } = setup();
    elb.deregistrationDelay.set(BLUE_ARN, 10);
    let writes = 0;
    elb.onWrite = () => {
      writes++;
    };
    const originalRead = elb.read.bind(elb);
    let reads = 0;
    elb.read = async (ref) => {
      const state = await originalRead(ref);
      reads++;
      if (writes > 0 && reads >= 3) return { ...state, groups: [{ targetGroupArn: BLUE_ARN, weight: 1 }, { targetGroupArn: GREEN_ARN, weight: 1 }] };
      return state;
    };
    await expect(shiftTraffic(options({ scaleInPrevious: true }), deps)).rejects.toThrow(/carries 50% of traffic again/);
    expect(fleet.capacityChanges.filter((c) => c.name === "web-blue")).toEqual([]);
  });

  it("reads the weights again after the deregistration delay, not before it", async () => {
    const { elb, fleet, deps, clock } = setup();
    elb.deregistrationDelay.set(BLUE_ARN, 30);
    let promotedAt: number | undefined;
    elb.onWrite = () => {
      promotedAt = clock.now();
    };
    // Blue gets weight again while it drains: only a read made after the delay sees it.
    const originalRead = elb.read.bind(elb);
    elb.read = async (ref) => {
      const state = await originalRead(ref);
      if (promotedAt !== undefined && clock.now() - promotedAt >= 30_000) return { ...state, groups: [{ targetGroupArn: BLUE_ARN, weight: 1 }, { targetGroupArn: GREEN_ARN, weight: 1 }] };
      return state;
    };
    await expect(shiftTraffic(options({ scaleInPrevious: true }), deps)).rejects.toThrow(/carries 50% of traffic again/);
    expect(fleet.capacityChanges.filter((c) => c.name === "web-blue")).toEqual([]);
  });
});

describe("the deployment lock guards every write", () => {
  /** What a rollback does: deletes the deployment's lock rule and creates its own. */
  const takeOver = (elb: FakeElb, now: number) => {
    for (const rule of elb.locks.current()) void elb.locks.remove(rule.arn);
    elb.holdLock({ run: "org/repo/actions/runs/77", job: "rollback", expiresAt: new Date(now + 600_000) });
  };
  const greenWeights = (elb: FakeElb) => elb.weightHistory.map((w) => w.find((g) => g.targetGroupArn === GREEN_ARN)!.weight);

  it("checks it before the first shift: taken over right after it was taken, nothing is written", async () => {
    const { elb, deps, clock } = setup();
    const error = await shiftTraffic(options(), { ...deps, onStart: () => takeOver(elb, clock.now()) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockLostError);
    expect(String(error)).toMatch(/Stopped before moving green to 100%: org\/repo\/actions\/runs\/77 took this environment's deployment lock over/);
    expect(elb.count("setWeights")).toBe(0);
  });

  it("checks it before promotion: taken over after the last shift, the slots are not retagged", async () => {
    const { elb, fleet, deps, clock } = setup();
    elb.onWrite = () => takeOver(elb, clock.now());
    const error = await shiftTraffic(options(), deps).catch((e: unknown) => e);
    expect(String(error)).toMatch(/Stopped before promoting green to stable/);
    expect(elb.tagsOf(GREEN_ARN)[TAG.role]).toBe("candidate");
    expect(elb.tagsOf(BLUE_ARN)[TAG.role]).toBe("stable");
    expect(fleet.count("tag")).toBe(0);
  });

  it("checks it before scale-in: taken over during the deregistration delay, nothing is scaled in", async () => {
    const { elb, fleet, deps, clock } = setup();
    elb.deregistrationDelay.set(BLUE_ARN, 30);
    const read = elb.read.bind(elb);
    const delayOf = elb.deregistrationDelaySeconds.bind(elb);
    let delayEndsAt: number | undefined;
    elb.deregistrationDelaySeconds = async (arn) => {
      const seconds = await delayOf(arn);
      delayEndsAt = clock.now() + seconds * 1000;
      return seconds;
    };
    // The weights are read again once the delay has passed, right before the scale-in: a rollback takes
    // the lock over at that very moment, after the last checkpoint of the wait.
    elb.read = async (ref) => {
      if (delayEndsAt !== undefined && clock.now() >= delayEndsAt) takeOver(elb, clock.now());
      return read(ref);
    };
    const error = await shiftTraffic(options({ scaleInPrevious: true }), deps).catch((e: unknown) => e);
    expect(String(error)).toMatch(/Stopped before scaling in web-blue/);
    expect(fleet.capacityChanges.filter((c) => c.name === "web-blue")).toEqual([]);
  });

  it("lock-ttl 1m with a 60m canary: renewed all along, never lapses, promoted", async () => {
    const { elb, deps } = setup();
    const result = await shiftTraffic(options({ lockTtlMs: 60_000, plan: { kind: "steps", percents: [10, 50, 100], intervalMs: 30 * 60_000 } }), deps);
    expect(result.promoted).toBe(true);
    expect(greenWeights(elb)).toEqual([100, 500, 1]);
    // Renewed at the first 2 s check after each quarter lease (15 s): every 16 s over the hour.
    expect(elb.count("tagRule")).toBeGreaterThanOrEqual(3 * 60);
    expect(elb.lockHolder()).toBeUndefined();
  });

  it("stops before the next weight write when its own lease lapsed (a hung call outlived half the lease)", async () => {
    const { elb, deps, clock } = setup();
    const hung: Gate = { name: "slow analysis", check: async () => (clock.advance(45_000), { ok: true, detail: "fine, but late" }) };
    const error = await shiftTraffic(options({ lockTtlMs: 60_000, plan: { kind: "steps", percents: [10, 50, 100], intervalMs: 10_000 } }), { ...deps, gates: [hung] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LockLostError);
    expect(String(error)).toMatch(/Stopped before moving green to 50%: this step's deployment lock was last renewed at .*half its 60s lease ago/);
    expect(greenWeights(elb)).toEqual([100]);
  });

  it("leaves a canary's lock parked for the run's promotion job, which claims it", async () => {
    const { elb, deps } = setup();
    await shiftTraffic(options({ plan: { kind: "weight", percent: 10 }, lockOwner: { run: "org/repo/actions/runs/1", job: "deploy", attempt: 1 } }), deps);
    expect(elb.lockHolder()).toMatchObject({ job: "deploy", state: "parked" });
    const promoted = await shiftTraffic(options({ lockOwner: { run: "org/repo/actions/runs/1", job: "promote", attempt: 1 } }), deps);
    expect(promoted.promoted).toBe(true);
    expect(elb.lockHolder()).toBeUndefined();
  });
});
