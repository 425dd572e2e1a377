/** The judge's vocabulary: what a metric asks for, what it measured, and what was decided. */
import type { AlarmState } from "../ports/alarms";
import type { Counts, Measurement, Point, SeriesPair } from "../ports/metrics";

export type { AlarmState, Counts, Measurement, Point, SeriesPair };

/** The direction that is bad: `increase` means a higher canary value is a regression. */
export type Direction = "increase" | "decrease" | "either";
export type NanStrategy = "remove" | "replace";

/** Ratios canary / baseline (Kayenta semantics): 1.1 allows a 10% increase. */
export interface EffectSizes {
  allowedIncrease: number;
  allowedDecrease: number;
  criticalIncrease: number;
  criticalDecrease: number;
}

/** Absolute limits on the canary's value (mean of samples, or rate of counts). */
export interface Thresholds {
  max?: number | undefined;
  min?: number | undefined;
}

export interface MetricPolicy {
  name: string;
  group: string;
  weight: number;
  direction: Direction;
  /** A critical metric beyond its critical effect (or over a threshold) fails the canary outright. */
  critical: boolean;
  /** No data fails the metric instead of leaving it out of the score. */
  mustHaveData: boolean;
  /** An error measuring it does not keep the canary from passing (it is still named). */
  optional?: boolean | undefined;
  nanStrategy: NanStrategy;
  /** Confidence level over the whole analysis plan, e.g. 0.98. */
  confidence: number;
  effect: EffectSizes;
  thresholds?: Thresholds | undefined;
  /** Compare canary with baseline statistically; false = thresholds only. */
  compare: boolean;
}

export type Classification = "pass" | "high" | "low" | "nodata" | "error";

export type TestName = "mann-whitney-exact" | "mann-whitney-normal" | "two-proportion-z" | "threshold" | "alarm";

export interface MetricResult {
  name: string;
  group: string;
  weight: number;
  critical: boolean;
  /** An error measuring it does not keep the canary from passing (MetricPolicy.optional). */
  optional?: boolean | undefined;
  kind: Measurement["kind"];
  classification: Classification;
  /** Counts against the score (a bad classification, or no data on a mustHaveData metric). */
  failed: boolean;
  /** Fails the whole canary regardless of the score. */
  criticalFailure: boolean;
  /** Canary / baseline of the means (samples) or rates (counts); null when undefined (baseline 0). */
  effect: number | null;
  /** Baseline and canary values: means of samples, or rates of counts. */
  baseline: number | null;
  canary: number | null;
  /** Shift canary - baseline with its confidence interval (Hodges-Lehmann, or difference of rates). */
  shift: { estimate: number; lower: number | null; upper: number | null; confidence: number } | null;
  pValue: number | null;
  /** The two-sided alpha this metric was tested at. */
  alpha: number;
  /** Smallest p the test could have given for these sample sizes, whatever the values (absent when no test ran). */
  minPValue?: number | undefined;
  /** The test could not have reached significance at `alpha` (minPValue >= alpha): classified nodata, not pass. */
  notEnoughData?: boolean | undefined;
  test: TestName | null;
  /** Why, in words. */
  reason: string;
  /** Data points (samples) or trials (counts) per side after NaN handling. */
  n: { baseline: number; canary: number };
  unit?: string | undefined;
  series?: SeriesPair | undefined;
}
