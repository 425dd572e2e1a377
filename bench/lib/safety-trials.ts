/**
 * Fault trials on the sandbox with load running, through the built bundles as a runner runs them:
 * AWS API faults during a deploy and a canary, kill -9 of an action at a seeded moment followed by
 * the recovery step, and two deploys racing for one environment. Each returns what it observed; the
 * callers (test/safety, bench/safety.ts) assert on it.
 */
import { weightInvariantViolations, type InvariantViolation } from "../../sandbox/harness";
import { startStage, type Stage } from "../../sandbox/harness";
import type { ActionRunResult } from "../../sandbox/runner";
import { step, logOf, type ActionName } from "../../test/e2e/support";

export const LOCK_TAG = "deploy:lock";
/** The header of the deployment lock rule's condition (src/ports/load-balancer.ts LOCK_RULE). */
const LOCK_HEADER = "x-zero-downtime-lock";

/** Deployment locks left on the sandbox: lock rules (with their lease tag), and tags of the earlier format. */
export function locksLeft(stage: Stage): string[] {
  const state = stage.sandbox.state();
  const rules = state.loadBalancers.flatMap((lb) => lb.listeners.flatMap((l) => l.rules));
  const isLock = (r: (typeof rules)[number]) => r.conditions.some((c) => c.Field === "http-header" && c.HttpHeaderConfig?.HttpHeaderName === LOCK_HEADER);
  const legacy = Object.values(state.tags).map((t) => t[LOCK_TAG]).filter((v): v is string => v !== undefined && v.startsWith("owner="));
  return [...rules.filter(isLock).map((r) => `rule ${r.arn} (${state.tags[r.arn]?.[LOCK_TAG] ?? "no lease tag"})`), ...legacy];
}
export const ROLE_TAG = "deploy:role";

/** What is wrong with the environment now: all traffic on one healthy slot, tags agreeing, no lock left. */
export function inconsistencies(stage: Stage): string[] {
  const state = stage.sandbox.state();
  const problems: string[] = [];
  const forward = state.weights.find((w) => w.isDefault);
  if (!forward) return ["no forward action on the listener"];
  const live = forward.groups.filter((g) => g.weight > 0);
  if (live.length !== 1) return [`traffic is split: ${forward.groups.map((g) => `${g.name}=${g.weight}`).join(", ")}`];
  const serving = live[0]!;
  const healthy = state.targetGroups.find((tg) => tg.name === serving.name)?.healthy ?? 0;
  if (healthy < 1) problems.push(`${serving.name} carries all traffic with ${healthy} healthy targets`);
  for (const g of forward.groups) {
    const role = state.tags[g.targetGroupArn]?.[ROLE_TAG];
    if (g === serving && role !== "stable") problems.push(`${g.name} carries all traffic but is tagged ${role ?? "without a role"}`);
    if (g !== serving && role === "stable") problems.push(`${g.name} carries no traffic but is tagged stable`);
  }
  for (const lock of locksLeft(stage)) problems.push(`a deployment lock is left: ${lock}`);
  return problems;
}

export interface TrialOutcome {
  label: string;
  ok: boolean;
  problems: string[];
  violations: InvariantViolation[];
  failedRequests: number;
  requests: number;
  durationMs: number;
  log: string;
}

export interface TrialOptions {
  seed: number;
  /** Copy of the built actions (test/e2e/support snapshotRepo). */
  root: string;
  rps?: number;
}

async function withStage(label: string, options: TrialOptions, body: (stage: Stage, run: Runner) => Promise<{ problems: string[]; log: string }>): Promise<TrialOutcome> {
  const started = Date.now();
  const stage = await startStage({ rps: options.rps ?? 40, seed: options.seed, timeScale: 25 });
  const run: Runner = (name, inputs, extra = {}) => step(stage, name, inputs, { root: options.root, ...extra });
  let result: { problems: string[]; log: string };
  try {
    result = await body(stage, run);
  } catch (error) {
    result = { problems: [`trial threw: ${(error as Error).message}`], log: "" };
  }
  const state = stage.sandbox.state();
  const report = await stage.close();
  const violations = weightInvariantViolations(state.weightHistory, { since: stage.readyAt });
  const failedRequests = report?.failed ?? 0;
  const problems = [...result.problems];
  if (violations.length) problems.push(`invariant 1 broken ${violations.length} times, first: ${violations[0]!.entry}`);
  if (failedRequests) problems.push(`${failedRequests} user requests failed: ${JSON.stringify(report?.byStatus)} ${JSON.stringify(report?.errorsByCode)}`);
  return { label, ok: problems.length === 0, problems, violations, failedRequests, requests: report?.total ?? 0, durationMs: Date.now() - started, log: result.log };
}

