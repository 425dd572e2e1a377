/**
 * GitHub's deployments REST API through @actions/github's Octokit (its proxy-aware fetch), behind a
 * port of the four calls the suite makes. Retries and rate limits come from the Octokit plugins:
 *
 * - @octokit/plugin-retry: a 5xx or a dropped connection is retried once, after 1 s;
 * - @octokit/plugin-throttling: a 403 or 429 for a rate limit is retried once when GitHub asks to
 *   wait at most 10 s (Retry-After, or the reset of the primary limit), and writes are spaced 1 s
 *   apart, as GitHub asks of integrations.
 *
 * Each attempt has its own timeout (body included) and every call the step's signal; a timed-out
 * attempt is not retried, and after one the client sends nothing more in the step. Calls resolve
 * to an outcome and never throw; the token goes only into the Authorization header and is scrubbed
 * from every message. No redirect is followed.
 */
import { getOctokit } from "@actions/github";
import { defaults } from "@actions/github/lib/utils";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import type { Octokit } from "@octokit/core";
import { errorMessage } from "../../../util/errors";
import { requestTimeout } from "../../../util/timeout";
import { untrusted } from "../../../util/untrusted";

export type Outcome<T> = { ok: true; value: T; message: string } | { ok: false; message: string };

/** The retry and rate-limit policy as data. */
export const RETRY_POLICY = { retries: 1, maxRateLimitWaitS: 10, timeoutMs: 5000 } as const;

export interface Repository {
  owner: string;
  repo: string;
}

export interface NewDeployment {
  ref: string;
  task: string;
  environment: string;
  auto_merge: boolean;
  required_contexts: string[];
  transient_environment: boolean;
  production_environment: boolean;
  description: string;
  payload: Record<string, unknown>;
}

export interface NewStatus {
  state: "in_progress" | "success" | "failure" | "inactive" | "error";
  log_url: string;
  description: string;
  environment_url?: string;
  auto_inactive?: boolean;
}

/** The calls the suite makes; each resolves to GitHub's answer (not yet validated) or why there is none. */
export interface DeploymentsApi {
  listDeployments(repository: Repository, query: { sha: string; environment: string; perPage: number }): Promise<Outcome<unknown>>;
  listStatuses(repository: Repository, deploymentId: number, perPage: number): Promise<Outcome<unknown>>;
  createDeployment(repository: Repository, body: NewDeployment): Promise<Outcome<unknown>>;
  createStatus(repository: Repository, deploymentId: number, body: NewStatus): Promise<Outcome<unknown>>;
}

export interface DeploymentsClientOptions {
  token: string;
  /** GITHUB_API_URL; default https://api.github.com. */
  apiUrl?: string | undefined;
  userAgent?: string;
  /** Per attempt, body included; default 5000. */
  timeoutMs?: number;
  /** The signal of the next call (the step's); read at every call. */
  signal?: () => AbortSignal;
  /** The unit of the retry and rate-limit pauses, in ms; default 1000 (tests make it short). */
  pauseUnitMs?: number;
}

const HEADERS = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };

