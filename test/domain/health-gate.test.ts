import { describe, expect, it } from "vitest";
import type { EnvironmentPorts } from "../../src/domain/environment";
import { type GatePlan, resolveGateTargetGroups, runHealthGate } from "../../src/domain/health-gate";
import type { HttpCheckSpec } from "../../src/domain/http-check";
import type { Fetch } from "../../src/util/node-fetch";
import type { TargetHealthEntry } from "../../src/ports/load-balancer";
import { ManualClock } from "../../src/util/clock";
import { ConfigurationError } from "../../src/util/errors";
import { BLUE_ARN, FakeElb, GREEN_ARN, healthy, LISTENER_ARN, unhealthy } from "../support/fake-elb";

const ALL = { minHealthy: { kind: "count", value: 1 }, requireAll: true } as const;

function plan(overrides: Partial<GatePlan> = {}): GatePlan {
  return { targetGroupArns: [GREEN_ARN], requirement: ALL, http: [], timeoutMs: 60_000, ...overrides };
}

function setup() {
  const clock = new ManualClock();
  const elb = new FakeElb();
  const lines: string[] = [];
  const deps = { targetGroups: elb, clock, random: () => 0.5, log: (line: string) => lines.push(line) };
  return { clock, elb, lines, deps, start: clock.now() };
}

function initial(n: number): TargetHealthEntry[] {
  return Array.from({ length: n }, (_, i) => ({ id: `i-new${i}`, port: 80, state: "initial" as const, reason: "Elb.InitialHealthChecking", description: "Initial health checks in progress" }));
}

