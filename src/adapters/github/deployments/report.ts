/**
 * GitHub deployment statuses, so the repository's Environments page shows which version each
 * environment runs and whether its deployment is in progress, live, failed or gone.
 *
 * Reporting is a courtesy, never a gate: every call resolves to a report (`ok` and a message the
 * caller logs, or shows as a warning) and none throws. The deployment is found once per environment
 * and step (./match), then each event posts a status on it.
 *
 * Older deployments: a `success` status is sent with `auto_inactive: true` (GitHub's default), so
 * GitHub marks the environment's earlier successful deployments inactive. GitHub documents that
 * it does so for non-transient, non-production deployments; for production environments the
 * Environments page still shows the newest success as the active one.
 */
import type { RunInfo } from "../../../util/run-info";
import { createDeploymentsClient, type DeploymentsApi, type NewStatus } from "./client";
import { type Deployment, findOrCreateDeployment, shortDescription } from "./match";

export interface DeploymentReport {
  ok: boolean;
  message: string;
  /** True when nothing was sent (no token or no environment name). */
  skipped?: boolean;
}

export interface DeploymentReporter {
  started(environment: string | undefined, version: string, url?: string): Promise<DeploymentReport>;
  succeeded(environment: string | undefined, version: string, url?: string): Promise<DeploymentReport>;
  failed(environment: string | undefined, version: string, reason?: string): Promise<DeploymentReport>;
  inactive(environment: string | undefined, version: string, reason?: string): Promise<DeploymentReport>;
}

export interface DeploymentReporterOptions {
  /** The `github-token` input; empty or undefined turns reporting off. */
  token: string | undefined;
  /** Reads the runner's environment (GITHUB_API_URL), like `ActionIO.env`. */
  env: (name: string) => string | undefined;
  run: RunInfo;
  /** The signal of the next call (the step's); read at every call. */
  signal?: () => AbortSignal;
  /** Recorded in the payload of a deployment we create; default <run id>-<run attempt>. */
  deploymentId?: string;
  /** Per attempt; default 5000. */
  timeoutMs?: number;
  /** The unit of the retry and rate-limit pauses, in ms; default 1000. */
  pauseUnitMs?: number;
}

function httpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? value : undefined;
  } catch {
    return undefined;
  }
}

async function postStatus(api: DeploymentsApi, deployment: Deployment, status: Omit<NewStatus, "environment_url" | "auto_inactive"> & { environmentUrl?: string | undefined }): Promise<DeploymentReport> {
  const environmentUrl = httpUrl(status.environmentUrl);
  const sent = await api.createStatus(deployment.repository, deployment.id, {
    state: status.state,
    log_url: status.log_url,
    description: shortDescription(status.description),
    ...(environmentUrl ? { environment_url: environmentUrl } : {}),
    ...(status.state === "success" ? { auto_inactive: true } : {}),
  });
  if (!sent.ok) return sent;
  return { ok: true, message: `GitHub deployment ${deployment.id} of ${deployment.environment} is now ${status.state}` };
}

/**
 * started → in_progress, succeeded → success (earlier deployments become inactive), failed →
 * failure, inactive → inactive. Each call resolves to what happened; none throws.
 */
export function createDeploymentReporter(options: DeploymentReporterOptions): DeploymentReporter {
  const token = options.token?.trim() ?? "";
  const run = options.run;
  let client: DeploymentsApi | undefined;
  const api = () =>
    (client ??= createDeploymentsClient({
      token,
      apiUrl: options.env("GITHUB_API_URL"),
      userAgent: "zero-downtime-actions/alb-deploy",
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.pauseUnitMs !== undefined ? { pauseUnitMs: options.pauseUnitMs } : {}),
    }));
  const logUrl = run.runUrl ?? `${run.serverUrl}/${run.repository}/actions/runs/${run.runId}`;
  const known = new Map<string, Deployment>();

  async function report(environment: string | undefined, version: string, state: NewStatus["state"], description: string, url?: string): Promise<DeploymentReport> {
    const name = environment?.trim() ?? "";
    if (!token) return { ok: true, skipped: true, message: "GitHub deployment status not reported: no github-token given." };
    if (!name) return { ok: true, skipped: true, message: "GitHub deployment status not reported: no environment name given." };
    if (!run.sha) return { ok: false, message: "GitHub deployment status not reported: the commit (GITHUB_SHA) is unknown." };
    let deployment = known.get(name);
    let found = "";
    if (!deployment) {
      const outcome = await findOrCreateDeployment(api(), {
        repository: run.repository,
        environment: name,
        sha: run.sha,
        runId: run.runId,
        deploymentId: options.deploymentId ?? `${run.runId}-${run.runAttempt}`,
        version,
        description,
      });
      if (!outcome.ok) return { ok: false, message: outcome.message };
      deployment = outcome.value;
      known.set(name, deployment);
      found = `${outcome.message}; `;
    }
    const status = await postStatus(api(), deployment, { state, log_url: logUrl, description, environmentUrl: url });
    return { ok: status.ok, message: status.ok ? `${found}${status.message}` : status.message };
  }

  return {
    started: (environment, version, url) => report(environment, version, "in_progress", `Deploying ${version}`, url),
    succeeded: (environment, version, url) => report(environment, version, "success", `${version} serves all traffic`, url),
    failed: (environment, version, reason) => report(environment, version, "failure", reason ? `${version} failed: ${reason}` : `${version} failed`),
    inactive: (environment, version, reason) => report(environment, version, "inactive", reason ? `${version} no longer serves traffic: ${reason}` : `${version} no longer serves traffic`),
  };
}
