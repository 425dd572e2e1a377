/**
 * Puts every instance of a rolling environment back on one numbered launch template version, from
 * any state: a refresh still running is rolled back by AWS (RollbackInstanceRefresh, which replaces
 * only what it replaced); a refresh that ended, or one AWS cannot roll back, is followed by a new
 * refresh to that version (SkipMatching, so instances already on it stay). It ends only when every
 * instance runs that version, is InService and is healthy in the target group.
 */
import type { EnvironmentPorts } from "../ports/environment";
import type { LaunchTemplateRef } from "../ports/fleet";
import { type InstanceRefreshes, REFRESH_RUNNING, type RefreshState, type RefreshStatus } from "../ports/refresh";
import type { Clock, Random } from "../util/clock";
import { OperationalError } from "../util/errors";
import { pollUntil } from "../util/wait";
import { waitUntilServing } from "./fleet-serving";
import { refreshGroup, type RollingEnvironment } from "./rolling-environment";
import type { TargetGroupHealthReport } from "./target-health";

export interface RollingPorts extends EnvironmentPorts {
  refreshes: () => Promise<InstanceRefreshes>;
}

export interface RollingDeps {
  ports: RollingPorts;
  clock: Clock;
  random: Random;
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
}

export interface RevertOptions {
  env: RollingEnvironment;
  /** The numbered version every instance returns to. */
  good: LaunchTemplateRef;
  minHealthyPercentage: number;
  maxHealthyPercentage: number;
  instanceWarmupSeconds?: number | undefined;
  timeoutMs: number;
  /** Called between polls; what it throws (a lost lock) stops the wait. */
  checkpoint?: (() => Promise<void>) | undefined;
}

export interface RevertResult {
  /** What was done, in order, in words. */
  steps: string[];
  refreshIds: string[];
  health: TargetGroupHealthReport;
  instances: number;
}

const ENDED: readonly RefreshStatus[] = ["Successful", "Failed", "Cancelled", "RollbackFailed", "RollbackSuccessful"];
/** Instance refresh reads: once every 2 s is plenty for a process measured in minutes. */
const REFRESH_POLL = { initialDelayMs: 2000, maxDelayMs: 2000, factor: 1, jitter: 0.1, progressEveryMs: 10_000 };

export function describeRefresh(r: RefreshState): string {
  return `${r.status}, ${r.percentageComplete}% complete, ${r.instancesToUpdate} to update${r.statusReason ? ` (${r.statusReason})` : ""}`;
}

/** Waits until the group's refresh `id` ends (or `done` says so); returns its last state. */
export async function waitForRefresh(
  s: { refreshes: InstanceRefreshes; groupName: string; id: string; timeoutMs: number; checkpoint?: (() => Promise<void>) | undefined; done?: (r: RefreshState) => boolean },
  deps: RollingDeps,
): Promise<RefreshState> {
  const done = s.done ?? ((r: RefreshState) => ENDED.includes(r.status));
  return pollUntil({
    label: `waiting for instance refresh ${s.id} of ${s.groupName}`,
    policy: REFRESH_POLL,
    timeoutMs: s.timeoutMs,
    clock: deps.clock,
    random: deps.random,
    log: deps.log,
    ...(deps.signal ? { signal: deps.signal } : {}),
    probe: async () => {
      await s.checkpoint?.();
      const r = await s.refreshes.latest(s.groupName);
      if (!r || r.id !== s.id) throw new OperationalError(`Instance refresh ${s.id} of ${s.groupName} is no longer the group's latest (${r ? `${r.id} is, ${r.status}` : "none found"}).`);
      return done(r) ? { done: true, value: r } : { done: false, status: describeRefresh(r) };
    },
  });
}

