/**
 * The deployment lock: a listener rule at a priority reserved for the environment (see
 * docs/RELIABILITY.md, "The deployment lock"). CreateRule at a priority in use fails, so of any
 * number of racers exactly one creates it, whatever their reads show. The rule's tags carry the
 * holder and its lease. Only the exact rule ARN that was read is ever deleted (to take over an
 * expired lease, claim a lock parked by an earlier step of the same run, or preempt for a
 * rollback), and creating again is the only way to hold it.
 *
 * A holder renews its lease (AddTags on its own rule, which fails once the rule is gone) and trusts
 * it for half the lease after each renewal was sent, by its own clock: with reads lagging less than
 * half the lease (clock skew included), no other step can see the lease expired before the holder
 * has stopped writing.
 */
import type { LockRules, ResourceTags, RoutingRef } from "../ports/load-balancer";
import type { Clock, Random } from "../util/clock";
import { ConfigurationError, SafetyError } from "../util/errors";
import { listenerOf, lockPriority, lockTags, type LockHolder, type LockOwner, parseLegacyLock, parseLockTags } from "./lock-format";
import { type AcquiredLock, Lease, LockLostError, type SavedLock } from "./lock-lease";
import { TAG } from "./tags";

export type { LockHolder, LockOwner } from "./lock-format";
export { parseLegacyLock, parseLockTags } from "./lock-format";
export { type AcquiredLock, LockLostError, type SavedLock } from "./lock-lease";

export interface LockOptions {
  rules: LockRules;
  /** Tags of the environment's listener or rule, where locks of the earlier format were kept. */
  tags: ResourceTags;
  environment: RoutingRef;
  /** The run, job and attempt; a bare string is a run (job "job", attempt 1). */
  owner: LockOwner | string;
  ttlMs: number;
  clock: Clock;
  random: Random;
  log: (line: string) => void;
  /** Take the lock even when another owner holds a live lease (rollback). */
  takeOver?: boolean | undefined;
  /** How long to wait for another step of this run that holds the lock to park it (default 60 s). */
  sameRunWaitMs?: number | undefined;
  /** Ends a wait for the lock (the job is cancelled). */
  signal?: AbortSignal | undefined;
}

export function ownerOf(owner: LockOwner | string): LockOwner {
  return typeof owner === "string" ? { run: owner, job: "job", attempt: 1 } : owner;
}

function token(random: Random): string {
  return Array.from({ length: 4 }, () => Math.floor(random() * 0x10000).toString(16).padStart(4, "0")).join("");
}

function expired(holder: LockHolder, now: number): boolean {
  return holder.expiresAt.getTime() <= now;
}

/** Why the lock may be taken: "claim" (parked by this run, or a finished attempt of it), "expired", "preempt"; or undefined. */
function takeable(holder: LockHolder, owner: LockOwner, now: number, takeOver: boolean): "claim" | "expired" | "preempt" | undefined {
  const ownRun = holder.run === owner.run;
  if (ownRun && (holder.state === "parked" || holder.legacy || (holder.attempt !== undefined && holder.attempt < owner.attempt))) return "claim";
  if (expired(holder, now)) return "expired";
  return takeOver ? "preempt" : undefined;
}

function refusal(holder: LockHolder, owner: LockOwner): SafetyError {
  const lease = `lease until ${holder.expiresAt.toISOString()}`;
  if (holder.run === owner.run) {
    return new SafetyError(
      `Another job of this workflow run holds this environment's deployment lock and is working under it: ${holder.owner}, ${lease}. ` +
        `Jobs of one run that deploy the same environment must run one after another (needs:), not in parallel or as a matrix.`,
    );
  }
  return new SafetyError(`Another deployment holds this environment's lock: ${holder.owner}, ${lease}. Wait for it to finish, or run the rollback action, which takes the lock over.`);
}

function how(reason: "claim" | "expired" | "preempt", holder: LockHolder): string {
  if (reason === "claim") return `Taking the deployment lock over from ${holder.owner}, an earlier step of this run that left it`;
  if (reason === "expired") return `Taking over an expired deployment lock from ${holder.owner} (expired ${holder.expiresAt.toISOString()})`;
  return `Taking over the deployment lock from ${holder.owner}`;
}

