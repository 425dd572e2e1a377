/** Medians with their spread, and the formatting the report uses. */

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

/** Median (mean of the middle two for an even count), min and max. Throws on an empty list. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("summarize: no values (the measurement produced no samples)");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { n: sorted.length, median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

/** Ratio of two summaries: the medians divided (no spread of its own: min and max equal the median). */
export function ratio(measured: Summary, baseline: Summary): Summary {
  const r = measured.median / baseline.median;
  return { n: Math.min(measured.n, baseline.n), median: r, min: r, max: r };
}

/**
 * Ratios of runs taken in pairs (measured run i next to baseline run i): their median, min and max.
 * Pairing cancels load that drifts during the bench better than a ratio of medians.
 */
export function pairedRatio(measured: readonly number[], baseline: readonly number[]): Summary {
  if (measured.length !== baseline.length) throw new Error(`pairedRatio: ${measured.length} measured runs but ${baseline.length} baseline runs`);
  return summarize(measured.map((m, i) => m / (baseline[i] as number)));
}

/** Nearest-rank quantile index (0-based) of n values: the smallest with at least q of them at or below it. */
export function nearestRank(n: number, q: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
}

/** Percentile (nearest rank) of unsorted values; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[nearestRank(sorted.length, p / 100)] as number;
}

/** Moves the k-th smallest value to index k (quickselect, Hoare partition; O(n) on average) and returns it. Reorders `a`. */
export function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
