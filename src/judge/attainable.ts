/**
 * The smallest p-value a test can give for the sample sizes in hand, whatever the data say. When
 * even that is not below the metric's alpha, the test could never have found a difference: a
 * "no significant difference" from it is not evidence of anything, so the metric is reported as
 * not enough data instead of a pass.
 *
 * - Mann-Whitney, exact (small samples without ties): the most extreme U has probability
 *   1 / C(n1+n2, n1) under the null; two-sided, the smallest p is 2 / C(n1+n2, n1)
 *   (n1 = n2 = 5: 2/252 = 0.00794).
 * - Mann-Whitney, normal approximation: |U - n1·n2/2| is at most n1·n2/2, so with the same tie
 *   correction and continuity correction as the test, |z| is at most (n1·n2/2 - 0.5) / σ.
 *   The pooled ties are fixed by the data, so this bounds every p the data could give.
 * - Two-proportion z: z² = N·φ² for the 2×2 table of N trials, and |φ| ≤ 1, so |z| ≤ √N.
 */
import { twoSidedP } from "./normal";

/** Same limits as the test's choice of the exact distribution (mann-whitney.ts). */
const EXACT_MAX_PAIRS = 400;
const EXACT_MAX_TOTAL = 50;

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

function tieTerm(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let term = 0;
  for (const t of counts.values()) if (t > 1) term += t * t * t - t;
  return term;
}

/** Smallest two-sided p the Mann-Whitney test (as mannWhitney runs it) can give on samples of these sizes and this pooled tie structure. */
export function smallestRankTestP(baseline: number[], canary: number[]): number {
  const n1 = baseline.length;
  const n2 = canary.length;
  if (n1 === 0 || n2 === 0) return 1;
  const n = n1 + n2;
  const ties = tieTerm([...baseline, ...canary]);
  if (ties === 0 && n1 * n2 <= EXACT_MAX_PAIRS && n <= EXACT_MAX_TOTAL) return Math.min(1, 2 / binomial(n, n1));
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (!(variance > 0)) return 1;
  const extreme = (n1 * n2) / 2;
  return twoSidedP((extreme - Math.min(0.5, extreme)) / Math.sqrt(variance));
}

/** Smallest two-sided p of the pooled two-proportion z-test over these numbers of trials. */
export function smallestProportionTestP(baselineTrials: number, canaryTrials: number): number {
  const total = baselineTrials + canaryTrials;
  if (!(baselineTrials > 0 && canaryTrials > 0)) return 1;
  return twoSidedP(Math.sqrt(total));
}
