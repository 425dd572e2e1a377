/** deploy-green's settings, mapped to the domain's request. */
import type { DeployGreenRequest } from "../../domain/deploy-green";
import { environmentRef } from "../../inputs/common";
import type { RunInfo } from "../../util/run-info";
import type { DeployGreenSettings } from "./definition";

/** `<run id>-<run attempt>`: one deployment per attempt of a workflow run. */
export function defaultDeploymentId(run: Pick<RunInfo, "runId" | "runAttempt">): string {
  return `${run.runId}-${run.runAttempt}`;
}

export function requestFromSettings(s: DeployGreenSettings, run: Pick<RunInfo, "runId" | "runAttempt">): DeployGreenRequest {
  return {
    environment: environmentRef(s),
    version: s.version,
    launchTemplateVersion: s["launch-template-version"],
    imageId: s["image-id"],
    desiredCapacity: s["desired-capacity"],
    minHealthy: s["min-healthy"],
    timeoutMs: s.timeout,
    stableFor: s["stable-for"],
    deploymentId: s["deployment-id"] ?? defaultDeploymentId(run),
    dryRun: s["dry-run"],
    lockTtlMs: s["lock-ttl"],
    schemaVersion: s["schema-version"],
  };
}
