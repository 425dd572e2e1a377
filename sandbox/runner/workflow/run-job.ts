import { performance } from "node:perf_hooks";
import { loadActionDefinition } from "../action-definition";
import { evaluateCondition, evaluateValue, interpolate, toNumber, toText, truthy } from "../expressions";
import type { Annotation } from "../types";
import { jobStatusText, stepScope, type JobRuntime } from "./job-runtime";
import { KNOWN_USES_HELP, type ActionResolver } from "./resolver";
import { runMainStep, runPostStep, type PendingPost, type PreparedStep } from "./run-step";
import type { Job } from "./schema";
import type { JobRunResult, WorkflowStepResult } from "./types";

export interface JobRequest {
  rt: JobRuntime;
  job: Job;
  resolver: ActionResolver;
  /** Cancels the whole run (the observer's cancel()). */
  cancelRun(): void;
  /** Direct needs' results decide success(); any ancestor's failure makes failure() true. */
  ancestorFailed: boolean;
  runCancelled: boolean;
  concurrency?: JobRunResult["concurrency"];
}

function generatedId(step: { uses?: string | undefined }, taken: Set<string>): string {
  const stem = step.uses ? `__${step.uses.replace(/@.*$/, "").replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "")}` : "__run";
  let id = stem;
  for (let n = 2; taken.has(id); n++) id = `${stem}_${n}`;
  taken.add(id);
  return id;
}

async function prepareSteps(rt: JobRuntime, job: Job, resolver: ActionResolver): Promise<PreparedStep[]> {
  const taken = new Set(job.steps.flatMap((s) => (s.id ? [s.id] : [])));
  const prepared: PreparedStep[] = [];
  for (const [index, step] of job.steps.entries()) {
    const id = step.id ?? generatedId(step, taken);
    const name = step.name ? step.name : step.run !== undefined ? `Run ${step.run.trim().split("\n")[0]}` : `Run ${step.uses}`;
    const entry: PreparedStep = { index, step, id, name };
    if (step.uses) {
      const resolved = resolver(step.uses, { repoRoot: rt.options.repoRoot });
      if (!resolved) throw new Error(`Step '${name}': unknown action '${step.uses}': ${KNOWN_USES_HELP}`);
      entry.resolved = resolved;
      if (resolved.kind === "local") {
        try {
          entry.definition = await loadActionDefinition(resolved.directory);
        } catch (error) {
          throw new Error(`Step '${name}': cannot load action '${step.uses}': ${(error as Error).message}`, { cause: error });
        }
      }
    }
    prepared.push(entry);
  }
  return prepared;
}

/** GitHub's wording, with the limit as a duration (`1m0s`, `0m18s`). */
function timeoutMessage(minutes: number): string {
  const seconds = Math.round(minutes * 60 * 1000) / 1000;
  return `The job has exceeded the maximum execution time of ${Math.floor(seconds / 60)}m${Math.round((seconds % 60) * 1000) / 1000}s`;
}