type Runner = (name: ActionName, inputs: Record<string, string | number | boolean>, extra?: Parameters<typeof step>[3]) => Promise<ActionRunResult>;

const deployInputs = (stage: Stage) => ({ "listener-arn": stage.sandbox.environment.listenerArn, "image-id": stage.sandbox.environment.releases.v2!, version: "v2", timeout: "90s" });
const canaryInputs = (stage: Stage) => ({ "listener-arn": stage.sandbox.environment.listenerArn, steps: "10,50,100", interval: "2s", "scale-in-previous": true, timeout: "5m" });

/** Completed or failed closed: success, or failure with all traffic still on a healthy stable slot. */
function completedOrClosed(stage: Stage, what: string, result: ActionRunResult): string[] {
  if (result.conclusion === "success") return [];
  const errors = result.annotations.filter((a) => a.level === "error");
  const problems = errors.length === 1 ? [] : [`${what} failed with ${errors.length} error annotations`];
  return [...problems, ...inconsistencies(stage).map((p) => `${what} failed, and it did not fail closed: ${p}`)];
}

export const API_FAULTS = { operation: "*", throttlingRate: 0.3, serverErrorRate: 0.1, connectionResetRate: 0.05, latencySpikeRate: 0.1, latencySpikeMs: 2000 } as const;

/** deploy-green then a shift-traffic canary, both under 30% throttling, 10% 5xx, 5% resets and 2 s latency spikes. */
export function apiFaultTrial(options: TrialOptions & { deployUnderFaults?: boolean; steps?: string }): Promise<TrialOutcome & { conclusions: string[]; faultsInjected: number }> {
  const conclusions: string[] = [];
  let faultsInjected = 0;
  return withStage(`api faults seed ${options.seed}`, options, async (stage, run) => {
    const underFaults = options.deployUnderFaults ?? true;
    if (underFaults) stage.sandbox.injectFaults(API_FAULTS);
    const deploy = await run("deploy-green", deployInputs(stage));
    if (!underFaults) stage.sandbox.injectFaults(API_FAULTS);
    const problems = completedOrClosed(stage, "deploy-green", deploy);
    conclusions.push(`deploy-green ${deploy.conclusion}`);
    let log = logOf(deploy);
    if (deploy.conclusion === "success") {
      const shift = await run("shift-traffic", { ...canaryInputs(stage), ...(options.steps ? { steps: options.steps } : {}) });
      conclusions.push(`shift-traffic ${shift.conclusion}`);
      problems.push(...completedOrClosed(stage, "shift-traffic", shift));
      log += `\n--- shift-traffic ---\n${logOf(shift)}`;
    }
    faultsInjected = stage.sandbox.calls().filter((c) => c.fault && c.fault !== "latency").length;
    stage.sandbox.clearFaults();
    return { problems, log };
  }).then((o) => ({ ...o, conclusions, faultsInjected }));
}

/**
 * kill -9 of deploy-green or shift-traffic `killAfterMs` after it starts, then the recovery: the same
 * deploy-green again (same run), or rollback after a canary. Ends consistent or says why not.
 */
