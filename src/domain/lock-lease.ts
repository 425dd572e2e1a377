/**
 * A lock this step holds: its lease is renewed with AddTags on its own rule (which fails once the
 * rule is gone, so a renewal is a check on the write path), and trusted only until half the lease
 * after the last renewal was sent, by this step's own clock. Once lost, lapsed, released or parked,
 * it stays so: a lapsed lease is never revived.
 */
import type { LockRules } from "../ports/load-balancer";
import type { Clock } from "../util/clock";
import { SafetyError } from "../util/errors";
import { describeOwner, leaseTag, type LockHolder, type LockOwner, type LockState, parseLockTags } from "./lock-format";

/** The lock was taken over (by a rollback) or its lease lapsed: the step must stop changing the environment. */
export class LockLostError extends SafetyError {
  static override readonly kind: string = "LockLostError";
  constructor(
    message: string,
    readonly by: LockHolder | undefined,
  ) {
    super(message);
  }
}

export interface SavedLock {
  ruleArn: string;
  id: string;
}

export interface AcquiredLock {
  holder: LockHolder;
  ruleArn: string;
  /** Who held it before, when taken over, claimed or preempted. */
  tookOverFrom?: LockHolder | undefined;
  /** Before a write: renews the lease on the load balancer; throws LockLostError when it is no longer ours. */
  assertHeld(what: string): Promise<void>;
  /** While waiting: renews when a quarter of the lease has passed, and notices a takeover within seconds. */
  checkpoint(what: string): Promise<void>;
  /** Deletes our rule: the lock is free. */
  release(): Promise<void>;
  /** Leaves the lock for a later step of this run (marks it parked); false when it was no longer ours. */
  park(): Promise<boolean>;
  /** What a post step needs to resume it. */
  saved(): SavedLock;
}

export interface LeaseOptions {
  rules: LockRules;
  clock: Clock;
  ttlMs: number;
  owner: LockOwner;
  ruleArn: string;
  id: string;
  /** When the creation (or the last renewal) of the rule was sent. */
  sent: number;
  tookOverFrom: LockHolder | undefined;
  listenerArn: string;
  priority: number;
}

/** Reads of the lock rule are made at most this often while waiting. */
const CHECK_EVERY_MS = 5_000;

export class Lease implements AcquiredLock {
  readonly holder: LockHolder;
  readonly ruleArn: string;
  readonly tookOverFrom: LockHolder | undefined;
  private renewedAt: number;
  private lastRead: number;
  private lost: LockLostError | undefined;

  constructor(private readonly o: LeaseOptions) {
    this.ruleArn = o.ruleArn;
    this.tookOverFrom = o.tookOverFrom;
    this.renewedAt = o.sent;
    this.lastRead = o.sent;
    this.holder = { ...o.owner, owner: describeOwner(o.owner), id: o.id, state: "active", renewedAt: new Date(o.sent), expiresAt: new Date(o.sent + o.ttlMs), ruleArn: o.ruleArn };
  }

  async assertHeld(what: string): Promise<void> {
    this.guard(what);
    await this.renew(what);
  }

  async checkpoint(what: string): Promise<void> {
    this.guard(what);
    const now = this.o.clock.now();
    if (now - this.renewedAt >= this.o.ttlMs / 4) return this.renew(what);
    if (now - this.lastRead < CHECK_EVERY_MS) return;
    this.lastRead = now;
    // A read that shows another rule (or none) may be stale: the renewal decides.
    const found = await this.o.rules.find(this.o.listenerArn, this.o.priority);
    if (found?.ruleArn !== this.ruleArn) await this.renew(what);
  }

  async release(): Promise<void> {
    await this.o.rules.remove(this.ruleArn);
    this.lost ??= new LockLostError("This step released its deployment lock.", undefined);
  }

  async park(): Promise<boolean> {
    if (this.lost || this.lapsed()) return false;
    try {
      await this.renew("leaving the lock to the next step of this run", "parked");
    } catch (error) {
      if (error instanceof LockLostError) return false;
      throw error;
    }
    this.holder.state = "parked";
    this.lost = new LockLostError("This step left its deployment lock to the next step of its run.", undefined);
    return true;
  }

  saved(): SavedLock {
    return { ruleArn: this.ruleArn, id: this.o.id };
  }

  private lapsed(): boolean {
    return this.o.clock.now() >= this.renewedAt + this.o.ttlMs / 2;
  }

  private lose(message: string, by?: LockHolder): never {
    this.lost = new LockLostError(`${message} Nothing more was changed by this step.`, by);
    throw this.lost;
  }

  private guard(what: string): void {
    if (this.lost) throw this.lost;
    if (this.lapsed()) {
      const at = new Date(this.renewedAt).toISOString();
      this.lose(`Stopped before ${what}: this step's deployment lock was last renewed at ${at}, half its ${Math.round(this.o.ttlMs / 1000)}s lease ago, so another deployment may already see it expired.`);
    }
  }

  private async renew(what: string, state: LockState = "active"): Promise<void> {
    const { rules, clock, ttlMs } = this.o;
    const sent = clock.now();
    const terms = { id: this.o.id, state, renewedAt: new Date(sent), expiresAt: new Date(sent + ttlMs) };
    if (!(await rules.tag(this.ruleArn, leaseTag(terms)))) {
      const found = await rules.find(this.o.listenerArn, this.o.priority).catch(() => undefined);
      const by = found?.isLock ? parseLockTags(found.tags, found.ruleArn) : undefined;
      const job = by?.job ? ` (job ${by.job}, attempt ${by.attempt ?? "?"})` : "";
      const who = by ? `${by.run} took this environment's deployment lock over${job}` : "this step's deployment lock was taken away";
      this.lose(`Stopped before ${what}: ${who} (a rollback preempts deployments).`, by);
    }
    this.renewedAt = sent;
    this.lastRead = sent;
    this.holder.renewedAt = terms.renewedAt;
    this.holder.expiresAt = terms.expiresAt;
  }
}
