/**
 * An always-valid sequential test of a canary against its baseline for counts (errors of requests,
 * or requests slower than a threshold of requests): a mixture sequential probability ratio test
 * (mSPRT) on the events of each interval, conditioned on the interval's totals.
 *
 * In an interval where the canary served nC requests and the baseline nB, with e events between
 * them, the canary's share of those events is Binomial(e, p) with
 *
 *     p(θ) = θ·s / (θ·s + 1 − s),   s = nC / (nB + nC),   θ = canary rate / baseline rate.
 *
 * This holds whatever the common rate does over time (a baseline's incident raises both sides), so
 * the baseline is a live control. For each θ of a grid of alternatives beyond the null boundary θ0
 * (the allowed effect, 1.1 by default) the likelihood ratio against θ0 is a nonnegative
 * supermartingale under every θ ≤ θ0 (monotone likelihood ratio), and so is their average with fixed
 * weights summing to 1. Ville's inequality then bounds the chance that it EVER reaches 1/α, over any
 * number of looks and however the canary's share changes between intervals, by α. The always-valid p-value
 * is 1 / (the largest value reached so far), capped at 1.
 */
import type { Counts } from "../ports/metrics";

export type SequentialDirection = "increase" | "decrease" | "either";

export interface CountsInterval {
  baseline: Counts;
  canary: Counts;
}

export interface MixtureOptions {
  /** The false-alarm bound over every look of the test. */
  alpha: number;
  direction: SequentialDirection;
  /** Null boundary for `increase`: a canary rate at most this many times the baseline's is not a regression (1.1). */
  allowedIncrease: number;
  /** Null boundary for `decrease` (0.9). */
  allowedDecrease: number;
}

/**
 * Alternatives, as multiples of the null boundary: from a 25% worse rate to 30 times worse, with
 * their weights. Moderate effects (1.5x to 3x) weigh twice as much as the others: they are the
 * regressions that take the most evidence to see, where the weight's share of the threshold matters
 * most (a weight w costs about ln(1/w) of log likelihood ratio); large effects pile up evidence so
 * fast that a smaller weight costs them a failure or so.
 */
const GRID = [1.25, 1.5, 2, 3, 5, 10, 30];
const WEIGHTS = [1, 2, 2, 2, 1, 1, 1].map((w) => w / 10);

export interface MixtureState {
  /** Log likelihood ratio of each alternative (increase side first, then decrease side). */
  logLr: number[];
  /** Largest mixture value reached so far (1 at the start). */
  max: number;
  /** Intervals and totals taken in. */
  intervals: number;
  canary: Counts;
  baseline: Counts;
}

interface Alternative {
  theta: number;
  null: number;
  weight: number;
}

function alternatives(o: MixtureOptions): Alternative[] {
  const sides = o.direction === "either" ? 2 : 1;
  const up = GRID.map((g, i) => ({ theta: o.allowedIncrease * g, null: o.allowedIncrease, weight: WEIGHTS[i]! / sides }));
  const down = GRID.map((g, i) => ({ theta: o.allowedDecrease / g, null: o.allowedDecrease, weight: WEIGHTS[i]! / sides }));
  return o.direction === "increase" ? up : o.direction === "decrease" ? down : [...up, ...down];
}

