/** rollback once its inputs are valid: rollback → outputs, summary and deployment status. Loaded with import(). */
import { lockOwnerOf } from "../../domain/lock-format";
import { rollback } from "../../domain/rollback";
import { rollingRefOf } from "../../domain/rollback-rolling";
import { environmentRef } from "../../inputs/common";
import type { Settings } from "../../inputs/define";
import type { rollbackAction } from "./definition";
import { renderRollbackSummary } from "./summary";
import { reportDeployment } from "../../runtime/deployment-status";
import type { ActionContext } from "../../runtime/run-action";

export async function main(s: Settings<typeof rollbackAction>, ctx: ActionContext): Promise<void> {
  const ports = await ctx.ports();
  const rolling = await rollingRefOf({ asgName: s["auto-scaling-group-name"], tags: s["environment-tags"], routing: s["listener-arn"] ? { kind: "listener", arn: s["listener-arn"] } : s["rule-arn"] ? { kind: "rule", arn: s["rule-arn"] } : undefined }, ports);
  if (rolling) return (await import("./rolling")).mainRolling(s, ctx, ports, rolling);
  const result = await rollback(
    {
      environment: environmentRef(s),
      reason: s.reason,
      toVersion: s["to-version"],
      toSlot: s["to-slot"],
      minHealthy: s["min-healthy"],
      desiredCapacity: s["desired-capacity"],
      scaleInBad: s["scale-in-bad"],
      timeoutMs: s.timeout,
      dryRun: s["dry-run"],
      lockOwner: lockOwnerOf(ctx.run),
      lockTtlMs: s["lock-ttl"],
      actor: ctx.run.actor || undefined,
      force: s.force,
    },
    { ports, clock: ctx.clock, random: ctx.random, log: ctx.log, warn: (l) => ctx.io.warning(l), signal: ctx.signal },
  );
  ctx.io.setOutput("from-version", result.fromVersion ?? "");
  ctx.io.setOutput("to-version", result.toVersion ?? "");
  ctx.io.setOutput("to-slot", result.good.name);
  ctx.io.setOutput("seconds", (result.durationMs / 1000).toFixed(1));
  ctx.io.setOutput("scaled-up", String(result.scaledUp !== undefined));
  ctx.io.appendSummary(renderRollbackSummary(result, { actor: ctx.run.actor, reason: s.reason, runUrl: ctx.run.runUrl }));
  if (result.dryRun) return;
  if (result.alreadyThere) {
    ctx.io.notice(`Nothing to roll back: ${result.good.name}${result.toVersion ? ` (${result.toVersion})` : ""} already serves all traffic as the last known good slot.`);
    return;
  }
  await reportDeployment(s, ctx, "succeeded", result.toVersion ?? result.good.name);
  ctx.io.notice(`Rolled back to ${result.good.name}${result.toVersion ? ` (${result.toVersion})` : ""} in ${(result.durationMs / 1000).toFixed(1)}s. Reason: ${s.reason}`);
}
