/**
 * Writing weights safely: every write is read back and compared (the load balancer's own view is
 * the truth), and weight only ever goes to a target group with enough healthy targets.
 */
import type { ForwardState, ResourceTags, RoutingRef, Stickiness, TargetGroups, TrafficRouter, WeightedGroup } from "../ports/load-balancer";
import type { Clock } from "../util/clock";
import { OperationalError, SafetyError } from "../util/errors";
import { targetGroupName } from "../util/arn";
import { untrusted } from "../util/untrusted";
import type { Environment } from "./environment";
import { TAG } from "./tags";
import { type HealthRequirement, readTargetHealth, type TargetGroupHealthReport } from "./target-health";
import { describeWeights, sameWeights } from "./weights";

export interface VerifyPolicy {
  /** Reads after a write before giving up. */
  reads: number;
  /** Delay before the second read; doubles after each mismatch. */
  delayMs: number;
}

export const defaultVerify: VerifyPolicy = { reads: 5, delayMs: 200 };

function sameStickiness(a: Stickiness, b: Stickiness | undefined): boolean {
  if (!b) return true;
  if (a.enabled !== b.enabled) return false;
  return !b.enabled || a.durationSeconds === b.durationSeconds;
}

const names = (arn: string) => targetGroupName(arn);

function describeStickiness(s: Stickiness): string {
  return s.enabled ? `on for ${s.durationSeconds ?? "?"}s` : "off";
}

/**
 * The stickiness to write with weights that take a group's traffic away: off when it is on. On ALB a
 * client holding the stickiness cookie keeps its group even at weight 0 ("Stickiness takes precedence
 * over adjusting Weight", AWS on re:Post), so only turning stickiness off moves those clients at once.
 * It stays off: a cookie naming the group stays valid for the stickiness duration, and turning
 * stickiness back on before that sends its holders to the group again.
 */
export function unstick(current: Stickiness | undefined): Stickiness | undefined {
  return current?.enabled ? { enabled: false } : undefined;
}

/** What the log says when a restore turned stickiness off. */
export function unstuckNote(group: string, durationSeconds: number | undefined, at: number): string {
  const until = durationSeconds ? ` Cookies naming ${group} stay valid until ${new Date(at + durationSeconds * 1000).toISOString()}: turn stickiness back on (stickiness-duration) only after that, or their holders go back to ${group}.` : "";
  return `Stickiness turned off on the forward action, so clients holding a cookie for ${group} moved at once (the load balancer honours the cookie even at weight 0).${until}`;
}

/** Writes the weights, then reads them back until they match. Throws when they never do. */
export async function writeVerified(
  router: TrafficRouter,
  ref: RoutingRef,
  groups: WeightedGroup[],
  clock: Clock,
  options: { stickiness?: Stickiness | undefined; verify?: VerifyPolicy } = {},
): Promise<ForwardState> {
  const verify = options.verify ?? defaultVerify;
  await router.setWeights(ref, groups, options.stickiness);
  let last: ForwardState | undefined;
  let delay = verify.delayMs;
  for (let attempt = 0; attempt < verify.reads; attempt++) {
    if (attempt > 0) {
      await clock.sleep(delay);
      delay *= 2;
    }
    last = await router.read(ref);
    if (sameWeights(last.groups, groups) && sameStickiness(last.stickiness, options.stickiness)) return last;
  }
  if (last && sameWeights(last.groups, groups)) {
    throw new OperationalError(
      `The load balancer accepted the change but still reports stickiness ${describeStickiness(last.stickiness)} ` +
        `instead of ${describeStickiness(options.stickiness!)} after ${verify.reads} reads; the write did not take effect.`,
    );
  }
  throw new OperationalError(
    `The load balancer accepted the weight change but still reports ${describeWeights(last?.groups ?? [], names)} ` +
      `instead of ${describeWeights(groups, names)} after ${verify.reads} reads; the write did not take effect.`,
  );
}

/** The weights changed under a running step (a stack update, a hand edit, another tool): it writes nothing more. */
export class ListenerChangedError extends SafetyError {
  static override readonly kind: string = "ListenerChangedError";
}

/**
 * Reads the weights before a write and refuses (ListenerChangedError) when they are not what this
 * run last read or wrote: overwriting them would undo someone else's change blind.
 */
export async function assertUnchanged(router: TrafficRouter, ref: RoutingRef, expected: WeightedGroup[], what: string): Promise<void> {
  const now = await router.read(ref);
  if (sameWeights(now.groups, expected)) return;
  throw new ListenerChangedError(
    `The listener changed under this deployment: it forwards ${describeWeights(now.groups, names)} where this run last left ` +
      `${describeWeights(expected, names)}. Not ${what}, and not overwriting it: find out what changed it (a stack update, a change by hand), then run rollback or deploy again.`,
  );
}

/** Refuses (SafetyError) unless the target group meets the requirement; returns the report. */
export async function requireHealthy(
  targetGroups: TargetGroups,
  arn: string,
  requirement: HealthRequirement,
  purpose: string,
): Promise<TargetGroupHealthReport> {
  const report = await readTargetHealth(targetGroups, arn, requirement);
  if (!report.ok) throw new SafetyError(`Not ${purpose}: ${report.summary}.`);
  return report;
}

/**
 * Before promotion rewrites the roles: the slots' role tags must still be what this run found (a
 * second old at least: the environment was just read otherwise). A changed role means someone else
 * changed the environment; promoting would overwrite their tags.
 */
export async function assertRolesUnchanged(env: Environment, found: Map<string, (string | undefined)[]>, readAt: number, deps: { clock: Clock; ports: { tags: ResourceTags } }): Promise<void> {
  if (deps.clock.now() - readAt < 1000) return;
  const now = await deps.ports.tags.read([...found.keys()]);
  for (const slot of env.slots) {
    const expected = found.get(slot.targetGroupArn);
    const tags = now.get(slot.targetGroupArn);
    const role = tags?.[TAG.role];
    // Tag reads are not read-after-write consistent: a role written before this run's read (its
    // updated-at says so) is what that read should have seen, not a change under this deployment.
    const writtenAt = Date.parse(tags?.[TAG.updatedAt] ?? "");
    if (expected && !expected.includes(role) && !(writtenAt < readAt)) {
      throw new ListenerChangedError(
        `The tags changed under this deployment: ${slot.name} is tagged ${TAG.role}=${untrusted(role ?? "(none)", 64)} where this run found ${expected.map((r) => r ?? "(none)").join(" or ")}. ` +
          "Not promoting, and not overwriting them: find out what changed them, then run rollback or deploy again.",
      );
    }
  }
}