/** An attempt that is final, never retried: no answer within the timeout, or the step was stopped. */
class FinalAttempt extends Error {
  override readonly name = "FinalAttempt";
  constructor(
    readonly timedOut: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** What each attempt of one call went through, in order; Octokit carries it in the request options. */
interface Trace {
  attempts: string[];
}

function hint(status: number, rateLimited: boolean): string {
  if (status === 401) return " (the token is not valid)";
  if (status === 403 && !rateLimited) return " (give the job `permissions: deployments: write`)";
  if (status === 404) return " (the repository or deployment is not visible to the token)";
  return "";
}

/** One failed attempt, as the outcome tells it. */
function describeAttempt(error: unknown): string {
  if (error instanceof FinalAttempt) return error.message;
  const e = error as { status?: number; response?: { data?: unknown; headers?: Record<string, string | undefined> }; cause?: unknown; message?: string };
  if (e.response && typeof e.status === "number") {
    const data = e.response.data as { message?: unknown } | undefined;
    const text = typeof data?.message === "string" ? untrusted(data.message, 300) : "";
    const rateLimited = e.response.headers?.["x-ratelimit-remaining"] === "0" || /rate limit/i.test(text);
    return `${e.status}${text ? `: ${text}` : ""}${hint(e.status, rateLimited)}`;
  }
  const code = (e.cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return `connection failed: ${errorMessage(error)}${typeof code === "string" && !errorMessage(error).includes(code) ? ` (${code})` : ""}`;
}

/** Innermost of the plugins, so it sees every attempt: records it, and makes a final one final. */
function attemptLog(octokit: Octokit): void {
  octokit.hook.error("request", (error, options) => {
    const cause = (error as { cause?: unknown }).cause;
    const final = cause instanceof FinalAttempt ? cause : error;
    (options.request as Partial<Trace> | undefined)?.attempts?.push(describeAttempt(final));
    // Not a RequestError: neither plugin retries it.
    throw final;
  });
}

/** @actions/github's fetch (through the runner's proxy, if any), with a timeout of its own for each attempt, under the call's signal. */
function timedFetch(timeoutMs: number): typeof fetch {
  const base = (defaults.request?.fetch as typeof fetch | undefined) ?? fetch;
  return async (url, init) => {
    const { signal, timedOut } = requestTimeout(timeoutMs, init?.signal ?? undefined);
    try {
      return await base(url, { ...init, signal });
    } catch (error) {
      if (init?.signal?.aborted) throw new FinalAttempt(false, `not sent: the step was stopped (${errorMessage(init.signal.reason)})`);
      if (timedOut()) throw new FinalAttempt(true, `no answer within ${timeoutMs} ms`);
      throw error;
    }
  };
}

/** Retry once when GitHub asks for a short wait; the wait is recorded on the attempt. */
function onLimit(retryAfterS: number, options: { request?: unknown }, _octokit: unknown, retryCount: number): boolean {
  const attempts = (options.request as Partial<Trace> | undefined)?.attempts;
  const retrying = retryCount < RETRY_POLICY.retries && retryAfterS <= RETRY_POLICY.maxRateLimitWaitS;
  if (attempts && attempts.length > 0) attempts[attempts.length - 1] += retrying ? ` (waited ${retryAfterS} s, as GitHub asked)` : ` (GitHub asks to wait ${retryAfterS} s)`;
  return retrying;
}

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export function createDeploymentsClient(options: DeploymentsClientOptions): DeploymentsApi {
  const timeoutMs = options.timeoutMs ?? RETRY_POLICY.timeoutMs;
  const unit = options.pauseUnitMs ?? 1000;
  const token = options.token;
  const octokit = getOctokit(
    token,
    {
      baseUrl: (options.apiUrl || "https://api.github.com").replace(/\/+$/, ""),
      userAgent: options.userAgent ?? "zero-downtime-actions",
      // Octokit's own console lines (deprecation notices) are left out: the outcomes say what happened.
      log: silent,
      request: { fetch: timedFetch(timeoutMs), redirect: "error" },
      retry: { retries: RETRY_POLICY.retries, retryAfterBaseValue: unit, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      throttle: { onRateLimit: onLimit, onSecondaryRateLimit: onLimit, retryAfterBaseValue: unit },
    },
    attemptLog,
    retry,
    throttling,
  );
  let unreachable: string | undefined;
  const scrub = (text: string) => (token ? text.split(token).join("***") : text);

  async function call(label: string, send: (request: Trace & { signal?: AbortSignal }) => Promise<{ status: number; data: unknown }>): Promise<Outcome<unknown>> {
    const what = `GitHub API ${label}`;
    if (unreachable) return { ok: false, message: `${what} not sent: ${unreachable}` };
    const trace: Trace = { attempts: [] };
    try {
      const signal = options.signal?.();
      const response = await send({ ...trace, ...(signal ? { signal } : {}) });
      return { ok: true, value: response.data, message: `${what}: ${response.status}` };
    } catch (error) {
      if (error instanceof FinalAttempt && error.timedOut) unreachable = `GitHub did not answer within ${timeoutMs} ms earlier in this step`;
      if (trace.attempts.length === 0) trace.attempts.push(describeAttempt(error));
      const after = trace.attempts.length > 1 ? ` after ${trace.attempts.length} attempts` : "";
      return { ok: false, message: scrub(`${what} failed${after}: ${trace.attempts.join("; then ")}`) };
    }
  }

  const repos = octokit.rest.repos;
  return {
    listDeployments: (r, q) =>
      call(`GET /repos/${r.owner}/${r.repo}/deployments?${new URLSearchParams({ sha: q.sha, environment: q.environment, per_page: String(q.perPage) })}`, (request) =>
        repos.listDeployments({ ...r, sha: q.sha, environment: q.environment, per_page: q.perPage, headers: HEADERS, request }),
      ),
    listStatuses: (r, id, perPage) =>
      call(`GET /repos/${r.owner}/${r.repo}/deployments/${id}/statuses`, (request) => repos.listDeploymentStatuses({ ...r, deployment_id: id, per_page: perPage, headers: HEADERS, request })),
    createDeployment: (r, body) => call(`POST /repos/${r.owner}/${r.repo}/deployments`, (request) => repos.createDeployment({ ...r, ...body, headers: HEADERS, request })),
    createStatus: (r, id, body) =>
      call(`POST /repos/${r.owner}/${r.repo}/deployments/${id}/statuses`, (request) => repos.createDeploymentStatus({ ...r, deployment_id: id, ...body, headers: HEADERS, request })),
  };
}
