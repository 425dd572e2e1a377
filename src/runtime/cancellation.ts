/**
 * How a step is stopped: GitHub cancels a job with SIGINT, then SIGTERM 7.5 s later, then SIGKILL;
 * a step may also have a deadline of its own. Either aborts the step's signal at once, which aborts
 * the AWS calls in flight. The calls made after that (putting the environment back) get one short
 * window, shared by all of them, so a step that was stopped still restores, and still ends soon
 * even when AWS does not answer.
 */

import { setMaxListeners } from "node:events";
import { SuiteError } from "../util/errors";

const MAX_LISTENERS = 1000;

/** How long the calls that put the environment back may take, all together, once a step is stopped. */
export const RESTORE_WINDOW_MS = 3_000;

export class CancelledError extends SuiteError {
  static override readonly kind: string = "CancelledError";
  override readonly name = "CancelledError";
  constructor(readonly signal: string) {
    super(`cancelled by ${signal}`);
  }
}

/** The step's deadline passed. */
export class DeadlineError extends SuiteError {
  static override readonly kind: string = "DeadlineError";
  override readonly name = "DeadlineError";
  constructor(readonly ms: number) {
    super(`the step's time limit of ${formatMs(ms)} passed`);
  }
}

/** The window to put the environment back, after the step was stopped, passed. */
export class RestoreWindowError extends SuiteError {
  static override readonly kind: string = "RestoreWindowError";
  override readonly name = "RestoreWindowError";
  constructor(ms: number, cause: unknown) {
    super(`the ${formatMs(ms)} allowed to put the environment back after the step was stopped (${cause instanceof Error ? cause.message : String(cause)}) passed`);
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms} ms`;
}

/** Starts a timer that does not keep the process alive; returns its cancel. */
export type Schedule = (run: () => void, ms: number) => () => void;

const unrefTimer: Schedule = (run, ms) => {
  const timer = setTimeout(run, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export interface Cancellation {
  /** Aborted when the step is stopped: cancelled, or past its deadline. */
  readonly signal: AbortSignal;
  /** The signal for the next AWS call: the step's signal until it aborts; then the restore window's. */
  callSignal(): AbortSignal;
  /** Arms the step's deadline, `ms` from now (a later call replaces it). */
  deadline(ms: number): void;
  /** Stops the step (as SIGINT/SIGTERM do). */
  cancel(reason: Error): void;
  /** Removes the timers. */
  dispose(): void;
}

export interface CancellationOptions {
  /** Another signal that stops the step (tests). */
  outer?: AbortSignal | undefined;
  restoreWindowMs?: number;
  schedule?: Schedule;
  /** Told once, when the step is stopped. */
  onStop?: (reason: Error) => void;
}

export function createCancellation(options: CancellationOptions = {}): Cancellation {
  const schedule = options.schedule ?? unrefTimer;
  const windowMs = options.restoreWindowMs ?? RESTORE_WINDOW_MS;
  const step = new AbortController();
  const restore = new AbortController();
  // Every AWS call and provider request in flight listens to these; many at once is not a leak.
  setMaxListeners(MAX_LISTENERS, step.signal, restore.signal);
  const timers = new Set<() => void>();
  let stopDeadline: (() => void) | undefined;
  const cancel = (reason: Error) => {
    if (step.signal.aborted) return;
    options.onStop?.(reason);
    step.abort(reason);
    const stopWindow = schedule(() => restore.abort(new RestoreWindowError(windowMs, reason)), windowMs);
    timers.add(stopWindow);
  };
  const outer = options.outer;
  if (outer?.aborted) cancel(asError(outer.reason));
  else outer?.addEventListener("abort", () => cancel(asError(outer.reason)), { once: true });
  return {
    signal: step.signal,
    callSignal: () => (step.signal.aborted ? restore.signal : step.signal),
    deadline(ms) {
      if (stopDeadline) timers.delete(stopDeadline);
      stopDeadline?.();
      stopDeadline = schedule(() => cancel(new DeadlineError(ms)), ms);
      timers.add(stopDeadline);
    },
    cancel,
    dispose() {
      for (const stop of timers) stop();
      timers.clear();
    },
  };
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason ?? "aborted"));
}

/**
 * SIGINT and SIGTERM stop the step until it has finished. Once it has finished after being stopped,
 * the process exits within 200 ms even if a timer (an SDK retry wait) would keep it alive.
 */
export function stopOnSignals(cancellation: Cancellation, warn: (line: string) => void): { finished(): void } {
  const onSignal = (signal: NodeJS.Signals) => {
    if (cancellation.signal.aborted) return;
    warn(`Received ${signal}: the job is being cancelled. Putting the environment back in a safe state.`);
    cancellation.cancel(new CancelledError(signal));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    finished() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      cancellation.dispose();
      if (cancellation.signal.aborted) setTimeout(() => process.exit(), 200).unref();
    },
  };
}
