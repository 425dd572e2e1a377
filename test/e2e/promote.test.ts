/**
 * Scenarios 1 and 2: a blue/green flip and a canary ramp with analysis, under load, with zero failed
 * requests, the new version serving everything at the end, and the invariant held throughout.
 */
import { afterAll, describe, expect, it } from "vitest";
import { shareSteps, weightInvariantViolations } from "../../sandbox/harness";
import { expectSuccess, scenarios, timer } from "./support";

const ANALYSIS = "minRequests: 40\n";

describe("promotion under load", () => {
  const { start, run } = scenarios();
  const times = timer();
  afterAll(() => times.print());

  it("flips blue/green to v2 with no failed request", async () => {
    const started = Date.now();
    const stage = await start({ rps: 60, seed: 11 });
    const { environment } = stage.sandbox;
    const listener = environment.listenerArn;

    expectSuccess(await run("deploy-green", { "listener-arn": listener, "image-id": environment.releases.v2!, version: "v2", timeout: "60s" }), "deploy-green");
    expectSuccess(await run("health-gate", { "listener-arn": listener, slot: "candidate", timeout: "30s" }), "health-gate");
    const shift = await run("shift-traffic", { "listener-arn": listener, weight: 100 });
    expectSuccess(shift, "shift-traffic");
    expect(shift.outputs).toMatchObject({ share: "100", promoted: "true", "to-slot": "green", version: "v2" });
    // Requests sent one second after the flip on are all served by v2.
    const flippedSecond = Math.ceil(stage.load!.snapshot().durationMs / 1000);
    await new Promise((r) => setTimeout(r, 2_500));
    const report = (await stage.close())!;
    const state = stage.sandbox.state();

    expect(report.failed, JSON.stringify({ status: report.byStatus, errors: report.errorsByCode })).toBe(0);
    expect(report.total).toBeGreaterThan(100);
    expect(report.byVersion.v2).toBeGreaterThan(0);
    const afterFlip = report.timeline.slice(flippedSecond + 1).filter((s) => s.ok + s.failed > 0);
    expect(afterFlip.length).toBeGreaterThan(0);
    for (const second of afterFlip) expect(Object.keys(second.byVersion), `second ${second.second}`).toEqual(["v2"]);
    const weights = state.weights.find((w) => w.isDefault)!;
    expect(Object.fromEntries(weights.groups.map((g) => [g.name, g.weight > 0]))).toEqual({ "web-blue": false, "web-green": true });
    const tags = (name: string) => state.tags[environment.targetGroups[name]!] ?? {};
    expect(tags("web-green")["deploy:role"]).toBe("stable");
    expect(tags("web-blue")["deploy:role"]).toBe("previous");
    expect(weightInvariantViolations(state.weightHistory, { since: stage.readyAt })).toEqual([]);
    times.mark("1 blue/green flip", started);
  }, 90_000);

  it("ramps a canary 10 → 50 → 100 with analysis, promotes it and scales the old fleet in", async () => {
    const started = Date.now();
    const stage = await start({ rps: 80, seed: 12, timeScale: 30 });
    const { environment } = stage.sandbox;
    const listener = environment.listenerArn;

    expectSuccess(await run("deploy-green", { "listener-arn": listener, "image-id": environment.releases.v2!, version: "v2", timeout: "60s" }), "deploy-green");
    expectSuccess(await run("health-gate", { "listener-arn": listener, slot: "candidate", timeout: "30s" }), "health-gate");
    const shift = await run("shift-traffic", {
      "listener-arn": listener,
      steps: "10,50,100",
      // 8 s at time scale 30 is 4 one-minute periods a step: the last look before 100% judges about 8 a side,
      // enough for the rank tests to reach their alpha (6 a side; with 5 they say not enough data).
      interval: "8s",
      analysis: true,
      "analysis-config": ANALYSIS,
      "scale-in-previous": true,
    });
    expectSuccess(shift, "shift-traffic");
    expect(shift.outputs).toMatchObject({ share: "100", promoted: "true", aborted: "false", "steps-completed": "3" });
    expect(shift.log.filter((l) => /canary analysis at \d+%: passed/.test(l))).toHaveLength(2);
    const report = (await stage.close())!;
    const state = stage.sandbox.state();

    expect(report.failed, JSON.stringify({ status: report.byStatus, errors: report.errorsByCode })).toBe(0);
    expect(report.byVersion.v1).toBeGreaterThan(0);
    expect(report.byVersion.v2).toBeGreaterThan(0);
    expect(shareSteps(state.weightHistory, "web-green")).toEqual([0, 10, 50, 100]);
    const blue = state.autoScalingGroups.find((g) => g.name === "web-blue")!;
    expect(blue.desiredCapacity).toBe(0);
    expect(weightInvariantViolations(state.weightHistory, { since: stage.readyAt })).toEqual([]);
    times.mark("2 canary ramp with analysis + scale-in", started);
  }, 120_000);
});
