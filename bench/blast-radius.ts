/**
 * Blast radius of a bad canary: how many users it hurts before each judge stops it. Seeded
 * per-request streams with a known ground truth: 200 requests per second on the listener, the canary
 * at 1%, 5% or 10% of them, the baseline failing 0.5% of requests, latencies log-normal (median
 * 80 ms, p99 256 ms). Each trial is one ten-minute bake (or a full ramp 1% → 5% → 10%, ten minutes
 * each) and four judges watch the same requests:
 *
 * - sequential: the suite's continuous monitor (src/judge/msprt.ts) on errors and on requests slower
 *   than 256 ms (the baseline's p99), fed every second, plus today's judge at the end of each bake;
 *   beside it the same judge fed as real sources feed it: a Prometheus data point every 15 s (readable
 *   at once), and CloudWatch's one-minute periods read 3 minutes late (metrics-delay 3m);
 * - one look: today's judge alone, once at the end of each bake (the default configuration);
 * - 60 s threshold: every 60 s, the canary's error rate over the last minute above 1% aborts (Argo
 *   and Flagger style);
 * - the same check at equal false alarms: its threshold calibrated (exactly, from the binomial
 *   distribution of a minute's canary errors, not from a seeded run) to the smallest one whose A/A
 *   false-abort rate over a full ramp 1% → 5% → 10% is at most 1%, the sequential judge's bound;
 * - SPRT: Wald's expected sample size of the simple SPRT that knows the true effect, at the same α
 *   and β = 0.01, as harmed requests (a figure, not a run).
 *
 * Harm is the canary's failed requests (error cases) or its requests slower than 256 ms (latency
 * cases) from its first request to the abort; a trial not stopped counts its whole exposure. The look
 * at the end of a bake is counted at the bake's end (with CloudWatch it runs metrics-delay later).
 */
import { judgeMeasurements } from "../src/analyze/analyze";
import { parseCanaryConfig } from "../src/adapters/metrics/config";
import { decideMixture, sprtExpectedSize, startMixture, updateMixture, type MixtureOptions, type MixtureState } from "../src/judge/msprt";
import type { Measurement } from "../src/judge/types";
import { seededRandom } from "../sandbox/aws";
import { nearestRank, select } from "./lib/stats";

const RPS = 200;
const BAKE_SECONDS = 600;
const BASELINE_ERRORS = 0.005;
const MEDIAN_MS = 80;
const SIGMA = 0.5;
const Z99 = 2.3263478740408408;
/** The baseline's true p99: the "slow request" threshold of the latency monitor. */
export const SLOW_MS = MEDIAN_MS * Math.exp(SIGMA * Z99);

interface Release {
  errorRate: number;
  sigma: number;
  /** Share of requests made `tailFactor` times slower. */
  tailShare: number;
  tailFactor: number;
}

const good: Release = { errorRate: BASELINE_ERRORS, sigma: SIGMA, tailShare: 0, tailFactor: 1 };

export interface BlastCase {
  id: string;
  description: string;
  canary: Release;
  harm: "failed" | "slow";
}

export const BLAST_CASES: BlastCase[] = [
  { id: "aa", description: "A/A", canary: good, harm: "failed" },
  { id: "errors-2x", description: "2x errors (0.5% → 1%)", canary: { ...good, errorRate: 0.01 }, harm: "failed" },
  { id: "errors-10x", description: "10x errors (0.5% → 5%)", canary: { ...good, errorRate: 0.05 }, harm: "failed" },
  { id: "p99-30", description: "+30% p99 latency (median unchanged)", canary: { ...good, sigma: SIGMA + Math.log(1.3) / Z99 }, harm: "slow" },
  { id: "tail", description: "tail shift: 5% of requests 10x slower", canary: { ...good, tailShare: 0.05, tailFactor: 10 }, harm: "slow" },
];

/** Share of a release's requests slower than SLOW_MS, from its distribution. */
function slowShare(r: Release): number {
  const above = (factor: number) => 1 - normalCdf(Math.log(SLOW_MS / (MEDIAN_MS * factor)) / r.sigma);
  return (1 - r.tailShare) * above(1) + r.tailShare * above(r.tailFactor);
}

function normalCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26 on erf; ample for a reference figure.
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

interface Second {
  baseline: { requests: number; errors: number; slow: number };
  canary: { requests: number; errors: number; slow: number };
}

interface MinuteSide {
  requests: number;
  errors: number;
  latencies: number[];
  /** The minute's p50 and p99 (nearest rank), once it is complete; NaN without requests. */
  p50: number;
  p99: number;
}

