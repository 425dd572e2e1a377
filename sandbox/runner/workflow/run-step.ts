import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ActionDefinition } from "../action-definition";
import { resolveInputs, runNodeEntry } from "../action-step";
import { evaluateCondition, evaluateValue, interpolate, toNumber, toText, truthy, type ExpressionScope } from "../expressions";
import { defaultVariables } from "../github-context";
import { executeStepProcess } from "../step-executor";
import type { StepRunResult } from "../types";
import { runBuiltin } from "./builtins";
import { currentEnv, pathWithAdditions, stepScope, type JobRuntime } from "./job-runtime";
import type { ResolvedAction } from "./resolver";
import type { Step } from "./schema";
import type { StepOutcome, WorkflowStepResult } from "./types";
import { SANDBOX_AWS_CREDENTIALS } from "./builtins";

/** An action's post step waiting for the end of the job. */
export interface PendingPost {
  definition: ActionDefinition;
  stepId: string;
  name: string;
  uses: string;
  inputsEnv: Record<string, string>;
  inputs: Record<string, string>;
  stepEnv: Record<string, string>;
  state: Record<string, string>;
}

/** A step as prepared at job start: its action resolved (and action.yml read) before anything runs. */
export interface PreparedStep {
  index: number;
  step: Step;
  id: string;
  name: string;
  resolved?: ResolvedAction;
  definition?: ActionDefinition;
}

function defaultsFor(rt: JobRuntime, stepId: string, action?: { directory?: string; repository?: string; ref?: string }) {
  return defaultVariables(
    rt.github,
    { workspace: rt.dirs.workspace, temp: rt.dirs.temp, toolCache: rt.dirs.toolCache, eventPath: rt.dirs.eventPath },
    {
      action: stepId,
      ...(action?.directory ? { actionPath: action.directory } : {}),
      ...(action?.repository ? { actionRepository: action.repository } : {}),
      ...(action?.ref ? { actionRef: action.ref } : {}),
    },
  );
}

/** bash arguments for a `shell:` as GitHub runs it on Linux; other shells are refused by name. */
function shellArgs(shell: string | undefined, script: string): { command: string; args: string[] } {
  if (shell === undefined) return { command: "bash", args: ["-e", script] };
  if (shell === "bash") return { command: "bash", args: ["--noprofile", "--norc", "-eo", "pipefail", script] };
  if (shell === "sh") return { command: "sh", args: ["-e", script] };
  const parts = shell.trim().split(/\s+/);
  if ((parts[0] === "bash" || parts[0] === "sh") && parts.includes("{0}")) {
    return { command: parts[0], args: parts.slice(1).map((p) => (p === "{0}" ? script : p)) };
  }
  throw new Error(`shell '${shell}' is not supported by this runner; use bash (the default), sh, or 'bash <options> {0}'`);
}

function failedBeforeStart(base: Omit<WorkflowStepResult, "outcome" | "conclusion" | "outputs">, error: string, continueOnError: boolean): WorkflowStepResult {
  return { ...base, outcome: "failure", conclusion: continueOnError ? "success" : "failure", outputs: {}, error };
}

function timeoutMs(value: unknown, scope: ExpressionScope, label: string): number | undefined {
  if (value === undefined) return undefined;
  const minutes = toNumber(evaluateValue(value, { contexts: scope.contexts }));
  if (!(minutes > 0)) throw new Error(`${label}: ${JSON.stringify(value)} is not a positive number of minutes`);
  return minutes * 60_000;
}

