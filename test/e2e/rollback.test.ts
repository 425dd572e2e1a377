/**
 * Scenario 4: a manual rollback after a promotion whose previous fleet was scaled in. The rollback
 * scales blue back up, waits for its health, and moves all traffic, with no failed request.
 */
import { expect, it } from "vitest";
import { describeEntry, sharesOf, weightInvariantViolations } from "../../sandbox/harness";
import { waitFor } from "../../sandbox/harness";
import { expectSuccess, logOf, scenarios, timer } from "./support";

const { start, run } = scenarios();

it("rolls back to the scaled-in blue fleet: scales it up, waits for health, shifts 100%", async () => {
  const started = Date.now();
  const times = timer();
  const stage = await start({ rps: 60, seed: 41 });
  const { environment } = stage.sandbox;
  const listener = environment.listenerArn;
  expectSuccess(await run("deploy-green", { "listener-arn": listener, "image-id": environment.releases.v2!, version: "v2", timeout: "60s" }), "deploy-green");
  expectSuccess(await run("health-gate", { "listener-arn": listener, slot: "candidate", timeout: "30s" }), "health-gate");
  expectSuccess(await run("shift-traffic", { "listener-arn": listener, weight: 100, "scale-in-previous": true }), "shift-traffic");
  const promoted = stage.sandbox.state();
  expect(promoted.autoScalingGroups.find((g) => g.name === "web-blue")!.desiredCapacity).toBe(0);
  // Scale-in deregisters blue's targets, which drain for the deregistration delay before they are gone.
  await waitFor("blue's targets to finish draining", () => stage.sandbox.state().targetGroups.find((tg) => tg.name === "web-blue")!.targets.length === 0);
  const rollbackStarted = Date.now();

  const rollback = await run("rollback", { "listener-arn": listener, reason: "v2 breaks checkout", timeout: "60s" });
  expectSuccess(rollback, "rollback");
  const restoredSecond = Math.ceil(stage.load!.snapshot().durationMs / 1000);
  await new Promise((r) => setTimeout(r, 2_500));
  const report = (await stage.close())!;
  const state = stage.sandbox.state();

  expect(rollback.outputs).toMatchObject({ "to-slot": "blue", "from-version": "v2", "scaled-up": "true" });
  expect(Number(rollback.outputs.seconds)).toBeGreaterThan(0);
  expect(Number(rollback.outputs.seconds)).toBeLessThanOrEqual((Date.now() - rollbackStarted) / 1000);
  expect(report.failed, JSON.stringify({ status: report.byStatus, errors: report.errorsByCode })).toBe(0);
  const history = state.weightHistory.filter((e) => e.at >= stage.readyAt);
  const story = `${logOf(rollback)}\n--- weight history ---\n${history.map((e) => describeEntry(e)).join("\n")}`;
  expect(sharesOf(history.at(-1)!)["web-blue"], story).toBe(100);
  const blue = state.autoScalingGroups.find((g) => g.name === "web-blue")!;
  expect(blue.desiredCapacity).toBeGreaterThanOrEqual(1);
  for (const second of report.timeline.slice(restoredSecond + 1).filter((s) => s.ok + s.failed > 0)) {
    expect(Object.keys(second.byVersion), `second ${second.second}`).toEqual(["v1"]);
  }
  const tags = (name: string) => state.tags[environment.targetGroups[name]!] ?? {};
  expect(tags("web-blue")["deploy:role"]).toBe("stable");
  expect(tags("web-green")["deploy:role"]).not.toBe("stable");
  expect(weightInvariantViolations(state.weightHistory, { since: stage.readyAt })).toEqual([]);
  times.mark(`4 manual rollback after scale-in (rollback step reported ${rollback.outputs.seconds} s)`, started);
  times.print();
}, 90_000);