export function checkMixtureOptions(o: MixtureOptions): void {
  if (!(o.alpha > 0 && o.alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${o.alpha}`);
  if (!(o.allowedIncrease >= 1)) throw new RangeError(`allowedIncrease must be >= 1, got ${o.allowedIncrease}`);
  if (!(o.allowedDecrease > 0 && o.allowedDecrease <= 1)) throw new RangeError(`allowedDecrease must be in (0, 1], got ${o.allowedDecrease}`);
}

export function startMixture(o: MixtureOptions): MixtureState {
  checkMixtureOptions(o);
  return { logLr: alternatives(o).map(() => 0), max: 1, intervals: 0, canary: { events: 0, total: 0 }, baseline: { events: 0, total: 0 } };
}

/** P(an event is the canary's) when the canary's rate is θ times the baseline's and its share of trials is s. */
function canaryShare(theta: number, s: number): number {
  return (theta * s) / (theta * s + 1 - s);
}

/** Value of the mixture: the weighted mean of the alternatives' likelihood ratios. */
export function mixtureValue(state: MixtureState, o: MixtureOptions): number {
  const alts = alternatives(o);
  let sum = 0;
  for (let i = 0; i < alts.length; i++) sum += alts[i]!.weight * Math.exp(Math.min(700, state.logLr[i]!));
  return sum;
}

function valid(c: Counts): boolean {
  return Number.isFinite(c.events) && Number.isFinite(c.total) && c.events >= 0 && c.total >= 0 && c.events <= c.total;
}

/**
 * Takes in one interval's counts (events and trials that happened in it, not running totals). An
 * interval with trials on only one side, or no events, carries no evidence and leaves the
 * statistic where it was. Returns a new state.
 */
export function updateMixture(state: MixtureState, interval: CountsInterval, o: MixtureOptions): MixtureState {
  const { baseline: b, canary: c } = interval;
  if (!valid(b) || !valid(c)) throw new RangeError(`invalid counts: baseline ${b.events}/${b.total}, canary ${c.events}/${c.total} (events must be between 0 and the total)`);
  const next: MixtureState = {
    logLr: [...state.logLr],
    max: state.max,
    intervals: state.intervals + 1,
    canary: { events: state.canary.events + c.events, total: state.canary.total + c.total },
    baseline: { events: state.baseline.events + b.events, total: state.baseline.total + b.total },
  };
  if (b.total <= 0 || c.total <= 0 || b.events + c.events === 0) return next;
  const s = c.total / (b.total + c.total);
  alternatives(o).forEach((a, i) => {
    const p = canaryShare(a.theta, s);
    const p0 = canaryShare(a.null, s);
    next.logLr[i]! += c.events * Math.log(p / p0) + b.events * Math.log((1 - p) / (1 - p0));
  });
  next.max = Math.max(next.max, mixtureValue(next, o));
  return next;
}

export interface MixtureDecision {
  /** The mixture likelihood ratio now. */
  statistic: number;
  /** 1 / alpha: the value at which the test rejects. */
  threshold: number;
  /** Always-valid p-value: 1 / the largest statistic so far, at most 1. */
  pValue: number;
  /** The statistic has reached the threshold: the canary is worse than the allowed effect. */
  rejected: boolean;
  /** Canary rate / baseline rate over everything taken in (null when undefined). */
  ratio: number | null;
}

export function decideMixture(state: MixtureState, o: MixtureOptions): MixtureDecision {
  const statistic = mixtureValue(state, o);
  const { baseline: b, canary: c } = state;
  const rb = b.total > 0 ? b.events / b.total : NaN;
  const rc = c.total > 0 ? c.events / c.total : NaN;
  const ratio = rb > 0 && Number.isFinite(rc) ? rc / rb : null;
  return { statistic, threshold: 1 / o.alpha, pValue: Math.min(1, 1 / state.max), rejected: state.max >= 1 / o.alpha, ratio };
}

/** Runs the test over a sequence of intervals; the index of the first interval at which it rejected, or -1. */
export function runMixture(intervals: CountsInterval[], o: MixtureOptions): { state: MixtureState; decision: MixtureDecision; stoppedAt: number } {
  let state = startMixture(o);
  let stoppedAt = -1;
  for (const [i, interval] of intervals.entries()) {
    state = updateMixture(state, interval, o);
    if (stoppedAt < 0 && state.max >= 1 / o.alpha) stoppedAt = i;
  }
  return { state, decision: decideMixture(state, o), stoppedAt };
}

function kl(p: number, q: number): number {
  const term = (a: number, b: number) => (a > 0 ? a * Math.log(a / b) : 0);
  return term(p, q) + term(1 - p, 1 - q);
}

/**
 * Wald's approximation of the expected number of events (errors on either side) the simple SPRT of
 * θ0 against the true θ1 needs to reject at error rates alpha and beta, and the expected number of
 * those that are the canary's (by Wald's identity, the events times p(θ1)). This is the least any
 * sequential test at these error rates needs on average: the benchmark's reference figure.
 */
export function sprtExpectedSize(s: number, theta0: number, theta1: number, alpha: number, beta: number): { events: number; canaryEvents: number } {
  const p0 = canaryShare(theta0, s);
  const p1 = canaryShare(theta1, s);
  const a = Math.log((1 - beta) / alpha);
  const b = Math.log(beta / (1 - alpha));
  const events = ((1 - beta) * a + beta * b) / kl(p1, p0);
  return { events, canaryEvents: events * p1 };
}
