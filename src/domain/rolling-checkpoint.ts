/**
 * One checkpoint of a rolling update: wait until the refresh reaches it (AWS then pauses for
 * CheckpointDelay), then the new instances must be healthy in the target group and stay so for
 * stable-for, then a bake with the alarms watched and the health held, then canary analysis. Any
 * failure throws, with why; so does the refresh going on before the checks finished (the delay was
 * too short), since instances would then be replaced on unverified ground.
 */
import type { FleetGroup } from "../ports/fleet";
import type { RefreshState } from "../ports/refresh";
import { OperationalError } from "../util/errors";
import { untrusted } from "../util/untrusted";
import { waitUntilServing } from "./fleet-serving";
import type { AcquiredLock } from "./lock";
import type { CheckpointReport, RollingPlan, RollingUpdateDeps, RollingUpdateRequest } from "./rolling-plan";
import { describeRefresh, waitForRefresh } from "./rolling-revert";
import { evaluateTargetHealth } from "./target-health";

export interface CheckpointRun {
  request: RollingUpdateRequest;
  deps: RollingUpdateDeps;
  plan: RollingPlan;
  refreshId: string;
  lock: AcquiredLock;
  deadline: number;
  index: number;
  /** When the refresh started: the analysis window opens here. */
  startedAt: number;
}

const BAD_END = /^(Failed|Cancelled|Cancelling|RollbackInProgress|RollbackFailed|RollbackSuccessful)$/;
const BAKE_POLL_MS = 1000;

const serving = (i: { lifecycleState: string }) => /^(Pending|InService)/.test(i.lifecycleState);

/** Throws when a watched alarm is in ALARM. */
export async function checkAlarms(request: RollingUpdateRequest, deps: RollingUpdateDeps): Promise<string> {
  if (request.alarmNames.length === 0) return "none watched";
  const states = await (await deps.ports.alarms()).read(request.alarmNames);
  const firing = states.filter((s) => s.state === "ALARM");
  if (firing.length > 0) throw new OperationalError(`Alarm ${firing.map((a) => `${untrusted(a.name, 255)} is in ALARM (${untrusted(a.reason, 300)})`).join("; ")}.`);
  return `${states.map((s) => `${untrusted(s.name, 255)} ${s.state}`).join(", ")}`;
}

function oldServing(group: FleetGroup, newVersion: string): number {
  return group.instances.filter((i) => serving(i) && i.launchTemplateVersion !== newVersion).length;
}

/** Waits until the refresh reaches checkpoint `index`; throws if it ends another way. */
async function reach(run: CheckpointRun, percentage: number): Promise<RefreshState> {
  const { deps, plan, request } = run;
  const refreshes = await deps.ports.refreshes();
  const final = percentage >= 100;
  const state = await waitForRefresh(
    {
      refreshes,
      groupName: plan.env.group.name,
      id: run.refreshId,
      timeoutMs: Math.max(1000, run.deadline - deps.clock.now()),
      checkpoint: async () => {
        await run.lock.checkpoint(`reaching the ${percentage}% checkpoint`);
        await checkAlarms(request, deps);
      },
      done: (r) => BAD_END.test(r.status) || (final ? r.status === "Baking" || r.status === "Successful" : r.percentageComplete >= percentage),
    },
    deps,
  );
  if (BAD_END.test(state.status)) throw new OperationalError(`Instance refresh ${run.refreshId} ended before the ${percentage}% checkpoint: ${describeRefresh(state)}.`);
  return state;
}

