/**
 * rolling-update end to end, at 200 requests per second on a 10-instance group with min healthy 90%:
 * a good release rolls through checkpoints 10/50/100 with no failed request; a release answering 10%
 * 500s (v3) is caught at the first checkpoint and rolled back, with no failed request but v3's own; a
 * release that never becomes healthy (v4) stops at the first checkpoint with at least 9 of 10
 * instances serving v1 throughout. The actions keep real time while the sandbox runs 25 times faster,
 * so the refresh's own durations (warm-up, CheckpointDelay) are given in sandbox seconds.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, runExampleWorkflow, type Stage } from "../../sandbox/harness";
import { expectSuccess, logOf, scenarios, timer } from "./support";

const TIME_SCALE = 25;
const INSTANCES = 10;
const built = existsSync(join(REPO_ROOT, "dist", "rolling-update", "index.js"));
const { start, run, root } = scenarios();
const times = timer();

/** The checks of one checkpoint in real seconds, and the refresh's pause that must hold them, in sandbox seconds. */
function rollingInputs(stage: Stage, version: "v2" | "v3" | "v4", real: { timeout: number; stable: number; bake: number }) {
  const delay = Math.ceil((real.timeout + real.stable + real.bake + 2) * TIME_SCALE);
  return {
    "auto-scaling-group-name": "web-blue",
    "image-id": stage.sandbox.environment.releases[version]!,
    version,
    checkpoints: "10,50,100",
    "min-healthy-percentage": 90,
    "instance-warmup": "5s",
    "stable-for": `${real.stable}s`,
    bake: `${real.bake}s`,
    "checkpoint-timeout": `${real.timeout}s`,
    "checkpoint-delay": `${delay}s`,
    "alarm-names": "web-blue-target-5xx",
    timeout: "3m",
  };
}

/** Samples, every 20 ms, how many instances of web-blue serve v1 InService and healthy in its target group. */
function watchV1(stage: Stage): { stop(): number } {
  let min = Infinity;
  const timer = setInterval(() => {
    const state = stage.sandbox.state();
    const healthy = new Set(state.targetGroups.find((t) => t.name === "web-blue")!.targets.filter((t) => t.state === "healthy").map((t) => t.id));
    const v1 = state.instances.filter((i) => i.group === "web-blue" && i.lifecycle === "InService" && i.release === "v1" && healthy.has(i.id)).length;
    min = Math.min(min, v1);
  }, 20);
  return { stop: () => (clearInterval(timer), min) };
}

function failuresByVersion(report: { timeline: { byVersion: Record<string, { failed: number }> }[] }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const second of report.timeline) for (const [version, counts] of Object.entries(second.byVersion)) out[version] = (out[version] ?? 0) + counts.failed;
  return out;
}

