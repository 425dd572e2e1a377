/**
 * Turns per-metric results into a verdict. Output verdicts are pass | fail | inconclusive;
 * the score band (pass | marginal | fail) is reported beside it, and marginal gates as fail.
 *
 * Order of the rules (first match wins):
 *  1. a critical failure (critical metric beyond its critical effect or over a threshold, or an
 *     alarm in ALARM) -> fail: significant evidence of harm is acted on even with little traffic;
 *  2. fewer requests than the minimum on either side -> inconclusive;
 *  3. a critical metric that errored or has no data -> inconclusive (we cannot vouch for it);
 *  4. too large a fraction of metrics without a result (nodata or error) -> inconclusive;
 *  5. no metric left to score -> inconclusive (never pass on no data);
 *  6. score = weighted % of scored metrics that pass: below pass -> fail (band marginal when
 *     >= marginal);
 *  7. a metric that errored (its provider failed: no evidence either way) -> inconclusive: it is
 *     never left out of a pass in silence (one marked `optional` is left out, and named in the reasons);
 *  8. a metric with not enough data to have failed (its test's smallest attainable p is not
 *     below its alpha) -> inconclusive: a pass needs every compared metric to be able to fail;
 *  9. else pass.
 */
import type { MetricResult } from "./types";

export type Verdict = "pass" | "fail" | "inconclusive";
export type Band = "pass" | "marginal" | "fail";

export interface VerdictPolicy {
  /** Score at or above which the canary passes (0-100). */
  passScore: number;
  /** Score at or above which a failing canary is shown as marginal (0-100). */
  marginalScore: number;
  /** Minimum requests per side; 0 turns the rule off. Unknown counts with a minimum set are inconclusive. */
  minRequests: number;
  /** Largest fraction of metrics allowed to have no result (nodata or error), 0-1. */
  maxNoDataFraction: number;
}

export interface Requests {
  baseline: number | null;
  canary: number | null;
  /** Which metric the counts come from. */
  source: string | null;
}

export interface Judgement {
  verdict: Verdict;
  band: Band | null;
  score: number | null;
  /** Why the verdict, in words, most important first. */
  reasons: string[];
  groups: Record<string, number | null>;
}

function weightedScore(results: MetricResult[]): number | null {
  const scored = results.filter((r) => r.failed || r.classification === "pass");
  const total = scored.reduce((acc, r) => acc + r.weight, 0);
  if (scored.length === 0 || total <= 0) return null;
  const passing = scored.filter((r) => !r.failed).reduce((acc, r) => acc + r.weight, 0);
  return Math.round((passing / total) * 10000) / 100;
}

export function decide(results: MetricResult[], requests: Requests, policy: VerdictPolicy): Judgement {
  const score = weightedScore(results);
  const groups: Record<string, number | null> = {};
  for (const g of new Set(results.map((r) => r.group))) groups[g] = weightedScore(results.filter((r) => r.group === g));
  const band: Band | null = score === null ? null : score >= policy.passScore ? "pass" : score >= policy.marginalScore ? "marginal" : "fail";
  const out = (verdict: Verdict, reasons: string[]): Judgement => ({ verdict, band, score, reasons, groups });

  const critical = results.filter((r) => r.criticalFailure);
  if (critical.length > 0) return out("fail", critical.map((r) => `critical failure of ${r.name}: ${r.reason}`));

  const low: string[] = [];
  if (policy.minRequests > 0) {
    for (const side of ["baseline", "canary"] as const) {
      const n = requests[side];
      if (n === null) low.push(`requests on the ${side} are unknown (no counts metric to take them from)`);
      else if (n < policy.minRequests) low.push(`only ${n} requests on the ${side}, fewer than the minimum ${policy.minRequests}`);
    }
  }
  if (low.length > 0) return out("inconclusive", low);

  const unknownCritical = results.filter((r) => r.critical && (r.classification === "error" || (r.classification === "nodata" && !r.failed)));
  if (unknownCritical.length > 0) return out("inconclusive", unknownCritical.map((r) => `critical metric ${r.name} has no result: ${r.reason}`));

  const missing = results.filter((r) => r.classification === "error" || (r.classification === "nodata" && !r.failed));
  if (results.length > 0 && missing.length / results.length > policy.maxNoDataFraction) {
    return out("inconclusive", [
      `${missing.length} of ${results.length} metrics have no result, more than the allowed fraction ${policy.maxNoDataFraction}: ${missing.map((r) => r.name).join(", ")}`,
    ]);
  }
  if (score === null) return out("inconclusive", ["no metric could be scored"]);

  const failing = results.filter((r) => r.failed).map((r) => `${r.name}: ${r.reason}`);
  const errored = results.filter((r) => r.classification === "error");
  const required = errored.filter((r) => !r.optional);
  if (band === "pass" && required.length > 0) {
    return out("inconclusive", [...required.map((r) => `${r.name} could not be measured (${r.reason}); no pass without evidence from every metric`), ...failing]);
  }
  const unmeasured = errored.map((r) => `${r.name} could not be measured and is optional, so it was left out: ${r.reason}`);
  const thin = results.filter((r) => r.notEnoughData);
  if (band === "pass" && thin.length > 0) {
    return out("inconclusive", [...thin.map((r) => `${r.name}: ${r.reason}; a pass needs every compared metric to be able to fail`), ...failing]);
  }
  if (band === "pass") return out("pass", [`score ${score} is at or above the pass score ${policy.passScore}`, ...unmeasured, ...failing]);
  return out("fail", [`score ${score} is below the pass score ${policy.passScore}${band === "marginal" ? " (marginal)" : ""}`, ...failing]);
}
