/**
 * Accuracy benchmark of the canary judge. Seeded synthetic traffic with a known ground truth
 * is run through analyzeCanary (the real code path) with a fake CloudWatch provider that
 * builds the data the action would read: per one-minute period, the p99/p50 of that period's
 * simulated requests and the 5xx and request counts. A plain threshold judge (Argo/Flagger
 * style, canary value against fixed limits, same code path with compare: false) runs beside it.
 *
 * Run: npm run bench:judge   (writes bench/judge-results.json; exits 1 if a target is missed)
 */
import { writeFileSync } from "node:fs";
import { analyzeCanary, type AnalysisContext } from "../src/analyze/analyze";
import type { Measurement, Point } from "../src/judge/types";
import { parseCanaryConfig, type CanaryConfig } from "../src/adapters/metrics/config";
import type { MetricProvider, ProviderSet } from "../src/adapters/metrics/provider";
import { seededRandom } from "../sandbox/aws";
import { blastRadiusChecks, blastRadiusTable, runBlastRadius, type BlastRow } from "./blast-radius";
import { nearestRank, select } from "./lib/stats";

const SEED = 20261124;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 600);
/**
 * A/A cases run more trials: their bound (1%) sits near the true rate (about 0.7%), and 600
 * trials would leave a standard error of about 0.33 points on the estimate.
 */
const AA_TRIALS = Number(process.env.BENCH_AA_TRIALS ?? 2000);
const PERIODS = 10;


/** Standard normal by Box-Muller, using both values of each pair. */
function normalSource(random: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12)));
    const a = 2 * Math.PI * random();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
}

interface Fleet {
  /** Requests per one-minute period. */
  rpm: number;
  errorRate: number;
  /** Median latency in ms and log-normal sigma. */
  medianMs: number;
  sigma: number;
  /** Fraction of requests from a Pareto tail (heavy-tailed service), with its shape. */
  tailFraction: number;
  tailShape: number;
}

interface Case {
  id: string;
  description: string;
  truth: "same" | "regression" | "low-traffic";
  baseline: Fleet;
  canary: Fleet;
  /** Looks of a repeated analysis (1 = a single analysis). */
  looks: number;
  /** Each look judges the window since the start (default), or only its own step's periods. */
  windows?: "cumulative" | "per-step";
  target?: { metric: "falseFail" | "detection" | "neverPass"; judge: "statistical"; bound: number };
}

/** The standard service: 1,000 requests per minute per side (10,000 per side over the window), 1% errors. */
const normal: Fleet = { rpm: 1000, errorRate: 0.01, medianMs: 80, sigma: 0.5, tailFraction: 0, tailShape: 0 };
const small: Fleet = { ...normal, rpm: 300 };
const heavy: Fleet = { ...normal, sigma: 0.9, tailFraction: 0.03, tailShape: 1.3 };
/** Log-normal sigma that raises p99 by 20% and leaves p50 alone. */
const p99Plus20 = normal.sigma + Math.log(1.2) / 2.3263;

