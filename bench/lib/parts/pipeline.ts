/**
 * Parts 5, 6 and 8 in one pipeline under a steady 200 rps:
 *   deploy-green → health-gate → shift-traffic 1,10,25,50,100 with analysis   (AWS calls by operation, waste)
 *   then manual rollbacks to the warm previous fleet, back and forth          (step start → verified)
 * Load phases: steady (before anything), deploy, shift, rollback: failed requests and p99 per phase.
 */
import { startPhasedLoad, type LoadReport } from "../load";
import { runStep } from "../action-run";
import type { BenchContext } from "../context";
import { findWaste, startRecorder } from "../recorder";
import { budgeted, info, type PartResult, type Row } from "../report";
import { summarize } from "../stats";
import { RELEASE_IMAGES, shareOf, startWorld, tolerantConfig } from "../world";

const TIME_SCALE = 10;
/** 20 sandbox seconds at TIME_SCALE: past the 10 s its load balancer takes to mark a failed target unhealthy. */
const STABLE_FOR = "2s";
const RPS = 200;
const STEPS = "1,10,25,50,100";
const INTERVAL_S = 4;

export async function pipeline(ctx: BenchContext): Promise<PartResult> {
  const rollbackRuns = Math.max(5, Math.ceil(ctx.runs / 4));
  const world = await startWorld({ timeScale: TIME_SCALE, config: tolerantConfig() });
  const recorder = await startRecorder(world.sandbox.endpoint);
  const env = world.sandbox.environment;
  const url = `${env.listenerUrl}/`;
  const phases: Record<string, LoadReport> = {};
  const windows: { step: string; from: number; to: number }[] = [];
  const rollbackMs: number[] = [];
  const rollbackExitMs: number[] = [];
  const rollbackFirstCallMs: number[] = [];
  const load = await startPhasedLoad(url, RPS);
  let stopped = false;
  const nextPhase = async (finished: string) => {
    phases[finished] = await load.next(finished);
  };
  const timed = async (step: string, fn: () => Promise<unknown>) => {
    const from = Date.now();
    await fn();
    windows.push({ step, from, to: Date.now() });
  };
  try {
    await new Promise((r) => setTimeout(r, 5000));
    await nextPhase("steady");
    const endpoint = recorder.endpoint;
    await timed("deploy-green", () => runStep(ctx, { action: "deploy-green", endpoint, inputs: { "listener-arn": env.listenerArn, "image-id": RELEASE_IMAGES.v2, version: "v2", timeout: "120s", "stable-for": STABLE_FOR }, expectCode: 0 }));
    await timed("health-gate", () => runStep(ctx, { action: "health-gate", endpoint, inputs: { "listener-arn": env.listenerArn, slot: "candidate", "min-healthy": "100%", timeout: "60s", "stable-for": STABLE_FOR }, expectCode: 0 }));
    await nextPhase("deploy");
    await timed("shift-traffic", () =>
      runStep(ctx, {
        action: "shift-traffic",
        endpoint,
        inputs: { "listener-arn": env.listenerArn, to: "candidate", steps: STEPS, interval: `${INTERVAL_S}s`, analysis: "true", "analysis-inconclusive": "continue", "metrics-delay": world.metricsDelay(), "propagation-delay": world.propagationDelay(), timeout: "10m" },
        expectCode: 0,
      }),
    );
    await nextPhase("shift");
    for (let i = 0; i < rollbackRuns; i++) {
      const target = i % 2 === 0 ? "web-blue" : "web-green";
      const inputs: Record<string, string> = { "listener-arn": env.listenerArn, reason: "bench: manual rollback", timeout: "60s" };
      if (i > 0) inputs["to-slot"] = target === "web-blue" ? "blue" : "green";
      world.sandbox.resetCalls();
      const run = await runStep(ctx, { action: "rollback", endpoint: world.sandbox.endpoint, inputs, expectCode: 0, runId: `rb${i}` });
      const firstCall = world.sandbox.calls().reduce((m, c) => Math.min(m, c.at), Number.POSITIVE_INFINITY);
      rollbackFirstCallMs.push(firstCall - run.spawnedAt);
      const verified = world.sandbox.state().weightHistory.find((e) => e.at >= run.spawnedAt && e.listenerArn === env.listenerArn && !e.ruleArn && shareOf(e, target) === 100);
      if (!verified) throw new Error(`rollback run ${i + 1} exited 0 but no weight change put 100% on ${target}`);
      rollbackMs.push(verified.at - run.spawnedAt);
      rollbackExitMs.push(run.exitedAt - run.spawnedAt);
    }
    phases["rollback"] = await load.stop("rollback");
    stopped = true;
  } finally {
    if (!stopped) await load.stop("aborted").catch(() => undefined);
    await recorder.close();
    await world.close();
  }

  const deployFrom = windows[0]?.from ?? 0;
  const deployTo = windows.find((w) => w.step === "shift-traffic")?.to ?? Date.now();
  const calls = recorder.calls().filter((c) => c.at >= deployFrom && c.at <= deployTo);
  const stepOf = (at: number) => windows.find((w) => at >= w.from && at <= w.to)?.step ?? "between steps";
  const byOperation: Record<string, number> = {};
  const byStep: Record<string, Record<string, number>> = {};
  for (const c of calls) {
    byOperation[c.operation] = (byOperation[c.operation] ?? 0) + 1;
    const s = (byStep[stepOf(c.at)] ??= {});
    s[c.operation] = (s[c.operation] ?? 0) + 1;
  }
  const waste = findWaste(calls, 1000, stepOf);
  const withinStep = waste.filter((w) => !w.step.includes("→"));
  const wasteByOp: Record<string, number[]> = {};
  for (const w of withinStep) (wasteByOp[`${w.step} ${w.operation}`] ??= []).push(w.gapMs);
  // The shortest poll delay is 200 ms less 20% jitter: a repeat sooner than that is not a new poll.
  const samePoll = withinStep.filter((w) => w.gapMs < 160).length;

  const rows: Row[] = [];
  rows.push(info({ part: "calls", metric: "AWS calls, whole 5-step canary", unit: "calls", value: calls.length, note: `deploy-green + health-gate + shift-traffic ${STEPS} every ${INTERVAL_S}s with analysis; by step: ${Object.entries(byStep).map(([s, ops]) => `${s} ${Object.values(ops).reduce((a, b) => a + b, 0)}`).join(", ")}` }));
  for (const [op, n] of Object.entries(byOperation).sort((a, b) => b[1] - a[1])) rows.push(info({ part: "calls", metric: `  ${op}`, unit: "calls", value: n }));
  rows.push(
    budgeted(
      {
        part: "calls",
        metric: "identical Describe repeated ≤ 1 s apart (same step)",
        unit: "calls",
        value: withinStep.length,
        note: `${samePoll} of them < 160 ms apart (inside one poll iteration, not a new poll); by step and operation (gaps in ms): ${Object.entries(wasteByOp).map(([k, gaps]) => `${k} ×${gaps.length} (${gaps.sort((a, b) => a - b).join(", ")})`).join("; ") || "none"}; across steps (separate processes, not counted): ${waste.length - withinStep.length}`,
      },
      0,
      "0",
      "reuse an answer less than a poll interval old (pass the health read of the last bake check to the pre-increase check) and keep poll delays at 1 s or more",
    ),
  );

  const rb = summarize(rollbackMs.map((ms) => ms / 1000));
  rows.push(
    budgeted(
      { part: "manual-rollback", metric: "step start → verified (warm fleet)", unit: "s", value: rb, note: `medians: spawn → first AWS call ${summarize(rollbackFirstCallMs).median.toFixed(0)} ms, → verified ${summarize(rollbackMs).median.toFixed(0)} ms, → process exit ${summarize(rollbackExitMs).median.toFixed(0)} ms; alternating blue/green` },
      3,
      "≤ 3 s",
      "start-up is the first cost on a busy machine (see first-request); then cut the reads before the weight write",
    ),
  );

  const failed = Object.values(phases).reduce((s, p) => s + p.failed, 0);
  const sent = Object.values(phases).reduce((s, p) => s + p.total, 0);
  rows.push(
    budgeted(
      { part: "load", metric: `failed requests at ${RPS} rps (deploy + rollback)`, unit: "requests", value: failed, note: `${sent} requests; by status ${JSON.stringify(Object.fromEntries(Object.entries(mergeCounts(Object.values(phases).map((p) => p.byStatus)))))}${failed ? `; errors ${JSON.stringify(mergeCounts(Object.values(phases).map((p) => p.errorsByCode)))}` : ""}` },
      0,
      "0",
      "find which phase failed in results.json (phases) and keep the draining group in the listener until in-flight requests end",
    ),
  );
  const steadyP99 = phases["steady"]?.latencyMs.p99 ?? Number.NaN;
  for (const name of ["steady", "deploy", "shift", "rollback"]) {
    const p = phases[name];
    if (!p) continue;
    rows.push(info({ part: "load", metric: `p99 latency, ${name}`, unit: "ms", value: p.latencyMs.p99, note: `${p.total} requests, ${p.failed} failed${p.failed ? ` ${JSON.stringify({ ...p.errorsByCode, ...Object.fromEntries(Object.entries(p.byStatus).filter(([k]) => !k.startsWith("2"))) })}` : ""}, p50 ${p.latencyMs.p50.toFixed(1)} ms, max ${p.latencyMs.max.toFixed(0)} ms${name === "steady" ? "" : `, ${(p.latencyMs.p99 / steadyP99).toFixed(2)}× steady`}` }));
  }
  const strip = (p: LoadReport) => ({ ...p, timeline: undefined });
  return {
    name: "pipeline",
    rows,
    details: { windows, byOperation, byStep, waste, rollbackMs, rollbackFirstCallMs, rollbackExitMs, phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, strip(v)])) },
  };
}

function mergeCounts(records: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
  return out;
}
