/**
 * Part 8: many deployments at once in one account. N environments (each its own load balancer, blue and
 * green target groups and Auto Scaling groups) in one sandbox, which is one AWS account with ELB's real
 * API bucket (Describe* 40, refill 10 per second; the other classes as in its config). Each runs
 * deploy-green → health-gate → shift-traffic 50,100 at the same moment; the same pipeline alone in a
 * world of one environment is the baseline. Reported: account-wide AWS calls per minute, calls the
 * buckets throttled, and how much longer each deployment took than alone. No step may fail.
 */
import type { BenchContext } from "../context";
import { runStep } from "../action-run";
import { info, type PartResult, type Row } from "../report";
import { summarize } from "../stats";
import { defaultConfig, RELEASE_IMAGES, startWorld, type World } from "../world";
import type { SandboxConfig } from "../../../sandbox/aws";

const TIME_SCALE = 20;
const SIZES = [10, 25];

/** N copies of the default environment, one instance per live group (the API budget is what is measured). */
export function manyConfig(n: number): SandboxConfig {
  const base = defaultConfig();
  const tg = base.targetGroups![0]!;
  const lb = base.loadBalancers![0]!;
  const lt = base.launchTemplates![0]!;
  const asg = base.autoScalingGroups![0]!;
  const envs = Array.from({ length: n }, (_, k) => `e${k + 1}`);
  return {
    ...base,
    alarms: [],
    targetGroups: envs.flatMap((e) => ["blue", "green"].map((slot) => ({ ...tg, name: `${e}-${slot}` }))),
    loadBalancers: envs.map((e) => ({ ...lb, name: e, listeners: [{ port: 80, defaultAction: { type: "forward" as const, targetGroups: [{ name: `${e}-blue`, weight: 1 }, { name: `${e}-green`, weight: 0 }] } }] })),
    launchTemplates: envs.flatMap((e) => ["blue", "green"].map((slot) => ({ ...lt, name: `${e}-${slot}` }))),
    autoScalingGroups: envs.flatMap((e) =>
      ["blue", "green"].map((slot) => ({ ...asg, name: `${e}-${slot}`, desiredCapacity: slot === "blue" ? 1 : 0, launchTemplate: { name: `${e}-${slot}`, version: "$Default" }, targetGroups: [`${e}-${slot}`] })),
    ),
  };
}

/** One environment's deployment, three steps one after another; its wall time in ms. */
async function deploy(ctx: BenchContext, world: World, index: number, tag: string): Promise<number> {
  const listener = world.sandbox.environment.loadBalancers[index]!.listeners[0]!.arn;
  const endpoint = world.sandbox.endpoint;
  const stableFor = `${Math.ceil(60 / TIME_SCALE)}s`;
  const runId = `${tag}${index + 1}`;
  const started = Date.now();
  await runStep(ctx, { action: "deploy-green", endpoint, inputs: { "listener-arn": listener, "image-id": RELEASE_IMAGES.v2, version: "v2", timeout: "300s", "stable-for": stableFor }, expectCode: 0, runId });
  await runStep(ctx, { action: "health-gate", endpoint, inputs: { "listener-arn": listener, slot: "candidate", timeout: "300s", "stable-for": stableFor }, expectCode: 0, runId });
  await runStep(ctx, { action: "shift-traffic", endpoint, inputs: { "listener-arn": listener, steps: "50,100", interval: "3s", "propagation-delay": world.propagationDelay(), timeout: "10m" }, expectCode: 0, runId });
  return Date.now() - started;
}

interface Crowd {
  n: number;
  wallMs: number[];
  calls: number;
  perMinute: number;
  elbDescribePerSecond: number;
  throttled: number;
  spanMs: number;
  /** The busiest operations, most calls first: `DescribeTargetHealth 512`. */
  busiest: string[];
}

function busiest(operations: string[], top = 4): string[] {
  const counts = new Map<string, number>();
  for (const op of operations) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top).map(([op, n]) => `${op} ${n}`);
}

async function crowd(ctx: BenchContext, n: number): Promise<Crowd> {
  const world = await startWorld({ timeScale: TIME_SCALE, config: manyConfig(n), seed: 3 });
  try {
    world.sandbox.resetCalls();
    const throttledBefore = world.sandbox.throttledCalls();
    const started = Date.now();
    const wallMs = await Promise.all(Array.from({ length: n }, (_, i) => deploy(ctx, world, i, `m${n}-`)));
    const spanMs = Date.now() - started;
    const calls = world.sandbox.calls();
    const elbDescribe = calls.filter((c) => c.service === "ElasticLoadBalancingV2" && /^Describe/.test(c.operation)).length;
    return {
      n,
      wallMs,
      calls: calls.length,
      perMinute: calls.length / (spanMs / 60_000),
      elbDescribePerSecond: elbDescribe / (spanMs / 1000),
      throttled: world.sandbox.throttledCalls() - throttledBefore,
      spanMs,
      busiest: busiest(calls.map((c) => c.operation)),
    };
  } finally {
    await world.close();
  }
}

export async function manyEnvs(ctx: BenchContext): Promise<PartResult> {
  const alone = await crowd(ctx, 1);
  const aloneMs = alone.wallMs[0]!;
  ctx.log(`many-envs: one deployment alone took ${(aloneMs / 1000).toFixed(1)} s`);
  const rows: Row[] = [info({ part: "many-envs", metric: "1 deployment alone: wall", unit: "s", value: aloneMs / 1000, note: `${alone.calls} AWS calls, ${alone.perMinute.toFixed(0)} per minute; deploy-green + health-gate + shift-traffic 50,100 every 3 s; time scale ${TIME_SCALE}` })];
  const crowds: Crowd[] = [];
  for (const n of SIZES) {
    const c = await crowd(ctx, n);
    crowds.push(c);
    const slower = summarize(c.wallMs.map((ms) => ms / aloneMs));
    ctx.log(`many-envs: ${n} at once: ${c.calls} calls (${c.perMinute.toFixed(0)}/min), ${c.throttled} throttled, ${slower.median.toFixed(2)}× alone (median)`);
    rows.push(info({ part: "many-envs", metric: `${n} at once: AWS calls per minute (account)`, unit: "calls/min", value: Math.round(c.perMinute), note: `${c.calls} calls in ${(c.spanMs / 1000).toFixed(0)} s; ELB Describe* ${c.elbDescribePerSecond.toFixed(1)}/s against a refill of 10/s; busiest (throttled answers included): ${c.busiest.join(", ")}` }));
    rows.push(info({ part: "many-envs", metric: `${n} at once: throttled calls`, unit: "calls", value: c.throttled, note: "answered ThrottlingException/Throttling by the buckets and retried by the SDK (adaptive, 8 attempts); no step failed" }));
    rows.push(info({ part: "many-envs", metric: `${n} at once: wall time vs alone`, unit: "×", value: slower, note: `each deployment's time over the ${(aloneMs / 1000).toFixed(1)} s it takes alone (median, min–max)` }));
  }
  return { name: "many-envs", rows, details: { timeScale: TIME_SCALE, aloneMs, alone, crowds } };
}
