/**
 * Alpha spending over a planned number of looks (Lan-DeMets). Each look may spend only the
 * increment of the spending function since the previous look, and the increments add up to
 * the total alpha, so by the union bound the chance of at least one false alarm over all
 * looks stays at or below alpha however the looks are correlated.
 */
import { normalCdf, normalQuantile } from "./normal";

export type SpendingFunction = "obrien-fleming" | "pocock";

export interface SequentialPlan {
  /** Total false-alarm probability over all looks (1 - confidence). */
  alpha: number;
  /** Number of planned looks (analyses), at least 1. */
  looks: number;
  spending: SpendingFunction;
}

export interface LookLevel {
  /** 1-based look number. */
  look: number;
  looks: number;
  /** Information fraction t = look / looks. */
  fraction: number;
  /** Alpha spent up to and including this look. */
  cumulativeAlpha: number;
  /** Two-sided alpha this look may use. */
  alpha: number;
  /** 1 - alpha: the confidence level a metric is tested at on this look. */
  confidence: number;
}

/** Cumulative alpha spent at information fraction t in (0, 1]. */
export function alphaSpent(spending: SpendingFunction, alpha: number, t: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  if (spending === "pocock") return alpha * Math.log(1 + (Math.E - 1) * t);
  const z = normalQuantile(1 - alpha / 2);
  return 2 * (1 - normalCdf(z / Math.sqrt(t)));
}

export function lookLevel(plan: SequentialPlan, look: number): LookLevel {
  if (!Number.isInteger(plan.looks) || plan.looks < 1) throw new RangeError(`planned looks must be a whole number >= 1, got ${plan.looks}`);
  if (!Number.isInteger(look) || look < 1 || look > plan.looks) {
    throw new RangeError(`look must be a whole number from 1 to ${plan.looks} (the planned looks), got ${look}`);
  }
  if (!(plan.alpha > 0 && plan.alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${plan.alpha}`);
  const fraction = look / plan.looks;
  const cumulativeAlpha = alphaSpent(plan.spending, plan.alpha, fraction);
  const alpha = cumulativeAlpha - alphaSpent(plan.spending, plan.alpha, (look - 1) / plan.looks);
  return { look, looks: plan.looks, fraction, cumulativeAlpha, alpha, confidence: 1 - alpha };
}

/** Every look's level, for plans shown in reports and documentation. */
export function boundaries(plan: SequentialPlan): LookLevel[] {
  return Array.from({ length: plan.looks }, (_, i) => lookLevel(plan, i + 1));
}