interface Minute {
  baseline: MinuteSide;
  canary: MinuteSide;
}

function closeMinute(side: MinuteSide): void {
  const n = side.latencies.length;
  if (n === 0) return;
  const a = Float64Array.from(side.latencies);
  side.p50 = select(a, nearestRank(n, 0.5));
  side.p99 = select(a, nearestRank(n, 0.99));
  side.latencies = [];
}

function simulateSide(n: number, r: Release, random: () => number, into: { latencies: number[] }): { requests: number; errors: number; slow: number } {
  let errors = 0;
  let slow = 0;
  for (let k = 0; k < n; k++) {
    const u1 = 1 - random();
    const g = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
    let ms = MEDIAN_MS * Math.exp(r.sigma * g);
    if (r.tailShare > 0 && random() < r.tailShare) ms *= r.tailFactor;
    if (ms > SLOW_MS) slow++;
    if (random() < r.errorRate) errors++;
    into.latencies.push(ms);
  }
  return { requests: n, errors, slow };
}

/** One bake at `share`: per second counts and per minute latencies. */
function simulateBake(share: number, canary: Release, random: () => number): { seconds: Second[]; minutes: Minute[] } {
  const nc = Math.round(RPS * share);
  const seconds: Second[] = [];
  const minutes: Minute[] = [];
  for (let t = 0; t < BAKE_SECONDS; t++) {
    if (t % 60 === 0) {
      const side = (): MinuteSide => ({ requests: 0, errors: 0, latencies: [], p50: NaN, p99: NaN });
      if (minutes.length) for (const s of [minutes.at(-1)!.baseline, minutes.at(-1)!.canary]) closeMinute(s);
      minutes.push({ baseline: side(), canary: side() });
    }
    const m = minutes.at(-1)!;
    const b = simulateSide(RPS - nc, good, random, m.baseline);
    const c = simulateSide(nc, canary, random, m.canary);
    for (const [side, s] of [[m.baseline, b], [m.canary, c]] as const) {
      side.requests += s.requests;
      side.errors += s.errors;
    }
    seconds.push({ baseline: b, canary: c });
  }
  for (const s of [minutes.at(-1)!.baseline, minutes.at(-1)!.canary]) closeMinute(s);
  return { seconds, minutes };
}

