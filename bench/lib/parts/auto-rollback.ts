/**
 * Part 4: automatic rollback reaction. A good canary (v2 on green) is shifted in steps with the 5xx alarm
 * and canary analysis watching; one second into the first bake the release turns bad (50% HTTP 500).
 * Measured: from that onset to the weight history entry that puts 100% back on blue.
 */
import { waitFor, type BenchContext } from "../context";
import { runStep } from "../action-run";
import { startPhasedLoad } from "../load";
import { budgeted, info, type PartResult, type Row } from "../report";
import { summarize } from "../stats";
import { tail } from "../proc";
import { RELEASE_IMAGES, shareOf, startWorld, tolerantConfig } from "../world";

const TIME_SCALE = 10;
/** 20 sandbox seconds at TIME_SCALE: past the 10 s its load balancer takes to mark a failed target unhealthy. */
const STABLE_FOR = "2s";
const INTERVAL_S = 8;
const ALARM = "web-green-target-5xx";

export async function autoRollback(ctx: BenchContext): Promise<PartResult> {
  const runs = Math.max(3, Math.ceil(ctx.runs / 7));
  const world = await startWorld({ timeScale: TIME_SCALE, config: tolerantConfig() });
  const env = world.sandbox.environment;
  const realMs: number[] = [];
  const reasons: string[] = [];
  const load = await startPhasedLoad(`${env.listenerUrl}/`, 200);
  try {
    await runStep(ctx, { action: "deploy-green", endpoint: world.sandbox.endpoint, inputs: { "listener-arn": env.listenerArn, "image-id": RELEASE_IMAGES.v2, version: "v2", timeout: "120s", "stable-for": STABLE_FOR }, expectCode: 0, runId: "7100" });
    for (let i = 0; i < runs; i++) {
      world.sandbox.setRelease(RELEASE_IMAGES.v2, { errorRate: 0 });
      await waitFor(`${ALARM} to be OK`, () => (world.sandbox.state().alarms.find((a) => a.name === ALARM)?.state === "OK" ? true : undefined), 60_000, 50);
      const inputs = {
        "listener-arn": env.listenerArn,
        to: "green",
        steps: "10,50,100",
        interval: `${INTERVAL_S}s`,
        "alarm-names": ALARM,
        analysis: "true",
        "analysis-inconclusive": "continue",
        "metrics-delay": world.metricsDelay(), "propagation-delay": world.propagationDelay(),
        timeout: "5m",
      };
      const running = runStep(ctx, { action: "shift-traffic", endpoint: world.sandbox.endpoint, inputs, expectCode: "non-zero", runId: "7100" });
      let settled = false;
      void running.then(() => (settled = true), () => (settled = true));
      await waitFor("the first canary step", () => (world.weights()["web-green"]! > 0 ? true : settled ? false : undefined), 60_000, 5);
      await new Promise((r) => setTimeout(r, 1000));
      world.sandbox.setRelease(RELEASE_IMAGES.v2, { errorRate: 0.5 });
      const onset = Date.now();
      const run = await running;
      const restored = world.sandbox.state().weightHistory.find((e) => e.at >= onset && e.listenerArn === env.listenerArn && !e.ruleArn && shareOf(e, "web-green") === 0);
      if (!restored) throw new Error(`shift-traffic run ${i + 1} exited ${run.code} without putting 100% back on blue after the onset:\n${tail(run, 30)}`);
      realMs.push(restored.at - onset);
      const reason = /::set-output name=abort-reason::(.*)/.exec(run.stdout)?.[1] ?? "";
      reasons.push(reason);
      ctx.log(`auto-rollback run ${i + 1}/${runs}: ${restored.at - onset} ms (${reason.slice(0, 120)})`);
    }
  } finally {
    world.sandbox.setRelease(RELEASE_IMAGES.v2, { errorRate: 0 });
    await load.stop("auto-rollback");
    await world.close();
  }
  const real = summarize(realMs.map((ms) => ms / 1000));
  const sandboxSeconds = { ...real, median: (real.median * TIME_SCALE), min: real.min * TIME_SCALE, max: real.max * TIME_SCALE };
  const rows: Row[] = [
    budgeted(
      { part: "auto-rollback", metric: "error onset → 100% on stable (real)", unit: "s", value: real, note: `bake interval ${INTERVAL_S} s, alarm ${ALARM} and analysis watching, 200 rps; abort reasons: ${[...new Set(reasons.map((r) => r.split(":")[0]))].join(" | ")}` },
      INTERVAL_S + 2,
      `≤ interval + 2 s (${INTERVAL_S + 2} s)`,
      "check alarms more often than every 2 s during a bake",
    ),
    info({ part: "auto-rollback", metric: "error onset → 100% on stable (sandbox)", unit: "sandbox s", value: sandboxSeconds, note: `time scale ${TIME_SCALE}: the alarm's 60 s period lasts ${60 / TIME_SCALE} real seconds. The reaction is bounded by when the alarm fires (it sums whole periods) plus the 2 s real alarm watch, or by the analysis at the end of the bake, whichever comes first` }),
  ];
  return { name: "auto-rollback", rows, details: { realMs, reasons, timeScale: TIME_SCALE } };
}
