/**
 * Every step summary the actions write, from typed results: each action's success, failure or
 * abort, inconclusive analysis, rollback and dry run, and shift-traffic's post step. Results
 * are built by hand (typed against the domain) so the rendering test does not depend on a run.
 */
import type { DeployGreenResult } from "../../src/domain/deploy-green";
import type { Environment, Slot } from "../../src/domain/environment";
import type { GateResult } from "../../src/domain/health-gate";
import type { RollbackResult } from "../../src/domain/rollback";
import type { ShiftResult, TimelineEntry } from "../../src/domain/shift-traffic";
import type { TargetGroupHealthReport } from "../../src/domain/target-health";
import { judgeMeasurements } from "../../src/analyze/analyze";
import type { Measurement, Point } from "../../src/judge/types";
import { renderCanaryMarkdown } from "../../src/report/canary";
import { renderDeployGreenFailure, renderDeployGreenSummary } from "../../src/actions/deploy-green/summary";
import { renderHealthGateSummary } from "../../src/actions/health-gate/summary";
import { renderRollbackSummary } from "../../src/actions/rollback/summary";
import { renderShiftSummary } from "../../src/actions/shift-traffic/summary";
import { renderPostSummary } from "../../src/actions/shift-traffic/post-summary";
import { BLUE_ARN, GREEN_ARN, LISTENER_ARN } from "../support/fake-elb";
import { config, scope } from "../metrics/fixtures";

const RUN = "https://github.com/acme/web/actions/runs/42";
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function slot(name: "blue" | "green", share: number, role: Slot["role"], version: string): Slot {
  const arn = name === "blue" ? BLUE_ARN : GREEN_ARN;
  return { name, targetGroupArn: arn, targetGroupName: `web-${name}`, weight: share, share, role, version, tags: {} };
}

const environment = { ref: { kind: "listener", arn: LISTENER_ARN }, routing: { listenerArn: LISTENER_ARN } } as unknown as Environment;

const health: TargetGroupHealthReport = {
  targetGroupArn: GREEN_ARN,
  targetGroupName: "web-green",
  registered: 2,
  healthy: 2,
  required: 1,
  byState: { healthy: 2 },
  notHealthy: [],
  healthyIds: ["i-0a", "i-0b"],
  ok: true,
  summary: "web-green: 2/2 healthy (1 required)",
};

function deployGreen(dryRun: boolean): DeployGreenResult {
  return {
    dryRun,
    slot: slot("green", 0, "candidate", "v2"),
    live: slot("blue", 100, "stable", "v1"),
    asgName: "web-green",
    targetGroupArn: GREEN_ARN,
    version: "v2",
    deploymentId: "42-1",
    launchTemplate: { before: { id: "lt-0abc", version: "3" }, after: { id: "lt-0abc", version: dryRun ? "(new)" : "4" }, created: !dryRun },
    capacity: { before: { minSize: 0, desiredCapacity: 0, maxSize: 4 }, after: { minSize: 2, desiredCapacity: 2, maxSize: 4 } },
    replaced: [],
    instances: dryRun ? [] : ([{ instanceId: "i-0a" }, { instanceId: "i-0b" }] as unknown as DeployGreenResult["instances"]),
    health: dryRun ? undefined : health,
    stableForMs: dryRun ? 0 : 20_000,
    resumed: dryRun ? ["Launch"] : [],
    changes: [
      { what: "launch template lt-0abc", before: "version 3", after: dryRun ? "a new version" : "version 4 (image ami-0def)" },
      { what: "web-green capacity", before: "min 0, desired 0, max 4", after: "min 2, desired 2, max 4" },
      { what: "deploy:version tag on web-green", before: "v1", after: "v2" },
    ],
    lockWarning: dryRun ? "acme/web/actions/runs/41 holds the deployment lock until 12:30:00Z" : undefined,
    elapsedMs: dryRun ? 900 : 184_300,
  };
}

function gate(healthy: boolean): GateResult {
  return {
    healthy,
    healthyCount: healthy ? 2 : 1,
    checks: [
      { kind: "target-group", target: GREEN_ARN, ok: healthy, detail: healthy ? "2/2 healthy, 1 required" : "1/2 healthy — i-0b:80 unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [500])" },
      { kind: "http", target: "https://app.example.com/health?deep=1", ok: healthy, detail: healthy ? "200 in 12 ms (3/3 in a row)" : "status 500, expected 200; body: {\"db\":\"down\",\"pool\":\"a|b\"}" },
    ],
    targetGroups: [health],
    elapsedMs: healthy ? 31_000 : 300_200,
    polls: healthy ? 31 : 300,
    timeoutMs: 300_000,
    stableForMs: 20_000,
    stableForWhy: "auto: interval 10 s × unhealthy threshold 2",
    lapses: healthy ? [] : [1, 2, 3, 4].map((n) => ({ heldMs: n * 1500, status: `web-green: 1/2 healthy (poll ${n})` })),
    reason: healthy ? undefined : "web-green 1/2 healthy; https://app.example.com/health?deep=1 status 500",
  } as GateResult;
}

