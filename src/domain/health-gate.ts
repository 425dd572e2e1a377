/**
 * The health gate: polls the target health of some target groups and some HTTP checks together
 * until all pass, reacting within a second of that, or the timeout passes. Either way it returns
 * every check's last state, so the caller can report exactly why.
 */
import type { Fetch } from "../util/node-fetch";
import type { TargetGroups } from "../ports/load-balancer";
import type { Clock, Random } from "../util/clock";
import { ConfigurationError, wrapError } from "../util/errors";
import { fastPoll, type Lapse, type PollPolicy, pollUntil, TimeoutError } from "../util/wait";
import { targetGroupName } from "../util/arn";
import { type EnvironmentPorts, type EnvironmentRef, findSlot, resolveEnvironment } from "./environment";
import { TargetHealthReads } from "./gate-reads";
import { HttpCheck, type HttpCheckSpec } from "./http-check";
import { formatMinHealthy, formatSeconds, type HealthRequirement, HeldTargets, readTargetHealth, requireStableForFits, resolveStableFor, type StableFor, type TargetGroupHealthReport } from "./target-health";

export interface GatePlan {
  targetGroupArns: string[];
  requirement: HealthRequirement;
  http: HttpCheckSpec[];
  timeoutMs: number;
  /** How long everything must keep passing once it passes; default 0. */
  stableFor?: StableFor | undefined;
}

export interface GateDeps {
  /** Needed only when the plan has target groups. */
  targetGroups?: TargetGroups | undefined;
  fetch?: Fetch | undefined;
  clock: Clock;
  random: Random;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
  /** Defaults to `gateWaitPoll`, or `gatePoll` with URL checks (target health then read as gateWaitPoll spaces it). */
  policy?: PollPolicy | undefined;
}

export interface GateCheck {
  kind: "target-group" | "http";
  /** The target group ARN or the URL. */
  target: string;
  ok: boolean;
  detail: string;
}

export interface GateResult {
  healthy: boolean;
  /** Healthy targets across the target groups, at the last poll. */
  healthyCount: number;
  checks: GateCheck[];
  targetGroups: TargetGroupHealthReport[];
  elapsedMs: number;
  polls: number;
  timeoutMs: number;
  /** How long every check had to keep passing once all passed, and why that long. */
  stableForMs: number;
  stableForWhy: string;
  /** Times everything passed and then stopped passing before stable-for was over. */
  lapses: Lapse[];
  /** When not healthy: every failing check and why, in one line. */
  reason?: string | undefined;
}

/**
 * At most a second between polls, and a progress line every 4 s of waiting: with up to a second of
 * sleep before the next poll, that keeps the lines no more than about 5 s apart.
 */
export const gatePoll: PollPolicy = { ...fastPoll, progressEveryMs: 4000 };

/**
 * A gate on target groups, while it waits for health: the account's ELB Describe* budget (40,
 * refilled at 10 per second) is shared by every deployment in it, so a wait on a plateau backs off to
 * 2–2.5 s between polls after its first 10 s, and polls 0.5–0.8 s apart again after any change of
 * status (a target registered, checking, healthy, failing). The hold (stable-for) keeps its 1.0–1.2 s
 * polls: a target failing then is what the gate must see at once. With URL checks the gate polls as
 * gatePoll does (consecutive-successes counts polls, and URL checks cost no AWS call) and reads target
 * health on this schedule (TargetHealthReads). A progress line every 5 s: two backed-off polls.
 */
export const gateWaitPoll: PollPolicy = { ...gatePoll, maxDelayMs: 2500, progressEveryMs: 5000, resetOnChange: true, backoffAfterMs: 10_000 };

export type GateTargets = { kind: "arns"; arns: string[] } | { kind: "environment"; ref: EnvironmentRef; slot: string };

/** The target groups to check: as given, or the named slot's target group in the environment. */
export async function resolveGateTargetGroups(targets: GateTargets, ports: EnvironmentPorts, log: (line: string) => void): Promise<string[]> {
  if (targets.kind === "arns") return targets.arns;
  const env = await resolveEnvironment(targets.ref, ports);
  const slot = findSlot(env, targets.slot, "slot");
  const role = slot.role ? `tagged ${slot.role}` : "untagged";
  log(`slot ${targets.slot}: ${slot.name}, target group ${slot.targetGroupName} (${slot.share}% of traffic, ${role})`);
  return [slot.targetGroupArn];
}

function withoutName(report: TargetGroupHealthReport): string {
  const prefix = `${report.targetGroupName}: `;
  return report.summary.startsWith(prefix) ? report.summary.slice(prefix.length) : report.summary;
}

function describePlan(plan: GatePlan): string {
  const parts: string[] = [];
  if (plan.targetGroupArns.length > 0) {
    parts.push(`every target of ${plan.targetGroupArns.map(targetGroupName).join(", ")} healthy (at least ${formatMinHealthy(plan.requirement.minHealthy)})`);
  }
  for (const check of plan.http) parts.push(`${check.url} to pass ${check.consecutiveSuccesses} time(s) in a row`);
  return `health gate: waiting for ${parts.join(" and ")}`;
}

