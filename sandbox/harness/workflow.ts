/**
 * Runs the example workflows (examples/deploy.yml, examples/rollback.yml) against a stage with the
 * local runner (sandbox/runner): the repository's own actions from their built bundles, approvals answered
 * by a callback, and the sandbox's endpoint in the job environment.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runWorkflow, type StepEvent, type WorkflowRunResult } from "../runner";
import { REPO_ROOT, sandboxMetricsDelay, sandboxPropagationDelay, sandboxStableFor, type Stage } from "./stage";

/**
 * The rehearsal's CANARY_CONFIG variable: an analysis configuration whose minimum request count suits a few seconds of demo traffic
 * (the default, 500 requests per side, needs minutes of production traffic).
 */
export const DEMO_ANALYSIS_CONFIG = "minRequests: 20\n";

/**
 * Repository variables of the rehearsal: steps 10% then 50% (100% is the promote job), 8 s bakes, a minimum sample for short bakes,
 * both slots' 5xx alarms. 8 s at time scale 25 is 200 sandbox seconds a step, so the last look before 100% judges about 7 one-minute
 * periods a side: a rank test needs 6 a side to reach the default per-metric alpha (0.02 over 3 metrics), and with 5 it says not enough data.
 */
export const DEMO_VARS = { CANARY_STEPS: "10,50", CANARY_INTERVAL: "8s", CANARY_CONFIG: DEMO_ANALYSIS_CONFIG, ALARM_NAMES: "web-blue-target-5xx,web-green-target-5xx" };

export interface WorkflowRunOptions {
  stage: Stage;
  /** The repository whose actions/ and dist/ run (default: this one). */
  repoRoot?: string;
  workflow: string;
  runId: string;
  /** The commit the run builds (40 hex digits); the example's build job names the version after it. */
  sha?: string;
  vars?: Record<string, string>;
  inputs?: Record<string, string | number | boolean>;
  /** Answers a job's environment review; default: approve. */
  approve?: (jobId: string, environment: string) => boolean | Promise<boolean>;
  onStep?: (event: StepEvent) => void;
  onLog?: (line: string) => void;
  /** Cancels the run (the running step gets SIGINT, then SIGTERM, then SIGKILL). */
  signal?: AbortSignal;
}

/** The repository variables the examples read, pointed at the stage's sandbox (STABLE_FOR: see sandboxStableFor). */
export function exampleVars(stage: Stage, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DEPLOY_ROLE_ARN: "arn:aws:iam::123456789012:role/deploy",
    AWS_REGION: stage.sandbox.region,
    LISTENER_ARN: stage.sandbox.environment.listenerArn,
    STABLE_FOR: sandboxStableFor(stage),
    METRICS_DELAY: sandboxMetricsDelay(stage),
    PROPAGATION_DELAY: sandboxPropagationDelay(stage),
    ...extra,
  };
}

export async function runExampleWorkflow(options: WorkflowRunOptions): Promise<WorkflowRunResult> {
  return runWorkflow({
    workflow: options.workflow,
    repoRoot: options.repoRoot ?? REPO_ROOT,
    env: { AWS_ENDPOINT_URL: options.stage.sandbox.endpoint },
    vars: exampleVars(options.stage, options.vars),
    ...(options.inputs ? { inputs: options.inputs } : {}),
    environments: ["canary", "production"],
    github: { repository: "acme/web", runId: options.runId, actor: "octocat", ...(options.sha ? { sha: options.sha } : {}) },
    approve: options.approve ?? (() => true),
    ...(options.onStep ? { onStep: options.onStep } : {}),
    ...(options.onLog ? { onLog: options.onLog } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** A temporary directory for patched workflow copies; remove() deletes it. */
export async function scratchDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "zda-demo-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
