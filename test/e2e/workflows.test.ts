/**
 * Scenario 6: the example workflows as written, run by the local runner harness against the sandbox:
 * examples/deploy.yml ships v2 end to end (approval granted), then examples/rollback.yml, started by
 * workflow_dispatch, puts all traffic back on v1.
 */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { join } from "node:path";
import { sharesOf, weightInvariantViolations } from "../../sandbox/harness";
import { startStage, type Stage } from "../../sandbox/harness";
import { DEMO_VARS, runExampleWorkflow, scratchDir } from "../../sandbox/harness";
import { modelTally, snapshotRepo, timer } from "./support";

let repo: ReturnType<typeof snapshotRepo>;
let scratch: Awaited<ReturnType<typeof scratchDir>>;
let stage: Stage | undefined;
const models = modelTally();
beforeAll(async () => {
  repo = snapshotRepo();
  scratch = await scratchDir();
});
afterEach(async () => {
  const closing = stage;
  await stage?.close();
  stage = undefined;
  if (closing) models.check(closing);
});
afterAll(async () => {
  models.print();
  repo.remove();
  await scratch.remove();
});

const jobResults = (run: { jobs: Record<string, { result: string }> }) => Object.fromEntries(Object.entries(run.jobs).map(([id, j]) => [id, j.result]));

it("deploy.yml ships v2 with approval; rollback.yml (workflow_dispatch) brings v1 back", async () => {
  const started = Date.now();
  const times = timer();
  stage = await startStage({ rps: 60, seed: 61 });
  const { environment } = stage.sandbox;
  const approvals: string[] = [];
  const deployYml = { path: join(repo.root, "examples", "deploy.yml") };

  const deploy = await runExampleWorkflow({
    stage,
    repoRoot: repo.root,
    workflow: deployYml.path,
    runId: "8001",
    vars: { ...DEMO_VARS, IMAGE_ID: environment.releases.v2! },
    approve: (job, env) => (approvals.push(`${job}:${env}`), true),
  });
  const story = Object.values(deploy.jobs).flatMap((j) => j.log).join("\n");
  expect(deploy.conclusion, story).toBe("success");
  expect(jobResults(deploy)).toEqual({ build: "success", deploy: "success", promote: "success", rollback: "skipped" });
  expect(approvals).toEqual(["deploy:canary", "promote:production"]);
  expect(deploy.jobs.promote!.summary).toMatch(/promoted/);
  const promoted = stage.sandbox.state();
  const since = stage.readyAt;
  const deployHistory = promoted.weightHistory.filter((e) => e.at >= since).map((e) => sharesOf(e)["web-green"]);
  expect(deployHistory).toEqual([10, 50, 100]);
  expect(promoted.autoScalingGroups.find((g) => g.name === "web-blue")!.desiredCapacity).toBe(0);
  const afterDeploy = stage.load!.snapshot();
  expect(afterDeploy.failed, JSON.stringify({ status: afterDeploy.byStatus, errors: afterDeploy.errorsByCode })).toBe(0);
  times.mark("6a deploy.yml (v2, canary 10/50 with analysis, approval, promote + scale-in)", started);

  const rollbackStarted = Date.now();
  const rollback = await runExampleWorkflow({
    stage,
    repoRoot: repo.root,
    workflow: join(repo.root, "examples", "rollback.yml"),
    runId: "8002",
    inputs: { environment: "production", reason: "checkout errors after v2" },
  });
  const rollbackStory = Object.values(rollback.jobs).flatMap((j) => j.log).join("\n");
  expect(rollback.conclusion, rollbackStory).toBe("success");
  expect(rollback.event).toBe("workflow_dispatch");
  const step = rollback.jobs.rollback!.steps.find((s) => s.id === "rollback" && !s.post)!;
  expect(step.outputs).toMatchObject({ "to-slot": "blue", "scaled-up": "true" });
  expect(rollback.jobs.rollback!.summary).toMatch(/Rollback of production[\s\S]*Reason: checkout errors after v2/);
  await new Promise((r) => setTimeout(r, 1_500));
  const report = (await stage.close())!;
  const state = stage.sandbox.state();

  expect(report.failed, JSON.stringify({ status: report.byStatus, errors: report.errorsByCode })).toBe(0);
  expect(sharesOf(state.weightHistory.at(-1)!)["web-blue"]).toBe(100);
  expect(report.timeline.at(-1)!.byVersion.v2).toBeUndefined();
  expect(weightInvariantViolations(state.weightHistory, { since })).toEqual([]);
  times.mark(`6b rollback.yml via workflow_dispatch (${step.outputs.seconds} s in the rollback step)`, rollbackStarted);
  times.print();
}, 120_000);

it("blue-green.yml switches all at once to v2 with no failed request, and scales the old fleet in", async () => {
  const started = Date.now();
  const times = timer();
  stage = await startStage({ rps: 60, seed: 63 });
  const { environment } = stage.sandbox;
  const run = await runExampleWorkflow({
    stage,
    repoRoot: repo.root,
    workflow: join(repo.root, "examples", "blue-green.yml"),
    runId: "8003",
    inputs: { environment: "production", "image-id": environment.releases.v2!, version: "v2", "scale-in-previous": true },
  });
  const story = Object.values(run.jobs).flatMap((j) => j.log).join("\n");
  expect(run.conclusion, story).toBe("success");
  await new Promise((r) => setTimeout(r, 1_500));
  const report = (await stage.close())!;
  const state = stage.sandbox.state();
  const since = stage.readyAt;
  expect(state.weightHistory.filter((e) => e.at >= since).map((e) => sharesOf(e)["web-green"])).toEqual([100]);
  expect(state.autoScalingGroups.find((g) => g.name === "web-blue")!.desiredCapacity).toBe(0);
  expect(report.failed, JSON.stringify({ status: report.byStatus, errors: report.errorsByCode })).toBe(0);
  expect(report.timeline.at(-1)!.byVersion.v1).toBeUndefined();
  expect(weightInvariantViolations(state.weightHistory, { since })).toEqual([]);
  times.mark("6c blue-green.yml (v2 all at once, scale-in)", started);
  times.print();
}, 120_000);
