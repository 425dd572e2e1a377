import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parse } from "yaml";
import { evaluateValue, interpolate, truthy, type ExpressionScope } from "../expressions";
import { cleanBaseEnv, githubContext, parseGithubSettings } from "../github-context";
import { Masker } from "../masking";
import { RUNNER_CANCEL_TIMINGS } from "../process";
import { createRunnerDirs } from "../runner-dirs";
import { resolveDispatchInputs } from "./dispatch-inputs";
import { ancestors, orderJobs } from "./graph";
import type { JobRuntime } from "./job-runtime";
import { defaultResolver } from "./resolver";
import { runJob } from "./run-job";
import { dispatchInputs, workflowEvents, WorkflowSchema, type Workflow } from "./schema";
import type { JobRunResult, RunWorkflowOptions, WorkflowRunResult } from "./types";

/** Reads and checks a workflow file; errors name the file and the offending key. */
export async function loadWorkflow(path: string): Promise<Workflow> {
  let raw: unknown;
  try {
    raw = parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: cannot read the workflow: ${(error as Error).message}`, { cause: error });
  }
  const parsed = WorkflowSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") ?? "";
    if (issue?.code === "unrecognized_keys") {
      throw new Error(`${path}: '${where}': ${issue.keys.map((k) => `'${k}'`).join(", ")} not supported by this runner (or not valid there)`);
    }
    throw new Error(`${path}: '${where}': ${issue?.message}`);
  }
  return parsed.data;
}

function concurrencyOf(value: Workflow["concurrency"], scope: ExpressionScope) {
  if (value === undefined) return undefined;
  const spec = typeof value === "string" ? { group: value } : value;
  const cancel = spec["cancel-in-progress"];
  return {
    group: interpolate(spec.group, scope),
    cancelInProgress: cancel === undefined ? false : truthy(evaluateValue(cancel, scope)),
  };
}

/**
 * Runs a workflow file as GitHub would for the subset the project's workflows use: events and
 * dispatch inputs, env, needs, if, environments with approval, job outputs, steps that run bash or
 * actions (local ones in child processes, well-known ones as stand-ins), post steps, cancellation.
 * Jobs run one at a time in dependency order.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
  const started = performance.now();
  const workflowPath = resolve(options.workflow);
  const workflow = await loadWorkflow(workflowPath);
  const events = workflowEvents(workflow.on);
  const event = options.eventName ?? ("workflow_dispatch" in events ? "workflow_dispatch" : Object.keys(events)[0]) ?? "push";
  if (!(event in events)) throw new Error(`${workflowPath} does not run on '${event}'; it runs on: ${Object.keys(events).join(", ")}`);
  if (event !== "workflow_dispatch" && options.inputs && Object.keys(options.inputs).length) {
    throw new Error(`inputs were given but the event is '${event}'; only workflow_dispatch takes inputs`);
  }
  const dispatch = event === "workflow_dispatch" ? resolveDispatchInputs(dispatchInputs(workflow.on), options.inputs ?? {}, options.environments) : { inputs: {}, eventInputs: {} };

  const given = parseGithubSettings(options.github);
  const ref = given.ref;
  const payload = {
    ref,
    repository: { full_name: given.repository, name: given.repository.split("/")[1], owner: { login: given.repository.split("/")[0] } },
    sender: { login: given.actor },
    ...(event === "push" ? { after: given.sha, before: "0".repeat(40) } : {}),
    ...(event === "workflow_dispatch" ? { inputs: dispatch.eventInputs } : {}),
    ...given.event,
  };
  const workflowName = workflow.name ?? basename(workflowPath);
  const github = { ...given, eventName: event, event: payload, workflow: workflowName };
  const jobIds = Object.keys(workflow.jobs);
  const needsOf: Record<string, string[]> = {};
  for (const id of jobIds) {
    const needs = workflow.jobs[id]?.needs;
    needsOf[id] = needs === undefined ? [] : Array.isArray(needs) ? needs : [needs];
  }
  const order = orderJobs(needsOf);
  const selected = new Set(options.onlyJobs ?? jobIds);
  for (const id of selected) {
    if (!(id in workflow.jobs)) throw new Error(`onlyJobs: no job '${id}' in ${workflowPath}; jobs: ${jobIds.join(", ")}`);
    const missing = (needsOf[id] ?? []).filter((n) => !selected.has(n));
    if (missing.length) throw new Error(`onlyJobs: job '${id}' needs ${missing.map((m) => `'${m}'`).join(", ")}, which onlyJobs leaves out; include them`);
  }

  const dirs = await createRunnerDirs({ ...(options.workspace ? { workspace: options.workspace } : {}), event: payload, keep: options.keepTemp ?? false });
  const runCancel = new AbortController();
  const onAbort = () => runCancel.abort();
  if (options.signal?.aborted) runCancel.abort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  const log: string[] = [];
  let artifactId = 0;
  try {
    const secretsMask = new Masker();
    secretsMask.add(github.token);
    for (const value of Object.values(options.secrets ?? {})) secretsMask.add(value);
    const topScope: ExpressionScope = {
      contexts: {
        github: githubContext(github, { workspace: dirs.workspace }),
        inputs: dispatch.inputs,
        vars: options.vars ?? {},
        secrets: { GITHUB_TOKEN: github.token, ...(options.secrets ?? {}) },
        env: {},
      },
    };
    const workflowEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(workflow.env ?? {})) workflowEnv[key] = interpolate(value, topScope);
    const concurrency = concurrencyOf(workflow.concurrency, topScope);
    const baseEnv = { ...(options.baseEnv ?? cleanBaseEnv(process.env)), ...(options.env ?? {}) };
    const timings = { ...RUNNER_CANCEL_TIMINGS, ...(options.cancelTimings ?? {}) };
    const resolver = options.resolver ?? defaultResolver();

    const jobs: Record<string, JobRunResult> = {};
    for (const jobId of order.filter((id) => selected.has(id))) {
      const job = workflow.jobs[jobId];
      if (!job) continue;
      const masker = new Masker();
      for (const value of secretsMask.list()) masker.add(value);
      const needs: JobRuntime["needs"] = {};
      for (const need of needsOf[jobId] ?? []) {
        const done = jobs[need];
        if (done) needs[need] = { result: done.result, outputs: done.outputs };
      }
      // A job that starts after the run was cancelled (if: always() or cancelled()) runs its steps normally.
      const jobCancel = new AbortController();
      const propagate = () => jobCancel.abort();
      if (!runCancel.signal.aborted) runCancel.signal.addEventListener("abort", propagate, { once: true });
      const rt: JobRuntime = {
        jobId,
        options,
        github: { ...github, job: jobId },
        dirs,
        masker,
        baseEnv,
        workflowEnv,
        jobEnv: {},
        fileEnv: {},
        pathAdds: [],
        steps: {},
        needs,
        inputs: dispatch.inputs,
        vars: { ...(options.vars ?? {}) },
        secrets: { ...(options.secrets ?? {}) },
        failed: false,
        cancel: jobCancel,
        timedOut: false,
        timings,
        defaultsRun: {
          ...(workflow.defaults?.run?.shell ? { shell: workflow.defaults.run.shell } : {}),
          ...(workflow.defaults?.run?.["working-directory"] ? { workingDirectory: workflow.defaults.run["working-directory"] } : {}),
          ...(job.defaults?.run?.shell ? { shell: job.defaults.run.shell } : {}),
          ...(job.defaults?.run?.["working-directory"] ? { workingDirectory: job.defaults.run["working-directory"] } : {}),
        },
        nextArtifactId: () => ++artifactId,
        log: (line) => {
          const text = `[${jobId}] ${line}`;
          log.push(text);
          options.onLog?.(text);
        },
      };
      const jobConcurrency = concurrencyOf(job.concurrency, { contexts: { ...topScope.contexts, needs } });
      try {
        jobs[jobId] = await runJob({
          rt,
          job,
          resolver,
          cancelRun: () => runCancel.abort(),
          ancestorFailed: [...ancestors(jobId, needsOf)].some((a) => jobs[a]?.result === "failure"),
          runCancelled: runCancel.signal.aborted,
          ...(jobConcurrency ? { concurrency: jobConcurrency } : {}),
        });
      } finally {
        runCancel.signal.removeEventListener("abort", propagate);
      }
    }

    const counted = Object.values(jobs).filter((j) => !j.continueOnError);
    const conclusion = runCancel.signal.aborted
      ? "cancelled"
      : counted.some((j) => j.result === "failure")
        ? "failure"
        : counted.some((j) => j.result === "cancelled")
          ? "cancelled"
          : "success";
    return {
      name: workflowName,
      event,
      conclusion,
      jobs,
      order: order.filter((id) => selected.has(id)),
      inputs: dispatch.inputs,
      ...(concurrency ? { concurrency } : {}),
      ...(workflow.permissions !== undefined ? { permissions: workflow.permissions } : {}),
      log,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await dirs.cleanup();
  }
}
