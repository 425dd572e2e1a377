/**
 * Part 7: health-gate and shift-traffic with 1,000 registered targets in each target group (1,000
 * instances per Auto Scaling group, each a real loopback server), next to the same steps with 2 targets.
 * Time per poll is the sandbox's time to answer DescribeTargetHealth plus the gap the action leaves
 * between polls; memory is the action's peak RSS measured from inside.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { BenchContext } from "../context";
import { runStep } from "../action-run";
import { info, type PartResult, type Row } from "../report";
import { summarize } from "../stats";
import { defaultConfig, startWorld } from "../world";

const TIME_SCALE = 2;

interface SizeResult {
  targets: number;
  startupS: number;
  gateWallMs: number[];
  gateRssMiB: number[];
  gateCpuMs: number[];
  shiftCpuMs: number;
  shiftWallMs: number;
  shiftRssMiB: number;
  describeHealthMs: number[];
  describeHealthCalls: number;
  /** Event-loop delay of the bench process (sandbox and its instances) while the actions ran, p99 in ms. */
  loopDelayP99Ms: number;
}

async function measure(ctx: BenchContext, targets: number, runs: number): Promise<SizeResult> {
  const config = defaultConfig();
  for (const group of config.autoScalingGroups ?? []) {
    group.maxSize = Math.max(10, targets);
    group.desiredCapacity = targets;
  }
  const started = Date.now();
  const world = await startWorld({ timeScale: TIME_SCALE, config });
  const startupS = (Date.now() - started) / 1000;
  ctx.log(`${targets} targets per group healthy after ${startupS.toFixed(1)} s`);
  const env = world.sandbox.environment;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  try {
    world.sandbox.resetCalls();
    loop.enable();
    const gateWallMs: number[] = [];
    const gateRssMiB: number[] = [];
    const gateCpuMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await runStep(ctx, { action: "health-gate", endpoint: world.sandbox.endpoint, inputs: { "target-group-arns": `${world.tg("web-blue")}\n${world.tg("web-green")}`, "min-healthy": "100%", timeout: "120s", "stable-for": "0s" }, expectCode: 0, rss: true, runId: `sc${i}` });
      gateWallMs.push(run.wallMs);
      if (run.maxRssMiB !== undefined) gateRssMiB.push(run.maxRssMiB);
      if (run.cpuMs !== undefined) gateCpuMs.push(run.cpuMs);
    }
    const shift = await runStep(ctx, { action: "shift-traffic", endpoint: world.sandbox.endpoint, inputs: { "listener-arn": env.listenerArn, to: "green", steps: "50,100", interval: "3s", "min-healthy": "100%", timeout: "5m" }, expectCode: 0, rss: true, runId: "sc-shift" });
    loop.disable();
    const health = world.sandbox.calls().filter((c) => c.operation === "DescribeTargetHealth" && c.status === 200);
    return {
      targets,
      startupS,
      gateWallMs,
      gateRssMiB,
      gateCpuMs,
      shiftCpuMs: shift.cpuMs ?? Number.NaN,
      shiftWallMs: shift.wallMs,
      shiftRssMiB: shift.maxRssMiB ?? Number.NaN,
      describeHealthMs: health.map((c) => c.durationMs),
      describeHealthCalls: health.length,
      loopDelayP99Ms: loop.percentile(99) / 1e6,
    };
  } finally {
    await world.close();
  }
}

export async function scale(ctx: BenchContext): Promise<PartResult> {
  const runs = Math.max(3, Math.ceil(ctx.runs / 7));
  const small = await measure(ctx, 2, runs);
  const large = await measure(ctx, 1000, runs);
  const rows: Row[] = [];
  for (const r of [small, large]) {
    const label = `${r.targets} targets/group`;
    rows.push(info({ part: "scale", metric: `${label}: DescribeTargetHealth answer`, unit: "ms", value: summarize(r.describeHealthMs), note: `sandbox time per poll, ${r.describeHealthCalls} calls` }));
    rows.push(info({ part: "scale", metric: `${label}: health-gate (2 groups) wall`, unit: "ms", value: summarize(r.gateWallMs), note: `the sandbox's event loop (with ${2 * r.targets} instances) lagged up to ${r.loopDelayP99Ms.toFixed(0)} ms (p99) meanwhile, which the wall time includes` }));
    rows.push(info({ part: "scale", metric: `${label}: health-gate CPU (user+system)`, unit: "ms", value: summarize(r.gateCpuMs), note: "the action's own CPU time: what the poll costs the runner, apart from waiting" }));
    rows.push(info({ part: "scale", metric: `${label}: health-gate peak RSS`, unit: "MiB", value: summarize(r.gateRssMiB) }));
    rows.push(info({ part: "scale", metric: `${label}: shift-traffic 50,100 / 3s wall`, unit: "ms", value: r.shiftWallMs }));
    rows.push(info({ part: "scale", metric: `${label}: shift-traffic peak RSS`, unit: "MiB", value: r.shiftRssMiB, note: `CPU ${r.shiftCpuMs.toFixed(0)} ms` }));
  }
  const gateDelta = summarize(large.gateWallMs).median - summarize(small.gateWallMs).median;
  rows.push(info({ part: "scale", metric: "health-gate: extra time for 1,000 targets", unit: "ms", value: gateDelta, note: `extra memory ${(summarize(large.gateRssMiB).median - summarize(small.gateRssMiB).median).toFixed(1)} MiB; 2,000 instances as loopback servers, time scale ${TIME_SCALE}` }));
  return { name: "scale", rows, details: { small, large, timeScale: TIME_SCALE } };
}
