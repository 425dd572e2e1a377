import { evaluateCondition, evaluateValue, toText, type ExpressionScope } from "./expressions";
import { inputVariableName, type ActionDefinition } from "./action-definition";
import type { Masker } from "./masking";
import type { CancelTimings } from "./process";
import { executeStepProcess } from "./step-executor";
import type { Annotation, StepRunResult } from "./types";

export interface ResolvedInputs {
  /** Input name → value passed (given in `with`, else the evaluated default). */
  values: Record<string, string>;
  /** The INPUT_* variables. */
  env: Record<string, string>;
  warnings: Annotation[];
}

/**
 * `with` values plus action.yml defaults (which may be expressions such as `${{ github.token }}`,
 * evaluated against the given scope). Unknown inputs give GitHub's warning.
 */
export function resolveInputs(definition: ActionDefinition, given: Record<string, string>, scope: ExpressionScope): ResolvedInputs {
  const values: Record<string, string> = {};
  const warnings: Annotation[] = [];
  const declared = Object.keys(definition.inputs);
  const unexpected = Object.keys(given).filter((k) => !declared.some((d) => d.toLowerCase() === k.toLowerCase()));
  if (unexpected.length) {
    warnings.push({
      level: "warning",
      message: `Unexpected input(s) ${unexpected.map((u) => `'${u}'`).join(", ")}, valid inputs are [${declared.map((d) => `'${d}'`).join(", ")}]`,
      properties: {},
    });
  }
  for (const [name, value] of Object.entries(given)) values[name] = value;
  for (const [name, spec] of Object.entries(definition.inputs)) {
    const givenKey = Object.keys(given).find((k) => k.toLowerCase() === name.toLowerCase());
    if (givenKey !== undefined) {
      if (spec.deprecationMessage) {
        warnings.push({ level: "warning", message: `Input '${name}' has been deprecated with message: ${spec.deprecationMessage}`, properties: {} });
      }
      continue;
    }
    if (spec.default !== undefined) values[name] = toText(evaluateValue(spec.default, { contexts: scope.contexts }));
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) env[inputVariableName(name)] = value;
  return { values, env, warnings };
}

export interface NodeEntryRequest {
  script: string;
  cwd: string;
  /** Base + job + step environment. */
  env: Record<string, string>;
  inputsEnv: Record<string, string>;
  /** GITHUB_* / RUNNER_* defaults, which user env cannot override. */
  defaults: Record<string, string>;
  /** STATE_* for a post step. */
  state?: Record<string, string>;
  fileCommandsDir: string;
  masker: Masker;
  cancel?: AbortSignal;
  kill?: AbortSignal;
  timeoutMs?: number;
  timings?: CancelTimings;
  onLog?: (line: string) => void;
}

/** Runs an action entry (main or post) with the local node, as the runner does for node20 and node24. */
export function runNodeEntry(request: NodeEntryRequest): Promise<StepRunResult> {
  const stateEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.state ?? {})) stateEnv[`STATE_${name}`] = value;
  return executeStepProcess({
    command: process.execPath,
    args: [request.script],
    cwd: request.cwd,
    env: { ...request.env, ...request.inputsEnv, ...stateEnv, ...request.defaults },
    fileCommandsDir: request.fileCommandsDir,
    masker: request.masker,
    ...(request.cancel ? { cancel: request.cancel } : {}),
    ...(request.kill ? { kill: request.kill } : {}),
    ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
    ...(request.timings ? { timings: request.timings } : {}),
    ...(request.onLog ? { onLog: request.onLog } : {}),
  });
}

/** Evaluates an action's post-if (default `always()`) for the job status when post steps run. */
export function shouldRunPost(definition: ActionDefinition, scope: ExpressionScope): boolean {
  return evaluateCondition(definition.postIf, scope);
}
