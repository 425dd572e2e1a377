/**
 * GitHub deployments and deployment statuses, so the repository's Environments page shows which
 * version each environment runs and whether its deployment is in progress, live, failed or gone.
 *
 * Reporting is a courtesy, never a gate: every call returns an outcome (`ok` and a message the
 * caller logs as a warning) instead of throwing, each request has a 5 s timeout, a 5xx, a 429 or a
 * dropped connection is retried once after a jittered pause, and after a timeout the client stops
 * calling GitHub for the rest of the step. The token goes only into the Authorization header and is
 * scrubbed from every message.
 *
 * Finding the deployment (never a duplicate): when the job declares `environment:`, GitHub has
 * already created a deployment for the job, whose statuses link to the run
 * (`.../actions/runs/<run id>/job/<job id>`). We list the deployments of the commit and environment,
 * newest first, and reuse the first one that either carries our payload with this run's id (one we
 * created in an earlier step of this run) or has a status whose log_url or target_url points at this
 * run. Only when none matches do we create one, with `ref` set to the commit so it is pinned.
 *
 * Older deployments: a `success` status is sent with `auto_inactive: true` (GitHub's default), so
 * GitHub marks the environment's earlier successful deployments inactive. GitHub documents that
 * it does so for non-transient, non-production deployments; for production environments the
 * Environments page still shows the newest success as the active one.
 */
import * as z from "../util/zod";
import type { RunInfo } from "../entries/runtime";
import { type Clock, type Random, systemClock } from "../util/clock";

export type DeploymentState = "in_progress" | "success" | "failure" | "inactive" | "error";

/** The part of `fetch` this client uses; the global fetch fits it. */
export type ApiFetch = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;

export type Outcome<T> = { ok: true; value: T; message: string } | { ok: false; message: string };

export interface DeploymentsClientOptions {
  token: string;
  /** GITHUB_API_URL; default https://api.github.com. */
  apiUrl?: string;
  fetch?: ApiFetch;
  clock?: Clock;
  random?: Random;
  /** Per request, body included; default 5000. */
  timeoutMs?: number;
  userAgent?: string;
}

export interface DeploymentRequest {
  /** owner/name */
  repository: string;
  environment: string;
  /** The commit deployed; deployments are listed by it and a new one is pinned to it. */
  sha: string;
  /** The branch or tag the run is for, recorded in the payload. */
  ref?: string;
  runId: string;
  /** Our deployment id (deploy-green's `deployment-id`), recorded in the payload. */
  deploymentId: string;
  version: string;
  description?: string;
}

export interface Deployment {
  id: number;
  repository: string;
  environment: string;
  /** True when this call created it; false when the job's (or this run's) deployment was reused. */
  created: boolean;
}

export interface StatusRequest {
  state: DeploymentState;
  environmentUrl?: string;
  logUrl: string;
  /** Cut to GitHub's limit of 140 characters. */
  description: string;
}

export interface DeploymentsClient {
  findOrCreateDeployment(request: DeploymentRequest): Promise<Outcome<Deployment>>;
  setStatus(deployment: Deployment, status: StatusRequest): Promise<Outcome<{ id: number }>>;
}

/** The retry policy as data: one retry of a 5xx, a 429 or a dropped connection, after a jittered pause. */
export const RETRY_POLICY = { attempts: 2, baseDelayMs: 1000, jitterMs: 1000, maxRetryAfterMs: 10_000 } as const;

/** How many of the newest deployments of the commit and environment are examined for this run's. */
export const DEPLOYMENTS_EXAMINED = 10;

export const PAYLOAD_KEY = "zero-downtime-actions";
const API_VERSION = "2022-11-28";
const DESCRIPTION_MAX = 140;

const DeploymentBody = z.object({
  id: z.number().check(z.int()),
  sha: z.string(),
  environment: z.string(),
  payload: z.optional(z.unknown()),
});
const StatusBody = z.object({
  id: z.number().check(z.int()),
  state: z.string(),
  log_url: z.nullish(z.string()),
  target_url: z.nullish(z.string()),
});
const ErrorBody = z.looseObject({ message: z.optional(z.string()) });

