/**
 * kill -9 of rolling-update mid-refresh, then rollback, both from source in child processes against
 * the sandbox with load running: at two fixed moments (during the first checkpoint, and later in the
 * refresh) the rollback leaves every instance on the last good numbered version and healthy, no
 * refresh running, the tags agreeing, no lock, and no failed request. bench/safety.ts
 * (--only rolling-kills) runs the seeded version: 20 trials on 10 instances through the bundles.
 */
import { afterEach, expect, it } from "vitest";
import { startStage, type Stage } from "../../sandbox/harness";
import { fastRollingInputs, rollingInconsistencies } from "../../bench/lib/rolling-trials";
import { runChild } from "./support/child";

const INSTANCES = 4;
let stage: Stage | undefined;
afterEach(async () => {
  await stage?.close();
  stage = undefined;
});

it.each([
  { killAfterMs: 3_500, seed: 61 },
  { killAfterMs: 9_000, seed: 62 },
])("rollback after kill -9 of rolling-update at $killAfterMs ms leaves the environment consistent", async ({ killAfterMs, seed }) => {
  stage = await startStage({ world: "builtin", rollingInstances: INSTANCES, rps: 60, seed, timeScale: 25, alarmThreshold: 1000 });
  const env = { ...stage.awsEnv, GITHUB_REPOSITORY: "acme/web", GITHUB_RUN_ID: "4242" };
  const update = await runChild({ entry: "src/actions/rolling-update/index.ts", inputs: fastRollingInputs(stage, INSTANCES), env, killAfterMs });
  expect(update.signal, update.stdout.join("\n")).toBe("SIGKILL");
  const refresh = stage.sandbox.state().instanceRefreshes.at(-1);
  expect(refresh, "killed before it started a refresh").toBeDefined();
  const rollback = await runChild({ entry: "src/actions/rollback/index.ts", inputs: { "auto-scaling-group-name": "web-blue", reason: "killed rolling update", timeout: "2m" }, env, killAfterMs: 120_000 });
  expect(rollback.code, rollback.stdout.join("\n")).toBe(0);
  expect(rollingInconsistencies(stage, INSTANCES), rollback.stdout.join("\n")).toEqual([]);
  const report = (await stage.close())!;
  expect(report.failed, JSON.stringify({ status: report.byStatus, errors: report.errorsByCode })).toBe(0);
  console.log(`kill at ${killAfterMs} ms: refresh was ${refresh!.status} ${refresh!.percentageComplete}%; rollback ${(rollback.ms / 1000).toFixed(1)} s; ${report.total} requests, ${report.failed} failed`);
}, 90_000);
