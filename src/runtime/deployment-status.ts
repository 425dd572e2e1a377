/** Reports a GitHub deployment status when `github-environment` is set; a failure to report only warns. */
import type { DeploymentSettings } from "../inputs/common";
import type { ActionContext } from "./run-action";

export type DeploymentEvent = "started" | "succeeded" | "failed";

export async function reportDeployment(s: DeploymentSettings, ctx: ActionContext, event: DeploymentEvent, version: string, reason?: string): Promise<void> {
  if (!s["github-environment"]) return;
  const { createDeploymentReporter } = await import("../adapters/github/deployments/report");
  const signal = ctx.callSignal ?? (() => ctx.signal);
  const reporter = createDeploymentReporter({ token: s["github-token"], env: (name) => ctx.io.env(name), run: ctx.run, signal });
  const outcome =
    event === "failed"
      ? await reporter.failed(s["github-environment"], version, reason)
      : await reporter[event](s["github-environment"], version, s["environment-url"]);
  if (outcome.ok) ctx.log(outcome.message);
  else ctx.io.warning(outcome.message);
}
