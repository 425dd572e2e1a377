/**
 * The one waiting helper: polls a probe until it reports done, with a deadline, backoff with
 * jitter, an injectable clock, and a progress line with a label at a steady cadence.
 */
import type { Clock, Random } from "./clock";
import { errorMessage, isThrottling, OperationalError } from "./errors";

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
  /**
   * Back off only while nothing changes: a probe status different from the last one starts the delays
   * from `initialDelayMs` again, so a wait that is making progress keeps polling fast (and reacts to its
   * last step as soon as to the others) while a long plateau costs few API calls.
   */
  resetOnChange?: boolean;
  /** With resetOnChange: back off only once the wait has lasted this long (short waits keep the initial delay). */
  backoffAfterMs?: number;
}

/**
 * Reacts within a second of a condition becoming true (the longest delay, 800 ms, leaves room for the
 * last request), without repeating an identical read more than twice a second.
 */
export const fastPoll: PollPolicy = { initialDelayMs: 500, maxDelayMs: 800, factor: 1.3, jitter: 0.2, progressEveryMs: 5000 };

/** Shortest time between polls while a passing probe must hold. */
export const HOLD_POLL_MS = 1000;

/** A hold that broke: how long the probe had been done, and the status that broke it. */
export interface Lapse {
  heldMs: number;
  status: string;
}

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
  /**
   * Once the probe is done it must stay done this long, on every poll in between, before pollUntil
   * returns; a poll that is not done starts the wait for it again. 0 (the default) returns at once.
   */
  holdForMs?: number;
  /** Called when a hold breaks. */
  onLapse?: (lapse: Lapse) => void;
}

export class TimeoutError extends OperationalError {
  static override readonly kind: string = "TimeoutError";
  constructor(
    message: string,
    readonly lastStatus: string,
    /** With `holdForMs`: how long the probe had been done when time ran out (0 when it was not done). */
    readonly heldMs = 0,
  ) {
    super(message);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function nextDelay(attempt: number, policy: PollPolicy, random: Random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
  const spread = base * policy.jitter;
  return Math.max(0, Math.min(policy.maxDelayMs, base - spread + 2 * spread * random()));
}

/**
 * One poll. The account's API budget is shared: a poll throttled past the SDK's retries waits longer
 * (2 s, doubling to 10 s) and reports "throttled", so the caller polls again (until the timeout)
 * instead of failing the step.
 */
async function probeOrThrottled<T>(options: PollOptions<T>, deadline: number, throttled: { waitMs: number }): Promise<ProbeResult<T> | "throttled"> {
  try {
    const result = await options.probe();
    throttled.waitMs = 0;
    return result;
  } catch (error) {
    if (!isThrottling(error) || options.clock.now() >= deadline) throw error;
    const wait = (throttled.waitMs = Math.min(10_000, Math.max(2_000, throttled.waitMs * 2)));
    options.log(`${options.label}: throttled by AWS (${errorMessage(error)}); polling again in ${seconds(wait)}`);
    await options.clock.sleep(Math.min(wait * (0.75 + 0.5 * options.random()), Math.max(0, deadline - options.clock.now())), options.signal);
    return "throttled";
  }
}

/** The last status of a probe that was done, for resetOnChange (no probe status is a symbol). */
const PASSING = Symbol("passing");

export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  const policy = options.policy ?? fastPoll;
  const holdForMs = options.holdForMs ?? 0;
  const { clock } = options;
  const start = clock.now();
  const deadline = start + options.timeoutMs;
  let lastProgress = start;
  let doneSince: number | undefined;
  let previous: string | typeof PASSING | undefined;
  const throttled = { waitMs: 0 };
  for (let attempt = 0; ; attempt++) {
    const result = await probeOrThrottled(options, deadline, throttled);
    if (result === "throttled") {
      attempt--;
      continue;
    }
    if (policy.resetOnChange) {
      // A hold that breaks is a change too: the wait after it starts from the initial delay.
      if (!result.done && previous !== undefined && result.status !== previous) attempt = 0;
      previous = result.done ? PASSING : result.status;
    }
    const now = clock.now();
    let lastStatus: string;
    let heldMs = 0;
    if (result.done) {
      if (holdForMs <= 0) return result.value;
      if (doneSince === undefined) {
        doneSince = now;
        options.log(`${options.label}: passing; it must keep passing for ${seconds(holdForMs)} (stable-for) (${seconds(now - start)} elapsed)`);
        lastProgress = now;
      }
      heldMs = now - doneSince;
      if (heldMs >= holdForMs) return result.value;
      lastStatus = `passing for ${seconds(heldMs)} of the ${seconds(holdForMs)} it must hold`;
    } else {
      lastStatus = result.status;
      if (doneSince !== undefined) {
        const held = now - doneSince;
        doneSince = undefined;
        options.onLapse?.({ heldMs: held, status: result.status });
        options.log(`${options.label}: stopped passing after ${seconds(held)} of the ${seconds(holdForMs)} it must hold: ${result.status}. Waiting for it to pass again.`);
        lastProgress = now;
      }
    }
    if (attempt === 0 || now - lastProgress >= policy.progressEveryMs) {
      options.log(`${options.label}: ${lastStatus} (${seconds(now - start)} elapsed)`);
      lastProgress = now;
    }
    if (now >= deadline) {
      throw new TimeoutError(`${options.label}: not done after ${Math.round(options.timeoutMs / 1000)}s. Last status: ${lastStatus}`, lastStatus, heldMs);
    }
    // While holding, reacting within a second matters less than not repeating an identical read
    // within one: polls are 1.0–1.2 s apart.
    const backingOff = !policy.resetOnChange || now - start >= (policy.backoffAfterMs ?? 0);
    const wanted = doneSince === undefined ? nextDelay(backingOff ? attempt : 0, policy, options.random) : HOLD_POLL_MS * (1 + 0.2 * options.random());
    // A backed-off delay never pushes the next progress line past its cadence.
    const untilProgress = policy.resetOnChange ? Math.max(HOLD_POLL_MS, lastProgress + policy.progressEveryMs - now) : Infinity;
    await clock.sleep(Math.min(wanted, untilProgress, deadline - now), options.signal);
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