/** Runs one job: if, environment approval, steps, post steps in reverse, outputs. */
export async function runJob(request: JobRequest): Promise<JobRunResult> {
  const { rt, job } = request;
  const started = performance.now();
  const log: string[] = [];
  const baseLog = rt.log;
  rt.log = (line) => {
    const masked = rt.masker.apply(line);
    log.push(masked);
    baseLog(masked);
  };
  const steps: WorkflowStepResult[] = [];
  let timeoutMinutes: number | undefined;
  const needs = Object.keys(rt.needs);
  const continueOnError = job["continue-on-error"] === undefined ? false : truthy(evaluateValue(job["continue-on-error"], stepScope(rt)));
  const result = (partial: Partial<JobRunResult> & Pick<JobRunResult, "result">): JobRunResult => ({
    id: rt.jobId,
    name: job.name ? interpolate(job.name, stepScope(rt)) : rt.jobId,
    outputs: {},
    steps,
    summary: steps.map((s) => s.result?.summary ?? "").filter((s) => s !== "").map((s) => (s.endsWith("\n") ? s : `${s}\n`)).join(""),
    annotations: steps.flatMap((s): Annotation[] => s.result?.annotations ?? []),
    needs,
    continueOnError,
    timeoutMinutes: timeoutMinutes ?? 360,
    ...(request.concurrency ? { concurrency: request.concurrency } : {}),
    ...(job.permissions !== undefined ? { permissions: job.permissions } : {}),
    log,
    durationMs: Math.round(performance.now() - started),
    ...partial,
  });

  // if: success() means every needed job succeeded; failure() that one before failed.
  const allNeedsSucceeded = Object.values(rt.needs).every((n) => n.result === "success");
  const status = { success: allNeedsSucceeded && !request.runCancelled, failure: request.ancestorFailed, cancelled: request.runCancelled };
  const scope = { ...stepScope(rt), status };
  let run: boolean;
  try {
    run = evaluateCondition(job.if, scope);
  } catch (error) {
    const message = `Job '${rt.jobId}': if: ${(error as Error).message}`;
    rt.log(`##[error]${message}`);
    return result({ result: "failure", error: message });
  }
  if (!run) {
    const why = request.runCancelled
      ? "the run was cancelled"
      : allNeedsSucceeded
        ? `if ${JSON.stringify(job.if)} is false`
        : `a needed job did not succeed (${Object.entries(rt.needs).map(([k, v]) => `${k}: ${v.result}`).join(", ")})`;
    rt.log(`Job '${rt.jobId}' not run: ${why}`);
    return result({ result: request.runCancelled ? "cancelled" : "skipped", error: `Not run: ${why}` });
  }

  let environment: JobRunResult["environment"];
  let prepared: PreparedStep[];
  try {
    if (job.environment !== undefined) {
      const spec = typeof job.environment === "string" ? { name: job.environment } : job.environment;
      const name = interpolate(spec.name, stepScope(rt));
      if (name.trim() === "") throw new Error("environment: the name is empty");
      const approved = rt.options.approve ? await rt.options.approve(rt.jobId, name) : true;
      environment = { name, approved };
      rt.log(`Environment '${name}': ${approved ? "approved" : "rejected"}`);
      if (!approved) {
        const message = `Deployment to environment '${name}' was rejected by a reviewer; job '${rt.jobId}' did not run.`;
        rt.log(`##[error]${message}`);
        return result({ result: "failure", environment, error: message });
      }
      // Environment variables and secrets join the run's (and win) once the job is on the environment.
      Object.assign(rt.vars, rt.options.environmentVars?.[name] ?? {});
      for (const [key, value] of Object.entries(rt.options.environmentSecrets?.[name] ?? {})) {
        rt.secrets[key] = value;
        rt.masker.add(value);
      }
    }
    for (const [key, value] of Object.entries(job.env ?? {})) rt.jobEnv[key] = interpolate(value, stepScope(rt));
    if (job["timeout-minutes"] !== undefined) {
      timeoutMinutes = toNumber(evaluateValue(job["timeout-minutes"], stepScope(rt)));
      if (!(timeoutMinutes > 0)) throw new Error(`timeout-minutes: ${JSON.stringify(job["timeout-minutes"])} is not a positive number`);
    }
    prepared = await prepareSteps(rt, job, request.resolver);
  } catch (error) {
    const message = `Job '${rt.jobId}': ${(error as Error).message}`;
    rt.log(`##[error]${message}`);
    return result({ result: "failure", ...(environment ? { environment } : {}), error: message });
  }

  const timer =
    timeoutMinutes !== undefined
      ? setTimeout(() => {
          rt.timedOut = true;
          rt.log(`##[error]${timeoutMessage(timeoutMinutes ?? 0)}`);
          rt.cancel.abort();
        }, timeoutMinutes * 60_000)
      : undefined;
  const posts: PendingPost[] = [];
  const observe = async (event: { phase: "before" | "after"; stepIndex: number; stepId: string; name: string; post: boolean; result?: WorkflowStepResult }, kill: AbortController) => {
    await rt.options.onStep?.({ ...event, jobId: rt.jobId, cancel: request.cancelRun, kill: () => kill.abort() });
  };
  try {
    for (const entry of prepared) {
      // A step's name may use outputs of the steps before it, so it is evaluated when the step starts.
      if (entry.step.name) {
        try {
          entry.name = interpolate(entry.step.name, stepScope(rt));
        } catch (error) {
          entry.name = entry.step.name;
          rt.log(`##[warning]Step name ${JSON.stringify(entry.step.name)} kept as written: ${(error as Error).message}`);
        }
      }
      rt.log(`--- ${entry.name}`);
      const kill = new AbortController();
      await observe({ phase: "before", stepIndex: entry.index, stepId: entry.id, name: entry.name, post: false }, kill);
      const stepResult = await runMainStep(rt, entry, kill.signal, posts);
      steps.push(stepResult);
      await observe({ phase: "after", stepIndex: entry.index, stepId: entry.id, name: entry.name, post: false, result: stepResult }, kill);
    }
    for (const pending of [...posts].reverse()) {
      const index = steps.length;
      rt.log(`--- Post ${pending.name}`);
      const kill = new AbortController();
      await observe({ phase: "before", stepIndex: index, stepId: pending.stepId, name: `Post ${pending.name}`, post: true }, kill);
      const stepResult = await runPostStep(rt, pending, index, kill.signal);
      steps.push(stepResult);
      await observe({ phase: "after", stepIndex: index, stepId: pending.stepId, name: `Post ${pending.name}`, post: true, result: stepResult }, kill);
    }
  } finally {
    if (timer) clearTimeout(timer);
  }

  const outputs: Record<string, string> = {};
  const secrets = rt.masker.list();
  for (const [key, expression] of Object.entries(job.outputs ?? {})) {
    try {
      const value = interpolate(expression, stepScope(rt));
      if (secrets.some((s) => value.includes(s))) {
        rt.log(`##[warning]Skip output '${key}' since it may contain secret.`);
        continue;
      }
      outputs[key] = value;
    } catch (error) {
      rt.log(`##[error]Job output '${key}': ${(error as Error).message}`);
      rt.failed = true;
    }
  }
  if (environment && typeof job.environment === "object" && job.environment.url) {
    environment.url = toText(evaluateValue(job.environment.url, stepScope(rt)));
  }
  // A job past its timeout-minutes is cancelled, as on GitHub (its dependents see needs.<job>.result == 'cancelled').
  return result({
    result: jobStatusText(rt),
    outputs,
    ...(environment ? { environment } : {}),
    ...(rt.timedOut ? { error: timeoutMessage(timeoutMinutes ?? 0) } : {}),
  });
}
