/**
 * The deployment lock: one tag on the environment's listener or rule holding the owner (a workflow
 * run) and a lease expiry. Set with write-then-read-back, so of two writers racing only one reads
 * its own value and proceeds. The same owner re-enters (later jobs of one run); rollback takes over.
 */
import type { ResourceTags } from "../ports/load-balancer";
import type { Clock } from "../util/clock";
import { SafetyError } from "../util/errors";
import { TAG } from "./tags";

export interface LockHolder {
  owner: string;
  expiresAt: Date;
}

export function formatLock(holder: LockHolder): string {
  return `owner=${holder.owner};expires=${holder.expiresAt.toISOString()}`;
}

export function parseLock(value: string | undefined): LockHolder | undefined {
  if (!value) return undefined;
  const m = /^owner=(.*);expires=(.+)$/.exec(value);
  if (!m) return undefined;
  const expiresAt = new Date(m[2]!);
  if (Number.isNaN(expiresAt.getTime())) return undefined;
  return { owner: m[1]!, expiresAt };
}

export interface LockOptions {
  tags: ResourceTags;
  /** The listener or rule ARN that identifies the environment. */
  resourceArn: string;
  owner: string;
  ttlMs: number;
  clock: Clock;
  log: (line: string) => void;
  /** Take the lock even when another owner holds a live lease (rollback). */
  takeOver?: boolean;
  /** Wait between the write and the read-back, so a racing writer's value is seen. */
  settleMs?: number;
}

export interface AcquiredLock {
  holder: LockHolder;
  /** Who held it before, when taken over. */
  tookOverFrom?: LockHolder | undefined;
  /** Throws LockLostError when another run (a rollback) has taken the lock since. */
  assertHeld(what: string): Promise<void>;
  release(): Promise<void>;
}

/** The lock was taken over (by a rollback): the step must stop changing the environment. */
export class LockLostError extends SafetyError {
  constructor(
    message: string,
    readonly by: LockHolder | undefined,
  ) {
    super(message);
  }
}

async function readHolder(tags: ResourceTags, arn: string): Promise<{ raw: string | undefined; holder: LockHolder | undefined }> {
  const raw = (await tags.read([arn])).get(arn)?.[TAG.lock];
  return { raw, holder: parseLock(raw) };
}

export async function acquireLock(options: LockOptions): Promise<AcquiredLock> {
  const { tags, resourceArn, owner, clock } = options;
  const before = await readHolder(tags, resourceArn);
  const now = clock.now();
  const current = before.holder;
  const live = current && current.expiresAt.getTime() > now && current.owner !== owner;
  if (live && !options.takeOver) {
    throw new SafetyError(
      `Another deployment holds this environment's lock: ${current.owner}, lease until ${current.expiresAt.toISOString()}. ` +
        `Wait for it to finish, or run the rollback action, which takes the lock over.`,
    );
  }
  if (current && current.owner !== owner) {
    options.log(
      current.expiresAt.getTime() <= now
        ? `Taking over an expired deployment lock from ${current.owner} (expired ${current.expiresAt.toISOString()})`
        : `Taking over the deployment lock from ${current.owner}`,
    );
  }
  const holder: LockHolder = { owner, expiresAt: new Date(now + options.ttlMs) };
  const value = formatLock(holder);
  await tags.write(resourceArn, { [TAG.lock]: value });
  await clock.sleep(options.settleMs ?? 300);
  const after = await readHolder(tags, resourceArn);
  if (after.raw !== value) {
    throw new SafetyError(
      `Lost the race for this environment's deployment lock to ${after.holder?.owner ?? "another writer"}; nothing was changed. Re-run when that deployment has finished.`,
    );
  }
  return {
    holder,
    tookOverFrom: current && current.owner !== owner ? current : undefined,
    assertHeld: async (what) => {
      const now = await readHolder(tags, resourceArn);
      if (now.holder?.owner === owner) return;
      throw new LockLostError(
        `Stopped before ${what}: ${now.holder ? `${now.holder.owner} took this environment's deployment lock over` : "this run's deployment lock was taken away"} (a rollback preempts deployments). ` +
          `Nothing more was changed by this run.`,
        now.holder,
      );
    },
    release: async () => {
      const now = await readHolder(tags, resourceArn);
      if (now.raw === value || now.holder?.owner === owner) await tags.remove(resourceArn, [TAG.lock]);
    },
  };
}