const todaysConfig = parseCanaryConfig("", "default configuration");
/** The bake-end half of the sequential judge: today's judge with the other half of the alpha (confidence 0.99). */
const bakeEndConfig = parseCanaryConfig("confidence: 0.99\n", "sequential judge, bake-end looks");
const target = (name: string) => ({ targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`, loadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef" });

/** Today's judge over every minute so far (a window growing from the canary's start), look `look` of `looks`. */
function todaysVerdict(config: typeof todaysConfig, minutes: Minute[], look: number, looks: number): boolean {
  const counts = (side: "baseline" | "canary") => ({ events: minutes.reduce((n, m) => n + m[side].errors, 0), total: minutes.reduce((n, m) => n + m[side].requests, 0) });
  const per = (side: "baseline" | "canary", q: "p50" | "p99") => minutes.filter((m) => m[side].requests > 0).map((m) => m[side][q]);
  const measurements: Measurement[] = [
    { kind: "counts", baseline: counts("baseline"), canary: counts("canary") },
    { kind: "samples", baseline: per("baseline", "p99"), canary: per("canary", "p99"), unit: "ms" },
    { kind: "samples", baseline: per("baseline", "p50"), canary: per("canary", "p50"), unit: "ms" },
  ];
  const start = Date.UTC(2026, 0, 1, 12);
  const report = judgeMeasurements(config, measurements, { baseline: target("blue"), canary: target("green"), window: { start: new Date(start), end: new Date(start + minutes.length * 60_000) }, ...(looks > 1 ? { look: { index: look, planned: looks } } : {}) });
  return report.verdict === "fail";
}

/** α of each of the monitor's two metrics: half of the 1% the monitor spends (the other 1% goes to the bake-end looks). */
export const MONITOR_ALPHA = 0.005;
const monitorOptions: MixtureOptions = { alpha: MONITOR_ALPHA, direction: "increase", allowedIncrease: 1.1, allowedDecrease: 0.9 };

type Contender = "sequential" | "prometheus" | "cloudwatch" | "oneLook" | "threshold" | "calibrated";
export const CONTENDERS: Contender[] = ["sequential", "prometheus", "cloudwatch", "oneLook", "threshold", "calibrated"];

const RAMP = [0.01, 0.05, 0.1];

/** P(Binomial(n, p) <= k), summed term by term (n is a minute's canary requests: at most 1,200). */
function binomialCdf(k: number, n: number, p: number): number {
  let term = Math.pow(1 - p, n);
  let sum = term;
  for (let i = 1; i <= Math.min(k, n); i++) {
    term *= ((n - i + 1) / i) * (p / (1 - p));
    sum += term;
  }
  return Math.min(1, sum);
}

/** Exact A/A false-abort rate over a full ramp of the 60 s check "error rate > x" (ten independent minutes a step). */
export function thresholdRampFalseAbort(x: number): number {
  let pass = 1;
  for (const share of RAMP) {
    const n = 60 * Math.round(RPS * share);
    pass *= Math.pow(binomialCdf(Math.floor(x * n + 1e-9), n, BASELINE_ERRORS), BAKE_SECONDS / 60);
  }
  return 1 - pass;
}

/**
 * The smallest threshold of the 60 s check whose A/A false-abort rate over a full ramp is at most
 * `bound`: the rate only changes at x = k/n for a step's n requests a minute, so those are the candidates.
 */
export function calibratedThreshold(bound: number): number {
  const candidates = RAMP.flatMap((share) => {
    const n = 60 * Math.round(RPS * share);
    return Array.from({ length: n + 1 }, (_, k) => k / n);
  }).sort((a, b) => a - b);
  return candidates.find((x) => thresholdRampFalseAbort(x) <= bound) ?? 1;
}

/** The calibrated check's threshold: equal false alarms with the sequential judge's 1% bound over a ramp. */
export const CALIBRATED_THRESHOLD = calibratedThreshold(0.01);

/**
 * How the sequential judge's data arrives: a data point every `every` seconds (the counts since the
 * previous one), readable `delay` seconds after it ends. Every second is the statistical limit; a
 * Prometheus scraping every 15 s is readable at once; CloudWatch's one-minute periods are read with
 * the default metrics-delay of 3 minutes (the monitor reads up to now - 3 min).
 */
const FEEDS: Record<"sequential" | "prometheus" | "cloudwatch", { every: number; delay: number }> = {
  sequential: { every: 1, delay: 0 },
  prometheus: { every: 15, delay: 0 },
  cloudwatch: { every: 60, delay: 180 },
};

interface Feed {
  who: keyof typeof FEEDS;
  errors: MixtureState;
  slow: MixtureState;
  pending: Second;
  /** Second (from the ramp's start) at which the judge sees the rejection and stops the canary. */
  stopAt: number | undefined;
}

function emptySecond(): Second {
  return { baseline: { requests: 0, errors: 0, slow: 0 }, canary: { requests: 0, errors: 0, slow: 0 } };
}

function addSecond(into: Second, s: Second): void {
  for (const side of ["baseline", "canary"] as const) for (const k of ["requests", "errors", "slow"] as const) into[side][k] += s[side][k];
}

/** Takes one second into a feed; at the end of its data point, tests it and, on a rejection, schedules the stop. */
function feed(f: Feed, s: Second, g: number): void {
  addSecond(f.pending, s);
  const { every, delay } = FEEDS[f.who];
  if ((g + 1) % every !== 0) return;
  const p = f.pending;
  f.errors = updateMixture(f.errors, { baseline: { events: p.baseline.errors, total: p.baseline.requests }, canary: { events: p.canary.errors, total: p.canary.requests } }, monitorOptions);
  f.slow = updateMixture(f.slow, { baseline: { events: p.baseline.slow, total: p.baseline.requests }, canary: { events: p.canary.slow, total: p.canary.requests } }, monitorOptions);
  f.pending = emptySecond();
  if (f.stopAt === undefined && (decideMixture(f.errors, monitorOptions).rejected || decideMixture(f.slow, monitorOptions).rejected)) f.stopAt = g + delay;
}

interface Outcome {
  stopped: boolean;
  harm: number;
  /** Canary requests before the stop (or in all). */
  requests: number;
}

/**
 * Runs one trial (the shares of the bakes in order) and returns each contender's outcome. A stop the
 * data shows after the last bake's end is counted at that end (the exposure of the wait is not simulated).
 */
function trial(shares: number[], c: BlastCase, random: () => number): Record<Contender, Outcome> {
  const out = {} as Record<Contender, Outcome>;
  const live = new Set<Contender>(CONTENDERS);
  const harm = { value: 0, requests: 0 };
  const feeds: Feed[] = (Object.keys(FEEDS) as Array<keyof typeof FEEDS>).map((who) => ({ who, errors: startMixture(monitorOptions), slow: startMixture(monitorOptions), pending: emptySecond(), stopAt: undefined }));
  const allMinutes: Minute[] = [];
  const stop = (who: Contender) => {
    if (!live.has(who)) return;
    live.delete(who);
    out[who] = { stopped: true, harm: harm.value, requests: harm.requests };
  };
  let g = 0;
  for (const [index, share] of shares.entries()) {
    const bake = simulateBake(share, c.canary, random);
    let lastMinute = { requests: 0, errors: 0 };
    for (const [t, s] of bake.seconds.entries()) {
      harm.value += c.harm === "failed" ? s.canary.errors : s.canary.slow;
      harm.requests += s.canary.requests;
      for (const f of feeds) {
        if (!live.has(f.who)) continue;
        feed(f, s, g);
        if (f.stopAt !== undefined && f.stopAt <= g) stop(f.who);
      }
      lastMinute = { requests: lastMinute.requests + s.canary.requests, errors: lastMinute.errors + s.canary.errors };
      if ((t + 1) % 60 === 0) {
        if (lastMinute.requests > 0 && lastMinute.errors / lastMinute.requests > 0.01) stop("threshold");
        if (lastMinute.requests > 0 && lastMinute.errors / lastMinute.requests > CALIBRATED_THRESHOLD) stop("calibrated");
        lastMinute = { requests: 0, errors: 0 };
      }
      g++;
    }
    allMinutes.push(...bake.minutes);
    const lookFails = feeds.some((f) => live.has(f.who)) && todaysVerdict(bakeEndConfig, allMinutes, index + 1, shares.length);
    for (const f of feeds) if (lookFails || (index === shares.length - 1 && f.stopAt !== undefined)) stop(f.who);
    if (live.has("oneLook") && todaysVerdict(todaysConfig, allMinutes, index + 1, shares.length)) stop("oneLook");
    if (live.size === 0) break;
  }
  for (const who of live) out[who] = { stopped: false, harm: harm.value, requests: harm.requests };
  return out;
}

export interface BlastRow {
  case: string;
  description: string;
  shares: number[];
  trials: number;
  contenders: Record<Contender, { stopRate: number; medianHarm: number; p95Harm: number; medianRequests: number }>;
  /** Wald's expected harmed requests for the simple SPRT at the same α, β = 0.01 (regressions only). */
  sprt: number | null;
}

function pick(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The SPRT's figure at the last share: θ of the harm's events, canary against baseline. */
function sprtFigure(c: BlastCase, share: number): number | null {
  if (c.id === "aa") return null;
  const theta = c.harm === "failed" ? c.canary.errorRate / BASELINE_ERRORS : slowShare(c.canary) / slowShare(good);
  return sprtExpectedSize(share, monitorOptions.allowedIncrease, theta, MONITOR_ALPHA, 0.01).canaryEvents;
}

export function runBlastRadius(options: { trials: number; aaTrials: number; seed: number }): BlastRow[] {
  const random = seededRandom(options.seed);
  const rows: BlastRow[] = [];
  const plans: Array<{ c: BlastCase; shares: number[] }> = [];
  for (const share of [0.01, 0.05, 0.1]) for (const c of BLAST_CASES) plans.push({ c, shares: [share] });
  plans.push({ c: BLAST_CASES[0]!, shares: RAMP });
  plans.push({ c: BLAST_CASES[2]!, shares: RAMP });
  for (const { c, shares } of plans) {
    const trials = c.id === "aa" ? options.aaTrials : options.trials;
    const outcomes = Array.from({ length: trials }, () => trial(shares, c, random));
    const contenders = {} as BlastRow["contenders"];
    for (const who of CONTENDERS) {
      const harms = outcomes.map((o) => o[who].harm).sort((a, b) => a - b);
      const requests = outcomes.map((o) => o[who].requests).sort((a, b) => a - b);
      contenders[who] = { stopRate: outcomes.filter((o) => o[who].stopped).length / trials, medianHarm: pick(harms, 0.5), p95Harm: pick(harms, 0.95), medianRequests: pick(requests, 0.5) };
    }
    rows.push({ case: c.id, description: c.description, shares, trials, contenders, sprt: shares.length === 1 ? sprtFigure(c, shares[0]!) : null });
  }
  return rows;
}

const LABEL: Record<Contender, string> = {
  sequential: "sequential (every 1 s)",
  prometheus: "sequential, 15 s scrape",
  cloudwatch: "sequential, CloudWatch minutes read 3 min late",
  oneLook: "one look per bake",
  threshold: "60 s check, error rate > 1%",
  calibrated: `60 s check at equal false alarms, error rate > ${(CALIBRATED_THRESHOLD * 100).toFixed(2)}%`,
};

export function blastRadiusTable(rows: BlastRow[]): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const cell = (r: BlastRow, who: Contender) => {
    const c = r.contenders[who];
    return `${r.case === "aa" ? "false-abort" : "detected"} ${pct(c.stopRate)} · ${c.medianHarm} / ${c.p95Harm}`;
  };
  const share = (r: BlastRow) => r.shares.map((s) => `${s * 100}%`).join(" → ");
  return [
    `| canary | case | trials | ${CONTENDERS.map((w) => LABEL[w]).join(" | ")} | SPRT expected |`,
    `|---|---|---|${CONTENDERS.map(() => "---|").join("")}---|`,
    ...rows.map((r) => `| ${share(r)} | ${r.description} | ${r.trials} | ${CONTENDERS.map((w) => cell(r, w)).join(" | ")} | ${r.sprt === null ? "-" : r.sprt.toFixed(1)} |`),
  ].join("\n");
}

export interface BlastCheck {
  what: string;
  met: boolean;
}

/** The acceptance figures, checked on the rows of one run. */
export function blastRadiusChecks(rows: BlastRow[]): BlastCheck[] {
  const row = (id: string, shares: string) => rows.find((r) => r.case === id && r.shares.join(",") === shares)!;
  const ramp = row("aa", "0.01,0.05,0.1");
  const tenfold = row("errors-10x", "0.1");
  const twofold = row("errors-2x", "0.1");
  const seq = (r: BlastRow) => r.contenders.sequential;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    { what: `A/A false-abort over ${ramp.trials} full ramps (at least 400) <= 1%: ${pct(seq(ramp).stopRate)}`, met: seq(ramp).stopRate <= 0.01 && ramp.trials >= 400 },
    { what: `10x errors at 10% of 200 rps detected in a 10-minute bake >= 99%: ${pct(seq(tenfold).stopRate)}`, met: seq(tenfold).stopRate >= 0.99 },
    { what: `2x errors at 10% of 200 rps detected in a 10-minute bake >= 95%: ${pct(seq(twofold).stopRate)}`, met: seq(twofold).stopRate >= 0.95 },
    ...[tenfold, twofold].map((r) => ({
      what: `${r.description} at 10%: median failed ${seq(r).medianHarm} within 2x of the SPRT's ${r.sprt!.toFixed(1)}`,
      met: seq(r).medianHarm <= 2 * r.sprt!,
    })),
    {
      what: `10x errors at 10%: median failed ${seq(tenfold).medianHarm}, at least 3x fewer than one look (${tenfold.contenders.oneLook.medianHarm}) and the 60 s check (${tenfold.contenders.threshold.medianHarm})`,
      met: 3 * seq(tenfold).medianHarm <= Math.min(tenfold.contenders.oneLook.medianHarm, tenfold.contenders.threshold.medianHarm),
    },
    {
      what: `2x errors at 10%: median failed ${seq(twofold).medianHarm}, no more than one look (${twofold.contenders.oneLook.medianHarm}) and the 60 s check (${twofold.contenders.threshold.medianHarm}, whose A/A false-abort is ${pct(row("aa", "0.1").contenders.threshold.stopRate)} per bake and ${pct(ramp.contenders.threshold.stopRate)} per ramp)`,
      met: seq(twofold).medianHarm <= Math.min(twofold.contenders.oneLook.medianHarm, twofold.contenders.threshold.medianHarm),
    },
    {
      what: `at equal false alarms (the 60 s check's threshold calibrated to ${(CALIBRATED_THRESHOLD * 100).toFixed(2)}%, A/A false-abort ${pct(ramp.contenders.calibrated.stopRate)} per ramp, exactly ${pct(thresholdRampFalseAbort(CALIBRATED_THRESHOLD))}): 2x errors at 10% median failed ${seq(twofold).medianHarm} against its ${twofold.contenders.calibrated.medianHarm}, 10x errors ${seq(tenfold).medianHarm} against ${tenfold.contenders.calibrated.medianHarm} (3x fewer)`,
      met: seq(twofold).medianHarm <= twofold.contenders.calibrated.medianHarm && 3 * seq(tenfold).medianHarm <= tenfold.contenders.calibrated.medianHarm,
    },
  ];
}