describe("runHealthGate on target health", () => {
  it("succeeds on the first poll after the targets turn healthy, within a second of injected time", async () => {
    const { clock, elb, deps, start } = setup();
    const turnsHealthyAt = start + 7_300;
    const polls: { at: number; healthy: boolean }[] = [];
    elb.healthOf.set(GREEN_ARN, () => {
      const ok = clock.now() >= turnsHealthyAt;
      polls.push({ at: clock.now(), healthy: ok });
      return ok ? healthy(2, "i-green") : initial(2);
    });

    const result = await runHealthGate(plan(), deps);

    expect(result.healthy).toBe(true);
    const success = polls[polls.length - 1]!;
    const lastUnhealthy = polls[polls.length - 2]!;
    expect(success.healthy).toBe(true);
    expect(lastUnhealthy.healthy).toBe(false);
    expect(success.at - lastUnhealthy.at).toBeLessThanOrEqual(1000);
    expect(success.at - turnsHealthyAt).toBeLessThanOrEqual(1000);
    expect(polls.filter((p) => p.healthy)).toHaveLength(1);
    expect(result.polls).toBe(polls.length);
    expect(result.healthyCount).toBe(2);
    expect(result.checks).toEqual([{ kind: "target-group", target: GREEN_ARN, ok: true, detail: "2/2 healthy (1 required)" }]);
  });

  it("times out with the ELB reason codes and descriptions of the unhealthy targets", async () => {
    const { elb, deps, start, clock } = setup();
    elb.healthOf.set(GREEN_ARN, [...healthy(1, "i-green"), ...unhealthy(1)]);

    const result = await runHealthGate(plan({ timeoutMs: 10_000 }), deps);

    expect(result.healthy).toBe(false);
    expect(clock.now() - start).toBe(10_000);
    expect(result.reason).toContain("not healthy after 10.0s (timeout 10s)");
    expect(result.reason).toContain("web-green: 1/2 healthy, 1 required and all registered");
    expect(result.reason).toContain("i-u0000:80 unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [503])");
    expect(result.checks[0]).toMatchObject({ kind: "target-group", ok: false });
    expect(result.checks[0]!.detail).toContain("Target.ResponseCodeMismatch");
    expect(result.healthyCount).toBe(1);
  });

  it("logs what it waits for, how many are healthy and the time elapsed, at least every 5 s", async () => {
    const { elb, deps, lines } = setup();
    elb.healthOf.set(GREEN_ARN, [...healthy(1, "i-green"), ...initial(1)]);

    await runHealthGate(plan({ timeoutMs: 30_000 }), deps);

    expect(lines[0]).toMatch(/^health gate: waiting for every target of web-green healthy \(at least 1\): web-green: 1\/2 healthy, .*Elb\.InitialHealthChecking.*\(0\.0s elapsed\)$/);
    const elapsed = lines.map((l) => Number(/\((\d+\.\d)s elapsed\)$/.exec(l)?.[1]));
    expect(elapsed.every(Number.isFinite)).toBe(true);
    expect(elapsed.length).toBeGreaterThanOrEqual(6);
    for (let i = 1; i < elapsed.length; i++) expect(elapsed[i]! - elapsed[i - 1]!).toBeLessThanOrEqual(5);
  });

  it("asks for at least min-healthy targets as a count", async () => {
    const { elb, deps } = setup();
    elb.healthOf.set(GREEN_ARN, healthy(2, "i-green"));

    const short = await runHealthGate(plan({ timeoutMs: 3_000, requirement: { minHealthy: { kind: "count", value: 3 }, requireAll: true } }), deps);
    const enough = await runHealthGate(plan({ requirement: { minHealthy: { kind: "count", value: 2 }, requireAll: true } }), deps);

    expect(short.healthy).toBe(false);
    expect(short.reason).toContain("web-green: 2/2 healthy, 3 required and all registered");
    expect(enough.healthy).toBe(true);
  });

  it("asks for min-healthy as a percentage of the registered targets, and never for none", async () => {
    const { elb, deps } = setup();
    const half = { minHealthy: { kind: "percent", value: 50 }, requireAll: true } as const;
    elb.healthOf.set(GREEN_ARN, healthy(5, "i-green"));
    elb.healthOf.set(BLUE_ARN, []);

    const five = await runHealthGate(plan({ requirement: half }), deps);
    const empty = await runHealthGate(plan({ targetGroupArns: [BLUE_ARN], requirement: half, timeoutMs: 2_000 }), deps);

    expect(five.healthy).toBe(true);
    expect(five.targetGroups[0]!.required).toBe(3);
    expect(five.checks[0]!.detail).toBe("5/5 healthy (3 required)");
    expect(empty.healthy).toBe(false);
    expect(empty.reason).toContain("web-blue: no registered targets (1 healthy required)");
  });

  it("leaves draining targets out of the count", async () => {
    const { elb, deps } = setup();
    const draining: TargetHealthEntry = { id: "i-old", port: 80, state: "draining", reason: "Target.DeregistrationInProgress", description: "Target deregistration is in progress" };
    elb.healthOf.set(GREEN_ARN, [...healthy(2, "i-green"), draining]);

    const result = await runHealthGate(plan(), deps);

    expect(result.healthy).toBe(true);
    expect(result.targetGroups[0]).toMatchObject({ registered: 2, healthy: 2 });
    expect(result.healthyCount).toBe(2);
  });

  it("checks several target groups and adds up their healthy targets", async () => {
    const { elb, deps } = setup();
    elb.healthOf.set(BLUE_ARN, healthy(3, "i-blue"));
    elb.healthOf.set(GREEN_ARN, healthy(2, "i-green"));

    const result = await runHealthGate(plan({ targetGroupArns: [BLUE_ARN, GREEN_ARN] }), deps);

    expect(result.healthy).toBe(true);
    expect(result.healthyCount).toBe(5);
    expect(result.checks.map((c) => c.target)).toEqual([BLUE_ARN, GREEN_ARN]);
  });

  it("refuses a plan with nothing to check", async () => {
    const { deps } = setup();
    await expect(runHealthGate(plan({ targetGroupArns: [] }), deps)).rejects.toThrow(ConfigurationError);
  });

  it("fails with context when the load balancer refuses to describe a target group", async () => {
    const { elb, deps } = setup();
    elb.failures.push({ op: "health", error: Object.assign(new Error("One or more target groups not found"), { Code: "TargetGroupNotFound" }) });

    await expect(runHealthGate(plan(), deps)).rejects.toThrow("reading the target health of web-green: TargetGroupNotFound: One or more target groups not found");
  });
});

