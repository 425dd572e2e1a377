/**
 * The one waiting helper: polls a probe until it reports done, with a deadline, backoff with
 * jitter, an injectable clock, and a progress line with a label at a steady cadence.
 */
import type { Clock, Random } from "./clock";
import { OperationalError } from "./errors";

export interface PollPolicy {
  /** First delay between polls, in ms. */
  initialDelayMs: number;
  /** Longest delay between polls, in ms. Keep at or under 1000 to react within a second. */
  maxDelayMs: number;
  /** Multiplier applied to the delay after each poll that is not done. */
  factor: number;
  /** Fraction of each delay that is randomised (0 = none, 0.2 = ±20%). */
  jitter: number;
  /** How often a progress line is logged, in ms. */
  progressEveryMs: number;
}

/**
 * Reacts within a second of a condition becoming true (the longest delay, 800 ms, leaves room for the
 * last request), without repeating an identical read more than twice a second.
 */
export const fastPoll: PollPolicy = { initialDelayMs: 500, maxDelayMs: 800, factor: 1.3, jitter: 0.2, progressEveryMs: 5000 };

export type ProbeResult<T> = { done: true; value: T } | { done: false; status: string };

export interface PollOptions<T> {
  label: string;
  probe: () => Promise<ProbeResult<T>>;
  timeoutMs: number;
  clock: Clock;
  random: Random;
  log: (line: string) => void;
  policy?: PollPolicy;
  signal?: AbortSignal;
}

export class TimeoutError extends OperationalError {
  constructor(
    message: string,
    readonly lastStatus: string,
  ) {
    super(message);
  }
}

export function nextDelay(attempt: number, policy: PollPolicy, random: Random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
  const spread = base * policy.jitter;
  return Math.max(0, Math.min(policy.maxDelayMs, base - spread + 2 * spread * random()));
}

export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  const policy = options.policy ?? fastPoll;
  const { clock } = options;
  const start = clock.now();
  const deadline = start + options.timeoutMs;
  let lastProgress = start;
  for (let attempt = 0; ; attempt++) {
    const result = await options.probe();
    if (result.done) return result.value;
    const lastStatus = result.status;
    const now = clock.now();
    const elapsed = ((now - start) / 1000).toFixed(1);
    if (attempt === 0 || now - lastProgress >= policy.progressEveryMs) {
      options.log(`${options.label}: ${lastStatus} (${elapsed}s elapsed)`);
      lastProgress = now;
    }
    if (now >= deadline) {
      throw new TimeoutError(
        `${options.label}: not done after ${Math.round(options.timeoutMs / 1000)}s. Last status: ${lastStatus}`,
        lastStatus,
      );
    }
    const delay = Math.min(nextDelay(attempt, policy, options.random), deadline - now);
    await clock.sleep(delay, options.signal);
  }
}

/** Sleeps `ms`, logging the time left every `everyMs`; aborts with the signal. */
export async function sleepWithProgress(label: string, ms: number, clock: Clock, log: (line: string) => void, signal?: AbortSignal, everyMs = 5000): Promise<void> {
  const end = clock.now() + ms;
  for (;;) {
    const left = end - clock.now();
    if (left <= 0) return;
    if (left > everyMs) log(`${label} in ${Math.ceil(left / 1000)}s`);
    await clock.sleep(Math.min(left, everyMs), signal);
  }
}
