/**
 * Two-sided Mann-Whitney U test (Wilcoxon rank-sum) and the Hodges-Lehmann shift estimate
 * with its distribution-free confidence interval. "Shift" is canary minus baseline: a
 * positive estimate means the canary's values tend to be higher.
 *
 * Small samples without ties use the exact null distribution of U; otherwise the normal
 * approximation with the tie correction to the variance and a continuity correction.
 */
import { normalQuantile, twoSidedP } from "./normal";

export interface MannWhitneyResult {
  /** U for the canary: pairs (b, c) with c > b, ties counting one half. */
  u: number;
  /** Standardised statistic (normal approximation; 0 when every value is tied). */
  z: number;
  pValue: number;
  method: "exact" | "normal";
  n1: number;
  n2: number;
}

export interface ShiftEstimate {
  /** Hodges-Lehmann estimate: median of all pairwise differences canary - baseline. */
  estimate: number;
  /** Confidence interval bounds; null when the sample is too small to bound it at this level. */
  lower: number | null;
  upper: number | null;
  confidence: number;
}

/** Largest n1*n2 (and n1+n2) for which the exact distribution is used. */
const EXACT_MAX_PAIRS = 400;
const EXACT_MAX_TOTAL = 50;

/** Mid-ranks of the pooled sample (1-based), and the tie groups' sizes. */
function midRanks(values: number[]): { ranks: number[]; tieSizes: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  const tieSizes: number[] = [];
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = rank;
    if (j > i) tieSizes.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, tieSizes };
}

/**
 * Frequencies of U = 0..m*n under the null for samples of m and n without ties: the
 * coefficients of the Gaussian binomial coefficient [m+n choose m] in q.
 */
export function exactUFrequencies(m: number, n: number): number[] {
  const size = m * n + 1;
  const f = new Array<number>(size).fill(0);
  f[0] = 1;
  for (let i = 1; i <= m; i++) {
    const up = n + i;
    for (let k = size - 1; k >= up; k--) f[k]! -= f[k - up]!;
    for (let k = i; k < size; k++) f[k]! += f[k - i]!;
  }
  return f;
}

function useExact(n1: number, n2: number, tied: boolean): boolean {
  return !tied && n1 * n2 <= EXACT_MAX_PAIRS && n1 + n2 <= EXACT_MAX_TOTAL;
}

export function mannWhitney(baseline: number[], canary: number[]): MannWhitneyResult {
  const n1 = baseline.length;
  const n2 = canary.length;
  if (n1 === 0 || n2 === 0) throw new RangeError(`mannWhitney needs data on both sides (baseline ${n1}, canary ${n2})`);
  const { ranks, tieSizes } = midRanks([...baseline, ...canary]);
  let rankSumCanary = 0;
  for (let i = n1; i < n1 + n2; i++) rankSumCanary += ranks[i]!;
  const u = rankSumCanary - (n2 * (n2 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const tieTerm = tieSizes.reduce((acc, t) => acc + (t * t * t - t), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const diff = u - mean;
  const z = variance > 0 ? (diff - Math.sign(diff) * Math.min(0.5, Math.abs(diff))) / Math.sqrt(variance) : 0;

  if (useExact(n1, n2, tieSizes.length > 0)) {
    const freq = exactUFrequencies(n1, n2);
    const total = freq.reduce((a, b) => a + b, 0);
    let low = 0;
    for (let k = 0; k <= u; k++) low += freq[k]!;
    let high = 0;
    for (let k = u; k < freq.length; k++) high += freq[k]!;
    return { u, z, pValue: Math.min(1, (2 * Math.min(low, high)) / total), method: "exact", n1, n2 };
  }
  return { u, z, pValue: variance > 0 ? twoSidedP(z) : 1, method: "normal", n1, n2 };
}

/** k-th smallest (1-based) of a sorted array. */
function order(sorted: number[], k: number): number {
  return sorted[k - 1]!;
}

/**
 * Hodges-Lehmann shift estimate and its confidence interval from the ordered pairwise
 * differences: [D(k), D(mn-k+1)] where k comes from the null distribution of U.
 */
export function hodgesLehmann(baseline: number[], canary: number[], confidence: number): ShiftEstimate {
  const m = baseline.length;
  const n = canary.length;
  if (m === 0 || n === 0) throw new RangeError(`hodgesLehmann needs data on both sides (baseline ${m}, canary ${n})`);
  const diffs = new Float64Array(m * n);
  let p = 0;
  for (const c of canary) for (const b of baseline) diffs[p++] = c - b;
  diffs.sort();
  const sorted = Array.from(diffs);
  const mn = sorted.length;
  const estimate = mn % 2 === 1 ? order(sorted, (mn + 1) / 2) : (order(sorted, mn / 2) + order(sorted, mn / 2 + 1)) / 2;

  const alpha = 1 - confidence;
  const tied = new Set([...baseline, ...canary]).size < m + n;
  let k: number;
  if (useExact(m, n, tied)) {
    const freq = exactUFrequencies(m, n);
    const total = freq.reduce((a, b) => a + b, 0);
    // Largest k with P(U <= k - 1) <= alpha / 2.
    let cumulative = 0;
    k = 0;
    while (k < freq.length && (cumulative + freq[k]!) / total <= alpha / 2 + 1e-12) {
      cumulative += freq[k]!;
      k++;
    }
  } else {
    const z = normalQuantile(1 - alpha / 2);
    k = Math.floor(mn / 2 - z * Math.sqrt((mn * (m + n + 1)) / 12));
  }
  if (k < 1) return { estimate, lower: null, upper: null, confidence };
  return { estimate, lower: order(sorted, k), upper: order(sorted, mn - k + 1), confidence };
}
