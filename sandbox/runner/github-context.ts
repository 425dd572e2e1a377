import { z } from "zod";

/** What the run looks like from GitHub's side; every field has a deterministic default. */
export const GithubSettingsSchema = z.object({
  repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "expected 'owner/name'").default("example-org/zero-downtime-actions"),
  sha: z.string().regex(/^[0-9a-f]{40}$/, "expected 40 lowercase hex digits").default("5f0c6a1e2b3d4c5f60718293a4b5c6d7e8f90a1b"),
  ref: z.string().default("refs/heads/main"),
  actor: z.string().default("octocat"),
  runId: z.coerce.string().default("1000000001"),
  runNumber: z.coerce.string().default("1"),
  runAttempt: z.coerce.string().default("1"),
  serverUrl: z.string().default("https://github.com"),
  apiUrl: z.string().default("https://api.github.com"),
  graphqlUrl: z.string().default("https://api.github.com/graphql"),
  /** The job's GITHUB_TOKEN; masked in every log like a secret. */
  token: z.string().default("ghs_sandboxTokenForLocalRunsOnly0000000"),
  workflow: z.string().default("local"),
  job: z.string().default("local"),
  eventName: z.string().default("push"),
  /** The event payload (github.event); `inputs` is filled in for workflow_dispatch. */
  event: z.record(z.string(), z.unknown()).default({}),
});

export type GithubSettingsInput = z.input<typeof GithubSettingsSchema>;
export type GithubSettings = z.output<typeof GithubSettingsSchema>;

export function parseGithubSettings(input: GithubSettingsInput | undefined): GithubSettings {
  const parsed = GithubSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`github settings: '${issue?.path.join(".")}' ${issue?.message}`);
  }
  return parsed.data;
}

function refParts(ref: string): { name: string; type: string } {
  if (ref.startsWith("refs/heads/")) return { name: ref.slice("refs/heads/".length), type: "branch" };
  if (ref.startsWith("refs/tags/")) return { name: ref.slice("refs/tags/".length), type: "tag" };
  return { name: ref, type: "branch" };
}

/** The `github` expression context. */
export function githubContext(settings: GithubSettings, extra: { workspace: string; action?: string; actionPath?: string }) {
  const ref = refParts(settings.ref);
  return {
    action: extra.action ?? "",
    action_path: extra.actionPath ?? "",
    actor: settings.actor,
    triggering_actor: settings.actor,
    api_url: settings.apiUrl,
    graphql_url: settings.graphqlUrl,
    server_url: settings.serverUrl,
    event: settings.event,
    event_name: settings.eventName,
    job: settings.job,
    ref: settings.ref,
    ref_name: ref.name,
    ref_type: ref.type,
    head_ref: "",
    base_ref: "",
    repository: settings.repository,
    repository_owner: settings.repository.split("/")[0] ?? "",
    run_id: settings.runId,
    run_number: settings.runNumber,
    run_attempt: settings.runAttempt,
    retention_days: "90",
    sha: settings.sha,
    token: settings.token,
    workflow: settings.workflow,
    workspace: extra.workspace,
  };
}

/** The GITHUB_* and RUNNER_* variables the runner sets for every step. */
export function defaultVariables(
  settings: GithubSettings,
  dirs: { workspace: string; temp: string; toolCache: string; eventPath: string },
  step: { action: string; actionPath?: string; actionRepository?: string; actionRef?: string },
): Record<string, string> {
  const ref = refParts(settings.ref);
  const vars: Record<string, string> = {
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_ACTION: step.action,
    GITHUB_ACTOR: settings.actor,
    GITHUB_TRIGGERING_ACTOR: settings.actor,
    GITHUB_API_URL: settings.apiUrl,
    GITHUB_GRAPHQL_URL: settings.graphqlUrl,
    GITHUB_SERVER_URL: settings.serverUrl,
    GITHUB_EVENT_NAME: settings.eventName,
    GITHUB_EVENT_PATH: dirs.eventPath,
    GITHUB_JOB: settings.job,
    GITHUB_REF: settings.ref,
    GITHUB_REF_NAME: ref.name,
    GITHUB_REF_TYPE: ref.type,
    GITHUB_HEAD_REF: "",
    GITHUB_BASE_REF: "",
    GITHUB_REPOSITORY: settings.repository,
    GITHUB_REPOSITORY_OWNER: settings.repository.split("/")[0] ?? "",
    GITHUB_RETENTION_DAYS: "90",
    GITHUB_RUN_ID: settings.runId,
    GITHUB_RUN_NUMBER: settings.runNumber,
    GITHUB_RUN_ATTEMPT: settings.runAttempt,
    GITHUB_SHA: settings.sha,
    GITHUB_WORKFLOW: settings.workflow,
    GITHUB_WORKFLOW_REF: `${settings.repository}/.github/workflows/${settings.workflow}@${settings.ref}`,
    GITHUB_WORKFLOW_SHA: settings.sha,
    GITHUB_WORKSPACE: dirs.workspace,
    RUNNER_ARCH: "X64",
    RUNNER_NAME: "local-runner",
    RUNNER_OS: "Linux",
    RUNNER_ENVIRONMENT: "self-hosted",
    RUNNER_TEMP: dirs.temp,
    RUNNER_TOOL_CACHE: dirs.toolCache,
  };
  if (step.actionPath) vars.GITHUB_ACTION_PATH = step.actionPath;
  if (step.actionRepository) vars.GITHUB_ACTION_REPOSITORY = step.actionRepository;
  if (step.actionRef) vars.GITHUB_ACTION_REF = step.actionRef;
  return vars;
}

/** This process's environment minus anything that would leak a real workflow (or the test runner) into the run. */
export function cleanBaseEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (/^(GITHUB_|RUNNER_|INPUT_|STATE_|ACTIONS_|VITEST)/i.test(key)) continue;
    // A test runner's own markers would make the action see a different world than on GitHub.
    if (key === "CI" || key === "NODE_ENV") continue;
    out[key] = value;
  }
  return out;
}
