/**
 * Scenarios 3 and 5: a bad release caught during its canary and restored automatically, and a job
 * cancelled in the middle of a bake. Either way all traffic ends on the stable slot.
 */
import { afterAll, describe, expect, it } from "vitest";
import { describeEntry, sharesOf, weightInvariantViolations } from "../../sandbox/harness";
import { RUNNER_CANCEL_TIMINGS } from "../../sandbox/runner";
import { expectSuccess, logOf, scenarios, timer } from "./support";

describe("abort and restore under load", () => {
  const { start, run } = scenarios();
  const times = timer();
  afterAll(() => times.print());

  it("catches v3's errors during the canary, aborts and puts 100% back on blue", async () => {
    const started = Date.now();
    const stage = await start({ rps: 80, seed: 21, timeScale: 30 });
    const { environment } = stage.sandbox;
    const listener = environment.listenerArn;
    expectSuccess(await run("deploy-green", { "listener-arn": listener, "image-id": environment.releases.v3!, version: "v3", timeout: "60s" }), "deploy-green");
    expectSuccess(await run("health-gate", { "listener-arn": listener, slot: "candidate", timeout: "30s" }), "health-gate");

    const shift = await run("shift-traffic", {
      "listener-arn": listener,
      steps: "10,50,100",
      interval: "6s",
      analysis: true,
      "analysis-config": "minRequests: 40\n",
      "alarm-names": "web-green-target-5xx",
    });
    const report = (await stage.close())!;
    const state = stage.sandbox.state();

    expect(shift.exitCode, logOf(shift)).toBe(1);
    expect(shift.outputs).toMatchObject({ aborted: "true", promoted: "false" });
    expect(shift.outputs["abort-reason"]).toMatch(/error-rate|5XX|5xx/);
    const weights = state.weights.find((w) => w.isDefault)!;
    const history = state.weightHistory.filter((e) => e.at >= stage.readyAt);
    const story = `${logOf(shift)}\n--- weight history ---\n${history.map((e) => `${new Date(e.at).toISOString()} ${describeEntry(e)}`).join("\n")}`;
    expect(Object.fromEntries(weights.groups.map((g) => [g.name, g.weight > 0])), story).toEqual({ "web-blue": true, "web-green": false });
    expect(history.map((e) => sharesOf(e)["web-green"])).toEqual([10, 0]);
    // Every failed request is one of v3's 500s, answered while the canary had traffic.
    expect(report.failed).toBeGreaterThan(0);
    expect(report.byStatus["500"], JSON.stringify({ status: report.byStatus, errors: report.errorsByCode })).toBe(report.failed);
    expect(report.connectionErrors).toBe(0);
    const [canaryOn, canaryOff] = history.map((e) => e.at) as [number, number];
    const lastFailure = report.timeline.filter((s) => s.failed > 0).at(-1)!;
    expect(report.startedAt + lastFailure.second * 1000).toBeLessThanOrEqual(canaryOff);
    expect(report.startedAt + (report.timeline.find((s) => s.failed > 0)!.second + 1) * 1000).toBeGreaterThanOrEqual(canaryOn);
    expect(weightInvariantViolations(state.weightHistory, { since: stage.readyAt })).toEqual([]);
    times.mark("3 bad release v3 aborted and restored", started);
  }, 90_000);

  it("restores 100% on blue within 5 s when the job is cancelled during a bake", async () => {
    const started = Date.now();
    const stage = await start({ rps: 60, seed: 31 });
    const { environment } = stage.sandbox;
    const listener = environment.listenerArn;
    expectSuccess(await run("deploy-green", { "listener-arn": listener, "image-id": environment.releases.v2!, version: "v2", timeout: "60s" }), "deploy-green");
    expectSuccess(await run("health-gate", { "listener-arn": listener, slot: "candidate", timeout: "30s" }), "health-gate");

    const cancel = new AbortController();
    let cancelledAt = 0;
    const shift = await run(
      "shift-traffic",
      { "listener-arn": listener, steps: "25,50,100", interval: "30s" },
      {
        signal: cancel.signal,
        // The runner's own gaps: SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that.
        cancelTimings: RUNNER_CANCEL_TIMINGS,
        onLog: (line) => {
          if (cancelledAt === 0 && /Baking green at 25%/.test(line)) {
            setTimeout(() => {
              cancelledAt = Date.now();
              cancel.abort();
            }, 1_500);
          }
        },
      },
    );
    const state = stage.sandbox.state();
    const report = (await stage.close())!;

    expect(cancelledAt).toBeGreaterThan(0);
    expect(shift.conclusion).toBe("cancelled");
    const restoredAt = state.weightHistory.find((e) => e.at >= cancelledAt && sharesOf(e)["web-blue"] === 100)?.at;
    expect(restoredAt, logOf(shift)).toBeDefined();
    expect(restoredAt! - cancelledAt).toBeLessThanOrEqual(5_000);
    const weights = state.weights.find((w) => w.isDefault)!;
    expect(Object.fromEntries(weights.groups.map((g) => [g.name, g.weight > 0]))).toEqual({ "web-blue": true, "web-green": false });
    expect(report.failed, JSON.stringify({ status: report.byStatus, errors: report.errorsByCode })).toBe(0);
    expect(report.byVersion.v2).toBeGreaterThan(0);
    expect(weightInvariantViolations(state.weightHistory, { since: stage.readyAt })).toEqual([]);
    times.mark(`5 cancelled mid-bake (restored ${restoredAt! - cancelledAt} ms after SIGINT${shift.post ? ", post step ran" : ""})`, started);
  }, 90_000);
});