export function killTrial(options: TrialOptions & { action: "deploy-green" | "shift-traffic"; killAfterMs: number }): Promise<TrialOutcome & { killed: boolean; recovery: string; notes: string[] }> {
  let killed = false;
  let recovery = "";
  const notes: string[] = [];
  return withStage(`kill ${options.action} at ${options.killAfterMs} ms (seed ${options.seed})`, options, async (stage, run) => {
    let log = "";
    if (options.action === "shift-traffic") {
      const deploy = await run("deploy-green", deployInputs(stage));
      if (deploy.conclusion !== "success") return { problems: [`setup deploy-green ${deploy.conclusion}`], log: logOf(deploy) };
      const shift = await run("shift-traffic", canaryInputs(stage), { killAfterMs: options.killAfterMs });
      killed = shift.killed;
      log += logOf(shift);
      const rollback = await run("rollback", { "listener-arn": stage.sandbox.environment.listenerArn, reason: "killed canary", timeout: "90s" });
      recovery = `rollback ${rollback.conclusion}`;
      log += `\n--- rollback ---\n${logOf(rollback)}`;
      if (rollback.conclusion === "success") return { problems: inconsistencies(stage), log };
      // Rollback refuses when the stable slot already has everything (the kill came before the first
      // write, or the post step restored): then re-running the same step is the recovery.
      if (!/Nothing to roll back/i.test(logOf(rollback))) return { problems: [`rollback ${rollback.conclusion}`, ...inconsistencies(stage)], log };
      for (const lockLeft of locksLeft(stage)) notes.push(`lock left after the post step: ${lockLeft}`);
      const again = await run("shift-traffic", canaryInputs(stage));
      recovery += `, shift-traffic again ${again.conclusion}`;
      log += `\n--- shift-traffic again ---\n${logOf(again)}`;
      if (again.conclusion !== "success") return { problems: [`re-running shift-traffic: ${again.conclusion}`, ...inconsistencies(stage)], log };
      return { problems: inconsistencies(stage), log };
    }
    const deploy = await run("deploy-green", deployInputs(stage), { killAfterMs: options.killAfterMs });
    killed = deploy.killed;
    log += logOf(deploy);
    // Re-running a job that was killed is a new attempt of its run on GitHub: it claims the lock the
    // killed attempt left.
    const rerun = { github: { repository: "acme/web", runId: "4242", runAttempt: "2" } };
    const again = await run("deploy-green", deployInputs(stage), rerun);
    recovery = `deploy-green again ${again.conclusion}`;
    log += `\n--- deploy-green again ---\n${logOf(again)}`;
    if (again.conclusion !== "success") return { problems: [`re-running deploy-green: ${again.conclusion}`], log };
    // deploy-green keeps the lock for the run's shift-traffic; the rest of the run releases it.
    const shift = await run("shift-traffic", canaryInputs(stage), rerun);
    log += `\n--- shift-traffic ---\n${logOf(shift)}`;
    if (shift.conclusion !== "success") return { problems: [`shift-traffic after the re-run: ${shift.conclusion}`], log };
    return { problems: inconsistencies(stage), log };
  }).then((o) => ({ ...o, killed, recovery, notes }));
}

/** Two deploy-green of different runs at once: exactly one proceeds, the other fails fast naming the holder. */
export function concurrentDeployTrial(options: TrialOptions): Promise<TrialOutcome & { failFastMs: number }> {
  let failFastMs = 0;
  return withStage(`two deploys at once (seed ${options.seed})`, options, async (stage, run) => {
    const [a, b] = await Promise.all([
      run("deploy-green", deployInputs(stage), { github: { repository: "acme/web", runId: "1001" } }),
      run("deploy-green", deployInputs(stage), { github: { repository: "acme/web", runId: "1002" } }),
    ]);
    const results = [a, b];
    const winners = results.filter((r) => r.conclusion === "success");
    const losers = results.filter((r) => r.conclusion !== "success");
    const problems: string[] = [];
    if (winners.length !== 1) problems.push(`${winners.length} deploys succeeded`);
    const loser = losers[0];
    if (loser) {
      failFastMs = loser.durationMs;
      const message = loser.annotations.find((a) => a.level === "error")?.message ?? "";
      if (!/acme\/web\/actions\/runs\/100[12]/.test(message)) problems.push(`the refused deploy does not name the holder: ${message}`);
      if (loser.durationMs > 15_000) problems.push(`the refused deploy took ${loser.durationMs} ms`);
    }
    return { problems, log: results.map(logOf).join("\n--- other ---\n") };
  }).then((o) => ({ ...o, failFastMs }));
}

