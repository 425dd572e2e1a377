import type { GithubSettingsInput } from "../github-context";
import type { CancelTimings } from "../process";
import type { Annotation, StepRunResult } from "../types";
import type { SandboxAwsCredentials } from "./builtins";
import type { ActionResolver } from "./resolver";

export type JobResult = "success" | "failure" | "cancelled" | "skipped";
export type StepOutcome = "success" | "failure" | "cancelled" | "skipped";

export interface WorkflowStepResult {
  index: number;
  /** The step's `id`, or a generated `__run`, `__actions_checkout`, ... */
  id: string;
  name: string;
  kind: "run" | "action" | "builtin";
  uses?: string;
  /** True for an action's post step (run after all steps, in reverse order). */
  post: boolean;
  /** Before continue-on-error. */
  outcome: StepOutcome;
  /** After continue-on-error (a failed step that may fail is a success here). */
  conclusion: StepOutcome;
  outputs: Record<string, string>;
  /** Inputs an action received (given or defaulted). */
  inputs?: Record<string, string>;
  /** The process (or stand-in) result; absent when the step was skipped or could not start. */
  result?: StepRunResult;
  error?: string;
}

export interface JobRunResult {
  id: string;
  name: string;
  result: JobResult;
  outputs: Record<string, string>;
  /** Main steps in order, then post steps in the order they ran. */
  steps: WorkflowStepResult[];
  /** Every step's GITHUB_STEP_SUMMARY, concatenated in run order. */
  summary: string;
  annotations: Annotation[];
  environment?: { name: string; url?: string; approved: boolean };
  concurrency?: { group: string; cancelInProgress: boolean };
  permissions?: unknown;
  needs: string[];
  continueOnError: boolean;
  timeoutMinutes: number;
  /** Why the job failed, was skipped or cancelled, when no step says it. */
  error?: string;
  log: string[];
  durationMs: number;
}

export interface WorkflowRunResult {
  name: string;
  event: string;
  conclusion: "success" | "failure" | "cancelled";
  jobs: Record<string, JobRunResult>;
  /** Job ids in the order they were considered (needs before dependents). */
  order: string[];
  /** The `inputs` context the run had. */
  inputs: Record<string, string | number | boolean>;
  concurrency?: { group: string; cancelInProgress: boolean };
  permissions?: unknown;
  log: string[];
  durationMs: number;
}

export interface StepEvent {
  phase: "before" | "after";
  jobId: string;
  stepIndex: number;
  stepId: string;
  name: string;
  post: boolean;
  /** Present in the 'after' phase. */
  result?: WorkflowStepResult;
  /** Cancels the whole run, as the Cancel button does: the running step gets SIGINT, SIGTERM, SIGKILL. */
  cancel(): void;
  /** SIGKILLs this step's process now (a crash, not a cancellation). */
  kill(): void;
}

export type StepObserver = (event: StepEvent) => void | Promise<void>;

export interface RunWorkflowOptions {
  /** The workflow YAML file. */
  workflow: string;
  /** The repository under test: `./...` and `<owner>/<repo>/actions/<name>@<ref>` resolve here. */
  repoRoot: string;
  /** Default: workflow_dispatch when the workflow has it, else its first event. */
  eventName?: string;
  /** workflow_dispatch inputs (checked against the declarations; defaults applied). */
  inputs?: Record<string, string | number | boolean>;
  /** Runner machine environment; defaults to this process's env minus GITHUB_/RUNNER_/INPUT_/STATE_/ACTIONS_. */
  baseEnv?: Record<string, string>;
  /** Added to baseEnv (below workflow, job and step env). */
  env?: Record<string, string>;
  vars?: Record<string, string>;
  /** `secrets` context; every value is masked. */
  secrets?: Record<string, string>;
  /** Environment name → variables added to `vars` for jobs on that environment (they win over the run's). */
  environmentVars?: Record<string, Record<string, string>>;
  /** Environment name → secrets added to `secrets` (and masked) for jobs on that environment. */
  environmentSecrets?: Record<string, Record<string, string>>;
  /** Repository, sha, ref, actor, token, run ids...; deterministic defaults. */
  github?: GithubSettingsInput;
  /** Called before a job on an environment runs; false rejects the deployment (the job fails). Absent: no review. */
  approve?: (jobId: string, environment: string) => Promise<boolean> | boolean;
  /** Names `type: environment` inputs may take; any when absent. */
  environments?: readonly string[];
  /** Called before and after every step, with handles to cancel the run or kill the step. */
  onStep?: StepObserver;
  /** Run only these jobs (each job's needs must be included too). */
  onlyJobs?: readonly string[];
  /** Cancels the run when it aborts. */
  signal?: AbortSignal;
  resolver?: ActionResolver;
  /** GITHUB_WORKSPACE; a fresh temporary directory when absent (checkout is simulated). */
  workspace?: string;
  cancelTimings?: Partial<CancelTimings>;
  /** What the configure-aws-credentials stand-in exports when no keys are given. */
  awsCredentials?: SandboxAwsCredentials;
  /** Each log line as it happens, prefixed with `[job] `. */
  onLog?: (line: string) => void;
  keepTemp?: boolean;
}