/** The phases: what must hold and for how long, polling until it holds (or time runs out), then the result in words. */
export async function runHealthGate(plan: GatePlan, deps: GateDeps): Promise<GateResult> {
  if (plan.targetGroupArns.length === 0 && plan.http.length === 0) throw new ConfigurationError("health gate: nothing to check; give target groups, URLs or both.");
  if (plan.targetGroupArns.length > 0 && !deps.targetGroups) throw new Error("runHealthGate: target groups given without the TargetGroups port");
  const { clock } = deps;
  const http = plan.http.map((spec) => new HttpCheck(spec, { fetch: deps.fetch, now: () => clock.now(), signal: deps.signal }));
  const start = clock.now();
  const stable = await resolveStableFor(plan.stableFor ?? { kind: "fixed", ms: 0 }, deps.targetGroups, plan.targetGroupArns).catch((error: unknown) => {
    throw wrapError(`reading the health check settings of ${plan.targetGroupArns.map(targetGroupName).join(", ")} (for stable-for auto)`, error);
  });
  requireStableForFits(stable, plan.timeoutMs, (d) => `health gate: health must hold for ${d} once it passes`);
  if (stable.ms > 0) deps.log(`health gate: once everything passes, it must keep passing for ${formatSeconds(stable.ms)} (${stable.why}).`);
  const polled = await pollGate(plan, deps, http, stable.ms);
  return gateResult(plan, http, stable, polled, clock.now() - start);
}

/** What the polling saw: the last reports, how often it polled, whether it held, the lapses of a hold. */
interface Polled {
  healthy: boolean;
  reports: TargetGroupHealthReport[];
  polls: number;
  lapses: Lapse[];
  heldAtTimeout: number;
}

async function pollGate(plan: GatePlan, deps: GateDeps, http: HttpCheck[], holdForMs: number): Promise<Polled> {
  const polled: Polled = { healthy: true, reports: [], polls: 0, lapses: [], heldAtTimeout: 0 };
  const held = new HeldTargets();
  const readGroup = (arn: string) =>
    readTargetHealth(deps.targetGroups!, arn, plan.requirement).catch((error: unknown) => {
      throw wrapError(`reading the target health of ${targetGroupName(arn)}`, error);
    });
  const policy = deps.policy ?? (plan.http.length > 0 ? gatePoll : gateWaitPoll);
  const spaced = plan.http.length > 0 && !policy.resetOnChange ? gateWaitPoll : undefined;
  const reads = new TargetHealthReads(() => Promise.all(plan.targetGroupArns.map(readGroup)), deps.clock, deps.random, spaced, policy.maxDelayMs);
  let passing = false;
  try {
    await pollUntil({
      label: describePlan(plan),
      timeoutMs: plan.timeoutMs,
      clock: deps.clock,
      random: deps.random,
      log: deps.log,
      policy,
      ...(deps.signal ? { signal: deps.signal } : {}),
      holdForMs,
      onLapse: (lapse) => polled.lapses.push(lapse),
      probe: async () => {
        polled.polls++;
        const [read] = await Promise.all([reads.current(passing), Promise.all(http.map((c) => c.poll()))]);
        let reports = read.reports;
        if (!read.fresh && reports.every((r) => r.ok) && http.every((c) => c.passed)) reports = await reads.fresh();
        polled.reports = reports;
        const done = (passing = reports.every((r) => r.ok) && http.every((c) => c.passed));
        const left = holdForMs > 0 ? held.check(done, reports) : undefined;
        if (left) return { done: false, status: left };
        if (done) return { done: true, value: undefined };
        const status = [...reports.map((r) => r.summary), ...http.filter((c) => !c.passed).map((c) => `${c.spec.url}: ${c.detail()}`)];
        return { done: false, status: status.join("; ") };
      },
    });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    polled.healthy = false;
    polled.heldAtTimeout = error.heldMs;
  }
  return polled;
}

function gateResult(plan: GatePlan, http: HttpCheck[], stable: { ms: number; why: string }, polled: Polled, elapsedMs: number): GateResult {
  const { healthy, reports, lapses } = polled;
  const checks: GateCheck[] = [
    ...reports.map((r): GateCheck => ({ kind: "target-group", target: r.targetGroupArn, ok: r.ok, detail: withoutName(r) })),
    ...http.map((c): GateCheck => ({ kind: "http", target: c.spec.url, ok: c.passed, detail: c.detail() })),
  ];
  const failing = [...reports.filter((r) => !r.ok).map((r) => r.summary), ...http.filter((c) => !c.passed).map((c) => `${c.spec.url}: ${c.detail()}`)];
  const timeout = `not healthy after ${(elapsedMs / 1000).toFixed(1)}s (timeout ${Math.round(plan.timeoutMs / 1000)}s)`;
  let reason: string | undefined;
  if (!healthy) {
    const lapsed = lapses.length > 0 ? `; it passed and then failed again ${lapses.length} time(s), last after ${formatSeconds(lapses.at(-1)!.heldMs)}: ${lapses.at(-1)!.status}` : "";
    reason =
      failing.length > 0
        ? `${timeout}: ${failing.join("; ")}${lapsed}`
        : `${timeout}: every check was passing, but only for ${formatSeconds(polled.heldAtTimeout)} of the ${formatSeconds(stable.ms)} it must hold (stable-for)${lapsed}`;
  }
  return {
    healthy,
    healthyCount: reports.reduce((sum, r) => sum + r.healthy, 0),
    checks,
    targetGroups: reports,
    elapsedMs,
    polls: polled.polls,
    timeoutMs: plan.timeoutMs,
    stableForMs: stable.ms,
    stableForWhy: stable.why,
    lapses,
    ...(reason ? { reason } : {}),
  };
}
