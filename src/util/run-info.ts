/** What the runner says about the workflow run a step is part of, read once from its environment. */
export interface RunInfo {
  repository: string;
  runId: string;
  runAttempt: string;
  job: string;
  sha: string;
  actor: string;
  serverUrl: string;
  eventName: string;
  /** Link to the workflow run, when known. */
  runUrl: string | undefined;
  /** The workflow run, as the deployment lock records it; with `job` and `runAttempt` it names the lock's holder (src/domain/lock-format.ts). */
  lockOwner: string;
}

export function runInfo(env: (name: string) => string | undefined): RunInfo {
  const repository = env("GITHUB_REPOSITORY") ?? "local/repository";
  const runId = env("GITHUB_RUN_ID") ?? "local";
  const serverUrl = env("GITHUB_SERVER_URL") ?? "https://github.com";
  return {
    repository,
    runId,
    runAttempt: env("GITHUB_RUN_ATTEMPT") ?? "1",
    job: env("GITHUB_JOB") ?? "job",
    sha: env("GITHUB_SHA") ?? "",
    actor: env("GITHUB_ACTOR") ?? "",
    serverUrl,
    eventName: env("GITHUB_EVENT_NAME") ?? "",
    runUrl: env("GITHUB_RUN_ID") ? `${serverUrl}/${repository}/actions/runs/${runId}` : undefined,
    lockOwner: `${repository}/actions/runs/${runId}`,
  };
}