/** Runs one main step (its `if` first) and records its outcome in the job. */
export async function runMainStep(rt: JobRuntime, prepared: PreparedStep, kill: AbortSignal, posts: PendingPost[]): Promise<WorkflowStepResult> {
  const { step, id, name, index } = prepared;
  const kind: WorkflowStepResult["kind"] = step.run !== undefined ? "run" : prepared.resolved?.kind === "builtin" ? "builtin" : "action";
  const base = { index, id, name, kind, post: false, ...(step.uses ? { uses: step.uses } : {}) };
  const record = (result: WorkflowStepResult): WorkflowStepResult => {
    rt.steps[id] = { outputs: result.outputs, outcome: result.outcome, conclusion: result.conclusion };
    if (result.conclusion === "failure") rt.failed = true;
    return result;
  };

  let continueOnError = false;
  const stepEnv: Record<string, string> = {};
  let scope: ExpressionScope;
  let stepTimeout: number | undefined;
  try {
    const outer = stepScope(rt, { action: id });
    if (!evaluateCondition(step.if, outer)) {
      rt.log(`Skipping step '${name}': if ${JSON.stringify(step.if ?? "success()")} is false`);
      return record({ ...base, outcome: "skipped", conclusion: "skipped", outputs: {} });
    }
    for (const [key, value] of Object.entries(step.env ?? {})) stepEnv[key] = interpolate(value, outer);
    scope = stepScope(rt, { env: { ...currentEnv(rt), ...stepEnv }, action: id });
    continueOnError = step["continue-on-error"] === undefined ? false : truthy(evaluateValue(step["continue-on-error"], scope));
    stepTimeout = timeoutMs(step["timeout-minutes"], scope, `step '${name}' timeout-minutes`);
  } catch (error) {
    const message = `Step '${name}': ${(error as Error).message}`;
    rt.log(`##[error]${message}`);
    return record(failedBeforeStart(base, message, continueOnError));
  }

  const env = { ...rt.baseEnv, ...currentEnv(rt), ...stepEnv };
  const processEnv = { ...env, ...pathWithAdditions(rt, env) };
  const cancel = rt.cancel.signal.aborted ? undefined : rt.cancel.signal;
  const common = {
    fileCommandsDir: rt.dirs.fileCommands,
    masker: rt.masker,
    kill,
    timings: rt.timings,
    onLog: (line: string) => rt.log(line),
    ...(cancel ? { cancel } : {}),
    ...(stepTimeout !== undefined ? { timeoutMs: stepTimeout } : {}),
  };

  let result: StepRunResult;
  let inputs: Record<string, string> | undefined;
  try {
    if (step.run !== undefined) {
      const script = join(rt.dirs.temp, `${randomUUID()}.sh`);
      await writeFile(script, interpolate(step.run, scope), { mode: 0o700 });
      const shell = shellArgs(step.shell ?? rt.defaultsRun.shell, script);
      const workingDirectory = step["working-directory"] ?? rt.defaultsRun.workingDirectory;
      const cwd = workingDirectory ? resolve(rt.dirs.workspace, interpolate(workingDirectory, scope)) : rt.dirs.workspace;
      if (!existsSync(cwd)) throw new Error(`working-directory '${workingDirectory}' does not exist in the workspace`);
      result = await executeStepProcess({ ...common, command: shell.command, args: shell.args, cwd, env: { ...processEnv, ...defaultsFor(rt, id) } });
    } else {
      const withValues: Record<string, string> = {};
      for (const [key, value] of Object.entries(step.with ?? {})) withValues[key] = toText(evaluateValue(value, scope));
      const resolved = prepared.resolved;
      if (resolved?.kind === "builtin") {
        result = await runBuiltin(resolved.name, resolved.ref, {
          with: withValues,
          workspace: rt.dirs.workspace,
          artifactsDir: rt.dirs.artifacts,
          masker: rt.masker,
          awsCredentials: rt.options.awsCredentials ?? SANDBOX_AWS_CREDENTIALS,
          nextArtifactId: rt.nextArtifactId,
        });
        for (const line of result.log) rt.log(line);
        inputs = withValues;
      } else {
        const definition = prepared.definition as ActionDefinition;
        const resolvedInputs = resolveInputs(definition, withValues, scope);
        inputs = resolvedInputs.values;
        for (const warning of resolvedInputs.warnings) rt.log(`##[warning]${warning.message}`);
        result = await runNodeEntry({
          ...common,
          script: definition.main,
          cwd: rt.dirs.workspace,
          env: processEnv,
          inputsEnv: resolvedInputs.env,
          defaults: defaultsFor(rt, id, resolved?.kind === "local" ? resolved : undefined),
        });
        result.annotations.unshift(...resolvedInputs.warnings);
        if (definition.post) {
          posts.push({ definition, stepId: id, name, uses: step.uses ?? "", inputsEnv: resolvedInputs.env, inputs: resolvedInputs.values, stepEnv, state: result.state });
        }
      }
    }
  } catch (error) {
    const message = `Step '${name}': ${(error as Error).message}`;
    rt.log(`##[error]${message}`);
    return record(failedBeforeStart(base, message, continueOnError));
  }

  Object.assign(rt.fileEnv, result.env);
  rt.pathAdds.push(...result.path);
  const outcome: StepOutcome = result.conclusion;
  const conclusion: StepOutcome = outcome === "failure" && continueOnError ? "success" : outcome;
  return record({
    ...base,
    outcome,
    conclusion,
    outputs: result.outputs,
    result,
    ...(inputs ? { inputs } : {}),
    ...(result.error ? { error: result.error } : {}),
  });
}

/** Runs a pending post step if its post-if holds for the job as it stands now. */
export async function runPostStep(rt: JobRuntime, pending: PendingPost, index: number, kill: AbortSignal): Promise<WorkflowStepResult> {
  const name = `Post ${pending.name}`;
  const base = { index, id: pending.stepId, name, kind: "action" as const, uses: pending.uses, post: true, inputs: pending.inputs };
  const env = { ...rt.baseEnv, ...currentEnv(rt), ...pending.stepEnv };
  let run: boolean;
  try {
    run = evaluateCondition(pending.definition.postIf, stepScope(rt, { env, action: pending.stepId }));
  } catch (error) {
    const message = `${name}: post-if: ${(error as Error).message}`;
    rt.failed = true;
    return { ...base, outcome: "failure", conclusion: "failure", outputs: {}, error: message };
  }
  if (!run) {
    rt.log(`Skipping '${name}': post-if ${JSON.stringify(pending.definition.postIf)} is false`);
    return { ...base, outcome: "skipped", conclusion: "skipped", outputs: {} };
  }
  const result = await runNodeEntry({
    script: pending.definition.post as string,
    cwd: rt.dirs.workspace,
    env: { ...env, ...pathWithAdditions(rt, env) },
    inputsEnv: pending.inputsEnv,
    defaults: defaultsFor(rt, pending.stepId, { directory: pending.definition.directory }),
    state: pending.state,
    fileCommandsDir: rt.dirs.fileCommands,
    masker: rt.masker,
    kill,
    timings: rt.timings,
    onLog: (line) => rt.log(line),
  });
  if (result.conclusion === "failure") rt.failed = true;
  return { ...base, outcome: result.conclusion, conclusion: result.conclusion, outputs: result.outputs, result, ...(result.error ? { error: result.error } : {}) };
}
