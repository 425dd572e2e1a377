/** shift-traffic's post step once its inputs are valid: when the main step did not finish, put the stable weights back. Loaded with import(). */
import { lockOwnerOf } from "../../domain/lock-format";
import { LockLostError, type SavedLock } from "../../domain/lock";
import { restoreIfNeeded } from "../../domain/restore";
import { renderPostSummary } from "./post-summary";
import type { Settings } from "../../inputs/define";
import type { shiftTrafficAction } from "./definition";
import { errorMessage, SafetyError } from "../../util/errors";
import type { ActionContext } from "../../runtime/run-action";

/** GitHub kills a cancelled job 7.5 s after SIGINT: the post step restores within this, or says it could not. */
export const POST_DEADLINE_MS = 3_000;

export async function main(s: Settings<typeof shiftTrafficAction>, ctx: ActionContext): Promise<void> {
  ctx.deadline?.(POST_DEADLINE_MS);
  const finished = ctx.io.getState("finished");
  const routing = ctx.io.getState("routing");
  if (finished === "true" || !routing) {
    ctx.log(finished === "true" ? "The main step finished; nothing to restore." : "The main step changed nothing; nothing to restore.");
    return;
  }
  const ports = await ctx.ports();
  const outcome = await restoreIfNeeded(
    {
      ref: JSON.parse(routing),
      restoreTo: JSON.parse(ctx.io.getState("restore")),
      stableArn: ctx.io.getState("stable"),
      minHealthy: s["min-healthy"],
      lockOwner: lockOwnerOf(ctx.run),
      lock: savedLock(ctx.io.getState("lock")),
    },
    ports,
    ctx.clock,
    ctx.log,
  ).catch((error: unknown) => {
    // A lock this job no longer holds is not a failure to restore: the step must not write, and whoever holds it now owns the weights.
    if (error instanceof LockLostError) {
      throw new SafetyError(`shift-traffic did not finish, and its post step left the weights alone: ${errorMessage(error)}. Run the rollback action only if no other deployment or rollback is running.`);
    }
    throw new SafetyError(`shift-traffic did not finish, and its post step could not restore the stable weights: ${errorMessage(error)}. Run the rollback action.`);
  });
  ctx.log(outcome.message);
  if (outcome.changed) ctx.io.warning(`shift-traffic did not finish; ${outcome.message}`);
  ctx.io.appendSummary(renderPostSummary(outcome));
}

/** The lock the main step saved when it began; undefined when it saved none or it is unreadable. */
function savedLock(state: string): SavedLock | undefined {
  try {
    const value = JSON.parse(state) as Partial<SavedLock>;
    return typeof value.ruleArn === "string" && typeof value.id === "string" ? { ruleArn: value.ruleArn, id: value.id } : undefined;
  } catch {
    return undefined;
  }
}