const CASES: Case[] = [
  { id: "aa", description: "A/A identical", truth: "same", baseline: normal, canary: normal, looks: 1, target: { metric: "falseFail", judge: "statistical", bound: 0.01 } },
  { id: "errors-2x", description: "2x error rate (1% -> 2%)", truth: "regression", baseline: normal, canary: { ...normal, errorRate: 0.02 }, looks: 1, target: { metric: "detection", judge: "statistical", bound: 0.95 } },
  { id: "p99-20", description: "+20% p99 latency (p50 unchanged)", truth: "regression", baseline: normal, canary: { ...normal, sigma: p99Plus20 }, looks: 1, target: { metric: "detection", judge: "statistical", bound: 0.95 } },
  { id: "latency-5", description: "+5% latency everywhere (inside the 10% allowed effect)", truth: "regression", baseline: normal, canary: { ...normal, medianMs: 84 }, looks: 1 },
  { id: "low-traffic", description: "A/A at 50 requests per side", truth: "low-traffic", baseline: { ...normal, rpm: 5 }, canary: { ...normal, rpm: 5 }, looks: 1, target: { metric: "neverPass", judge: "statistical", bound: 1 } },
  { id: "low-traffic-2x", description: "2x error rate at 50 requests per side", truth: "low-traffic", baseline: { ...normal, rpm: 5 }, canary: { ...normal, rpm: 5, errorRate: 0.02 }, looks: 1, target: { metric: "neverPass", judge: "statistical", bound: 1 } },
  { id: "heavy-aa", description: "heavy-tailed A/A (log-normal sigma 0.9 + 3% Pareto tail)", truth: "same", baseline: heavy, canary: heavy, looks: 1, target: { metric: "falseFail", judge: "statistical", bound: 0.01 } },
  { id: "heavy-30", description: "heavy-tailed, +30% latency everywhere", truth: "regression", baseline: heavy, canary: { ...heavy, medianMs: 104 }, looks: 1 },
  { id: "aa-5-looks", description: "A/A, 5 looks over a growing window (fail at any look)", truth: "same", baseline: normal, canary: normal, looks: 5, target: { metric: "falseFail", judge: "statistical", bound: 0.01 } },
  { id: "errors-2x-5-looks", description: "2x error rate, 5 looks (fail at any look)", truth: "regression", baseline: normal, canary: { ...normal, errorRate: 0.02 }, looks: 5, target: { metric: "detection", judge: "statistical", bound: 0.95 } },
  { id: "aa-5-steps", description: "A/A, 5 looks, each over its own step only", truth: "same", baseline: normal, canary: normal, looks: 5, windows: "per-step", target: { metric: "falseFail", judge: "statistical", bound: 0.01 } },
  { id: "errors-2x-5-steps", description: "2x error rate, 5 looks, each over its own step only (no target: shows why windows should accumulate)", truth: "regression", baseline: normal, canary: { ...normal, errorRate: 0.02 }, looks: 5, windows: "per-step" },
  { id: "small-aa", description: "small service (300 req/min/side): A/A", truth: "same", baseline: small, canary: small, looks: 1, target: { metric: "falseFail", judge: "statistical", bound: 0.01 } },
  { id: "small-p99-20", description: "small service: +20% p99 latency (no target: power limit)", truth: "regression", baseline: small, canary: { ...small, sigma: p99Plus20 }, looks: 1 },
  { id: "aa-500", description: "A/A at 500 requests per side", truth: "same", baseline: { ...normal, rpm: 50 }, canary: { ...normal, rpm: 50 }, looks: 1, target: { metric: "falseFail", judge: "statistical", bound: 0.01 } },
  { id: "errors-2x-500", description: "2x error rate (1% -> 2%) at 500 requests per side (no target: power limit)", truth: "regression", baseline: { ...normal, rpm: 50 }, canary: { ...normal, rpm: 50, errorRate: 0.02 }, looks: 1 },
];

function latency(f: Fleet, random: () => number, gaussian: () => number): number {
  if (f.tailFraction > 0 && random() < f.tailFraction) return f.medianMs * 3 * Math.pow(Math.max(random(), 1e-12), -1 / f.tailShape);
  return f.medianMs * Math.exp(f.sigma * gaussian());
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[nearestRank(sorted.length, q)]!;
}

interface PeriodData {
  t: number;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
}

function simulate(f: Fleet, random: () => number, gaussian: () => number, start: number): PeriodData[] {
  const out: PeriodData[] = [];
  const lat = new Float64Array(f.rpm);
  for (let i = 0; i < PERIODS; i++) {
    const n = f.rpm;
    let errors = 0;
    for (let k = 0; k < n; k++) {
      lat[k] = latency(f, random, gaussian);
      if (random() < f.errorRate) errors++;
    }
    const p50 = select(lat, nearestRank(n, 0.5));
    const p99 = select(lat, nearestRank(n, 0.99));
    out.push({ t: start + i * 60_000, requests: n, errors, p50, p99 });
  }
  return out;
}

