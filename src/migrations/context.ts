/** What the lint knows while it walks a file's statements in order. */
import type { RuleHit } from "./rules";
import type { StatementPhase } from "./source";

export interface LintContext {
  /** Inside BEGIN … COMMIT. */
  inTransaction: boolean;
  /** A non-zero lock_timeout set with SET (the session) or SET LOCAL (until the transaction ends). */
  lockTimeout: { session: boolean; local: boolean };
  /** Tables created earlier in this file: nobody else holds locks on them or reads them yet. */
  created: Set<string>;
  /** Constraints added NOT VALID in the current transaction (table key + name). */
  notValidInTransaction: Set<string>;
}

export function newContext(): LintContext {
  return { inTransaction: false, lockTimeout: { session: false, local: false }, created: new Set(), notValidInTransaction: new Set() };
}

export interface StatementAnalysis {
  phase: StatementPhase;
  hits: RuleHit[];
  /** Takes a lock that queues other queries on an existing table while it waits (so lock_timeout matters). */
  strongLock?: boolean;
}

export const hasLockTimeout = (ctx: LintContext) => ctx.lockTimeout.session || ctx.lockTimeout.local;