describe.skipIf(!built)("rolling-update at 200 rps, 10 instances, min healthy 90%", () => {
  it("rolls a good release (v2) through 10/50/100 with zero failed requests", async () => {
    const started = Date.now();
    const stage = await start({ world: "builtin", rollingInstances: INSTANCES, rps: 200, timeScale: TIME_SCALE, seed: 51, alarmThreshold: 2 });
    const result = await run("rolling-update", rollingInputs(stage, "v2", { timeout: 2, stable: 1, bake: 2 }));
    expectSuccess(result, "rolling-update v2");
    const report = (await stage.close())!;
    const state = stage.sandbox.state();
    expect(result.outputs).toMatchObject({ "checkpoints-passed": "10,50,100", "rolled-back": "false", "instances-replaced": "10", "to-version": "v2" });
    expect(report.failed, JSON.stringify({ status: report.byStatus, errors: report.errorsByCode })).toBe(0);
    expect(state.instances.filter((i) => i.group === "web-blue" && i.lifecycle === "InService").map((i) => i.release)).toEqual(Array(INSTANCES).fill("v2"));
    const tags = state.autoScalingGroups.find((g) => g.name === "web-blue")!.tags;
    expect(tags).toMatchObject({ "deploy:role": "stable", "deploy:version": "v2", "deploy:previous-version": "v1", "deploy:candidate-version": "" });
    expect(tags["deploy:launch-template-version"]).toBe(result.outputs["to-launch-template-version"]);
    expect(result.summary).toContain("Mixed versions");
    times.mark(`rolling v2 (${report.total} requests, ${report.failed} failed)`, started);
  }, 120_000);

  it("catches v3's 500s at the first checkpoint and rolls back: no failed request but v3's own", async () => {
    const started = Date.now();
    const stage = await start({ world: "builtin", rollingInstances: INSTANCES, rps: 200, timeScale: TIME_SCALE, seed: 52, alarmThreshold: 2 });
    const watch = watchV1(stage);
    const result = await run("rolling-update", rollingInputs(stage, "v3", { timeout: 2, stable: 1, bake: 6 }));
    const minV1 = watch.stop();
    expect(result.conclusion, logOf(result)).toBe("failure");
    await new Promise((r) => setTimeout(r, 1000));
    const report = (await stage.close())!;
    const state = stage.sandbox.state();
    expect(result.outputs["rolled-back"]).toBe("true");
    expect(result.outputs["checkpoints-passed"]).toBe("");
    // The 5xx alarm fires during the first checkpoint's bake: seen by the step's own poll, or first by
    // the refresh's AlarmSpecification, which then rolls itself back (AutoRollback); the reason names it.
    expect(result.outputs["rollback-reason"]).toMatch(/web-blue-target-5xx (is in|went into) ALARM/);
    const byVersion = failuresByVersion(report);
    expect(Object.keys(byVersion).filter((v) => byVersion[v]! > 0 && v !== "v3"), JSON.stringify(byVersion)).toEqual([]);
    expect(report.connectionErrors).toBe(0);
    expect(minV1).toBeGreaterThanOrEqual(9);
    expect(state.instances.filter((i) => i.group === "web-blue" && i.lifecycle === "InService").map((i) => i.release)).toEqual(Array(INSTANCES).fill("v1"));
    const tags = state.autoScalingGroups.find((g) => g.name === "web-blue")!.tags;
    expect(tags).toMatchObject({ "deploy:role": "stable", "deploy:rolled-back-from": "v3", "deploy:candidate-version": "" });
    console.log(`rolling v3: ${byVersion.v3 ?? 0} failed requests, all answered 500 by v3 itself, of ${report.total}; min v1 serving ${minV1}/${INSTANCES}`);
    times.mark(`rolling v3 rolled back (${byVersion.v3 ?? 0} v3 500s of ${report.total})`, started);
  }, 120_000);

  it("stops a never-healthy release (v4) at the first checkpoint, with at least 9 of 10 instances serving v1 throughout", async () => {
    const started = Date.now();
    const stage = await start({ world: "builtin", rollingInstances: INSTANCES, rps: 200, timeScale: TIME_SCALE, seed: 53, alarmThreshold: 2 });
    const watch = watchV1(stage);
    const result = await run("rolling-update", rollingInputs(stage, "v4", { timeout: 2, stable: 1, bake: 2 }));
    const minV1 = watch.stop();
    expect(result.conclusion, logOf(result)).toBe("failure");
    const report = (await stage.close())!;
    expect(result.outputs).toMatchObject({ "rolled-back": "true", "checkpoints-passed": "" });
    expect(result.outputs["rollback-reason"]).toMatch(/healthy/);
    expect(minV1).toBeGreaterThanOrEqual(9);
    expect(report.failed, JSON.stringify({ status: report.byStatus, errors: report.errorsByCode })).toBe(0);
    times.mark(`rolling v4 stopped (min v1 serving ${minV1}/${INSTANCES})`, started);
  }, 120_000);

  it("examples/rolling.yml, as written, rolls v2 out through the runner harness", async () => {
    const started = Date.now();
    const stage = await start({ world: "builtin", rollingInstances: 4, rps: 60, timeScale: TIME_SCALE, seed: 54, alarmThreshold: 2 });
    const vars = { ASG_NAME: "web-blue", CHECKPOINTS: "50,100", INSTANCE_WARMUP: "5s", STABLE_FOR: "1s", BAKE: "1s", CHECKPOINT_TIMEOUT: "2s", CHECKPOINT_DELAY: `${6 * TIME_SCALE}s`, ALARM_NAMES: "web-blue-target-5xx" };
    const workflow = await runExampleWorkflow({ stage, repoRoot: root(), workflow: join(root(), "examples", "rolling.yml"), runId: "8101", vars, inputs: { "image-id": stage.sandbox.environment.releases.v2!, version: "v2" } });
    const story = Object.values(workflow.jobs).flatMap((j) => j.log).join("\n");
    expect(workflow.conclusion, story).toBe("success");
    expect(workflow.jobs.roll!.summary).toMatch(/Rolling update of web-blue[\s\S]*v1 → v2: checkpoints 50,100 passed, 4 instances replaced/);
    const report = (await stage.close())!;
    expect(report.failed).toBe(0);
    times.mark("examples/rolling.yml (4 instances, 50/100)", started);
    times.print();
  }, 120_000);
});
