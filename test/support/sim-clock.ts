/**
 * A simulated clock for concurrent tasks: sleeping registers a timer, and `run` moves time to the
 * earliest timer only once every task is waiting, so tasks interleave by simulated time, as
 * processes would, deterministically and at once.
 */
import type { Clock } from "../../src/util/clock";

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SimClock implements Clock {
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;

  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve) => this.timers.push({ at: this.current + Math.max(0, ms), seq: this.seq++, resolve }));
  }

  /** Runs the tasks to the end, advancing time whenever all of them wait. */
  async run<T>(tasks: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
    let done = false;
    const all = Promise.allSettled(tasks).then((r) => {
      done = true;
      return r;
    });
    while (!done) {
      await settle();
      if (done) break;
      if (this.timers.length === 0) throw new Error("SimClock: every task waits on something other than time");
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.current = Math.max(this.current, next.at);
      next.resolve();
    }
    return all;
  }
}

/** A seeded PRNG (mulberry32): the same seed gives the same trial. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
