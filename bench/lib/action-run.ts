/** Runs one action bundle against a world and fails loudly when it does not end as expected. */
import { bundlePath, type BenchContext } from "./context";
import { actionEnv } from "./env";
import { runNode, tail, type NodeRun } from "./proc";

export interface StepOptions {
  action: string;
  inputs: Record<string, string>;
  endpoint: string;
  /** Exit code the step must end with; undefined accepts any. */
  expectCode?: number | "non-zero";
  rss?: boolean;
  timeoutMs?: number;
  runId?: string;
}

export async function runStep(ctx: BenchContext, options: StepOptions): Promise<NodeRun> {
  const run = await runNode([bundlePath(ctx, options.action)], {
    env: actionEnv({ endpoint: options.endpoint, inputs: options.inputs, ...(options.runId ? { runId: options.runId } : {}) }),
    cwd: ctx.root,
    rss: options.rss ?? false,
    timeoutMs: options.timeoutMs ?? 300_000,
  });
  const expected = options.expectCode;
  const bad = expected === "non-zero" ? run.code === 0 : expected !== undefined && run.code !== expected;
  if (bad) throw new Error(`${options.action} exited ${run.code}${run.signal ? ` (${run.signal})` : ""}, expected ${expected}:\n${tail(run, 25)}`);
  ctx.log(`${options.action} exit ${run.code} after ${(run.wallMs / 1000).toFixed(1)} s`);
  return run;
}
