/**
 * Part 2: cold start on a valid happy path: from spawn to the first AWS request the sandbox receives,
 * as a ratio to `node -e 0` run alternately in the same loop.
 */
import { bundlePath, type BenchContext } from "../context";
import { actionEnv, bareEnv } from "../env";
import { runNode, tail } from "../proc";
import { info, type PartResult, type Row } from "../report";
import { pairedRatio, summarize } from "../stats";
import { RELEASE_IMAGES, startWorld } from "../world";

export async function firstRequest(ctx: BenchContext): Promise<PartResult> {
  const runs = Math.max(10, Math.ceil(ctx.runs / 2));
  const world = await startWorld({ timeScale: 20 });
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  try {
    const env = world.sandbox.environment;
    const cases: { action: string; label: string; inputs: Record<string, string> }[] = [
      { action: "health-gate", label: "health-gate (blue, healthy)", inputs: { "target-group-arns": world.tg("web-blue"), "min-healthy": "1", timeout: "30s", "stable-for": "0s" } },
      { action: "deploy-green", label: "deploy-green (dry-run)", inputs: { "listener-arn": env.listenerArn, "image-id": RELEASE_IMAGES.v2, version: "v2", "dry-run": "true" } },
      { action: "shift-traffic", label: "shift-traffic (dry-run)", inputs: { "listener-arn": env.listenerArn, to: "blue", weight: "100", "dry-run": "true" } },
      { action: "rollback", label: "rollback (dry-run)", inputs: { "listener-arn": env.listenerArn, "to-slot": "blue", "dry-run": "true" } },
    ];
    for (const c of cases) {
      const firstMs: number[] = [];
      const baseMs: number[] = [];
      const exitCodes = new Map<number | null, number>();
      let lastOutput = "";
      for (let i = 0; i < runs; i++) {
        const order = i % 2 === 0 ? ["action", "base"] : ["base", "action"];
        for (const which of order) {
          if (which === "base") {
            baseMs.push((await runNode(["-e", "0"], { env: bareEnv(), cwd: ctx.root })).wallMs);
            continue;
          }
          world.sandbox.resetCalls();
          const run = await runNode([bundlePath(ctx, c.action)], { env: actionEnv({ endpoint: world.sandbox.endpoint, inputs: c.inputs, runId: `fr${i}` }), cwd: ctx.root, timeoutMs: 60_000 });
          exitCodes.set(run.code, (exitCodes.get(run.code) ?? 0) + 1);
          lastOutput = tail(run);
          const first = world.sandbox.calls().reduce((m, call) => Math.min(m, call.at), Number.POSITIVE_INFINITY);
          if (!Number.isFinite(first)) throw new Error(`${c.label} made no AWS call (exit ${run.code}):\n${lastOutput}`);
          firstMs.push(first - run.spawnedAt);
        }
      }
      const first = summarize(firstMs);
      const base = summarize(baseMs);
      const codes = [...exitCodes].map(([code, n]) => `exit ${code} ×${n}`).join(", ");
      rows.push(info({ part: "first-request", metric: `${c.label}: spawn → first AWS call`, unit: "ms", value: first, note: codes }));
      rows.push(info({ part: "first-request", metric: `${c.label} / node -e 0`, unit: "×", value: pairedRatio(firstMs, baseMs), note: `node -e 0 exits after ${Math.round(base.median)} ms (median); no budget set` }));
      ctx.log(`${c.label}: first AWS call ${first.median.toFixed(0)} ms after spawn (median of ${first.n})`);
      details[c.label] = { firstMs, baseMs, exitCodes: Object.fromEntries(exitCodes), lastOutput: exitCodes.has(0) ? undefined : lastOutput };
    }
  } finally {
    await world.close();
  }
  return { name: "first-request", rows, details };
}
