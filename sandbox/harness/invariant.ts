/**
 * The zero-downtime invariant, checked on the sandbox's weight history: no forward action ever gave
 * weight to a target group that had fewer healthy targets than `minHealthy` at that moment.
 */
import type { SandboxState } from "../aws";

export type WeightHistory = SandboxState["weightHistory"];

export interface InvariantViolation {
  at: number;
  group: string;
  weight: number;
  healthy: number;
  /** The whole entry, in words: "web-blue 0 (2 healthy), web-green 10 (0 healthy)". */
  entry: string;
}

export function describeEntry(entry: WeightHistory[number]): string {
  return entry.groups.map((g) => `${g.name} ${g.weight} (${g.healthy} healthy)`).join(", ");
}

/**
 * Entries before `since` (epoch ms) are skipped: the environment's initial weights are recorded when
 * the sandbox starts, before any instance has booted, and are not a change anyone made.
 */
export function weightInvariantViolations(history: WeightHistory, options: { since?: number; minHealthy?: number } = {}): InvariantViolation[] {
  const minHealthy = options.minHealthy ?? 1;
  const violations: InvariantViolation[] = [];
  for (const entry of history) {
    if (options.since !== undefined && entry.at < options.since) continue;
    for (const group of entry.groups) {
      if (group.weight > 0 && group.healthy < minHealthy) {
        violations.push({ at: entry.at, group: group.name, weight: group.weight, healthy: group.healthy, entry: describeEntry(entry) });
      }
    }
  }
  return violations;
}

/** The share (percent, rounded to 0.1) each target group has in one history entry. */
export function sharesOf(entry: WeightHistory[number]): Record<string, number> {
  const total = entry.groups.reduce((sum, g) => sum + g.weight, 0);
  return Object.fromEntries(entry.groups.map((g) => [g.name, total === 0 ? 0 : Math.round((g.weight / total) * 1000) / 10]));
}

/** The sequence of shares one group had over the history, consecutive repeats collapsed. */
export function shareSteps(history: WeightHistory, group: string): number[] {
  const steps: number[] = [];
  for (const entry of history) {
    const share = sharesOf(entry)[group] ?? 0;
    if (steps[steps.length - 1] !== share) steps.push(share);
  }
  return steps;
}
