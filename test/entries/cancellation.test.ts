import { describe, expect, it } from "vitest";
import { CancelledError, createCancellation, DeadlineError, RestoreWindowError, type Schedule } from "../../src/runtime/cancellation";

/** Timers that run only when the test says time has passed. */
function manualTimers(): { schedule: Schedule; advance(ms: number): void; pending(): number } {
  let now = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  let next = 0;
  return {
    schedule: (run, ms) => {
      const id = next++;
      timers.set(id, { at: now + ms, run });
      return () => timers.delete(id);
    },
    advance(ms) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) {
          timers.delete(id);
          t.run();
        }
      }
    },
    pending: () => timers.size,
  };
}

describe("createCancellation", () => {
  it("gives AWS calls the step's signal, then after cancellation one shared restore window", () => {
    const timers = manualTimers();
    const stops: Error[] = [];
    const c = createCancellation({ schedule: timers.schedule, restoreWindowMs: 3000, onStop: (e) => stops.push(e) });
    const before = c.callSignal();
    expect(before).toBe(c.signal);
    c.cancel(new CancelledError("SIGTERM"));
    expect(before.aborted).toBe(true);
    expect(before.reason).toBeInstanceOf(CancelledError);
    const during = c.callSignal();
    expect(during.aborted).toBe(false);
    c.cancel(new CancelledError("SIGINT"));
    expect(stops.map((e) => e.message)).toEqual(["cancelled by SIGTERM"]);
    timers.advance(2999);
    expect(during.aborted).toBe(false);
    timers.advance(1);
    expect(during.aborted).toBe(true);
    expect(during.reason).toBeInstanceOf(RestoreWindowError);
    expect((during.reason as Error).message).toBe("the 3s allowed to put the environment back after the step was stopped (cancelled by SIGTERM) passed");
    expect(c.callSignal()).toBe(during);
  });

  it("stops the step at its deadline, which a later call replaces", () => {
    const timers = manualTimers();
    const c = createCancellation({ schedule: timers.schedule });
    c.deadline(5000);
    timers.advance(4000);
    c.deadline(5000);
    timers.advance(4000);
    expect(c.signal.aborted).toBe(false);
    timers.advance(1000);
    expect(c.signal.aborted).toBe(true);
    expect(c.signal.reason).toBeInstanceOf(DeadlineError);
    expect((c.signal.reason as Error).message).toBe("the step's time limit of 5s passed");
  });

  it("follows an outer signal, and dispose clears every timer", () => {
    const timers = manualTimers();
    const outer = new AbortController();
    const c = createCancellation({ outer: outer.signal, schedule: timers.schedule });
    c.deadline(60_000);
    outer.abort(new Error("test stop"));
    expect(c.signal.aborted).toBe(true);
    expect((c.signal.reason as Error).message).toBe("test stop");
    expect(timers.pending()).toBe(2);
    c.dispose();
    expect(timers.pending()).toBe(0);
    expect(createCancellation({ outer: AbortSignal.abort(new Error("already")) }).signal.aborted).toBe(true);
  });
});
