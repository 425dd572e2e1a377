import { loadActionDefinition } from "./action-definition";
import { resolveInputs, runNodeEntry, shouldRunPost } from "./action-step";
import type { StatusSnapshot } from "./expressions";
import { cleanBaseEnv, defaultVariables, githubContext, parseGithubSettings, type GithubSettingsInput } from "./github-context";
import { Masker } from "./masking";
import { RUNNER_CANCEL_TIMINGS, type CancelTimings } from "./process";
import { createRunnerDirs } from "./runner-dirs";
import type { StepRunResult } from "./types";

export interface RunActionOptions {
  /** Directory holding the action's action.yml. */
  action: string;
  /** `with:` values; numbers and booleans are passed as text. */
  inputs?: Record<string, string | number | boolean>;
  /** Job/step environment added on top of baseEnv (GITHUB_* and RUNNER_* defaults cannot be overridden). */
  env?: Record<string, string>;
  /** The runner machine's environment; defaults to this process's env without GITHUB_/RUNNER_/INPUT_/STATE_/ACTIONS_ variables. */
  baseEnv?: Record<string, string>;
  /** The run as GitHub sees it (repository, sha, ref, token, eventName, event...); deterministic defaults. */
  github?: GithubSettingsInput;
  /** `vars` and `secrets` contexts for default expressions; secrets are masked. */
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  /** GITHUB_WORKSPACE and the working directory; a fresh temporary directory when absent. */
  workspace?: string;
  /** GITHUB_ACTION (the step id); default `__run`. */
  stepId?: string;
  /** Cancel the main step after this long: SIGINT, then SIGTERM, then SIGKILL. */
  cancelAfterMs?: number;
  /** Cancel the main step when this aborts (same sequence). */
  signal?: AbortSignal;
  /** SIGKILL the main step after this long: a crash, so the post step sees failure(), not cancelled(). */
  killAfterMs?: number;
  /** Main step timeout: the cancel sequence starts and the step fails (as a step's timeout-minutes). */
  timeoutMs?: number;
  /** Post step timeout (none by default). */
  postTimeoutMs?: number;
  /** Gaps in the cancel sequence; the runner's are 7500 ms and 2500 ms. */
  cancelTimings?: Partial<CancelTimings>;
  /** Run the post step when action.yml has one (default true). */
  runPost?: boolean;
  /** Each rendered, masked log line as it happens. */
  onLog?: (line: string) => void;
  /** Called when the post step starts (after the main step's last log line). */
  onPostStart?: () => void;
  /** Keep the temporary runner directory (for debugging). */
  keepTemp?: boolean;
}

export interface ActionRunResult extends StepRunResult {
  /** Input name → the value the action received (given or defaulted). */
  inputs: Record<string, string>;
  /** The post step's result, when action.yml has `post` and its post-if held. */
  post?: StepRunResult;
  /** Why the post step did not run, when action.yml has `post` but it was not run. */
  postSkipped?: string;
}

function statusOf(result: StepRunResult): StatusSnapshot {
  return {
    success: result.conclusion === "success",
    failure: result.conclusion === "failure",
    cancelled: result.conclusion === "cancelled",
  };
}

/** Runs one JavaScript action (main, then post per post-if) in child processes, as a GitHub runner would. */
export async function runAction(options: RunActionOptions): Promise<ActionRunResult> {
  const definition = await loadActionDefinition(options.action);
  const github = parseGithubSettings(options.github);
  const dirs = await createRunnerDirs({ ...(options.workspace ? { workspace: options.workspace } : {}), event: github.event, keep: options.keepTemp ?? false });
  const timers: NodeJS.Timeout[] = [];
  try {
    const masker = new Masker();
    masker.add(github.token);
    for (const secret of Object.values(options.secrets ?? {})) masker.add(secret);

    const stepId = options.stepId ?? "__run";
    const env = { ...(options.baseEnv ?? cleanBaseEnv(process.env)), ...(options.env ?? {}) };
    const contexts = {
      github: githubContext(github, { workspace: dirs.workspace, action: stepId, actionPath: definition.directory }),
      env,
      vars: options.vars ?? {},
      secrets: { GITHUB_TOKEN: github.token, ...(options.secrets ?? {}) },
      runner: { os: "Linux", arch: "X64", name: "local-runner", temp: dirs.temp, tool_cache: dirs.toolCache },
      job: { status: "success" },
      strategy: {},
      matrix: {},
    };
    const given: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.inputs ?? {})) given[k] = String(v);
    const inputs = resolveInputs(definition, given, { contexts });
    const defaults = defaultVariables(github, dirs, { action: stepId, actionPath: definition.directory });
    const timings = { ...RUNNER_CANCEL_TIMINGS, ...(options.cancelTimings ?? {}) };

    const cancel = new AbortController();
    const kill = new AbortController();
    if (options.signal) {
      if (options.signal.aborted) cancel.abort();
      else options.signal.addEventListener("abort", () => cancel.abort(), { once: true });
    }
    if (options.cancelAfterMs !== undefined) timers.push(setTimeout(() => cancel.abort(), options.cancelAfterMs));
    if (options.killAfterMs !== undefined) timers.push(setTimeout(() => kill.abort(), options.killAfterMs));

    const common = {
      cwd: dirs.workspace,
      env,
      inputsEnv: inputs.env,
      defaults,
      fileCommandsDir: dirs.fileCommands,
      masker,
      timings,
      ...(options.onLog ? { onLog: options.onLog } : {}),
    };
    const main = await runNodeEntry({ ...common, script: definition.main,
      cancel: cancel.signal,
      kill: kill.signal,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    for (const timer of timers) clearTimeout(timer);
    main.annotations.unshift(...inputs.warnings);
    const result: ActionRunResult = { ...main, inputs: inputs.values };

    if (definition.post && options.runPost !== false) {
      const status = statusOf(main);
      const postScope = { contexts: { ...contexts, job: { status: main.conclusion } }, status };
      if (shouldRunPost(definition, postScope)) {
        options.onPostStart?.();
        result.post = await runNodeEntry({
          ...common,
          script: definition.post,
          state: main.state,
          ...(options.postTimeoutMs !== undefined ? { timeoutMs: options.postTimeoutMs } : {}),
        });
      } else {
        result.postSkipped = `post-if '${definition.postIf}' is false (main step ${main.conclusion})`;
      }
    }
    result.masks = masker.list();
    return result;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await dirs.cleanup();
  }
}
