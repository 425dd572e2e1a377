/**
 * Stickiness beats weight (AWS): while a forward action's stickiness is on, a client holding the
 * AWSALBTG cookie for a group keeps going there at weight 0. So an abort or a rollback that only wrote
 * the stable weights back would leave the canary's sticky clients on it. Here a crowd of cookie-less
 * clients and a dozen clients that keep their cookies load the listener; after the restore (an aborted
 * canary, then a manual rollback) no new request of a sticky client reaches the canary, and no request
 * fails.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startLoad, type LoadReport, type LoadRun } from "../../sandbox/aws";
import { sharesOf, weightInvariantViolations, type Stage } from "../../sandbox/harness";
import { expectSuccess, logOf, scenarios, timer } from "./support";

const CLIENTS = 12;

function stickyClients(stage: Stage): LoadRun[] {
  return Array.from({ length: CLIENTS }, () => startLoad({ url: `${stage.sandbox.environment.listenerUrl}/`, rps: 4, cookies: true }));
}

/** Requests of sticky clients answered by `version`, sent before and after `at` (whole seconds after it, so none was in flight). */
function onVersion(reports: LoadReport[], version: string, at: number): { before: number; after: number } {
  let before = 0;
  let after = 0;
  for (const r of reports) {
    for (const s of r.timeline) {
      const n = (s.byVersion[version]?.ok ?? 0) + (s.byVersion[version]?.failed ?? 0);
      const sentFrom = r.startedAt + s.second * 1000;
      if (sentFrom + 1000 <= at) before += n;
      else if (sentFrom >= at + 1000) after += n;
    }
  }
  return { before, after };
}

describe("sticky clients after an abort and a rollback", () => {
  const { start, run } = scenarios();
  const times = timer();
  afterAll(() => times.print());

  it("an aborted canary with stickiness: after the restore no sticky client reaches the canary", async () => {
    const started = Date.now();
    const stage = await start({ rps: 40, seed: 51, timeScale: 30 });
    const { environment } = stage.sandbox;
    const listener = environment.listenerArn;
    const image = environment.releases.v2!;
    expectSuccess(await run("deploy-green", { "listener-arn": listener, "image-id": image, version: "v2", timeout: "60s" }), "deploy-green");
    expectSuccess(await run("health-gate", { "listener-arn": listener, slot: "candidate", timeout: "30s" }), "health-gate");
    // v2 is slow, never failing: the analysis aborts on its latency, so no request has to fail.
    stage.sandbox.setRelease(image, { latencyMs: { median: 150, p99: 300 } });
    const clients = stickyClients(stage);
    const shift = await run("shift-traffic", {
      "listener-arn": listener,
      steps: "50,100",
      interval: "6s",
      "stickiness-duration": "1h",
      analysis: true,
      "analysis-config": "minRequests: 20\nmetrics:\n  - { name: latency-p50, preset: latency-p50, critical: true, mustHaveData: true, compare: false, thresholds: { max: 60 } }\n",
    });
    await new Promise((r) => setTimeout(r, 3_000));
    const sticky = await Promise.all(clients.map((c) => c.stop()));
    const crowd = (await stage.close())!;
    const state = stage.sandbox.state();
    const log = logOf(shift);

    expect(shift.outputs, log).toMatchObject({ aborted: "true", promoted: "false" });
    expect(log).toContain("Stickiness turned off on the forward action, so clients holding a cookie for green moved at once");
    const restoredAt = state.weightHistory.find((e) => e.at >= stage.readyAt && sharesOf(e)["web-green"] === 0 && e.at > started)!.at;
    const green = onVersion(sticky, "v2", restoredAt);
    expect(green.before, "some sticky clients were on the canary before the restore").toBeGreaterThan(0);
    expect(green.after, "sticky clients' requests on the canary after the restore").toBe(0);
    expect(crowd.failed + sticky.reduce((n, r) => n + r.failed, 0), JSON.stringify(crowd.byStatus)).toBe(0);
    expect(weightInvariantViolations(state.weightHistory, { since: stage.readyAt })).toEqual([]);
    times.mark(`sticky abort (${green.before} sticky requests on green before the restore, 0 after)`, started);
  }, 90_000);

  it("a manual rollback of a canary with stickiness: after it no sticky client reaches the canary", async () => {
    const started = Date.now();
    const stage = await start({ rps: 40, seed: 52, timeScale: 30 });
    const { environment } = stage.sandbox;
    const listener = environment.listenerArn;
    expectSuccess(await run("deploy-green", { "listener-arn": listener, "image-id": environment.releases.v2!, version: "v2", timeout: "60s" }), "deploy-green");
    expectSuccess(await run("health-gate", { "listener-arn": listener, slot: "candidate", timeout: "30s" }), "health-gate");
    const clients = stickyClients(stage);
    // A canary that stops at 50% with stickiness (the promotion would be a later job).
    expectSuccess(await run("shift-traffic", { "listener-arn": listener, steps: "50", interval: "3s", "stickiness-duration": "1h" }), "shift-traffic");
    const rollback = await run("rollback", { "listener-arn": listener, reason: "v2 breaks checkout", timeout: "60s" });
    expectSuccess(rollback, "rollback");
    await new Promise((r) => setTimeout(r, 3_000));
    const sticky = await Promise.all(clients.map((c) => c.stop()));
    const crowd = (await stage.close())!;
    const state = stage.sandbox.state();

    expect(logOf(rollback)).toContain("Stickiness turned off on the forward action, so clients holding a cookie for green moved at once");
    const restoredAt = state.weightHistory.filter((e) => e.at >= stage.readyAt && sharesOf(e)["web-green"] === 0).at(-1)!.at;
    const green = onVersion(sticky, "v2", restoredAt);
    expect(green.before).toBeGreaterThan(0);
    expect(green.after).toBe(0);
    expect(crowd.failed + sticky.reduce((n, r) => n + r.failed, 0), JSON.stringify(crowd.byStatus)).toBe(0);
    expect(weightInvariantViolations(state.weightHistory, { since: stage.readyAt })).toEqual([]);
    times.mark(`sticky manual rollback (${green.before} sticky requests on green before, 0 after)`, started);
  }, 90_000);
});