describe("runHealthGate with HTTP checks", () => {
  function http(overrides: Partial<HttpCheckSpec> = {}): HttpCheckSpec {
    return { url: "http://127.0.0.1:9/health", expectedStatus: [{ min: 200, max: 200 }], expectJson: [], requestTimeoutMs: 5000, consecutiveSuccesses: 3, headers: [], ...overrides };
  }

  it("needs the HTTP streak and the target health at the same time, and makes no ELB call for URLs alone", async () => {
    const { clock, elb, deps, start } = setup();
    const answers: { at: number; status: number }[] = [];
    const fetch: Fetch = async () => {
      const status = clock.now() - start < 3_000 ? 503 : 200;
      answers.push({ at: clock.now(), status });
      return new Response(status === 200 ? '{"status":"healthy"}' : "starting", { status });
    };
    elb.healthOf.set(GREEN_ARN, () => (clock.now() - start < 1_000 ? initial(1) : healthy(1, "i-green")));

    const both = await runHealthGate(plan({ http: [http()] }), { ...deps, fetch });

    expect(both.healthy).toBe(true);
    expect(answers.slice(-3).map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers[answers.length - 4]!.status).toBe(503);
    expect(both.checks.map((c) => [c.kind, c.ok])).toEqual([
      ["target-group", true],
      ["http", true],
    ]);
    expect(both.checks[1]!.detail).toMatch(/^200 in 0 ms \(3\/3 in a row\)$/);

    const calls = elb.calls.length;
    const alone = await runHealthGate(plan({ targetGroupArns: [], http: [http()] }), { clock, random: () => 0.5, log: () => undefined, fetch });
    expect(alone.healthy).toBe(true);
    expect(alone.healthyCount).toBe(0);
    expect(elb.calls.length).toBe(calls);
  });

  it("times out with the HTTP status, the body excerpt and the last failure", async () => {
    const { deps } = setup();
    let n = 0;
    const fetch: Fetch = async () => (++n % 2 === 0 ? new Response("ok", { status: 200 }) : new Response('{"db":"down"}', { status: 503 }));

    const result = await runHealthGate(plan({ targetGroupArns: [], http: [http({ consecutiveSuccesses: 2 })], timeoutMs: 5_000 }), { ...deps, fetch });

    expect(result.healthy).toBe(false);
    expect(result.reason).toContain('http://127.0.0.1:9/health: ');
    expect(result.reason).toContain('status 503, expected 200; body: {"db":"down"}');
    expect(result.checks).toHaveLength(1);
    expect(result.checks[0]).toMatchObject({ kind: "http", target: "http://127.0.0.1:9/health", ok: false });
  });
});

