/** deploy-green's entry: inputs → deployGreen → outputs and summary. */
import { regionOf } from "../domain/arn";
import { deployGreen, type DeployGreenResult, requestFromSettings } from "../domain/deploy-green";
import { deployGreenDefinition } from "../inputs/deploy-green";
import { renderDeployGreenFailure, renderDeployGreenSummary } from "../report/deploy-green";
import { errorMessage } from "../util/errors";
import { reportDeployment } from "./deployment-status";
import { isMainModule, runAction, type RuntimeOptions } from "./runtime";

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

export function run(options: RuntimeOptions = {}): Promise<boolean> {
  return runAction(
    deployGreenDefinition,
    async (settings, ctx) => {
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
    },
    options,
  );
}

if (isMainModule(import.meta.url)) void run();
