import { githubContext, type GithubSettings } from "../github-context";
import type { Masker } from "../masking";
import type { CancelTimings } from "../process";
import type { RunnerDirs } from "../runner-dirs";
import type { ExpressionScope, StatusSnapshot } from "../expressions";
import type { JobResult, RunWorkflowOptions, StepOutcome } from "./types";

/** Everything one job's steps share while it runs. */
export interface JobRuntime {
  jobId: string;
  options: RunWorkflowOptions;
  github: GithubSettings;
  dirs: RunnerDirs;
  masker: Masker;
  baseEnv: Record<string, string>;
  workflowEnv: Record<string, string>;
  jobEnv: Record<string, string>;
  /** GITHUB_ENV additions so far. */
  fileEnv: Record<string, string>;
  /** GITHUB_PATH additions so far, oldest first. */
  pathAdds: string[];
  steps: Record<string, { outputs: Record<string, string>; outcome: StepOutcome; conclusion: StepOutcome }>;
  needs: Record<string, { result: JobResult; outputs: Record<string, string> }>;
  inputs: Record<string, string | number | boolean>;
  /** The `vars` and `secrets` contexts: the run's, plus the environment's once the job is on one. */
  vars: Record<string, string>;
  secrets: Record<string, string>;
  /** A step (or the job setup) has failed. */
  failed: boolean;
  /** Aborted when the run is cancelled or the job times out. */
  cancel: AbortController;
  timedOut: boolean;
  timings: CancelTimings;
  defaultsRun: { shell?: string; workingDirectory?: string };
  nextArtifactId(): number;
  log(line: string): void;
}

export function jobStatus(rt: JobRuntime): StatusSnapshot {
  const cancelled = rt.cancel.signal.aborted;
  return { success: !rt.failed && !cancelled, failure: rt.failed, cancelled };
}

export function jobStatusText(rt: JobRuntime): "success" | "failure" | "cancelled" {
  return rt.cancel.signal.aborted ? "cancelled" : rt.failed ? "failure" : "success";
}

/** The environment a step sees (and the `env` context), before its own `env:`. */
export function currentEnv(rt: JobRuntime): Record<string, string> {
  return { ...rt.workflowEnv, ...rt.jobEnv, ...rt.fileEnv };
}

/** The expression scope for a step (or post step, or job outputs). */
export function stepScope(rt: JobRuntime, extra: { env?: Record<string, string>; action?: string; actionPath?: string } = {}): ExpressionScope {
  return {
    contexts: {
      github: githubContext(rt.github, { workspace: rt.dirs.workspace, action: extra.action ?? "", actionPath: extra.actionPath ?? "" }),
      env: extra.env ?? currentEnv(rt),
      steps: rt.steps,
      needs: rt.needs,
      job: { status: jobStatusText(rt) },
      runner: { os: "Linux", arch: "X64", name: "local-runner", temp: rt.dirs.temp, tool_cache: rt.dirs.toolCache, debug: "" },
      inputs: rt.inputs,
      vars: rt.vars,
      secrets: { GITHUB_TOKEN: rt.github.token, ...rt.secrets },
      strategy: {},
      matrix: {},
    },
    status: jobStatus(rt),
  };
}

/** PATH with GITHUB_PATH additions in front, the latest first. */
export function pathWithAdditions(rt: JobRuntime, env: Record<string, string>): Record<string, string> {
  if (rt.pathAdds.length === 0) return {};
  return { PATH: [...rt.pathAdds].reverse().concat(env.PATH ? [env.PATH] : []).join(":") };
}
