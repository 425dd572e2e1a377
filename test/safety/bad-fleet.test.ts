/**
 * A release that never becomes healthy (v4, its health check answers 503), deployed under load while
 * a rollback is started from another run: the rollback takes the lock over and the deploy stops within
 * seconds, live traffic is never touched, no request fails, and no lock is left behind. A release that serves and then crashes (v5)
 * fails deploy-green while its health must hold (stable-for).
 */
import { expect, it } from "vitest";
import { inconsistencies } from "../../bench/lib/safety-trials";
import { weightInvariantViolations } from "../../sandbox/harness";
import { logOf, scenarios } from "../e2e/support";

const { start, run } = scenarios();

it("v4 never healthy, with a rollback started mid-deploy: the rollback takes the lock and the deploy stops within seconds, live traffic untouched", async () => {
  const stage = await start({ rps: 30, seed: 9, timeScale: 25 });
  const { environment } = stage.sandbox;
  const deploying = run("deploy-green", { "listener-arn": environment.listenerArn, "image-id": environment.releases.v4!, version: "v4", timeout: "30s" }, { github: { repository: "acme/web", runId: "501" } });
  await new Promise((done) => setTimeout(done, 2_500));
  const rollback = await run("rollback", { "listener-arn": environment.listenerArn, reason: "stop the deploy", timeout: "30s" }, { github: { repository: "acme/web", runId: "502" } });
  const rolledBackAt = Date.now();
  const deploy = await deploying;
  const stoppedAfterMs = Date.now() - rolledBackAt;
  const state = stage.sandbox.state();
  const report = await stage.close();

  // The rollback finds blue already serving everything and changes nothing but the lock.
  expect(rollback.conclusion, logOf(rollback)).toBe("success");
  expect(logOf(rollback)).toMatch(/Nothing to roll back/);
  expect(deploy.conclusion).toBe("failure");
  const errors = deploy.annotations.filter((a) => a.level === "error").map((a) => a.message);
  expect(errors).toHaveLength(1);
  // The rollback takes the lock over and, with nothing to change, gives it back when it is done.
  expect(errors[0]).toMatch(/Stopped before the new fleet finished coming up: (acme\/web\/actions\/runs\/502 took this environment's deployment lock over|this step's deployment lock was taken away) \(a rollback preempts deployments\)/);
  // One lock check every 5 s, not the 30 s timeout.
  expect(stoppedAfterMs).toBeLessThan(10_000);
  // Live traffic: blue only, from start to end, and nothing failed.
  expect(state.weightHistory.filter((e) => e.at >= stage.readyAt)).toEqual([]);
  expect(inconsistencies(stage)).toEqual([]);
  expect(weightInvariantViolations(state.weightHistory, { since: stage.readyAt })).toEqual([]);
  expect(report!.failed, JSON.stringify(report!.byStatus)).toBe(0);
  expect(report!.total).toBeGreaterThan(50);
}, 90_000);

it("v5 serves and then crashes: deploy-green fails while the fleet must hold (stable-for), live traffic untouched", async () => {
  const stage = await start({ rps: 30, seed: 10, timeScale: 25 });
  const { environment } = stage.sandbox;
  const deploy = await run("deploy-green", { "listener-arn": environment.listenerArn, "image-id": environment.releases.v5!, version: "v5", timeout: "30s" });
  const state = stage.sandbox.state();
  const report = await stage.close();

  expect(deploy.conclusion, logOf(deploy)).toBe("failure");
  const errors = deploy.annotations.filter((a) => a.level === "error").map((a) => a.message);
  expect(errors).toHaveLength(1);
  // It served, then stopped: the error says so, with what the load balancer or Auto Scaling saw.
  expect(errors[0]).toMatch(/They served and then stopped \d+ time\(s\)|were serving, but for only/);
  expect(errors[0]).toMatch(/Auto Scaling replaced \d+ unhealthy instance\(s\): i-\w+ \(an EC2 instance status check failure\)/);
  expect(errors[0]).toMatch(/The listener was not changed/);
  expect(logOf(deploy)).toMatch(/stopped passing after \d+\.\ds of the 3\.0s it must hold/);
  expect(state.weightHistory.filter((e) => e.at >= stage.readyAt)).toEqual([]);
  expect(inconsistencies(stage)).toEqual([]);
  expect(report!.failed, JSON.stringify(report!.byStatus)).toBe(0);
}, 90_000);