interface Answer {
  status: number;
  body: unknown;
  retryAfterMs: number | undefined;
}
export type Sent = { kind: "answer"; answer: Answer } | { kind: "timeout" } | { kind: "network"; detail: string };

/** Whether to try again after this attempt, and after how long; undefined when not. */
export function retryDelay(sent: Sent, attempt: number, random: Random): number | undefined {
  if (attempt >= RETRY_POLICY.attempts) return undefined;
  const jittered = RETRY_POLICY.baseDelayMs + Math.floor(random() * RETRY_POLICY.jitterMs);
  if (sent.kind === "network") return jittered;
  if (sent.kind !== "answer") return undefined;
  const { status, retryAfterMs } = sent.answer;
  if (status !== 429 && status < 500) return undefined;
  if (retryAfterMs !== undefined) return retryAfterMs <= RETRY_POLICY.maxRetryAfterMs ? Math.max(retryAfterMs, jittered) : undefined;
  return jittered;
}

function retryAfter(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

function networkDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = cause && typeof cause === "object" && "code" in cause ? String((cause as { code: unknown }).code) : undefined;
  return code ? `${error.message} (${code})` : error.message;
}

/** A run's URLs look like <server>/<owner>/<repo>/actions/runs/<run id>[/job/<job id>|/attempts/<n>]. */
export function pointsAtRun(url: string | null | undefined, runId: string): boolean {
  if (!url) return false;
  const at = url.indexOf(`/actions/runs/${runId}`);
  if (at < 0) return false;
  const next = url.charAt(at + `/actions/runs/${runId}`.length);
  return next === "" || next === "/" || next === "?" || next === "#";
}

function payloadRunId(payload: unknown): string | undefined {
  if (!payload || typeof payload !== "object") return undefined;
  const ours = (payload as Record<string, unknown>)[PAYLOAD_KEY];
  if (!ours || typeof ours !== "object") return undefined;
  const runId = (ours as Record<string, unknown>)["run-id"];
  return typeof runId === "string" ? runId : undefined;
}