/** The phases: stop what runs (rolling it back when AWS can), start a refresh to the good version if anything is off it, then wait until all serve. */
export async function revertRolling(o: RevertOptions, deps: RollingDeps): Promise<RevertResult> {
  const { clock, log } = deps;
  const deadline = clock.now() + o.timeoutMs;
  const left = () => Math.max(1000, deadline - clock.now());
  const refreshes = await deps.ports.refreshes();
  const fleet = await deps.ports.fleet();
  const name = o.env.group.name;
  const out: RevertResult = { steps: [], refreshIds: [], health: undefined as never, instances: 0 };
  const wait = (id: string) => waitForRefresh({ refreshes, groupName: name, id, timeoutMs: left(), checkpoint: o.checkpoint }, deps);

  await stopRunning(o, deps, refreshes, out, wait);
  const group = await refreshGroup(o.env, fleet);
  const off = group.instances.filter((i) => /^(Pending|InService)/.test(i.lifecycleState) && i.launchTemplateVersion !== o.good.version);
  if (off.length > 0 || group.launchTemplate?.version !== o.good.version) {
    const id = await refreshes.start({
      groupName: name,
      launchTemplate: o.good,
      preferences: { minHealthyPercentage: o.minHealthyPercentage, maxHealthyPercentage: o.maxHealthyPercentage, instanceWarmupSeconds: o.instanceWarmupSeconds, skipMatching: true, autoRollback: false, alarms: [] },
    });
    log(`Started instance refresh ${id} to launch template version ${o.good.version}: ${off.length} instance(s) are on another version.`);
    out.steps.push(`new instance refresh ${id} to version ${o.good.version} (${off.length} instance(s) on another version)`);
    out.refreshIds.push(id);
    const end = await wait(id);
    if (end.status !== "Successful") throw new OperationalError(`The instance refresh ${id} back to version ${o.good.version} ended ${describeRefresh(end)}.`);
  }
  const serving = await waitUntilServing({
    fleet,
    groupName: name,
    targetGroups: deps.ports.targetGroups,
    targetGroupArn: o.env.targetGroupArn,
    count: Math.max(1, group.desiredCapacity),
    minHealthy: { kind: "percent", value: 100 },
    accept: (i) => i.launchTemplateVersion === o.good.version,
    what: `version ${o.good.version}`,
    since: new Date(clock.now() - 60_000),
    timeoutMs: left(),
    clock,
    random: deps.random,
    log,
    signal: deps.signal,
    checkpoint: o.checkpoint,
  });
  out.health = serving.health;
  out.instances = serving.instances.length;
  return out;
}

/** A refresh to another version that still runs is rolled back (or, when AWS cannot, cancelled); then whatever runs is waited out. */
async function stopRunning(o: RevertOptions, deps: RollingDeps, refreshes: InstanceRefreshes, out: RevertResult, wait: (id: string) => Promise<RefreshState>): Promise<void> {
  const { log } = deps;
  const name = o.env.group.name;
  let latest = await refreshes.latest(name);
  if (latest && REFRESH_RUNNING.includes(latest.status) && latest.desiredVersion !== o.good.version) {
    const answer = await refreshes.rollback(name);
    if (answer.outcome === "started") {
      log(`Rolling back instance refresh ${latest.id} (RollbackInstanceRefresh): AWS replaces the instances it replaced with version ${o.good.version}.`);
      out.steps.push(`RollbackInstanceRefresh of ${latest.id} (was ${describeRefresh(latest)})`);
      out.refreshIds.push(latest.id);
      latest = await wait(latest.id);
      out.steps.push(`refresh ${latest.id}: ${latest.status}`);
    } else if (answer.outcome === "irreversible") {
      log(`AWS cannot roll instance refresh ${latest.id} back (${answer.reason ?? "IrreversibleInstanceRefresh"}); cancelling it and starting a new refresh to version ${o.good.version}.`);
      await refreshes.cancel(name);
      out.steps.push(`CancelInstanceRefresh of ${latest.id} (AWS could not roll it back)`);
      latest = await wait(latest.id);
    }
  }
  if (latest && !ENDED.includes(latest.status)) {
    log(`Instance refresh ${latest.id} is ${latest.status}; waiting for it to end.`);
    await wait(latest.id);
  }
}
