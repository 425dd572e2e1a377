/**
 * `npm run demo`: the suite's promises, shown end to end on the loopback sandbox.
 *
 * 1. The sandbox starts with blue live on v1, and load goes onto the listener.
 * 2. examples/deploy.yml deploys v2: canary 10% → 50% with analysis, approval, promotion to 100%,
 *    scale-in of the old fleet. Promise: no failed request.
 * 3. examples/deploy.yml deploys v3 (10% of its answers are 500s): the canary's gates catch it and
 *    all traffic goes back to v2. Promise: restored automatically, verified on the load balancer.
 * 4. The step summaries and a table: requests per version, failed requests, time to detect and
 *    restore. Promise: no weight ever went to a target group without a healthy target.
 *
 * With a `prometheus` binary on the machine (Debian's package), a real Prometheus scrapes the
 * instances and the canary analysis reads it, so its continuous monitor stops v3 within seconds;
 * without one the analysis reads the sandbox's CloudWatch.
 *
 * Exit code 0 when every promise held, 1 otherwise (saying which broke).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { recheckCalls, type LoadReport } from "../aws";
import {
  DEMO_ANALYSIS_CONFIG,
  DEMO_VARS,
  prometheusAnalysisConfig,
  prometheusBinary,
  REPO_ROOT,
  runExampleWorkflow,
  scratchDir,
  sharesOf,
  startPrometheus,
  startStage,
  weightInvariantViolations,
  type PrometheusServer,
  type Stage,
  type WeightHistory,
} from "../harness";
import { renderMarkdown, type StepEvent, type WorkflowRunResult } from "../runner";

export interface DemoOptions {
  /** Where progress goes (default: console.log). */
  print?: (line: string) => void;
  /** Requests per second on the listener (default 100). */
  rps?: number;
  /** Sandbox seconds per real second (default 25). */
  timeScale?: number;
  /** The repository whose actions/, dist/ and examples/ run (default: this one). */
  repoRoot?: string;
  /** Print the step summaries (default true). */
  summaries?: boolean;
  /** Aborts the demo (SIGINT); everything is closed. */
  signal?: AbortSignal;
  /** Judge from a real Prometheus when its binary is present (default true). */
  prometheus?: boolean;
}

export interface DemoResult {
  ok: boolean;
  /** Each broken promise, in words. */
  broken: string[];
  durationMs: number;
  good: { conclusion: string; failedRequests: number; requests: number };
  bad: { conclusion: string; abortReason: string; detectToRestoreMs: number | undefined; failedRequests: number };
  byVersion: Record<string, { ok: number; failed: number }>;
  failed: number;
  invariantViolations: number;
  /** Where the canary analysis read its metrics: a real Prometheus (when the binary is present) or the sandbox's CloudWatch. */
  analysisSource: "prometheus" | "cloudwatch";
}

