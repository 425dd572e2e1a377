/**
 * The fast path of canary analysis: a real Prometheus server scrapes the sandbox's instances every
 * 15 sandbox seconds, and shift-traffic's continuous monitor reads it at every tick of the bake. The
 * bad release v3 (10% of its answers are 500s) is stopped mid-bake, with fewer failed requests than
 * the same scenario judged once at the end of the bake.
 *
 * Needs the `prometheus` binary (Debian's package; .ci/run installs it). Without it the file is
 * skipped on a workstation and FAILS in CI (CI=true), so CI cannot pass without having run it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { prometheusAnalysisConfig, prometheusBinary, startPrometheus, type PrometheusServer, type Stage } from "../../sandbox/harness";
import { expectSuccess, logOf, scenarios, timer } from "./support";

const binary = prometheusBinary();
const required = process.env.CI === "true";

describe.skipIf(!binary && !required)("canary analysis from a real Prometheus", () => {
  const { start, run } = scenarios();
  const times = timer();
  const figures: string[] = [];
  let prometheus: PrometheusServer | undefined;
  afterAll(async () => {
    await prometheus?.close();
    times.print();
    console.log(`v3 at 10% with Prometheus: ${figures.join("; ")}`);
  });

  async function badCanary(monitor: boolean): Promise<{ failed: number; reason: string; stage: Stage }> {
    if (!binary) throw new Error("CI=true but no prometheus binary was found: .ci/run installs it with apt-get (or set PROMETHEUS_BIN)");
    const stage = await start({ rps: 100, seed: 41, timeScale: 25 });
    await prometheus?.close();
    prometheus = await startPrometheus(stage, { binary });
    const { environment } = stage.sandbox;
    const listener = environment.listenerArn;
    expectSuccess(await run("deploy-green", { "listener-arn": listener, "image-id": environment.releases.v3!, version: "v3", timeout: "60s" }), "deploy-green");
    expectSuccess(await run("health-gate", { "listener-arn": listener, slot: "candidate", timeout: "30s" }), "health-gate");
    // Both slots' instances are scraped before the canary gets traffic (Prometheus applies new targets every 5 s).
    await prometheus.scraping();
    const config = prometheusAnalysisConfig(prometheus.url, `minRequests: 40\nmonitor: ${monitor}`);
    // A sample is queryable one scrape (600 ms) after it happened: 1 s of metrics-delay, not CloudWatch's minutes.
    const shift = await run("shift-traffic", { "listener-arn": listener, steps: "10,50,100", interval: "20s", analysis: true, "analysis-config": config, "metrics-delay": "1s" });
    await new Promise((r) => setTimeout(r, 500)); // requests sent before the restore finish
    const report = (await stage.close())!;
    expect(shift.exitCode, logOf(shift)).toBe(1);
    expect(shift.outputs).toMatchObject({ aborted: "true", promoted: "false" });
    expect(report.byStatus["500"] ?? 0).toBe(report.failed);
    expect(report.connectionErrors).toBe(0);
    return { failed: report.failed, reason: shift.outputs["abort-reason"] ?? "", stage };
  }

  let judgedOnce: number | undefined;

  it("judged once at the end of the bake (monitor: false): v3 serves its failures for the whole 20 s bake", async () => {
    const started = Date.now();
    const once = await badCanary(false);
    expect(once.reason).toMatch(/^canary analysis failed at 10%: fail/);
    expect(once.reason).not.toMatch(/into the bake/);
    judgedOnce = once.failed;
    figures.push(`judged once per bake ${once.failed} failed requests`);
    times.mark(`v3 judged once per bake (${once.failed} failed)`, started);
  }, 120_000);

  it("watched at every tick (monitor: true): v3 is stopped mid-bake by the sequential test, with fewer failed requests", async () => {
    const started = Date.now();
    const watched = await badCanary(true);
    // Stopped inside the 20 s bake time, not in the second of metrics-delay after it.
    expect(watched.reason).toMatch(/^canary analysis failed at 10%, \d+\.\ds into the bake: sequential test stopped the canary: error-rate: canary \d+ of \d+/);
    const into = Number(/, (\d+\.\d)s into the bake/.exec(watched.reason)![1]);
    expect(into).toBeLessThan(20);
    figures.push(`watched by the sequential test ${watched.failed} failed requests (stopped ${into} s into the bake)`);
    expect(judgedOnce, "the once-per-bake scenario runs first").toBeDefined();
    expect(watched.failed).toBeLessThan(judgedOnce!);
    times.mark(`v3 stopped mid-bake (${watched.failed} failed, ${into} s into the bake)`, started);
  }, 120_000);
});
