/** shift-traffic's post step once its inputs are valid: when the main step did not finish, put the stable weights back. Loaded with import(). */
import { restoreIfNeeded } from "../../domain/restore";
import { renderPostSummary } from "../../report/shift-traffic-post";
import type { Settings } from "../../inputs/define";
import type { shiftTrafficAction } from "../../inputs/shift-traffic";
import type { ActionContext } from "../runtime";

export async function main(s: Settings<typeof shiftTrafficAction>, ctx: ActionContext): Promise<void> {
  const finished = ctx.io.getState("finished");
  const routing = ctx.io.getState("routing");
  if (finished === "true" || !routing) {
    ctx.log(finished === "true" ? "The main step finished; nothing to restore." : "The main step changed nothing; nothing to restore.");
    return;
  }
  const ports = await ctx.ports();
  const outcome = await restoreIfNeeded(
    { ref: JSON.parse(routing), restoreTo: JSON.parse(ctx.io.getState("restore")), stableArn: ctx.io.getState("stable"), minHealthy: s["min-healthy"], lockOwner: ctx.run.lockOwner },
    ports,
    ctx.clock,
  );
  ctx.log(outcome.message);
  if (outcome.changed) ctx.io.warning(`shift-traffic did not finish; ${outcome.message}`);
  ctx.io.appendSummary(renderPostSummary(outcome));
}