const BUNDLES = ["deploy-green/index.js", "health-gate/index.js", "shift-traffic/index.js", "shift-traffic/post.js", "rollback/index.js"];
/** The commits of the two releases; the example's build job labels each version sha-<first 12>. */
const GOOD_SHA = "2a9c0d41e5b7f3a86c1d2e4f5a6b7c8d9e0f1a2b";
const BAD_SHA = "b3e17f0c9a2d4e6f8a1b3c5d7e9f0a2b4c6d8e0f";
/** Action log lines worth showing as progress. */
const PROGRESS = /^(Step \d+\/\d+:|canary analysis at|Aborting the shift|Restored|Traffic restored|Promoted|Scaled in|Rolled back|\d+ instance\(s\) of .* healthy|health gate passed|##\[error\])/;

/** Requests per version (ok and failed), from the load's per-second timeline. */
/** `text` cut to at most `max` characters at a word boundary, ending with an ellipsis when cut. */
export function clipAtWord(text: string, max: number): string {
  if ([...text].length <= max) return text;
  const head = [...text].slice(0, max - 1).join("");
  const space = head.search(/\s\S*$/);
  return `${(space > max / 2 ? head.slice(0, space) : head).trimEnd()}…`;
}

function perVersion(report: LoadReport): Record<string, { ok: number; failed: number }> {
  const totals: Record<string, { ok: number; failed: number }> = {};
  for (const second of report.timeline) {
    for (const [version, counts] of Object.entries(second.byVersion)) {
      const t = (totals[version] ??= { ok: 0, failed: 0 });
      t.ok += counts.ok;
      t.failed += counts.failed;
    }
  }
  return totals;
}

/** From the first weight on `slot` after `since` to the first entry after it with 100% on `stable`. */
function detectToRestore(history: WeightHistory, slot: string, stable: string, since: number): { on: number; off: number } | undefined {
  const on = history.find((e) => e.at >= since && (sharesOf(e)[slot] ?? 0) > 0);
  if (!on) return undefined;
  const off = history.find((e) => e.at >= on.at && sharesOf(e)[stable] === 100);
  return off ? { on: on.at, off: off.at } : undefined;
}

function shareIn(groups: { name: string; weight: number }[], name: string): number {
  const total = groups.reduce((sum, g) => sum + g.weight, 0);
  return total === 0 ? 0 : Math.round(((groups.find((g) => g.name === name)?.weight ?? 0) / total) * 1000) / 10;
}

function slotOf(stage: Stage, version: string): string | undefined {
  const state = stage.sandbox.state();
  const images = new Set(state.instances.filter((i) => i.release === version && !i.dead).map((i) => i.group));
  return [...images][0];
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const root = options.repoRoot ?? REPO_ROOT;
  const started = Date.now();
  const at = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;
  const say = (line: string) => print(`${at()} ${line}`);
  const broken: string[] = [];

  const missing = BUNDLES.filter((b) => !existsSync(join(root, "dist", b)));
  if (missing.length) throw new Error(`the actions are not built (missing dist/${missing.join(", dist/")}): run npm run build`);

  const rps = options.rps ?? 100;
  const stage = await startStage({ rps, timeScale: options.timeScale ?? 25, seed: 7 });
  const scratch = await scratchDir();
  const binary = (options.prometheus ?? true) ? prometheusBinary() : undefined;
  let prometheus: PrometheusServer | undefined;
  // Closing the sandbox at once makes the running step fail fast instead of waiting out its bake.
  const onAbort = () => void stage.close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const env = stage.sandbox.environment;
    say(`sandbox up (time scale ${env.timeScale}): blue live on v1 with 2 instances; ${rps} requests/s on ${env.listenerUrl}`);
    if (binary) prometheus = await startPrometheus(stage, { binary });
    say(prometheus ? `Prometheus ${prometheus.url} scrapes every instance every 15 sandbox seconds (${prometheus.scrapeMs} ms); the canary analysis reads it` : "no prometheus binary: the canary analysis reads the sandbox's CloudWatch");
    // A Prometheus sample is queryable one scrape after it happened: 1 s of metrics-delay instead of CloudWatch's minutes.
    const vars: Record<string, string> = prometheus ? { ...DEMO_VARS, CANARY_CONFIG: prometheusAnalysisConfig(prometheus.url, DEMO_ANALYSIS_CONFIG), METRICS_DELAY: "1s" } : DEMO_VARS;
    const workflow = { path: join(root, "examples", "deploy.yml") };
    say(`examples/deploy.yml, as written, with vars ${Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(k === "CANARY_CONFIG" && prometheus ? "(Prometheus error-rate and slow-requests)" : v.trim())}`).join(" ")}`);

    const watch = (event: StepEvent) => {
      if (event.post || event.phase !== "after" || !event.result) return;
      const r = event.result;
      if (r.kind === "builtin" || r.outcome === "skipped") return;
      const took = r.result ? ` ${(r.result.durationMs / 1000).toFixed(1)}s` : "";
      say(`  ${event.jobId} › ${r.name.replace(/^Run /, "").replace(/^zero-downtime-actions\/alb-deploy\/actions\//, "")}: ${r.outcome}${took}`);
    };
    const onLog = (line: string) => {
      const m = /^\[([^\]]+)\] (.*)$/.exec(line);
      if (m && PROGRESS.test(m[2] ?? "")) say(`    ${m[1]}: ${clipAtWord(m[2]!.replace(/^##\[error\]/, "error: "), 160)}`);
    };
    const approve = (job: string, environment: string) => {
      if (environment === "production") say(`  approval: environment 'production' for job '${job}' — granted automatically (a reviewer approves here on GitHub)`);
      return true;
    };
    const run = async (version: string, runId: string, sha: string): Promise<WorkflowRunResult> => {
      const result = await runExampleWorkflow({
        stage,
        repoRoot: root,
        workflow: workflow.path,
        runId,
        sha,
        vars: { ...vars, IMAGE_ID: env.releases[version]! },
        approve,
        onStep: watch,
        onLog,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (options.signal?.aborted) throw new Error("interrupted");
      return result;
    };

    // 2. The good release.
    say(`deploying v2 (good, commit ${GOOD_SHA.slice(0, 12)}) with examples/deploy.yml`);
    const beforeGood = stage.load!.snapshot();
    const good = await run("v2", "7001", GOOD_SHA);
    const afterGood = stage.load!.snapshot();
    const goodFailed = afterGood.failed - beforeGood.failed;
    const goodSlot = slotOf(stage, "v2");
    const afterGoodState = stage.sandbox.state();
    const liveWeights = afterGoodState.weights.find((w) => w.isDefault)!;
    const goodShare = goodSlot ? shareIn(liveWeights.groups, goodSlot) : undefined;
    const oldSlot = goodSlot === "web-green" ? "web-blue" : "web-green";
    const oldDesired = afterGoodState.autoScalingGroups.find((g) => g.name === oldSlot)?.desiredCapacity;
    say(`v2 run ${good.conclusion}: ${goodShare ?? 0}% on ${goodSlot ?? "?"} (v2); ${oldSlot} scaled to ${oldDesired}; ${goodFailed} failed of ${afterGood.total - beforeGood.total} requests`);
    if (good.conclusion !== "success") broken.push(`the v2 deployment did not succeed (${Object.entries(good.jobs).map(([id, j]) => `${id} ${j.result}`).join(", ")})`);
    if (goodFailed !== 0) broken.push(`${goodFailed} requests failed during the v2 deployment (promise: 0)`);
    if (goodShare !== 100) broken.push(`after the v2 deployment ${goodSlot ?? "its slot"} has ${goodShare ?? 0}% of traffic, not 100%`);
    if (oldDesired !== 0) broken.push(`the old fleet ${oldSlot} was not scaled in (desired ${oldDesired})`);

    // 3. The bad release.
    say(`deploying v3 (bad: 10% HTTP 500, commit ${BAD_SHA.slice(0, 12)}) with examples/deploy.yml`);
    const badStarted = Date.now();
    const beforeBad = stage.load!.snapshot();
    const bad = await run("v3", "7002", BAD_SHA);
    await new Promise((r) => setTimeout(r, 1_000)); // let requests sent before the restore finish
    const state = stage.sandbox.state();
    const badSlot = oldSlot;
    const window = goodSlot ? detectToRestore(state.weightHistory, badSlot, goodSlot, badStarted) : undefined;
    const canaryStep = bad.jobs.deploy?.steps.find((s) => s.id === "canary" && !s.post);
    const abortReason = canaryStep?.outputs["abort-reason"] ?? "";
    const weightsNow = state.weights.find((w) => w.isDefault)!;
    const restored = goodSlot !== undefined && weightsNow.groups.every((g) => (g.name === goodSlot ? g.weight > 0 : g.weight === 0));
    say(`v3 run ${bad.conclusion}: ${abortReason ? `aborted — ${clipAtWord(abortReason, 140)}` : "not aborted"}`);
    say(`traffic now: ${weightsNow.groups.map((g) => `${g.name} ${g.weight}`).join(", ")} (read from the load balancer)`);
    if (bad.conclusion === "success") broken.push("the v3 deployment succeeded: the bad release was not caught");
    if (canaryStep?.outputs.aborted !== "true") broken.push("the v3 canary step did not abort");
    if (!restored) broken.push(`after v3 the traffic is not 100% on ${goodSlot} (v2): ${weightsNow.groups.map((g) => `${g.name} ${g.weight}`).join(", ")}`);
    if (!window) broken.push("the weight history does not show the v3 canary being put back to 0%");

    // 4. Stop, check, report.
    const report = (await stage.close())!;
    const violations = weightInvariantViolations(state.weightHistory, { since: stage.readyAt });
    if (violations.length) broken.push(`invariant broken: weight went to a target group without a healthy target (${violations.map((v) => v.entry).join("; ")})`);
    const models = recheckCalls(stage.sandbox.calls());
    if (models.violations.length) broken.push(`${models.violations.length} AWS requests broke the API models, which real AWS rejects (${models.violations.slice(0, 3).map((v) => `${v.operation}: ${v.message}`).join("; ")})`);
    const byVersion = perVersion(report);
    const badFailed = report.failed - beforeBad.failed;
    const outsideV3 = Object.entries(byVersion).filter(([v]) => v !== "v3").reduce((n, [, c]) => n + c.failed, 0);
    if (outsideV3 > 0) broken.push(`${outsideV3} requests failed that v3 did not answer (only the bad canary may fail requests)`);

    if (options.summaries ?? true) {
      for (const [label, result] of [["v2", good], ["v3", bad]] as const) {
        for (const job of Object.values(result.jobs)) {
          if (!job.summary.trim()) continue;
          print("");
          print(`── step summaries: ${label} run, job ${job.id} ${"─".repeat(Math.max(0, 50 - job.id.length))}`);
          print(renderMarkdown(job.summary));
        }
      }
      print("");
    }

    const durationMs = Date.now() - started;
    const rows: [string, string][] = [
      ...Object.entries(byVersion)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([v, c]): [string, string] => [`requests served by ${v}`, `${c.ok} ok, ${c.failed} failed`]),
      ["requests in total", `${report.total} (${report.failed} failed${report.connectionErrors ? `, ${report.connectionErrors} connection errors: ${Object.entries(report.errorsByCode).map(([code, n]) => `${code} ${n}`).join(", ")}` : ""})`],
      ["failed during the v2 deployment", String(goodFailed)],
      ["failed during the v3 canary", `${badFailed} (all answered by v3: ${outsideV3 === 0 ? "yes" : "no"})`],
      ["v3 detected and restored", window ? `${((window.off - window.on) / 1000).toFixed(1)} s from its first traffic to 100% back on v2 (verified)` : "not seen"],
      ["v3 abort reason", abortReason || "-"],
      ["canary analysis read", prometheus ? `Prometheus (a real server scraping every ${prometheus.scrapeMs} ms = 15 sandbox seconds)` : "the sandbox's CloudWatch (no prometheus binary)"],
      ["AWS requests checked against the API models", `${models.checked}, ${models.violations.length} broke them`],
      ["weight changes checked", `${state.weightHistory.filter((e) => e.at >= stage.readyAt).length}, ${violations.length} gave weight to a group without healthy targets`],
      ["wall time", `${(durationMs / 1000).toFixed(1)} s (budget 120 s)`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    print("RESULTS");
    for (const [k, v] of rows) print(`  ${k.padEnd(width)}  ${v}`);
    print("");
    if (broken.length === 0) print("All promises held: no failed request for the good release, the bad release caught and rolled back, no weight on an unhealthy group.");
    else for (const b of broken) print(`PROMISE BROKEN: ${b}`);

    return {
      ok: broken.length === 0,
      broken,
      durationMs,
      good: { conclusion: good.conclusion, failedRequests: goodFailed, requests: afterGood.total - beforeGood.total },
      bad: { conclusion: bad.conclusion, abortReason, detectToRestoreMs: window ? window.off - window.on : undefined, failedRequests: badFailed },
      byVersion,
      failed: report.failed,
      invariantViolations: violations.length,
      analysisSource: prometheus ? "prometheus" : "cloudwatch",
    };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await stage.close();
    await prometheus?.close();
    await scratch.remove();
  }
}

/** `npm run demo:migrations` as a child process with this one's output; true when it exits 0. */
function migrationsDemoProcess(signal: AbortSignal): Promise<boolean> {
  const script = fileURLToPath(new URL("./migrations-demo.ts", import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: "inherit", signal });
    child.on("error", () => resolve(false));
    child.on("exit", (code) => resolve(code === 0));
  });
}

async function cli(): Promise<void> {
  const abort = new AbortController();
  let interrupted = false;
  process.on("SIGINT", () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.log("\ninterrupted: stopping the workflow, the load and the sandbox… (Ctrl-C again to quit at once)");
    abort.abort();
  });
  try {
    const result = await runDemo({ signal: abort.signal });
    // 5. The database: the rename rehearsed on a real Postgres (npm run demo:migrations, alone), in a
    // process of its own: two PGlite instances after the whole demo in one V8 heap once aborted V8 in
    // its WebAssembly code bookkeeping ("Check failed: jit_page_->allocations_.erase(addr) == 1").
    const migrationsOk = interrupted ? false : await migrationsDemoProcess(abort.signal);
    process.exitCode = result.ok && migrationsOk && !interrupted ? 0 : 1;
  } catch (error) {
    console.log(interrupted ? "demo interrupted; everything it started is stopped." : `demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = interrupted ? 130 : 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await cli();
