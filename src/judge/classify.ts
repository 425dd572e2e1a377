/**
 * Classifies one metric as pass, high, low, nodata or error (Kayenta's NetflixACAJudge
 * semantics): a statistically significant difference whose effect goes beyond the allowed
 * effect size in the bad direction fails the metric; beyond the critical effect size a
 * critical metric fails the canary. Absolute thresholds are checked on the canary value.
 */
import { smallestProportionTestP, smallestRankTestP } from "./attainable";
import { hodgesLehmann, mannWhitney } from "./mann-whitney";
import { twoProportionTest } from "./proportions";
import { fmt, pct } from "./format";
import type { Classification, Measurement, MetricPolicy, MetricResult } from "./types";

function mean(values: number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function ratio(canary: number, baseline: number): number {
  if (baseline === 0) return canary === 0 ? 1 : canary > 0 ? Infinity : -Infinity;
  return canary / baseline;
}

function clean(values: number[], strategy: MetricPolicy["nanStrategy"]): number[] {
  if (strategy === "replace") return values.map((v) => (Number.isFinite(v) ? v : 0));
  return values.filter((v) => Number.isFinite(v));
}

interface Comparison {
  significant: boolean;
  /** Observed direction of a significant change. */
  moved: "high" | "low" | null;
  effect: number;
}

/** Turns a comparison into a classification under the metric's direction and effect sizes. */
function judgeComparison(policy: MetricPolicy, c: Comparison, detail: string): { classification: Classification; critical: boolean; reason: string } {
  if (!c.significant || c.moved === null) return { classification: "pass", critical: false, reason: `no significant difference (${detail})` };
  const bad = policy.direction === "either" || (policy.direction === "increase" ? c.moved === "high" : c.moved === "low");
  const change = `significantly ${c.moved === "high" ? "higher" : "lower"} (${pct(c.effect)}, ${detail})`;
  if (!bad) return { classification: "pass", critical: false, reason: `${change}, which is the good direction` };
  const { allowedIncrease, allowedDecrease, criticalIncrease, criticalDecrease } = policy.effect;
  const beyondAllowed = c.moved === "high" ? c.effect > allowedIncrease : c.effect < allowedDecrease;
  if (!beyondAllowed) {
    const allowed = c.moved === "high" ? allowedIncrease : allowedDecrease;
    return { classification: "pass", critical: false, reason: `${change}, within the allowed effect (${pct(allowed)})` };
  }
  const beyondCritical = c.moved === "high" ? c.effect >= criticalIncrease : c.effect <= criticalDecrease;
  const limit = c.moved === "high" ? allowedIncrease : allowedDecrease;
  const critical = policy.critical && beyondCritical;
  const criticalNote = critical ? `; beyond the critical effect (${pct(c.moved === "high" ? criticalIncrease : criticalDecrease)}) of a critical metric` : "";
  return { classification: c.moved, critical, reason: `${change}, beyond the allowed effect (${pct(limit)})${criticalNote}` };
}

function checkThresholds(policy: MetricPolicy, value: number, unit: string | undefined): { classification: Classification; reason: string } | null {
  const t = policy.thresholds;
  if (!t) return null;
  if (t.max !== undefined && value > t.max) return { classification: "high", reason: `canary ${fmt(value, unit)} is above the threshold ${fmt(t.max, unit)}` };
  if (t.min !== undefined && value < t.min) return { classification: "low", reason: `canary ${fmt(value, unit)} is below the threshold ${fmt(t.min, unit)}` };
  return null;
}

function base(policy: MetricPolicy, m: Measurement, alpha: number): MetricResult {
  return {
    name: policy.name,
    group: policy.group,
    weight: policy.weight,
    critical: policy.critical,
    ...(policy.optional ? { optional: true } : {}),
    kind: m.kind,
    classification: "pass",
    failed: false,
    criticalFailure: false,
    effect: null,
    baseline: null,
    canary: null,
    shift: null,
    pValue: null,
    alpha,
    test: null,
    reason: "",
    n: { baseline: 0, canary: 0 },
    unit: m.kind === "samples" ? m.unit : m.kind === "counts" ? "rate" : undefined,
    series: m.kind === "samples" || m.kind === "counts" ? m.series : undefined,
  };
}

function noData(r: MetricResult, policy: MetricPolicy, what: string): MetricResult {
  r.classification = "nodata";
  r.failed = policy.mustHaveData;
  r.reason = policy.mustHaveData ? `no data (${what}) and the metric must have data` : `no data (${what}); left out of the score`;
  return r;
}

function finish(r: MetricResult, policy: MetricPolicy, judged: { classification: Classification; critical: boolean; reason: string }): MetricResult {
  r.classification = judged.classification;
  r.criticalFailure = judged.critical;
  r.reason = judged.reason;
  const threshold = r.canary === null ? null : checkThresholds(policy, r.canary, r.unit === "rate" ? undefined : r.unit);
  if (threshold) {
    const statistical = judged.classification === "high" || judged.classification === "low" ? `; ${judged.reason}` : "";
    r.classification = threshold.classification;
    r.reason = threshold.reason + statistical;
    r.criticalFailure = judged.critical || policy.critical;
    if (policy.critical) r.reason += " (critical metric)";
  } else if (policy.thresholds && !policy.compare) {
    r.reason = `canary ${fmt(r.canary, r.unit === "rate" ? undefined : r.unit)} is within the thresholds`;
  }
  r.failed = r.classification === "high" || r.classification === "low";
  return r;
}

/**
 * A comparison that came out "no difference" from a test that could not have found one (its
 * smallest attainable p is not below alpha) says nothing: not enough data, not a pass. It is
 * left out of the score and keeps the canary from passing (score.ts), whatever mustHaveData says.
 */
function unlessTooThin(r: MetricResult, minP: number): MetricResult {
  r.minPValue = minP;
  if (r.classification !== "pass" || minP < r.alpha) return r;
  const sizes = r.kind === "counts" ? `${r.n.baseline} and ${r.n.canary} trials` : `${r.n.baseline} baseline and ${r.n.canary} canary data points`;
  const moved = r.effect !== null && r.effect !== 1 ? `; canary ${pct(r.effect)} vs baseline, not judged` : "";
  r.classification = "nodata";
  r.notEnoughData = true;
  r.failed = false;
  r.reason = `not enough data: with ${sizes} the smallest p the test can reach is ${fmt(minP)}, not below alpha ${fmt(r.alpha)}${moved}`;
  return r;
}

/** Classifies one metric's measurement at the given two-sided alpha. Pure. */
export function classifyMetric(policy: MetricPolicy, m: Measurement, alpha: number): MetricResult {
  const r = base(policy, m, alpha);
  switch (m.kind) {
    case "error":
      r.classification = "error";
      r.reason = `measurement failed: ${m.message}`;
      return r;
    case "alarms":
      return classifyAlarms(r, policy, m);
    case "samples":
      return classifySamples(r, policy, m, alpha);
    case "counts":
      return classifyCounts(r, policy, m, alpha);
  }
}

/** Alarms: one in ALARM fails the canary outright; INSUFFICIENT_DATA is no data. */
function classifyAlarms(r: MetricResult, policy: MetricPolicy, m: Extract<Measurement, { kind: "alarms" }>): MetricResult {
  r.test = "alarm";
  const firing = m.alarms.filter((a) => a.state === "ALARM");
  const waiting = m.alarms.filter((a) => a.state === "INSUFFICIENT_DATA");
  r.n = { baseline: 0, canary: m.alarms.length };
  if (firing.length > 0) {
    r.classification = "high";
    r.failed = true;
    r.criticalFailure = true;
    r.reason = firing.map((a) => `alarm ${a.name} is in ALARM: ${a.reason}`).join("; ");
    return r;
  }
  if (m.alarms.length === 0) return noData(r, policy, "no alarms found");
  if (waiting.length > 0) return noData(r, policy, `${waiting.map((a) => a.name).join(", ")} in INSUFFICIENT_DATA`);
  r.reason = `${m.alarms.length} alarm(s) OK`;
  return r;
}

/** Samples (latencies, say): Mann-Whitney and the Hodges-Lehmann shift against the baseline, or thresholds only. */
function classifySamples(r: MetricResult, policy: MetricPolicy, m: Extract<Measurement, { kind: "samples" }>, alpha: number): MetricResult {
  const confidence = 1 - alpha;
  const b = clean(m.baseline, policy.nanStrategy);
  const c = clean(m.canary, policy.nanStrategy);
  r.n = { baseline: b.length, canary: c.length };
  if (c.length === 0 || (policy.compare && b.length === 0)) {
    return noData(r, policy, `baseline ${b.length}, canary ${c.length} data points`);
  }
  r.canary = mean(c);
  if (b.length > 0) {
    r.baseline = mean(b);
    const effect = ratio(r.canary, r.baseline);
    r.effect = Number.isFinite(effect) ? effect : null;
    if (!policy.compare) {
      r.test = "threshold";
      return finish(r, policy, { classification: "pass", critical: false, reason: "" });
    }
    const test = mannWhitney(b, c);
    const shift = hodgesLehmann(b, c, confidence);
    r.test = test.method === "exact" ? "mann-whitney-exact" : "mann-whitney-normal";
    r.pValue = test.pValue;
    r.shift = shift;
    const significant = test.pValue < alpha;
    const moved = shift.estimate > 0 || (shift.estimate === 0 && test.z > 0) ? "high" : shift.estimate < 0 || test.z < 0 ? "low" : null;
    return unlessTooThin(finish(r, policy, judgeComparison(policy, { significant, moved, effect }, `p=${fmt(test.pValue)}`)), smallestRankTestP(b, c));
  }
  r.test = "threshold";
  return finish(r, policy, { classification: "pass", critical: false, reason: "" });
}

/** Counts (errors of requests): the two-proportion z-test against the baseline, or thresholds only. */
function classifyCounts(r: MetricResult, policy: MetricPolicy, m: Extract<Measurement, { kind: "counts" }>, alpha: number): MetricResult {
  const confidence = 1 - alpha;
  const bad = (["baseline", "canary"] as const).filter((side) => {
    const { events, total } = m[side];
    return !(Number.isFinite(events) && Number.isFinite(total) && events >= 0 && total >= 0 && events <= total);
  });
  if (bad.length > 0) {
    r.classification = "error";
    r.reason = `measurement failed: invalid counts on the ${bad.join(" and ")} (${bad.map((side) => `${m[side].events} events of ${m[side].total}`).join(", ")}); events must be between 0 and the total`;
    return r;
  }
  r.n = { baseline: m.baseline.total, canary: m.canary.total };
  if (m.canary.total <= 0 || (policy.compare && m.baseline.total <= 0)) {
    return noData(r, policy, `baseline ${m.baseline.total}, canary ${m.canary.total} trials`);
  }
  r.canary = m.canary.events / m.canary.total;
  if (m.baseline.total > 0) r.baseline = m.baseline.events / m.baseline.total;
  if (!policy.compare || r.baseline === null) {
    r.test = "threshold";
    return finish(r, policy, { classification: "pass", critical: false, reason: "" });
  }
  const effect = ratio(r.canary, r.baseline);
  r.effect = Number.isFinite(effect) ? effect : null;
  const test = twoProportionTest(m.baseline, m.canary, confidence);
  r.test = "two-proportion-z";
  r.pValue = test.pValue;
  r.shift = { estimate: test.difference, lower: test.lower, upper: test.upper, confidence };
  const moved = test.z > 0 ? "high" : test.z < 0 ? "low" : null;
  const judged = finish(r, policy, judgeComparison(policy, { significant: test.pValue < alpha, moved, effect }, `p=${fmt(test.pValue)}`));
  return unlessTooThin(judged, smallestProportionTestP(m.baseline.total, m.canary.total));
}