function timeline(entries: Array<[number, number, TimelineEntry["event"], string]>): TimelineEntry[] {
  return entries.map(([s, share, event, detail]) => ({ at: T0 + s * 1000, share, event, detail }));
}

type ShiftKind = "promoted" | "partial" | "aborted" | "not-restored" | "dry-run";

function shift(kind: ShiftKind): ShiftResult {
  const to = slot("green", 0, "candidate", "v2");
  const from = slot("blue", 100, "stable", "v1");
  const steps = timeline([
    [0, 0, "start", "blue 100%, green 0%"],
    [5.4, 10, "shift", "verified: blue 90%, green 10%"],
    [5.4, 10, "gate", "canary analysis look 1 of 3: inconclusive (not enough data yet)"],
    [35.4, 50, "shift", "verified: blue 50%, green 50%"],
    [65.5, 100, "shift", "verified: blue 0%, green 100%"],
    [65.6, 100, "promote", "green is stable, blue is previous"],
  ]);
  const abort = timeline([
    [0, 0, "start", "blue 100%, green 0%"],
    [5.4, 10, "shift", "verified: blue 90%, green 10%"],
    [35.4, 10, "gate", "canary analysis failed at 10%: fail: error-rate high | p=1e-5"],
    [35.5, 10, "abort", "canary analysis failed at 10%"],
    [36.1, 0, "restore", kind === "not-restored" ? "could not restore: AccessDenied" : "100% on blue, verified"],
  ]);
  const finalShare = { promoted: 100, partial: 50, aborted: 0, "not-restored": 10, "dry-run": 0 }[kind];
  const share = (arn: string) => (arn === GREEN_ARN ? finalShare : 100 - finalShare);
  return {
    environment,
    from,
    to,
    plan: [10, 50, 100],
    stepsCompleted: { promoted: 3, partial: 2, aborted: 1, "not-restored": 1, "dry-run": 0 }[kind],
    finalWeights: [BLUE_ARN, GREEN_ARN].map((arn) => ({ targetGroupArn: arn, weight: share(arn) })),
    finalShare,
    aborted: kind === "aborted" || kind === "not-restored",
    abortReason: kind === "aborted" || kind === "not-restored" ? "canary analysis failed at 10%: fail: critical failure of error-rate (+500%)" : undefined,
    restored: kind === "aborted",
    promoted: kind === "promoted",
    dryRun: kind === "dry-run",
    planLines: kind === "dry-run" ? ["shift green to 10%, then 50%, then 100%, 30 s apart", "verify each weight by reading the listener back", "promote green to stable"] : [],
    timeline: kind === "dry-run" ? timeline([[0, 0, "start", "blue 100%, green 0%"]]) : kind === "promoted" ? steps : kind === "partial" ? steps.slice(0, 4) : abort,
    scaledIn: kind === "promoted" ? { asg: "web-blue", fromCapacity: 2 } : undefined,
    durationMs: kind === "dry-run" ? 400 : 66_000,
  };
}

function rollback(kind: "rolled-back" | "already-there" | "dry-run"): RollbackResult {
  return {
    environment,
    phaseBefore: kind === "already-there" ? "steady" : "canary",
    good: slot("blue", kind === "already-there" ? 100 : 90, "stable", "v1"),
    bad: slot("green", kind === "already-there" ? 0 : 10, "candidate", "v2"),
    fromVersion: "v2",
    toVersion: "v1",
    alreadyThere: kind === "already-there",
    health: { ...health, summary: "web-blue: 2/2 healthy (1 required)" },
    scaledIn: kind === "rolled-back" ? { asg: "web-green", fromCapacity: 2 } : undefined,
    tookOverLockFrom: kind === "rolled-back" ? ({ owner: "acme/web/actions/runs/41 (job deploy)", run: "acme/web/actions/runs/41" } as RollbackResult["tookOverLockFrom"]) : undefined,
    planLines: kind === "dry-run" ? ["set blue to 100% and green to 0%, verified", "tag green failed"] : [],
    dryRun: kind === "dry-run",
    durationMs: kind === "dry-run" ? 300 : 4_200,
  };
}

const pts = (values: number[], stepMs = 60_000): Point[] => values.map((v, i) => ({ t: scope.window.start.getTime() + i * stepMs, v }));

