/**
 * kill -9 of rolling-update at a seeded moment, then the rollback action, on a rolling environment
 * with load running, through the built bundles: afterwards every instance must run the last good
 * numbered launch template version and be healthy, no refresh may be left running, the tags must
 * agree and no deployment lock may be left, and no user request may have failed.
 */
import { startStage, type Stage } from "../../sandbox/harness";
import { logOf, step } from "../../test/e2e/support";
import { locksLeft, type TrialOutcome } from "./safety-trials";

export interface RollingKillOptions {
  seed: number;
  /** Copy of the built actions (test/e2e/support snapshotRepo). */
  root: string;
  killAfterMs: number;
  instances?: number;
  rps?: number;
}

const TIME_SCALE = 25;

/** rolling-update's inputs for a fast run on the stage: checks of a few real seconds, the refresh's pause in sandbox seconds. */
export function fastRollingInputs(stage: Stage, instances: number): Record<string, string> {
  return {
    "auto-scaling-group-name": "web-blue",
    "image-id": stage.sandbox.environment.releases.v2!,
    version: "v2",
    checkpoints: instances >= 10 ? "10,50,100" : "25,50,100",
    "min-healthy-percentage": "75",
    "instance-warmup": "5s",
    "stable-for": "1s",
    bake: "1s",
    "checkpoint-timeout": "2s",
    "checkpoint-delay": `${6 * TIME_SCALE}s`,
    timeout: "2m",
  };
}

/** What is wrong with the rolling environment now. */
export function rollingInconsistencies(stage: Stage, instances: number): string[] {
  const state = stage.sandbox.state();
  const problems: string[] = [];
  const group = state.autoScalingGroups.find((g) => g.name === "web-blue")!;
  const good = group.tags["deploy:launch-template-version"];
  const serving = state.instances.filter((i) => i.group === "web-blue" && (i.lifecycle === "InService" || i.lifecycle === "Pending"));
  const tg = state.targetGroups.find((t) => t.name === "web-blue")!;
  const healthy = new Set(tg.targets.filter((t) => t.state === "healthy").map((t) => t.id));
  if (!good) problems.push("web-blue has no deploy:launch-template-version tag");
  if (group.launchTemplate.version !== good) problems.push(`web-blue's launch template is ${group.launchTemplate.version}, its tag says ${good}`);
  const off = serving.filter((i) => i.launchTemplate.version !== good);
  if (off.length) problems.push(`${off.length} instance(s) not on version ${good}: ${off.map((i) => `${i.id} ${i.release} v${i.launchTemplate.version}`).join(", ")}`);
  if (serving.length !== instances) problems.push(`${serving.length} instances serve, ${instances} wanted`);
  const unhealthy = serving.filter((i) => !healthy.has(i.id));
  if (unhealthy.length) problems.push(`${unhealthy.length} instance(s) not healthy in the target group`);
  const running = state.instanceRefreshes.filter((r) => r.group === "web-blue" && !/^(Successful|Failed|Cancelled|RollbackFailed|RollbackSuccessful)$/.test(r.status));
  if (running.length) problems.push(`instance refresh left ${running.map((r) => r.status).join(", ")}`);
  if (group.tags["deploy:role"] && group.tags["deploy:role"] !== "stable") problems.push(`web-blue is tagged ${group.tags["deploy:role"]}`);
  if (group.tags["deploy:candidate-version"]) problems.push(`web-blue is still tagged with candidate ${group.tags["deploy:candidate-version"]}`);
  for (const lock of locksLeft(stage)) problems.push(`a deployment lock is left: ${lock}`);
  return problems;
}

export async function rollingKillTrial(options: RollingKillOptions): Promise<TrialOutcome & { killed: boolean; recovery: string; phase: string }> {
  const started = Date.now();
  const instances = options.instances ?? 10;
  const stage = await startStage({ world: "builtin", rollingInstances: instances, rps: options.rps ?? 60, seed: options.seed, timeScale: TIME_SCALE, alarmThreshold: 1000 });
  let killed = false;
  let recovery = "";
  let phase = "";
  let log = "";
  const problems: string[] = [];
  try {
    const update = await step(stage, "rolling-update", fastRollingInputs(stage, instances), { root: options.root, killAfterMs: options.killAfterMs });
    killed = update.killed;
    log += logOf(update);
    const at = stage.sandbox.state().instanceRefreshes.at(-1);
    phase = at ? `refresh ${at.status} ${at.percentageComplete}%` : "no refresh yet";
    const rollback = await step(stage, "rollback", { "auto-scaling-group-name": "web-blue", reason: "killed rolling update", timeout: "2m" }, { root: options.root });
    recovery = `rollback ${rollback.conclusion}`;
    log += `\n--- rollback ---\n${logOf(rollback)}`;
    if (rollback.conclusion !== "success") problems.push(`rollback ${rollback.conclusion}`);
    problems.push(...rollingInconsistencies(stage, instances));
  } catch (error) {
    problems.push(`trial threw: ${(error as Error).message}`);
  }
  const report = await stage.close();
  const failedRequests = report?.failed ?? 0;
  if (failedRequests) problems.push(`${failedRequests} user requests failed: ${JSON.stringify(report?.byStatus)} ${JSON.stringify(report?.errorsByCode)}`);
  const label = `kill rolling-update at ${options.killAfterMs} ms (seed ${options.seed})`;
  return { label, ok: problems.length === 0, problems, violations: [], failedRequests, requests: report?.total ?? 0, durationMs: Date.now() - started, log, killed, recovery, phase };
}
