/**
 * A local stand-in for GitHub's deployments REST API on 127.0.0.1: deployments and their statuses
 * in memory, every request recorded (method, path, query, headers, body), and scripted faults
 * (an HTTP status, a Retry-After, or a response held back) for the next requests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

export interface StubDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  payload: unknown;
  production_environment: boolean;
  transient_environment: boolean;
  created_at: string;
}

export interface StubStatus {
  id: number;
  deployment_id: number;
  state: string;
  log_url: string;
  target_url: string;
  description: string;
  environment_url: string;
}

export interface Fault {
  status?: number;
  retryAfter?: string;
  /** More response headers (x-ratelimit-remaining, x-ratelimit-reset). */
  headers?: Record<string, string>;
  /** Hold the response back this long (ms) before answering. */
  delayMs?: number;
  body?: unknown;
}

export interface GitHubStub {
  url: string;
  requests: RecordedRequest[];
  deployments: StubDeployment[];
  statuses: StubStatus[];
  /** The next requests (one fault each) answer with these instead. */
  faults: Fault[];
  addDeployment(fields: Partial<StubDeployment> & { sha: string; environment: string }, statuses?: Partial<StubStatus>[]): StubDeployment;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startGitHubStub(): Promise<GitHubStub> {
  let nextId = 100;
  const timers = new Set<NodeJS.Timeout>();
  const stub = {
    url: "",
    requests: [] as RecordedRequest[],
    deployments: [] as StubDeployment[],
    statuses: [] as StubStatus[],
    faults: [] as Fault[],
  };

  function addStatus(deploymentId: number, fields: Partial<StubStatus>): StubStatus {
    const status: StubStatus = {
      id: nextId++,
      deployment_id: deploymentId,
      state: fields.state ?? "in_progress",
      log_url: fields.log_url ?? fields.target_url ?? "",
      target_url: fields.target_url ?? fields.log_url ?? "",
      description: fields.description ?? "",
      environment_url: fields.environment_url ?? "",
    };
    stub.statuses.push(status);
    return status;
  }

  function addDeployment(fields: Partial<StubDeployment> & { sha: string; environment: string }, statuses: Partial<StubStatus>[] = []): StubDeployment {
    const deployment: StubDeployment = {
      id: fields.id ?? nextId++,
      ref: fields.ref ?? "main",
      payload: fields.payload ?? {},
      production_environment: fields.production_environment ?? false,
      transient_environment: fields.transient_environment ?? false,
      created_at: fields.created_at ?? "2026-01-01T00:00:00Z",
      sha: fields.sha,
      environment: fields.environment,
    };
    stub.deployments.push(deployment);
    for (const s of statuses) addStatus(deployment.id, s);
    return deployment;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : (v ?? "");
    const body = await readBody(req);
    stub.requests.push({ method: req.method ?? "", path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body });

    const fault = stub.faults.shift();
    if (fault?.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, fault.delayMs);
        timers.add(timer);
      });
      if (res.destroyed) return;
    }
    if (fault?.status) {
      send(res, fault.status, fault.body ?? { message: "Server Error" }, { ...(fault.retryAfter ? { "retry-after": fault.retryAfter } : {}), ...fault.headers });
      return;
    }

    // GitHub takes a token as `Bearer <token>` or `token <token>`.
    if (!/^(Bearer|token) \S+$/i.test(headers.authorization ?? "")) {
      send(res, 401, { message: "Bad credentials" });
      return;
    }
    const list = /^\/repos\/([^/]+)\/([^/]+)\/deployments$/.exec(url.pathname);
    const statuses = /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/.exec(url.pathname);
    if (list && req.method === "GET") {
      const sha = url.searchParams.get("sha");
      const environment = url.searchParams.get("environment");
      const perPage = Number(url.searchParams.get("per_page") ?? "30");
      const found = stub.deployments
        .filter((d) => (!sha || d.sha === sha) && (!environment || d.environment === environment))
        .sort((a, b) => b.id - a.id)
        .slice(0, perPage);
      send(res, 200, found);
      return;
    }
    if (list && req.method === "POST") {
      const b = body as Record<string, unknown>;
      if (typeof b?.ref !== "string") {
        send(res, 422, { message: "Invalid request. ref is required." });
        return;
      }
      const created = addDeployment({
        sha: b.ref,
        ref: b.ref,
        environment: typeof b.environment === "string" ? b.environment : "production",
        payload: b.payload ?? {},
        production_environment: b.production_environment === true,
        transient_environment: b.transient_environment === true,
      });
      send(res, 201, created);
      return;
    }
    if (statuses) {
      const id = Number(statuses[3]);
      const deployment = stub.deployments.find((d) => d.id === id);
      if (!deployment) {
        send(res, 404, { message: "Not Found" });
        return;
      }
      if (req.method === "GET") {
        send(res, 200, stub.statuses.filter((s) => s.deployment_id === id).sort((a, b) => b.id - a.id));
        return;
      }
      const b = body as Record<string, unknown>;
      const created = addStatus(id, {
        state: String(b.state),
        log_url: typeof b.log_url === "string" ? b.log_url : "",
        description: typeof b.description === "string" ? b.description : "",
        environment_url: typeof b.environment_url === "string" ? b.environment_url : "",
      });
      // auto_inactive (GitHub's default): earlier successful deployments of the environment become inactive.
      if (created.state === "success" && b.auto_inactive !== false) {
        for (const other of stub.deployments.filter((d) => d.environment === deployment.environment && d.id < id)) {
          const latest = stub.statuses.filter((s) => s.deployment_id === other.id).sort((a, c) => c.id - a.id)[0];
          if (latest?.state === "success") addStatus(other.id, { state: "inactive" });
        }
      }
      send(res, 201, created);
      return;
    }
    send(res, 404, { message: "Not Found" });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return Object.assign(stub, {
    addDeployment,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  });
}