export function shortDescription(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= DESCRIPTION_MAX ? flat : `${flat.slice(0, DESCRIPTION_MAX - 1)}…`;
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

/** owner/name, neither part "." or ".." (it becomes part of the URL path). */
const REPOSITORY = /^(?!\.\.?\/)[A-Za-z0-9_.-]+\/(?!\.\.?$)[A-Za-z0-9_.-]+$/;

function hint(status: number): string {
  if (status === 401) return " (the token is not valid)";
  if (status === 403) return " (give the job `permissions: deployments: write`)";
  if (status === 404) return " (the repository or deployment is not visible to the token)";
  return "";
}

class Client implements DeploymentsClient {
  private readonly apiUrl: string;
  private readonly fetch: ApiFetch;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly timeoutMs: number;
  /** Set after a timeout: GitHub is not answering, so later calls fail fast instead of waiting again. */
  private unreachable: string | undefined;

  constructor(private readonly options: DeploymentsClientOptions) {
    this.apiUrl = (options.apiUrl || "https://api.github.com").replace(/\/+$/, "");
    this.fetch = options.fetch ?? ((url, init) => fetch(url, init));
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  private scrub(text: string): string {
    return this.options.token ? text.split(this.options.token).join("***") : text;
  }

  private async send(method: string, path: string, body: unknown): Promise<Sent> {
    const headers: Record<string, string> = {
      Accept: "application/vnd.github+json",
      Authorization: `Bearer ${this.options.token}`,
      "X-GitHub-Api-Version": API_VERSION,
      "User-Agent": this.options.userAgent ?? "zero-downtime-actions",
    };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      const response = await this.fetch(`${this.apiUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text();
      let parsed: unknown = undefined;
      try {
        parsed = text === "" ? undefined : JSON.parse(text);
      } catch {
        parsed = text.slice(0, 200);
      }
      return { kind: "answer", answer: { status: response.status, body: parsed, retryAfterMs: retryAfter(response.headers) } };
    } catch (error) {
      if (isTimeout(error)) return { kind: "timeout" };
      return { kind: "network", detail: networkDetail(error) };
    }
  }

  /** One request with the retry policy; ok only for 2xx. */
  async request(method: string, path: string, body?: unknown): Promise<Outcome<unknown>> {
    const what = `GitHub API ${method} ${path}`;
    if (this.unreachable) return { ok: false, message: `${what} not sent: ${this.unreachable}` };
    const tried: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const sent = await this.send(method, path, body);
      if (sent.kind === "answer" && sent.answer.status >= 200 && sent.answer.status < 300) {
        return { ok: true, value: sent.answer.body, message: `${what}: ${sent.answer.status}` };
      }
      if (sent.kind === "timeout") {
        this.unreachable = `GitHub did not answer within ${this.timeoutMs} ms earlier in this step`;
        tried.push(`no answer within ${this.timeoutMs} ms`);
      } else if (sent.kind === "network") {
        tried.push(`connection failed: ${sent.detail}`);
      } else {
        const detail = ErrorBody.safeParse(sent.answer.body);
        const message = detail.success && detail.data.message ? `: ${detail.data.message}` : "";
        tried.push(`${sent.answer.status}${message}${hint(sent.answer.status)}`);
      }
      const delay = retryDelay(sent, attempt, this.random);
      if (delay === undefined) {
        const attempts = attempt > 1 ? ` after ${attempt} attempts` : "";
        return { ok: false, message: this.scrub(`${what} failed${attempts}: ${tried.join("; then ")}`) };
      }
      await this.clock.sleep(delay);
    }
  }

  async findOrCreateDeployment(request: DeploymentRequest): Promise<Outcome<Deployment>> {
    if (!REPOSITORY.test(request.repository)) return { ok: false, message: `GitHub deployment not reported: repository ${JSON.stringify(request.repository)} is not owner/name` };
    const base = `/repos/${request.repository}/deployments`;
    const query = new URLSearchParams({ sha: request.sha, environment: request.environment, per_page: String(DEPLOYMENTS_EXAMINED) });
    const listed = await this.request("GET", `${base}?${query}`);
    if (!listed.ok) return listed;
    const parsed = z.array(DeploymentBody).safeParse(listed.value);
    if (!parsed.success) return { ok: false, message: `GitHub API GET ${base}: unexpected answer (${parsed.error.issues[0]?.message})` };
    const candidates = parsed.data
      .filter((d) => d.environment === request.environment && d.sha === request.sha)
      .sort((a, b) => b.id - a.id)
      .slice(0, DEPLOYMENTS_EXAMINED);

    const ours = candidates.find((d) => payloadRunId(d.payload) === request.runId);
    if (ours) return this.found(request, ours.id, "created earlier in this run");
    for (const candidate of candidates) {
      const statuses = await this.request("GET", `${base}/${candidate.id}/statuses?per_page=10`);
      if (!statuses.ok) return statuses;
      const list = z.array(StatusBody).safeParse(statuses.value);
      if (!list.success) return { ok: false, message: `GitHub API GET ${base}/${candidate.id}/statuses: unexpected answer (${list.error.issues[0]?.message})` };
      if (list.data.some((s) => pointsAtRun(s.log_url, request.runId) || pointsAtRun(s.target_url, request.runId))) {
        return this.found(request, candidate.id, "the job's own deployment");
      }
    }

    const created = await this.request("POST", base, {
      ref: request.sha,
      task: "deploy",
      environment: request.environment,
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      production_environment: request.environment.toLowerCase() === "production",
      description: shortDescription(request.description ?? `Deploying ${request.version}`),
      payload: { [PAYLOAD_KEY]: { "deployment-id": request.deploymentId, version: request.version, "run-id": request.runId, ref: request.ref ?? "" } },
    });
    if (!created.ok) return created;
    const body = DeploymentBody.safeParse(created.value);
    if (!body.success) return { ok: false, message: `GitHub API POST ${base}: no deployment in the answer (${this.scrub(JSON.stringify(created.value ?? "")).slice(0, 200)})` };
    return {
      ok: true,
      value: { id: body.data.id, repository: request.repository, environment: request.environment, created: true },
      message: `created GitHub deployment ${body.data.id} for environment ${request.environment}`,
    };
  }

  private found(request: DeploymentRequest, id: number, why: string): Outcome<Deployment> {
    return {
      ok: true,
      value: { id, repository: request.repository, environment: request.environment, created: false },
      message: `reusing GitHub deployment ${id} for environment ${request.environment} (${why})`,
    };
  }

  async setStatus(deployment: Deployment, status: StatusRequest): Promise<Outcome<{ id: number }>> {
    const path = `/repos/${deployment.repository}/deployments/${deployment.id}/statuses`;
    const environmentUrl = httpUrl(status.environmentUrl);
    const sent = await this.request("POST", path, {
      state: status.state,
      log_url: status.logUrl,
      description: shortDescription(status.description),
      ...(environmentUrl ? { environment_url: environmentUrl } : {}),
      ...(status.state === "success" ? { auto_inactive: true } : {}),
    });
    if (!sent.ok) return sent;
    const body = z.object({ id: z.number().check(z.int()) }).safeParse(sent.value);
    return {
      ok: true,
      value: { id: body.success ? body.data.id : 0 },
      message: `GitHub deployment ${deployment.id} of ${deployment.environment} is now ${status.state}`,
    };
  }
}

export function createDeploymentsClient(options: DeploymentsClientOptions): DeploymentsClient {
  return new Client(options);
}

// ---------------------------------------------------------------------------------------------
// The facade the entries call.

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
  /** Recorded in the payload of a deployment we create; default <run id>-<run attempt>. */
  deploymentId?: string;
  fetch?: ApiFetch;
  clock?: Clock;
  random?: Random;
  timeoutMs?: number;
}

/**
 * started → in_progress, succeeded → success (earlier deployments become inactive), failed →
 * failure, inactive → inactive. Each call resolves to what happened; none throws.
 */
export function createDeploymentReporter(options: DeploymentReporterOptions): DeploymentReporter {
  const token = options.token?.trim() ?? "";
  const run = options.run;
  const client = createDeploymentsClient({
    token,
    apiUrl: options.env("GITHUB_API_URL"),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    userAgent: "zero-downtime-actions/alb-deploy",
  });
  const logUrl = run.runUrl ?? `${run.serverUrl}/${run.repository}/actions/runs/${run.runId}`;
  const known = new Map<string, Deployment>();

  async function report(environment: string | undefined, version: string, state: DeploymentState, description: string, url?: string): Promise<DeploymentReport> {
    const name = environment?.trim() ?? "";
    if (!token) return { ok: true, skipped: true, message: "GitHub deployment status not reported: no github-token given." };
    if (!name) return { ok: true, skipped: true, message: "GitHub deployment status not reported: no environment name given." };
    if (!run.sha) return { ok: false, message: "GitHub deployment status not reported: the commit (GITHUB_SHA) is unknown." };
    let deployment = known.get(name);
    let found = "";
    if (!deployment) {
      const outcome = await client.findOrCreateDeployment({
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
    const status = await client.setStatus(deployment, { state, logUrl, description, ...(url ? { environmentUrl: url } : {}) });
    return { ok: status.ok, message: status.ok ? `${found}${status.message}` : status.message };
  }

  return {
    started: (environment, version, url) => report(environment, version, "in_progress", `Deploying ${version}`, url),
    succeeded: (environment, version, url) => report(environment, version, "success", `${version} serves all traffic`, url),
    failed: (environment, version, reason) => report(environment, version, "failure", reason ? `${version} failed: ${reason}` : `${version} failed`),
    inactive: (environment, version, reason) => report(environment, version, "inactive", reason ? `${version} no longer serves traffic: ${reason}` : `${version} no longer serves traffic`),
  };
}