export async function passCheckpoint(run: CheckpointRun, report: CheckpointReport): Promise<void> {
  const { deps, plan, request } = run;
  const { clock, log } = deps;
  const fleet = await deps.ports.fleet();
  const name = plan.env.group.name;
  const newVersion = plan.to.version;
  await reach(run, report.percentage);
  const reachedAt = clock.now();
  report.reachedAt = reachedAt;
  const atReach = await fleet.describe(name);
  const oldAtReach = atReach ? oldServing(atReach, newVersion) : 0;
  log(`Checkpoint ${report.percentage}% reached: ${report.needed} instance(s) on version ${newVersion} must be healthy in the target group and stay so for ${plan.stableForMs / 1000}s, then a ${request.bakeMs / 1000}s bake.`);
  const guard = async (what: string) => {
    await run.lock.checkpoint(what);
    report.alarms = await checkAlarms(request, deps);
    const group = await fleet.describe(name);
    if (group && oldServing(group, newVersion) < oldAtReach) {
      throw new OperationalError(
        `The instance refresh went on past the ${report.percentage}% checkpoint before its checks finished (its CheckpointDelay of ${plan.delaySeconds}s ran out); raise checkpoint-delay so the checks fit.`,
      );
    }
  };
  report.health = await holdHealthy(run, { ...report, reachedAt }, guard);
  await bake(run, report, guard);
  if (deps.analyze) {
    const verdict = await deps.analyze({
      index: run.index + 1,
      planned: request.checkpoints.length,
      percentage: report.percentage,
      targetGroupArn: plan.env.targetGroupArn,
      loadBalancerArn: plan.env.routing.loadBalancerArn,
      oldVersion: plan.result.fromVersion,
      newVersion: request.version,
      windowStart: run.startedAt,
      now: clock.now(),
    });
    report.analysis = verdict.detail;
    if (!verdict.ok) throw new OperationalError(`Canary analysis at the ${report.percentage}% checkpoint: ${verdict.detail}`);
  }
  report.passedAt = clock.now();
  report.status = "passed";
  log(`Checkpoint ${report.percentage}% passed: ${report.health}; alarms: ${report.alarms ?? "none watched"}${report.analysis ? `; analysis: ${report.analysis}` : ""}.`);
}

/** The checkpoint's new instances healthy in the target group (every target healthy), within checkpoint-timeout, then for stable-for. */
async function holdHealthy(run: CheckpointRun, report: CheckpointReport & { reachedAt: number }, guard: (what: string) => Promise<void>): Promise<string> {
  const { deps, plan, request } = run;
  const { clock, log } = deps;
  const windowEnd = Math.min(run.deadline, report.reachedAt + plan.delaySeconds * 1000);
  const served = await waitUntilServing({
    fleet: await deps.ports.fleet(),
    groupName: plan.env.group.name,
    targetGroups: deps.ports.targetGroups,
    targetGroupArn: plan.env.targetGroupArn,
    count: report.needed,
    minHealthy: { kind: "percent", value: 100 },
    accept: (i) => i.launchTemplateVersion === plan.to.version,
    what: `version ${plan.to.version}`,
    since: new Date(run.startedAt),
    holdForMs: plan.stableForMs,
    timeoutMs: Math.max(1000, Math.min(windowEnd, report.reachedAt + request.checkpointTimeoutMs + plan.stableForMs) - clock.now()),
    clock,
    random: deps.random,
    log,
    signal: deps.signal,
    checkpoint: () => guard(`checking the ${report.percentage}% checkpoint`),
  });
  return served.health.summary;
}

/** The bake: every second, the alarms, the refresh's pause, and every target of the group healthy. */
async function bake(run: CheckpointRun, report: CheckpointReport, guard: (what: string) => Promise<void>): Promise<void> {
  const { deps, plan, request } = run;
  const until = deps.clock.now() + request.bakeMs;
  while (deps.clock.now() < until) {
    await deps.clock.sleep(Math.min(BAKE_POLL_MS, Math.max(0, until - deps.clock.now())), deps.signal);
    await guard(`baking at the ${report.percentage}% checkpoint`);
    const health = evaluateTargetHealth(plan.env.targetGroupArn, await deps.ports.targetGroups.health(plan.env.targetGroupArn), { minHealthy: { kind: "percent", value: 100 }, requireAll: true });
    if (!health.ok) throw new OperationalError(`During the bake at the ${report.percentage}% checkpoint a target stopped being healthy: ${health.summary}`);
    report.health = health.summary;
  }
}