/** A fake CloudWatch provider answering the presets from simulated periods inside the window. */
function fakeCloudWatch(data: { baseline: PeriodData[]; canary: PeriodData[] }): MetricProvider {
  return {
    async measure(metric, scope): Promise<Measurement> {
      if (metric.provider !== "cloudwatch" || !metric.preset) return { kind: "error", message: "unsupported in the benchmark" };
      const inWindow = (p: PeriodData) => p.t >= scope.window.start.getTime() && p.t < scope.window.end.getTime();
      const b = data.baseline.filter(inWindow);
      const c = data.canary.filter(inWindow);
      if (metric.preset === "error-rate") {
        const sum = (ps: PeriodData[]) => ({ events: ps.reduce((a, p) => a + p.errors, 0), total: ps.reduce((a, p) => a + p.requests, 0) });
        const rate = (ps: PeriodData[]): Point[] => ps.map((p) => ({ t: p.t, v: p.errors / p.requests }));
        return { kind: "counts", baseline: sum(b), canary: sum(c), series: { baseline: rate(b), canary: rate(c) } };
      }
      const key = metric.preset === "latency-p99" ? "p99" : "p50";
      return { kind: "samples", baseline: b.map((p) => p[key]), canary: c.map((p) => p[key]), unit: "ms" };
    },
  };
}

const statistical = parseCanaryConfig("", "default configuration");
/**
 * The threshold judge as an operator would tune it for the healthy service: error rate under
 * 1.5x its usual rate, p99 under 1.15x and p50 under 1.1x their true values (from a large
 * seeded sample of the baseline fleet). No minimum sample, as in Argo/Flagger analyses.
 */
function thresholdJudge(f: Fleet): CanaryConfig {
  const random = seededRandom(SEED ^ 0x5eed);
  const gaussian = normalSource(random);
  const lat = new Float64Array(200_000).map(() => latency(f, random, gaussian)).sort();
  return parseCanaryConfig(
    `
minRequests: 0
metrics:
  - { name: error-rate, preset: error-rate, compare: false, critical: true, thresholds: { max: ${f.errorRate * 1.5} } }
  - { name: latency-p99, preset: latency-p99, compare: false, thresholds: { max: ${quantile(lat, 0.99) * 1.15} } }
  - { name: latency-p50, preset: latency-p50, compare: false, thresholds: { max: ${quantile(lat, 0.5) * 1.1} } }
`,
    "threshold judge",
  );
}