function canary(kind: "pass" | "fail" | "inconclusive") {
  const b = [80, 82, 79, 81, 83, 80, 78, 82, 81, 80];
  const c = kind === "fail" ? b.map((v) => v * 1.6) : b.map((v) => v + 1);
  const rate = (events: number) => Array.from({ length: 10 }, (_, i) => (events + (i % 3)) / 200);
  const measurements: Measurement[] =
    kind === "inconclusive"
      ? [
          { kind: "counts", baseline: { events: 10, total: 2000 }, canary: { events: 11, total: 2000 }, series: { baseline: pts([0.005, 0.005], 5000), canary: pts([0.0055, 0.0055], 5000) } },
          { kind: "samples", baseline: [55, 57, 58, 59, 61], canary: [238, 240, 242, 245, 247], unit: "ms", series: { baseline: pts([55, 57, 58, 59, 61], 2000), canary: pts([238, 240, 242, 245, 247], 2000) } },
          { kind: "samples", baseline: [20, 21, 22, 23, 24], canary: [21, 22, 23, 24, 25], unit: "ms" },
        ]
      : [
          { kind: "counts", baseline: { events: 10, total: 2000 }, canary: { events: kind === "fail" ? 90 : 11, total: 2000 }, series: { baseline: pts(rate(1)), canary: pts(rate(kind === "fail" ? 9 : 1.3)) } },
          { kind: "samples", baseline: b, canary: c, unit: "ms", series: { baseline: pts(b), canary: pts(c) } },
          kind === "fail" ? { kind: "error", message: "GetMetricData: Throttling | Rate exceeded" } : { kind: "samples", baseline: b.map((v) => v / 2), canary: c.map((v) => v / 2), unit: "ms" },
        ];
  return judgeMeasurements(config(""), measurements, { baseline: scope.baseline, canary: scope.canary, window: scope.window });
}

export interface NamedSummary {
  name: string;
  markdown: string;
}

/** Every summary, named by action and case. */
export function allSummaries(): NamedSummary[] {
  const slots = { canary: "green", baseline: "blue" };
  const withCanary = (md: string, kind: "pass" | "fail") => `${md}\n${renderCanaryMarkdown(canary(kind), { slots })}`;
  return [
    { name: "deploy-green success", markdown: renderDeployGreenSummary(deployGreen(false), { runUrl: RUN }) },
    { name: "deploy-green dry run", markdown: renderDeployGreenSummary(deployGreen(true)) },
    { name: "deploy-green failure", markdown: renderDeployGreenFailure("deploy-green: web-green did not become healthy within 300 s.\nLast: 1/2 healthy (Target.Timeout)", { runUrl: RUN }) },
    { name: "health-gate healthy", markdown: renderHealthGateSummary(gate(true)) },
    { name: "health-gate not healthy", markdown: renderHealthGateSummary(gate(false)) },
    { name: "shift-traffic promoted", markdown: renderShiftSummary(shift("promoted"), RUN) },
    { name: "shift-traffic promoted with canary analysis", markdown: withCanary(renderShiftSummary(shift("promoted"), RUN), "pass") },
    { name: "shift-traffic partial", markdown: renderShiftSummary(shift("partial")) },
    { name: "shift-traffic aborted and restored", markdown: withCanary(renderShiftSummary(shift("aborted"), RUN), "fail") },
    { name: "shift-traffic aborted, not restored", markdown: renderShiftSummary(shift("not-restored"), RUN) },
    { name: "shift-traffic dry run", markdown: renderShiftSummary(shift("dry-run")) },
    { name: "shift-traffic post step restored", markdown: renderPostSummary({ changed: true, before: [{ targetGroupArn: BLUE_ARN, weight: 50 }, { targetGroupArn: GREEN_ARN, weight: 50 }], after: [{ targetGroupArn: BLUE_ARN, weight: 100 }, { targetGroupArn: GREEN_ARN, weight: 0 }], message: "Restored blue 100%, green 0% (verified)." }) },
    { name: "shift-traffic post step, nothing to do", markdown: renderPostSummary({ changed: false, before: [{ targetGroupArn: BLUE_ARN, weight: 100 }], after: [{ targetGroupArn: BLUE_ARN, weight: 100 }], message: "The weights are already the stable ones." }) },
    { name: "canary-analyze pass", markdown: renderCanaryMarkdown(canary("pass"), { slots, runUrl: RUN, next: true }) },
    { name: "canary-analyze fail", markdown: renderCanaryMarkdown(canary("fail"), { slots, runUrl: RUN, next: true }) },
    { name: "canary-analyze inconclusive (thin data)", markdown: renderCanaryMarkdown(canary("inconclusive"), { slots, next: true }) },
    { name: "rollback", markdown: renderRollbackSummary(rollback("rolled-back"), { actor: "oncall-alice", reason: "p99 doubled after v2 (see #123; 5xx > 2% | *urgent*)", runUrl: RUN }) },
    { name: "rollback, already there", markdown: renderRollbackSummary(rollback("already-there"), { reason: "manual" }) },
    { name: "rollback dry run", markdown: renderRollbackSummary(rollback("dry-run"), { actor: "oncall-alice", reason: "drill" }) },
  ];
}

export { canary as canaryReport, shift as shiftResult };
