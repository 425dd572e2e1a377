/**
 * Two-proportion z-test for rate metrics (errors / requests on each side), with a Wald
 * confidence interval for the difference of rates (canary - baseline).
 */
import type { Counts } from "../ports/metrics";
import { normalQuantile, twoSidedP } from "./normal";

export type { Counts };

export interface ProportionTest {
  baselineRate: number;
  canaryRate: number;
  /** canaryRate - baselineRate. */
  difference: number;
  z: number;
  pValue: number;
  lower: number;
  upper: number;
  confidence: number;
}

export function twoProportionTest(baseline: Counts, canary: Counts, confidence: number): ProportionTest {
  if (baseline.total <= 0 || canary.total <= 0) {
    throw new RangeError(`twoProportionTest needs trials on both sides (baseline ${baseline.total}, canary ${canary.total})`);
  }
  const p1 = baseline.events / baseline.total;
  const p2 = canary.events / canary.total;
  const pooled = (baseline.events + canary.events) / (baseline.total + canary.total);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.total + 1 / canary.total));
  const z = se > 0 ? (p2 - p1) / se : 0;
  const seDiff = Math.sqrt((p1 * (1 - p1)) / baseline.total + (p2 * (1 - p2)) / canary.total);
  const q = normalQuantile(1 - (1 - confidence) / 2);
  return {
    baselineRate: p1,
    canaryRate: p2,
    difference: p2 - p1,
    z,
    pValue: se > 0 ? twoSidedP(z) : 1,
    lower: p2 - p1 - q * seDiff,
    upper: p2 - p1 + q * seDiff,
    confidence,
  };
}
