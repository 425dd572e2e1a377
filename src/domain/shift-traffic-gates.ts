/**
 * The gates of a bake: each gate's watch at every tick (continuous monitoring, which may stop a bad
 * canary mid-bake) and each gate's check at the end. A failed gate throws AbortShift.
 */
import type { Slot } from "./environment";
import { AbortShift, type Gate, type GateContext, type TimelineEntry } from "./shift-traffic-plan";

export interface GatedBake {
  canaryStartedAt: number;
  to: Slot;
  from: Slot;
  loadBalancerArn: string;
  share: number;
  stepIndex: number;
  plannedLooks: number;
  timeline: TimelineEntry[];
  final: boolean;
  /** When the bake time ends (the looks may run later, once its metrics are published). */
  bakeEndedAt: number;
}

function contextOf(b: GatedBake, stepStartedAt: number, now: number): GateContext {
  return {
    stepIndex: b.stepIndex,
    plannedLooks: b.plannedLooks,
    share: b.share,
    stepStartedAt,
    bakeEndedAt: b.bakeEndedAt,
    canaryStartedAt: b.canaryStartedAt,
    now,
    final: b.final,
    canary: b.to,
    baseline: b.from,
    loadBalancerArn: b.loadBalancerArn,
  };
}

/** Every gate's watch, at one tick of the bake. A stop is put on the timeline and aborts. */
export async function watchGates(gates: Gate[], b: GatedBake, stepStartedAt: number, now: number, log: (line: string) => void): Promise<void> {
  for (const gate of gates) {
    if (!gate.watch) continue;
    const outcome = await gate.watch(contextOf(b, stepStartedAt, now));
    if (outcome.ok) continue;
    b.timeline.push({ at: now, share: b.share, event: "gate", detail: `${gate.name}: ${outcome.detail}` });
    const when = `${((now - stepStartedAt) / 1000).toFixed(1)}s into the bake${now > b.bakeEndedAt ? ` (its ${((b.bakeEndedAt - stepStartedAt) / 1000).toFixed(1)}s were over; waiting for its metrics to be published)` : ""}`;
    log(`${gate.name} at ${b.share}%, ${when}: failed — ${outcome.detail}`);
    throw new AbortShift(`${gate.name} failed at ${b.share}%, ${when}: ${outcome.detail}`);
  }
}

/** Every gate's check, at the end of the bake. */
export async function checkGates(gates: Gate[], b: GatedBake, stepStartedAt: number, now: () => number, log: (line: string) => void): Promise<void> {
  for (const gate of gates) {
    const outcome = await gate.check(contextOf(b, stepStartedAt, now()));
    b.timeline.push({ at: now(), share: b.share, event: "gate", detail: `${gate.name}: ${outcome.detail}` });
    log(`${gate.name} at ${b.share}%: ${outcome.ok ? "passed" : "failed"} — ${outcome.detail}`);
    if (!outcome.ok) throw new AbortShift(`${gate.name} failed at ${b.share}%: ${outcome.detail}`);
  }
}
