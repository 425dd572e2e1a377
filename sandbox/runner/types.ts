import type { SignalSent } from "./process";

export interface Annotation {
  level: "error" | "warning" | "notice";
  message: string;
  /** file, line, endLine, col, endColumn, title — as given, unescaped. */
  properties: Record<string, string>;
}

/** What one step (an action's main or post, a `run` script, or a built-in stub) did. */
export interface StepRunResult {
  /** success when the process exited 0 and no command failed it; cancelled when the run was cancelled. */
  conclusion: "success" | "failure" | "cancelled";
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  cancelled: boolean;
  timedOut: boolean;
  /** Killed with SIGKILL on request (killAfterMs / kill()), not by the cancel sequence. */
  killed: boolean;
  signalsSent: SignalSent[];
  /** GITHUB_OUTPUT entries and deprecated set-output commands. */
  outputs: Record<string, string>;
  /** GITHUB_STATE entries and deprecated save-state commands. */
  state: Record<string, string>;
  /** GITHUB_ENV entries: added to the environment of later steps. */
  env: Record<string, string>;
  /** GITHUB_PATH entries: prepended to PATH for later steps. */
  path: string[];
  /** GITHUB_STEP_SUMMARY markdown written by this step (masked). */
  summary: string;
  annotations: Annotation[];
  debug: string[];
  /** Values masked from the log (add-mask in this step plus those known before). */
  masks: string[];
  /** Raw output with masks applied. */
  stdout: string;
  stderr: string;
  /** The log as GitHub shows it: commands rendered (`##[error]...`), masks applied, both streams in order. */
  log: string[];
  durationMs: number;
  /** Why the step failed when the exit code alone does not say (timeout, bad env file, disabled command...). */
  error?: string;
}

export function emptyStepResult(partial: Partial<StepRunResult> = {}): StepRunResult {
  return {
    conclusion: "success",
    exitCode: 0,
    signal: null,
    cancelled: false,
    timedOut: false,
    killed: false,
    signalsSent: [],
    outputs: {},
    state: {},
    env: {},
    path: [],
    summary: "",
    annotations: [],
    debug: [],
    masks: [],
    stdout: "",
    stderr: "",
    log: [],
    durationMs: 0,
    ...partial,
  };
}
