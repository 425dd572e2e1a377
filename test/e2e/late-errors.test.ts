/**
 * A bad release whose errors start in the last sandbox minute of a bake, with CloudWatch's publication
 * lag on (a minute is served once it has ended plus 2 sandbox minutes). The look after the bake waits
 * metrics-delay for that minute to be published, so it judges the whole bake and aborts; nothing is read
 * as zero errors before it is published. (test/analyze/late-metrics.test.ts shows the old look, ending
 * "now" and waiting nothing, passing the same release.)
 */
import { afterAll, describe, expect, it } from "vitest";
import { sandboxMetricsDelay, sharesOf, weightInvariantViolations } from "../../sandbox/harness";
import { expectSuccess, logOf, scenarios, timer } from "./support";

const SCALE = 30; // a sandbox minute lasts 2 real seconds

describe("errors that start in the last minute of a bake", () => {
  const { start, run } = scenarios();
  const times = timer();
  afterAll(() => times.print());

  it("are caught by the look after that bake, which judges the bake up to its end", async () => {
    const started = Date.now();
    const stage = await start({ rps: 80, seed: 41, timeScale: SCALE });
    const { environment } = stage.sandbox;
    expect(environment.metricPublicationLagSeconds).toBe(120);
    const listener = environment.listenerArn;
    const image = environment.releases.v2!;
    expectSuccess(await run("deploy-green", { "listener-arn": listener, "image-id": image, version: "v2", timeout: "60s" }), "deploy-green");
    expectSuccess(await run("health-gate", { "listener-arn": listener, slot: "candidate", timeout: "30s" }), "health-gate");

    // An 8 s bake is 4 sandbox minutes; the release starts failing 6 s in: its last minute.
    let badFrom = 0;
    let bakeEnd = 0;
    const shift = await run(
      "shift-traffic",
      {
        "listener-arn": listener,
        steps: "10,100",
        interval: "8s",
        analysis: true,
        "analysis-config": "minRequests: 40\nmetrics:\n  - { name: error-rate, preset: error-rate, critical: true, mustHaveData: true }\n  - { name: fivexx, preset: 5xx-count, critical: true, compare: false, thresholds: { max: 2 } }\n",
      },
      {
        onLog: (line) => {
          if (badFrom === 0 && /Baking green at 10%/.test(line)) {
            bakeEnd = Date.now() + 8_000;
            badFrom = -1;
            setTimeout(() => {
              badFrom = Date.now();
              stage.sandbox.setRelease(image, { errorRate: 0.6 });
            }, 6_000);
          }
        },
      },
    );
    const report = (await stage.close())!;
    const state = stage.sandbox.state();
    const log = logOf(shift);

    expect(badFrom, log).toBeGreaterThan(0);
    expect(shift.exitCode, log).toBe(1);
    expect(shift.outputs).toMatchObject({ aborted: "true", promoted: "false" });
    expect(shift.outputs["abort-reason"], log).toMatch(/canary analysis failed at 10%: fail/);
    // The look waited for the bake's minutes: it ran metrics-delay after the bake.
    expect(log).toContain(`then ${sandboxMetricsDelay(stage).replace("s", "")}s more until its metrics are published`);
    // The summary names the judged window; it reaches the bake's end, nothing cut.
    expect(shift.summary).toMatch(/Judged window .* \(\d+s of published data, metrics-delay \d+s\)\./);
    expect(shift.summary).not.toMatch(/not published yet/);
    const judgedEnd = Date.parse(/Judged window \S+ to (\S+) /.exec(shift.summary)![1]!);
    expect(judgedEnd).toBeGreaterThanOrEqual(bakeEnd - 1_000);
    // Traffic back on blue, verified; the only failed requests are the release's 500s while it had 10%.
    const history = state.weightHistory.filter((e) => e.at >= stage.readyAt);
    expect(history.map((e) => sharesOf(e)["web-green"])).toEqual([10, 0]);
    expect(report.byStatus["500"] ?? 0).toBe(report.failed);
    expect(report.connectionErrors).toBe(0);
    expect(weightInvariantViolations(state.weightHistory, { since: stage.readyAt })).toEqual([]);
    times.mark("late errors caught at the look after the bake", started);
  }, 90_000);
});