describe("runHealthGate with stable-for", () => {
  it("auto: holds for twice the target group's interval × unhealthy threshold before it passes", async () => {
    const { clock, elb, deps, lines, start } = setup();
    elb.healthChecks.set(GREEN_ARN, { enabled: true, intervalSeconds: 5, unhealthyThreshold: 3 });
    const result = await runHealthGate(plan({ stableFor: { kind: "auto" } }), deps);
    expect(result.healthy).toBe(true);
    expect(result.stableForMs).toBe(30_000);
    expect(result.stableForWhy).toBe("stable-for auto: twice the 15s web-green can take to mark a failed target unhealthy (3 failed checks 5s apart)");
    expect(clock.now() - start).toBeGreaterThanOrEqual(30_000);
    expect(clock.now() - start).toBeLessThan(31_500);
    expect(lines[0]).toBe("health gate: once everything passes, it must keep passing for 30s (stable-for auto: twice the 15s web-green can take to mark a failed target unhealthy (3 failed checks 5s apart)).");
  });

  it("auto: the slowest of several target groups sets the window", async () => {
    const { elb, deps } = setup();
    elb.healthChecks.set(GREEN_ARN, { enabled: true, intervalSeconds: 5, unhealthyThreshold: 2 });
    elb.healthChecks.set(BLUE_ARN, { enabled: true, intervalSeconds: 30, unhealthyThreshold: 2 });
    const result = await runHealthGate(plan({ targetGroupArns: [GREEN_ARN, BLUE_ARN], stableFor: { kind: "auto" }, timeoutMs: 180_000 }), deps);
    expect(result.stableForMs).toBe(120_000);
  });

  it("auto with URLs only: no extra wait and no ELB call", async () => {
    const { elb, deps } = setup();
    const fetch: Fetch = async () => new Response("ok", { status: 200 });
    const http: HttpCheckSpec = { url: "http://127.0.0.1:9/health", expectedStatus: [{ min: 200, max: 200 }], expectJson: [], requestTimeoutMs: 1000, consecutiveSuccesses: 2, headers: [] };
    const result = await runHealthGate(plan({ targetGroupArns: [], http: [http], stableFor: { kind: "auto" } }), { ...deps, fetch });
    expect(result.healthy).toBe(true);
    expect(result.stableForMs).toBe(0);
    expect(elb.calls).toEqual([]);
  });

  it("refuses before polling when the window cannot fit in the timeout", async () => {
    const { elb, deps } = setup();
    elb.healthChecks.set(GREEN_ARN, { enabled: true, intervalSeconds: 30, unhealthyThreshold: 2 });
    const error = await runHealthGate(plan({ stableFor: { kind: "auto" }, timeoutMs: 90_000 }), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/must hold for 120s once it passes .* does not fit in timeout 90s/);
    expect(elb.calls.filter((c) => c.op === "health")).toEqual([]);
  });

  it("a fleet that passes and then fails again never passes the gate, and the reason says so", async () => {
    const { clock, elb, deps, start } = setup();
    // Healthy for 2 s out of every 6 s: each hold of 10 s is broken.
    elb.healthOf.set(GREEN_ARN, () => (((clock.now() - start) % 6_000) < 2_000 ? healthy(2, "i-green") : [...healthy(1, "i-green"), ...unhealthy(1)]));
    const result = await runHealthGate(plan({ stableFor: { kind: "fixed", ms: 10_000 }, timeoutMs: 40_000 }), deps);
    expect(result.healthy).toBe(false);
    expect(result.lapses.length).toBeGreaterThanOrEqual(5);
    // From the first passing poll to the first failing one: the 2 s of health plus at most one poll interval.
    for (const lapse of result.lapses) expect(lapse.heldMs).toBeLessThan(2_000 + 1_000);
    expect(result.lapses[0]!.status).toContain("i-u0000:80 unhealthy (Target.ResponseCodeMismatch");
    expect(result.reason).toMatch(/passed and then failed again \d+ time\(s\), last after \d+(\.\d)?s: web-green: 1\/2 healthy/);
  });

  it("a target replaced between two polls breaks the hold, even when its replacement is already healthy", async () => {
    const { clock, elb, deps, start } = setup();
    // Always 2/2 healthy, but a new generation of targets every 1.5 s: a release that crashes and is replaced.
    elb.healthOf.set(GREEN_ARN, () => healthy(2, `i-gen${Math.floor((clock.now() - start) / 1_500)}-`));
    const result = await runHealthGate(plan({ stableFor: { kind: "fixed", ms: 5_000 }, timeoutMs: 20_000 }), deps);
    expect(result.healthy).toBe(false);
    expect(result.lapses.length).toBeGreaterThanOrEqual(5);
    expect(result.lapses[0]!.status).toMatch(/^web-green: i-gen0-\w+, web-green: i-gen0-\w+ healthy at the last poll but no longer \(stopped, or replaced by a new target\)$/);
    expect(result.reason).toMatch(/every check was passing, but only for .* it passed and then failed again \d+ time\(s\)/);

    // Without stable-for the first passing poll is enough.
    const point = await runHealthGate(plan({ timeoutMs: 20_000 }), deps);
    expect(point.healthy).toBe(true);
  });

  it("times out while holding: the reason names the hold, not a failing check", async () => {
    const { clock, elb, deps, start } = setup();
    elb.healthOf.set(GREEN_ARN, () => (clock.now() - start >= 25_000 ? healthy(2, "i-green") : initial(2)));
    const result = await runHealthGate(plan({ stableFor: { kind: "fixed", ms: 10_000 }, timeoutMs: 30_000 }), deps);
    expect(result.healthy).toBe(false);
    expect(result.reason).toMatch(/^not healthy after 30\.0s \(timeout 30s\): every check was passing, but only for [45](\.\d)?s of the 10s it must hold \(stable-for\)$/);
    expect(result.checks[0]!.ok).toBe(true);
  });
});

describe("resolveGateTargetGroups", () => {
  function ports(elb: FakeElb): EnvironmentPorts {
    return { router: elb, tags: elb.tags, targetGroups: elb, discovery: elb, fleet: () => Promise.reject(new Error("no fleet in this test")) };
  }

  it("finds the slot's target group in the environment, by role or by name", async () => {
    const elb = new FakeElb();
    const lines: string[] = [];
    const ref = { kind: "listener", arn: LISTENER_ARN } as const;

    expect(await resolveGateTargetGroups({ kind: "environment", ref, slot: "candidate" }, ports(elb), (l) => lines.push(l))).toEqual([GREEN_ARN]);
    expect(await resolveGateTargetGroups({ kind: "environment", ref, slot: "blue" }, ports(elb), (l) => lines.push(l))).toEqual([BLUE_ARN]);
    expect(lines[0]).toBe("slot candidate: green, target group web-green (0% of traffic, untagged)");
    await expect(resolveGateTargetGroups({ kind: "environment", ref, slot: "purple" }, ports(elb), () => undefined)).rejects.toThrow(ConfigurationError);
    await expect(resolveGateTargetGroups({ kind: "environment", ref, slot: "purple" }, ports(elb), () => undefined)).rejects.toThrow(/^slot: "purple" names no slot/);
  });

  it("takes ARNs as given without asking the load balancer", async () => {
    const elb = new FakeElb();
    expect(await resolveGateTargetGroups({ kind: "arns", arns: [BLUE_ARN] }, ports(elb), () => undefined)).toEqual([BLUE_ARN]);
    expect(elb.calls).toEqual([]);
  });
});
