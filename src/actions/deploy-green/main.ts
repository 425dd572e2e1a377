/** deploy-green once its inputs are valid: deployGreen → outputs, summary and deployment status. Loaded with import(). */
import { regionOf } from "../../util/arn";
import { deployGreen, type DeployGreenResult } from "../../domain/deploy-green";
import { requestFromSettings } from "./request";
import type { DeployGreenSettings } from "./definition";
import { renderDeployGreenFailure, renderDeployGreenSummary } from "./summary";
import { errorMessage } from "../../util/errors";
import { reportDeployment } from "../../runtime/deployment-status";
import type { ActionContext } from "../../runtime/run-action";

export function outputsOf(result: DeployGreenResult): Record<string, string> {
  return {
    slot: result.slot.name,
    "target-group-arn": result.targetGroupArn,
    "asg-name": result.asgName,
    version: result.version,
    "instance-count": String(result.instances.length),
    "deployment-id": result.deploymentId,
    "launch-template-version": result.launchTemplate.after.version,
  };
}

export async function main(settings: DeployGreenSettings, ctx: ActionContext): Promise<void> {
  const ports = await ctx.ports(regionOf(settings["listener-arn"] ?? settings["rule-arn"] ?? ""));
  const result = await deployGreen(requestFromSettings(settings, ctx.run), {
    ports,
    clock: ctx.clock,
    random: ctx.random,
    log: ctx.log,
    signal: ctx.signal,
    run: ctx.run,
  }).catch((error: unknown) => {
    ctx.io.appendSummary(renderDeployGreenFailure(errorMessage(error), { runUrl: ctx.run.runUrl }));
    throw error;
  });
  for (const [name, value] of Object.entries(outputsOf(result))) ctx.io.setOutput(name, value);
  ctx.io.appendSummary(renderDeployGreenSummary(result, { runUrl: ctx.run.runUrl }));
  if (!settings["dry-run"]) await reportDeployment(settings, ctx, "started", result.version);
}