const target = (name: string) => ({ targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`, loadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef" });

interface Tally {
  pass: number;
  fail: number;
  inconclusive: number;
}

interface Row {
  id: string;
  description: string;
  truth: Case["truth"];
  trials: number;
  statistical: Tally & Record<string, number>;
  threshold: Tally & Record<string, number>;
  target: Case["target"] | null;
  met: boolean | null;
}

async function runJudge(config: CanaryConfig, providers: ProviderSet, start: number, looks: number, windows: Case["windows"]): Promise<"pass" | "fail" | "inconclusive"> {
  let last: "pass" | "fail" | "inconclusive" = "inconclusive";
  for (let look = 1; look <= looks; look++) {
    const from = windows === "per-step" ? Math.round((PERIODS * (look - 1)) / looks) : 0;
    const to = Math.round((PERIODS * look) / looks);
    const context: AnalysisContext = {
      baseline: target("blue"),
      canary: target("green"),
      window: { start: new Date(start + from * 60_000), end: new Date(start + to * 60_000) },
      ...(looks > 1 ? { look: { index: look, planned: looks } } : {}),
    };
    const report = await analyzeCanary(config, context, { providers });
    last = report.verdict;
    if (process.env.BENCH_DEBUG && last === "fail") console.log(JSON.stringify(report.reasons));
    if (last === "fail") return last;
  }
  return last;
}

/** The blast-radius table (bench/blast-radius.ts); BLAST_TRIALS and BLAST_AA_TRIALS set its trials, BLAST_SEED its seed (to check a figure on another seed). */
function blastRadius(): { rows: BlastRow[]; missed: number; seconds: number; seed: number } {
  const began = Date.now();
  const seed = Number(process.env.BLAST_SEED ?? SEED);
  const rows = runBlastRadius({ trials: Number(process.env.BLAST_TRIALS ?? 200), aaTrials: Number(process.env.BLAST_AA_TRIALS ?? 400), seed });
  const seconds = (Date.now() - began) / 1000;
  console.log(`\nBlast radius: detected or false-abort rate · median / p95 harmed requests before the abort (failed, or slower than the baseline's p99 for latency cases)\n`);
  console.log(blastRadiusTable(rows));
  const checks = blastRadiusChecks(rows);
  console.log(`\n${checks.map((c) => `${c.met ? "met   " : "MISSED"} ${c.what}`).join("\n")}`);
  console.log(`\nseed ${seed}, ${seconds.toFixed(1)} s`);
  return { rows, missed: checks.filter((c) => !c.met).length, seconds, seed };
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY === "blast-radius") {
    const blast = blastRadius();
    if (blast.missed > 0) process.exitCode = 1;
    return;
  }
  const began = Date.now();
  const random = seededRandom(SEED);
  const gaussian = normalSource(random);
  const rows: Row[] = [];
  let missed = 0;
  const only = process.env.BENCH_CASES?.split(",");
  for (const c of CASES.filter((x) => !only || only.includes(x.id))) {
    const tallies: Record<"statistical" | "threshold", Tally> = { statistical: { pass: 0, fail: 0, inconclusive: 0 }, threshold: { pass: 0, fail: 0, inconclusive: 0 } };
    const thresholds = thresholdJudge(c.baseline);
    const trials = c.truth === "same" ? AA_TRIALS : TRIALS;
    for (let trial = 0; trial < trials; trial++) {
      const start = Date.UTC(2026, 0, 1, 12);
      const data = { baseline: simulate(c.baseline, random, gaussian, start), canary: simulate(c.canary, random, gaussian, start) };
      const providers: ProviderSet = { cloudwatch: fakeCloudWatch(data) };
      tallies.statistical[await runJudge(statistical, providers, start, c.looks, c.windows)]++;
      tallies.threshold[await runJudge(thresholds, providers, start, c.looks, c.windows)]++;
    }
    const rate = (t: Tally, k: keyof Tally) => t[k] / trials;
    const measure = (t: Tally): Record<string, number> => (c.truth === "same" ? { falseFail: rate(t, "fail") } : c.truth === "regression" ? { detection: rate(t, "fail") } : { inconclusiveRate: rate(t, "inconclusive"), passRate: rate(t, "pass") });
    let met: boolean | null = null;
    if (c.target) {
      const s = tallies.statistical;
      met = c.target.metric === "falseFail" ? rate(s, "fail") <= c.target.bound : c.target.metric === "detection" ? rate(s, "fail") >= c.target.bound : s.pass === 0;
      if (!met) missed++;
    }
    rows.push({ id: c.id, description: c.description, truth: c.truth, trials, statistical: { ...tallies.statistical, ...measure(tallies.statistical) }, threshold: { ...tallies.threshold, ...measure(tallies.threshold) }, target: c.target ?? null, met });
  }
  const seconds = (Date.now() - began) / 1000;
  const cpuSeconds = process.cpuUsage().user / 1e6;

  const show = (x: number) => `${(x * 100).toFixed(1)}%`;
  const cell = (r: Row, judge: "statistical" | "threshold") => {
    const t = r[judge];
    const n = r.trials;
    if (r.truth === "same") return `false-fail ${show(t.fail / n)}`;
    if (r.truth === "regression") return `detected ${show(t.fail / n)}`;
    return `inconclusive ${show(t.inconclusive / n)}, pass ${show(t.pass / n)}`;
  };
  const targetText = (r: Row) =>
    !r.target ? "-" : `${r.target.metric === "falseFail" ? `<= ${show(r.target.bound)}` : r.target.metric === "detection" ? `>= ${show(r.target.bound)}` : "never pass"} ${r.met ? "met" : "MISSED"}`;
  const lines = [
    `| case | statistical judge | threshold judge | target (statistical) |`,
    `|---|---|---|---|`,
    ...rows.map((r) => `| ${r.description} | ${cell(r, "statistical")} | ${cell(r, "threshold")} | ${targetText(r)} |`),
  ];
  console.log(lines.join("\n"));
  console.log(`\n${TRIALS} trials per case (${AA_TRIALS} for A/A cases), seed ${SEED}, ${PERIODS} one-minute periods per side, ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s of CPU)`);
  const blast = blastRadius();
  missed += blast.missed;
  writeFileSync(new URL("./judge-results.json", import.meta.url), JSON.stringify({ seed: SEED, trials: TRIALS, aaTrials: AA_TRIALS, periods: PERIODS, seconds, cpuSeconds, cases: rows, blastRadius: { seed: blast.seed, seconds: blast.seconds, rows: blast.rows } }, null, 2) + "\n");
  if (missed > 0) {
    console.error(`${missed} target(s) missed`);
    process.exitCode = 1;
  }
}

await main();