export async function acquireLock(options: LockOptions): Promise<AcquiredLock> {
  const { rules, clock, log } = options;
  const owner = ownerOf(options.owner);
  const listenerArn = listenerOf(options.environment);
  const priority = lockPriority(options.environment);
  const id = token(options.random);
  const legacy = await legacyHolder(options, owner);
  const waitUntil = clock.now() + (options.sameRunWaitMs ?? 60_000);
  const unreadableUntil = clock.now() + Math.min(options.sameRunWaitMs ?? 60_000, 20_000);
  let tookOverFrom: LockHolder | undefined = legacy;
  for (let round = 0; ; round++) {
    const sent = clock.now();
    const terms = { owner, id, state: "active" as const, renewedAt: new Date(sent), expiresAt: new Date(sent + options.ttlMs), environment: options.environment.arn };
    const ruleArn = await rules.create(listenerArn, priority, id, lockTags(terms));
    if (ruleArn) {
      if (legacy) await options.tags.remove(options.environment.arn, [TAG.lock]).catch(() => log(`Could not remove the earlier-format lock tag from ${options.environment.arn}`));
      return new Lease({ rules, clock, ttlMs: options.ttlMs, owner, ruleArn, id, sent, tookOverFrom, listenerArn, priority });
    }
    // The priority is in use: read who holds it (the read may lag; only what it shows is ever deleted).
    const found = await rules.find(listenerArn, priority);
    if (found && !found.isLock) {
      throw new ConfigurationError(
        `Listener ${listenerArn} has a rule at priority ${priority} (${found.ruleArn}) that is not a deployment lock; the suite reserves that priority for this environment's lock. Move that rule to another priority.`,
      );
    }
    const holder = found ? parseLockTags(found.tags, found.ruleArn) : undefined;
    const now = clock.now();
    const reason = holder ? takeable(holder, owner, now, options.takeOver === true) : options.takeOver && found ? "preempt" : undefined;
    if (holder && !reason && holder.run !== owner.run) throw refusal(holder, owner);
    if (found && reason) {
      log(holder ? how(reason, holder) : `Taking over the deployment lock rule ${found.ruleArn}, whose holder is not readable yet`);
      tookOverFrom = holder ?? tookOverFrom;
      // Gone already: another step deleted it first, and may be creating its own now.
      if (await rules.remove(found.ruleArn)) continue;
    }
    if (now >= (holder ? waitUntil : unreadableUntil)) {
      if (holder) throw refusal(holder, owner);
      throw new SafetyError(
        `This environment's deployment lock is held (priority ${priority} on ${listenerArn} is in use), but its holder could not be read. Re-run in a minute, or run the rollback action.`,
      );
    }
    // Our own run's active step (it may be about to park), a rule not readable yet, or a lost delete race.
    await clock.sleep(Math.min(2_000, 250 * 2 ** Math.min(round, 3)) * (0.75 + 0.5 * options.random()), options.signal);
  }
}

/** A lock of the earlier format on the environment's listener or rule: honoured, and removed once ours. */
async function legacyHolder(options: LockOptions, owner: LockOwner): Promise<LockHolder | undefined> {
  const arn = options.environment.arn;
  const holder = parseLegacyLock((await options.tags.read([arn])).get(arn)?.[TAG.lock]);
  if (!holder) return undefined;
  const reason = takeable(holder, owner, options.clock.now(), options.takeOver === true);
  if (!reason) throw refusal(holder, owner);
  options.log(how(reason, holder));
  return holder;
}

/**
 * The lock a main step held, for its post step: still ours when its rule exists, carries our id,
 * is active, and its last renewal (as read; a stale read shows an older one) is less than half the
 * lease old. Renewed before it is returned. `undefined`, with why, otherwise.
 */
export async function resumeLock(
  saved: SavedLock,
  options: Pick<LockOptions, "rules" | "environment" | "clock" | "log"> & { owner: LockOwner | string },
): Promise<{ lock: AcquiredLock; why?: undefined } | { lock?: undefined; why: string }> {
  const listenerArn = listenerOf(options.environment);
  const priority = lockPriority(options.environment);
  const found = await options.rules.find(listenerArn, priority);
  const holder = found?.ruleArn === saved.ruleArn ? parseLockTags(found.tags, found.ruleArn) : undefined;
  if (!found || !holder) return { why: found ? `the deployment lock is now held by another step (${found.ruleArn})` : "this job no longer holds the deployment lock" };
  const renewed = holder.renewedAt?.getTime();
  const ttlMs = renewed === undefined ? 0 : holder.expiresAt.getTime() - renewed;
  if (holder.id !== saved.id || holder.state !== "active" || renewed === undefined || options.clock.now() >= renewed + ttlMs / 2) {
    return { why: holder.id !== saved.id ? `the deployment lock is now held by ${holder.owner}` : `this job's deployment lock lapsed (last renewed ${holder.renewedAt?.toISOString() ?? "never"})` };
  }
  const lock = new Lease({
    rules: options.rules,
    clock: options.clock,
    ttlMs,
    owner: ownerOf(options.owner),
    ruleArn: saved.ruleArn,
    id: saved.id,
    sent: renewed,
    tookOverFrom: undefined,
    listenerArn,
    priority,
  });
  try {
    await lock.assertHeld("restoring the weights");
  } catch (error) {
    if (error instanceof LockLostError) return { why: error.message };
    throw error;
  }
  return { lock };
}