/** A bad new fleet: v4 never healthy, v5 crashes after boot, or a release whose health check flaps. */
export function badFleetTrial(options: TrialOptions & { release: "v4" | "v5" | "flapping" }): Promise<TrialOutcome & { error: string; conclusions: string[] }> {
  let error = "";
  const conclusions: string[] = [];
  return withStage(`bad fleet ${options.release} (seed ${options.seed})`, options, async (stage, run) => {
    const { environment } = stage.sandbox;
    const image = environment.releases[options.release === "flapping" ? "v2" : options.release]!;
    let flapping: NodeJS.Timeout | undefined;
    if (options.release === "flapping") {
      // Unhealthy for 3 s, healthy for 0.5 s, over and over.
      const ok = stage.sandbox.setRelease(image, {}).health;
      let healthy = true;
      const flip = () => {
        healthy = !healthy;
        stage.sandbox.setRelease(image, { health: healthy ? ok : { ...ok, status: 503 } });
        flapping = setTimeout(flip, healthy ? 500 : 3_000);
      };
      flip();
    }
    try {
      const deploy = await run("deploy-green", { "listener-arn": environment.listenerArn, "image-id": image, version: options.release, timeout: "30s" });
      conclusions.push(`deploy-green ${deploy.conclusion}`);
      let failed = deploy;
      if (deploy.conclusion === "success") {
        const gate = await run("health-gate", { "listener-arn": environment.listenerArn, slot: "candidate", timeout: "20s", "min-healthy": "100%" });
        conclusions.push(`health-gate ${gate.conclusion}`);
        failed = gate;
      }
      const problems: string[] = [];
      if (failed.conclusion === "success") {
        problems.push("deploy-green and health-gate accepted the bad fleet");
        // The canary is the last line: its health watch during the bake must abort and restore.
        const shift = await run("shift-traffic", { "listener-arn": environment.listenerArn, steps: "10,100", interval: "10s", "min-healthy": "100%" });
        conclusions.push(`shift-traffic ${shift.conclusion}${shift.outputs.aborted === "true" ? " (aborted, restored)" : ""}`);
        if (shift.conclusion === "success") problems.push("the canary promoted the bad fleet");
        failed = shift;
      }
      error = failed.annotations.find((a) => a.level === "error")?.message ?? "";
      const forward = stage.sandbox.state().weights.find((w) => w.isDefault)!;
      const untouched = forward.groups.every((g) => (g.name === "web-blue" ? g.weight > 0 : g.weight === 0));
      if (!untouched) problems.push(`live traffic was touched: ${forward.groups.map((g) => `${g.name}=${g.weight}`).join(", ")}`);
      return { problems, log: logOf(failed) };
    } finally {
      if (flapping) clearTimeout(flapping);
    }
  }).then((o) => ({ ...o, error, conclusions }));
}

/**
 * A canary cancelled during a bake as GitHub cancels a job (SIGINT, SIGTERM 7.5 s later, SIGKILL
 * 2.5 s after that): how long until all traffic is back on the stable slot, verified.
 */
export function cancelTrial(options: TrialOptions & { cancelAfterBakeMs: number }): Promise<TrialOutcome & { restoredMs: number | undefined }> {
  let restoredMs: number | undefined;
  return withStage(`cancel ${options.cancelAfterBakeMs} ms into a bake (seed ${options.seed})`, options, async (stage, run) => {
    const { RUNNER_CANCEL_TIMINGS } = await import("../../sandbox/runner");
    const deploy = await run("deploy-green", deployInputs(stage));
    if (deploy.conclusion !== "success") return { problems: [`setup deploy-green ${deploy.conclusion}`], log: logOf(deploy) };
    const cancel = new AbortController();
    let cancelledAt = 0;
    const shift = await run(
      "shift-traffic",
      { "listener-arn": stage.sandbox.environment.listenerArn, steps: "25,50,100", interval: "30s" },
      {
        signal: cancel.signal,
        cancelTimings: RUNNER_CANCEL_TIMINGS,
        onLog: (line) => {
          if (cancelledAt === 0 && /Baking green at 25%/.test(line)) {
            cancelledAt = -1;
            setTimeout(() => {
              cancelledAt = Date.now();
              cancel.abort();
            }, options.cancelAfterBakeMs);
          }
        },
      },
    );
    const history = stage.sandbox.state().weightHistory;
    const restored = history.find((e) => e.at >= cancelledAt && e.groups.every((g) => (g.name === "web-blue" ? g.weight > 0 : g.weight === 0)));
    restoredMs = restored && cancelledAt > 0 ? restored.at - cancelledAt : undefined;
    const problems = inconsistencies(stage).filter((p) => !p.startsWith("a deployment lock"));
    if (shift.conclusion !== "cancelled") problems.push(`shift-traffic ended ${shift.conclusion}`);
    if (restoredMs === undefined) problems.push("traffic was not restored");
    else if (restoredMs > 5_000) problems.push(`restored after ${restoredMs} ms`);
    return { problems, log: logOf(shift) };
  }).then((o) => ({ ...o, restoredMs }));
}
