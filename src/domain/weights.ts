/**
 * ALB forward weights are integers 0–999. A percentage with one decimal maps exactly onto a pair
 * that sums to 1000 (0.5% → 5/995), except 100% and 0%, which are 1/0 and 0/1.
 */
import type { WeightedGroup } from "../ports/load-balancer";

export const MAX_WEIGHT = 999;

/** Weights for `toArn` getting `percent` (0–100, one decimal) and `fromArn` the rest. */
export function weightsFor(percent: number, toArn: string, fromArn: string): WeightedGroup[] {
  const tenths = Math.round(percent * 10);
  if (tenths < 0 || tenths > 1000) throw new RangeError(`percent must be within 0–100, got ${percent}`);
  if (tenths === 1000) return [{ targetGroupArn: fromArn, weight: 0 }, { targetGroupArn: toArn, weight: 1 }];
  if (tenths === 0) return [{ targetGroupArn: fromArn, weight: 1 }, { targetGroupArn: toArn, weight: 0 }];
  return [
    { targetGroupArn: fromArn, weight: 1000 - tenths },
    { targetGroupArn: toArn, weight: tenths },
  ];
}

/** The share (0–100, rounded to one decimal) of traffic a target group receives. */
export function shareOf(groups: WeightedGroup[], arn: string): number {
  const total = groups.reduce((sum, g) => sum + g.weight, 0);
  if (total === 0) return 0;
  const mine = groups.filter((g) => g.targetGroupArn === arn).reduce((sum, g) => sum + g.weight, 0);
  return Math.round((mine / total) * 1000) / 10;
}

/** True when both lists give every target group the same weight (order does not matter). */
export function sameWeights(a: WeightedGroup[], b: WeightedGroup[]): boolean {
  const key = (groups: WeightedGroup[]) =>
    groups
      .map((g) => `${g.targetGroupArn}=${g.weight}`)
      .sort()
      .join(",");
  return key(a) === key(b);
}

export function describeWeights(groups: WeightedGroup[], nameOf: (arn: string) => string): string {
  return groups.map((g) => `${nameOf(g.targetGroupArn)} ${shareOf(groups, g.targetGroupArn)}% (weight ${g.weight})`).join(", ");
}
