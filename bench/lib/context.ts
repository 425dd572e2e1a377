/** What every part of the bench gets: where the bundles are, how many runs, and a progress log. */
import { setTimeout as sleep } from "node:timers/promises";

export interface BenchContext {
  /** Repository root (the working directory of every action run). */
  root: string;
  /** A private copy of dist/ taken when the bench started, so a rebuild during the bench changes nothing. */
  dist: string;
  /** Runs per measured command where a part repeats one (cold start uses at least 20). */
  runs: number;
  log(line: string): void;
}

export const ACTIONS = ["deploy-green", "health-gate", "shift-traffic", "rollback", "canary-analyze", "migration-guard"] as const;

export function bundlePath(ctx: BenchContext, action: string): string {
  return `${ctx.dist}/${action}/index.js`;
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined; throws with `label` after `timeoutMs`. */
export async function waitFor<T>(label: string, probe: () => T | undefined, timeoutMs: number, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await sleep(everyMs);
  }
}
