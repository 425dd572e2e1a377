/**
 * Finding the job's own GitHub deployment, never a duplicate. When the job declares `environment:`,
 * GitHub has already created a deployment for the job, whose statuses link to the run
 * (`.../actions/runs/<run id>/job/<job id>`). We list the deployments of the commit and environment,
 * newest first, and reuse the first one that either carries our payload with this run's id (one we
 * created in an earlier step of this run) or has a status whose log_url or target_url points at this
 * run. Only when none matches do we create one, with `ref` set to the commit so it is pinned.
 */
import * as z from "../../../util/zod";
import type { DeploymentsApi, Outcome, Repository } from "./client";

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
  description: string;
}

export interface Deployment {
  id: number;
  repository: Repository;
  environment: string;
  /** True when this call created it; false when the job's (or this run's) deployment was reused. */
  created: boolean;
}

/** How many of the newest deployments of the commit and environment are examined for this run's. */
export const DEPLOYMENTS_EXAMINED = 10;

export const PAYLOAD_KEY = "zero-downtime-actions";

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

/** owner/name, neither part "." or ".." (it becomes part of the URL path). */
const REPOSITORY = /^(?!\.\.?\/)([A-Za-z0-9_.-]+)\/(?!\.\.?$)([A-Za-z0-9_.-]+)$/;

export function parseRepository(text: string): Repository | undefined {
  const m = REPOSITORY.exec(text);
  return m ? { owner: m[1]!, repo: m[2]! } : undefined;
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

const DESCRIPTION_MAX = 140;

/** GitHub's limit for a deployment's or status's description is 140 characters. */
export function shortDescription(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= DESCRIPTION_MAX ? flat : `${flat.slice(0, DESCRIPTION_MAX - 1)}…`;
}

function found(repository: Repository, environment: string, id: number, why: string): Outcome<Deployment> {
  return { ok: true, value: { id, repository, environment, created: false }, message: `reusing GitHub deployment ${id} for environment ${environment} (${why})` };
}

/** The job's (or this run's) deployment among the newest of the commit and environment, if any. */
async function findOwn(api: DeploymentsApi, repository: Repository, request: DeploymentRequest): Promise<Outcome<Deployment | undefined>> {
  const listed = await api.listDeployments(repository, { sha: request.sha, environment: request.environment, perPage: DEPLOYMENTS_EXAMINED });
  if (!listed.ok) return listed;
  const parsed = z.array(DeploymentBody).safeParse(listed.value);
  const base = `GitHub API GET /repos/${repository.owner}/${repository.repo}/deployments`;
  if (!parsed.success) return { ok: false, message: `${base}: unexpected answer (${parsed.error.issues[0]?.message})` };
  const candidates = parsed.data
    .filter((d) => d.environment === request.environment && d.sha === request.sha)
    .sort((a, b) => b.id - a.id)
    .slice(0, DEPLOYMENTS_EXAMINED);
  const ours = candidates.find((d) => payloadRunId(d.payload) === request.runId);
  if (ours) return found(repository, request.environment, ours.id, "created earlier in this run");
  for (const candidate of candidates) {
    const statuses = await api.listStatuses(repository, candidate.id, 10);
    if (!statuses.ok) return statuses;
    const list = z.array(StatusBody).safeParse(statuses.value);
    if (!list.success) return { ok: false, message: `${base}/${candidate.id}/statuses: unexpected answer (${list.error.issues[0]?.message})` };
    if (list.data.some((s) => pointsAtRun(s.log_url, request.runId) || pointsAtRun(s.target_url, request.runId))) {
      return found(repository, request.environment, candidate.id, "the job's own deployment");
    }
  }
  return { ok: true, value: undefined, message: "no deployment of this run yet" };
}

export async function findOrCreateDeployment(api: DeploymentsApi, request: DeploymentRequest): Promise<Outcome<Deployment>> {
  const repository = parseRepository(request.repository);
  if (!repository) return { ok: false, message: `GitHub deployment not reported: repository ${JSON.stringify(request.repository)} is not owner/name` };
  const own = await findOwn(api, repository, request);
  if (!own.ok) return own;
  if (own.value) return { ok: true, value: own.value, message: own.message };
  const created = await api.createDeployment(repository, {
    ref: request.sha,
    task: "deploy",
    environment: request.environment,
    auto_merge: false,
    required_contexts: [],
    transient_environment: false,
    production_environment: request.environment.toLowerCase() === "production",
    description: shortDescription(request.description),
    payload: { [PAYLOAD_KEY]: { "deployment-id": request.deploymentId, version: request.version, "run-id": request.runId, ref: request.ref ?? "" } },
  });
  if (!created.ok) return created;
  const body = DeploymentBody.safeParse(created.value);
  if (!body.success) return { ok: false, message: `GitHub API POST /repos/${repository.owner}/${repository.repo}/deployments: no deployment in the answer (${body.error.issues[0]?.message})` };
  return {
    ok: true,
    value: { id: body.data.id, repository, environment: request.environment, created: true },
    message: `created GitHub deployment ${body.data.id} for environment ${request.environment}`,
  };
}
