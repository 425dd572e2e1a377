import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/util/clock";
import { pollUntil, type ProbeResult, TimeoutError } from "../../src/util/wait";

/** A probe that answers from a script of done/not-done by poll, then repeats the last answer. */
function scripted(script: boolean[]): { probe: () => Promise<ProbeResult<string>>; polls: () => number } {
  let polls = 0;
  return {
    probe: async () => {
      const done = script[Math.min(polls, script.length - 1)]!;
      polls++;
      return done ? { done: true, value: `poll ${polls}` } : { done: false, status: `failing at poll ${polls}` };
    },
    polls: () => polls,
  };
}

const noJitter = () => 0.5;

describe("pollUntil", () => {
  it("returns on the first done poll when nothing must hold", async () => {
    const clock = new ManualClock();
    const p = scripted([false, false, true]);
    await expect(pollUntil({ label: "x", probe: p.probe, timeoutMs: 10_000, clock, random: noJitter, log: () => {} })).resolves.toBe("poll 3");
  });

  it("with holdForMs, keeps polling until the probe has been done that long", async () => {
    const clock = new ManualClock();
    const start = clock.now();
    const lines: string[] = [];
    const p = scripted([false, true]);
    const value = await pollUntil({ label: "gate", probe: p.probe, timeoutMs: 60_000, clock, random: noJitter, log: (l) => lines.push(l), holdForMs: 5_000 });
    // Done since poll 2; returned on the first poll at least 5 s later, polling 1.0–1.2 s apart meanwhile.
    expect(p.polls()).toBeGreaterThanOrEqual(6);
    expect(clock.sleeps.slice(1).every((ms) => ms >= 1000 && ms <= 1200)).toBe(true);
    expect(clock.now() - start).toBeGreaterThanOrEqual(5_000);
    expect(value).toBe(`poll ${p.polls()}`);
    expect(lines.some((l) => /gate: passing; it must keep passing for 5\.0s \(stable-for\)/.test(l))).toBe(true);
  });

  it("starts the hold again when a poll fails in between, and reports the lapse", async () => {
    const clock = new ManualClock();
    const lapses: [number, string][] = [];
    const lines: string[] = [];
    // Done on polls 2–4, failing on 5, done from 6 on.
    const p = scripted([false, true, true, true, false, true]);
    await pollUntil({ label: "gate", probe: p.probe, timeoutMs: 60_000, clock, random: noJitter, log: (l) => lines.push(l), holdForMs: 5_000, onLapse: ({ heldMs, status }) => lapses.push([heldMs, status]) });
    expect(lapses).toHaveLength(1);
    expect(lapses[0]![1]).toBe("failing at poll 5");
    expect(lapses[0]![0]).toBeGreaterThan(0);
    expect(lapses[0]![0]).toBeLessThan(5_000);
    expect(lines.some((l) => /stopped passing after \d+\.\ds of the 5\.0s it must hold: failing at poll 5/.test(l))).toBe(true);
  });

  it("times out when the probe never holds long enough, saying how long it held", async () => {
    const clock = new ManualClock();
    // Passes for one poll in three, forever.
    let polls = 0;
    const probe = async (): Promise<ProbeResult<void>> => (++polls % 3 === 0 ? { done: true, value: undefined } : { done: false, status: "flapping" });
    const error = await pollUntil({ label: "gate", probe, timeoutMs: 20_000, clock, random: noJitter, log: () => {}, holdForMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(/^gate: not done after 20s\. Last status: /);
  });

  it("times out while holding: the error carries the time held", async () => {
    const clock = new ManualClock();
    const p = scripted([false, false, false, false, false, false, false, false, false, false, false, true]);
    const error = (await pollUntil({ label: "gate", probe: p.probe, timeoutMs: 10_000, clock, random: noJitter, log: () => {}, holdForMs: 60_000 }).catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.heldMs).toBeGreaterThan(0);
    expect(error.heldMs).toBeLessThan(10_000);
    expect(error.lastStatus).toMatch(/^passing for \d+\.\ds of the 60\.0s it must hold$/);
  });

  it("with resetOnChange, backs off while the status stays the same and polls fast again after a change", async () => {
    const clock = new ManualClock();
    const statuses = ["0 of 2", "0 of 2", "0 of 2", "0 of 2", "0 of 2", "1 of 2", "1 of 2"];
    let polls = 0;
    const probe = async (): Promise<ProbeResult<string>> => {
      const status = statuses[polls++];
      return status ? { done: false, status } : { done: true, value: "serving" };
    };
    const policy = { initialDelayMs: 1100, maxDelayMs: 2000, factor: 1.25, jitter: 0, progressEveryMs: 5000, resetOnChange: true };
    await pollUntil({ label: "fleet", probe, timeoutMs: 60_000, clock, random: noJitter, log: () => {}, policy });
    const gaps = clock.sleeps;
    // 1.1, 1.375, 1.72, then the 2 s cap while "0 of 2" lasts; back to 1.1 s after "1 of 2".
    expect(gaps.slice(0, 3).map((ms) => Math.round(ms))).toEqual([1100, 1375, 1719]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2000);
    expect(Math.round(gaps[5]!)).toBe(1100);
  });

  it("with resetOnChange, never lets a backed-off delay push the progress line past its cadence", async () => {
    const clock = new ManualClock();
    const lines: number[] = [];
    const start = clock.now();
    const policy = { initialDelayMs: 1000, maxDelayMs: 4000, factor: 2, jitter: 0, progressEveryMs: 5000, resetOnChange: true };
    await expect(
      pollUntil({ label: "x", probe: async () => ({ done: false, status: "same" }), timeoutMs: 30_000, clock, random: noJitter, log: () => lines.push(clock.now() - start), policy }),
    ).rejects.toBeInstanceOf(TimeoutError);
    for (let i = 1; i < lines.length; i++) expect(lines[i]! - lines[i - 1]!).toBeLessThanOrEqual(5000);
  });

  it("waits longer and polls again when a poll is throttled past the SDK's retries, instead of failing", async () => {
    const clock = new ManualClock();
    const lines: string[] = [];
    let polls = 0;
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: {} });
    const probe = async (): Promise<ProbeResult<string>> => {
      polls++;
      if (polls <= 2) throw new Error("Reading the target health: ThrottlingException: Rate exceeded", { cause: throttled });
      return { done: true, value: "healthy" };
    };
    await expect(pollUntil({ label: "gate", probe, timeoutMs: 60_000, clock, random: noJitter, log: (l) => lines.push(l) })).resolves.toBe("healthy");
    expect(clock.sleeps).toEqual([2000, 4000]);
    expect(lines[0]).toMatch(/^gate: throttled by AWS \(.*Rate exceeded\); polling again in 2\.0s$/);
    // Any other error still ends the wait.
    await expect(pollUntil({ label: "gate", probe: async () => Promise.reject(new Error("AccessDenied")), timeoutMs: 60_000, clock, random: noJitter, log: () => {} })).rejects.toThrow("AccessDenied");
  });
});
