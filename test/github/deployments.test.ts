import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunInfo } from "../../src/util/run-info";
import { createDeploymentsClient } from "../../src/adapters/github/deployments/client";
import { findOrCreateDeployment, pointsAtRun, shortDescription } from "../../src/adapters/github/deployments/match";
import { createDeploymentReporter, type DeploymentReporterOptions } from "../../src/adapters/github/deployments/report";
import { type GitHubStub, startGitHubStub } from "../support/github-stub";

const TOKEN = "ghs_Secret0Token1Never2Logged3abcdef";
const SHA = "5f0c6a1e2b3d4c5f60718293a4b5c6d7e8f90a1b";
const RUN_ID = "7001";
const RUN_URL = `https://github.com/acme/web/actions/runs/${RUN_ID}`;

const run: RunInfo = {
  repository: "acme/web",
  runId: RUN_ID,
  runAttempt: "1",
  job: "deploy",
  sha: SHA,
  actor: "octocat",
  serverUrl: "https://github.com",
  eventName: "push",
  runUrl: RUN_URL,
  lockOwner: `acme/web/actions/runs/${RUN_ID}`,
};

/** The unit of the plugins' pauses in these tests (GitHub's is 1000 ms). */
const PAUSE_MS = 20;

let stub: GitHubStub;
const messages: string[] = [];

beforeEach(async () => {
  stub = await startGitHubStub();
});

afterEach(async () => {
  await stub.close();
  for (const message of messages) expect(message).not.toContain(TOKEN);
  messages.length = 0;
});

function reporter(overrides: Partial<DeploymentReporterOptions> = {}) {
  const made = createDeploymentReporter({
    token: TOKEN,
    env: (name) => (name === "GITHUB_API_URL" ? stub.url : undefined),
    run,
    deploymentId: "7001-1",
    pauseUnitMs: PAUSE_MS,
    timeoutMs: 2000,
    ...overrides,
  });
  const record =
    <A extends unknown[]>(f: (...args: A) => Promise<{ ok: boolean; message: string }>) =>
    async (...args: A) => {
      const result = await f(...args);
      messages.push(result.message);
      return result;
    };
  return { started: record(made.started), succeeded: record(made.succeeded), failed: record(made.failed), inactive: record(made.inactive) };
}

const posts = (path: string) => stub.requests.filter((r) => r.method === "POST" && r.path === path);

describe("finding the deployment", () => {
  it("reuses the deployment GitHub created for the job and never posts a new one", async () => {
    // Arrange: another run's deployment of the same commit, and the job's own (newer) one.
    stub.addDeployment({ sha: SHA, environment: "staging" }, [{ state: "success", log_url: "https://github.com/acme/web/actions/runs/6999/job/1" }]);
    const jobs = stub.addDeployment({ sha: SHA, environment: "staging" }, [{ state: "in_progress", target_url: `${RUN_URL}/job/88` }]);

    // Act
    const result = await reporter().started("staging", "v42");

    // Assert
    expect(result.ok).toBe(true);
    expect(result.message).toContain(`reusing GitHub deployment ${jobs.id}`);
    expect(posts("/repos/acme/web/deployments")).toHaveLength(0);
    const list = stub.requests[0]!;
    expect(list).toMatchObject({ method: "GET", path: "/repos/acme/web/deployments", query: { sha: SHA, environment: "staging", per_page: "10" } });
    expect(list.headers).toMatchObject({
      accept: "application/vnd.github+json",
      "x-github-api-version": "2022-11-28",
      authorization: `token ${TOKEN}`,
    });
    expect(list.headers["user-agent"]).toMatch(/^zero-downtime-actions\/alb-deploy octokit-core\.js\//);
    expect(posts(`/repos/acme/web/deployments/${jobs.id}/statuses`)[0]!.body).toEqual({ state: "in_progress", log_url: RUN_URL, description: "Deploying v42" });
  });

  it("creates one deployment when none belongs to this run, and later steps of the run reuse it", async () => {
    stub.addDeployment({ sha: SHA, environment: "production" }, [{ state: "success", log_url: "https://github.com/acme/web/actions/runs/70010/job/1" }]);

    const first = await reporter().started("production", "v42");
    const second = await reporter().succeeded("production", "v42", "https://app.example.com");

    expect(first.ok).toBe(true);
    expect(first.message).toContain("created GitHub deployment");
    const created = posts("/repos/acme/web/deployments");
    expect(created).toHaveLength(1);
    expect(created[0]!.body).toEqual({
      ref: SHA,
      task: "deploy",
      environment: "production",
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      production_environment: true,
      description: "Deploying v42",
      payload: { "zero-downtime-actions": { "deployment-id": "7001-1", version: "v42", "run-id": RUN_ID, ref: "" } },
    });
    expect(second.ok).toBe(true);
    expect(second.message).toContain("created earlier in this run");
    expect(stub.deployments).toHaveLength(2);
  });

  it("marks only environments named production as production", async () => {
    await reporter().started("staging-canary", "v1");
    expect(posts("/repos/acme/web/deployments")[0]!.body).toMatchObject({ environment: "staging-canary", production_environment: false });
  });

  it("asks GitHub once per environment within a step", async () => {
    const r = reporter();
    await r.started("staging", "v1");
    const before = stub.requests.filter((q) => q.method === "GET").length;
    await r.succeeded("staging", "v1");
    expect(stub.requests.filter((q) => q.method === "GET").length).toBe(before);
  });

  it("recognises URLs of this run only", () => {
    expect(pointsAtRun(`${RUN_URL}/job/5`, RUN_ID)).toBe(true);
    expect(pointsAtRun(RUN_URL, RUN_ID)).toBe(true);
    expect(pointsAtRun(`${RUN_URL}0/job/5`, RUN_ID)).toBe(false);
    expect(pointsAtRun(null, RUN_ID)).toBe(false);
  });
});

describe("status transitions", () => {
  it("goes in_progress → success, and the success makes the earlier live deployment inactive", async () => {
    const older = stub.addDeployment({ sha: "0".repeat(40), environment: "staging" }, [{ state: "success", log_url: "https://github.com/acme/web/actions/runs/1/job/1" }]);
    const r = reporter();

    await r.started("staging", "v2", "https://staging.example.com");
    const done = await r.succeeded("staging", "v2", "https://staging.example.com");

    expect(done).toMatchObject({ ok: true });
    const ours = stub.deployments.find((d) => d.id !== older.id)!;
    const bodies = posts(`/repos/acme/web/deployments/${ours.id}/statuses`).map((p) => p.body);
    expect(bodies).toEqual([
      { state: "in_progress", log_url: RUN_URL, description: "Deploying v2", environment_url: "https://staging.example.com" },
      { state: "success", log_url: RUN_URL, description: "v2 serves all traffic", environment_url: "https://staging.example.com", auto_inactive: true },
    ]);
    const olderLatest = stub.statuses.filter((s) => s.deployment_id === older.id).sort((a, b) => b.id - a.id)[0];
    expect(olderLatest?.state).toBe("inactive");
  });

  it("reports failure and inactive with the reason, cut to 140 characters", async () => {
    const r = reporter();
    await r.failed("staging", "v3", "health-gate: 2 of 4 targets unhealthy");
    await r.inactive("staging", "v3", "rolled back: " + "x".repeat(300));

    const bodies = stub.requests.filter((q) => q.method === "POST" && q.path.endsWith("/statuses")).map((q) => q.body as Record<string, string>);
    expect(bodies.map((b) => b.state)).toEqual(["failure", "inactive"]);
    expect(bodies[0]!.description).toBe("v3 failed: health-gate: 2 of 4 targets unhealthy");
    expect(bodies[1]!.description).toHaveLength(140);
    expect(bodies[1]!.description!.endsWith("…")).toBe(true);
  });

  it("leaves out an environment URL that is not http(s)", async () => {
    await reporter().succeeded("staging", "v4", "javascript:alert(1)");
    const body = stub.requests.find((q) => q.method === "POST" && q.path.endsWith("/statuses"))!.body as Record<string, unknown>;
    expect(body).not.toHaveProperty("environment_url");
  });
});

describe("never blocking the deployment", () => {
  it("retries a 5xx once after a pause of one unit", async () => {
    stub.faults.push({ status: 502 });

    const started = Date.now();
    const result = await reporter().started("staging", "v5");

    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(PAUSE_MS);
    expect(stub.requests.filter((q) => q.method === "GET" && q.path === "/repos/acme/web/deployments")).toHaveLength(2);
  });

  it("honours a short Retry-After on a secondary rate limit (429)", async () => {
    stub.faults.push({ status: 429, retryAfter: "3", body: { message: "You have exceeded a secondary rate limit" } });

    const started = Date.now();
    const result = await reporter().started("staging", "v5");

    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * PAUSE_MS);
    expect(stub.requests.filter((q) => q.method === "GET" && q.path === "/repos/acme/web/deployments")).toHaveLength(2);
  });

  it("does not wait out a long Retry-After, and says how long GitHub asked for", async () => {
    stub.faults.push({ status: 429, retryAfter: "60", body: { message: "You have exceeded a secondary rate limit" } });

    const result = await reporter().started("staging", "v5");

    expect(result.ok).toBe(false);
    expect(result.message).toContain("failed: 429: You have exceeded a secondary rate limit (GitHub asks to wait 60 s)");
    expect(stub.requests).toHaveLength(1);
  });

  it("waits for a primary rate limit that resets within seconds, then goes on", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 1;
    stub.faults.push({ status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }, body: { message: "API rate limit exceeded" } });

    const result = await reporter().started("staging", "v5");

    expect(result.ok).toBe(true);
    expect(stub.requests.filter((q) => q.method === "GET" && q.path === "/repos/acme/web/deployments")).toHaveLength(2);
  });

  it("does not wait an hour for a primary rate limit, and says so", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 3600;
    stub.faults.push({ status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) }, body: { message: "API rate limit exceeded" } });

    const result = await reporter().started("staging", "v5");

    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/failed: 403: API rate limit exceeded \(GitHub asks to wait 360\d s\)$/);
    expect(stub.requests).toHaveLength(1);
  });

  it("gives up after the retry, says what was tried, and creates nothing when the list failed", async () => {
    stub.faults.push({ status: 503, body: { message: "Service Unavailable" } }, { status: 500, body: { message: "boom" } });

    const result = await reporter().started("staging", "v6");

    expect(result.ok).toBe(false);
    expect(result.message).toBe("GitHub API GET /repos/acme/web/deployments?sha=" + SHA + "&environment=staging&per_page=10 failed after 2 attempts: 503: Service Unavailable; then 500: boom");
    expect(posts("/repos/acme/web/deployments")).toHaveLength(0);
  });

  it("does not retry a 403 and says which permission is missing", async () => {
    stub.faults.push({ status: 403, body: { message: "Resource not accessible by integration" } });

    const result = await reporter().started("staging", "v7");

    expect(result.ok).toBe(false);
    expect(result.message).toContain("403: Resource not accessible by integration (give the job `permissions: deployments: write`)");
    expect(stub.requests).toHaveLength(1);
  });

  it("times out after the request timeout and then stops calling GitHub for the step", async () => {
    stub.faults.push({ delayMs: 5000 });
    const r = reporter({ timeoutMs: 150 });

    const started = Date.now();
    const first = await r.started("staging", "v8");
    const elapsed = Date.now() - started;
    const second = await r.failed("staging", "v8", "x");

    expect(first.ok).toBe(false);
    expect(first.message).toContain("no answer within 150 ms");
    expect(elapsed).toBeLessThan(3000);
    expect(second.ok).toBe(false);
    expect(second.message).toContain("not sent: GitHub did not answer within 150 ms");
    expect(stub.requests).toHaveLength(1);
  });

  it("retries a refused connection once and reports it", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const result = await reporter({ env: (name) => (name === "GITHUB_API_URL" ? `http://127.0.0.1:${port}` : undefined) }).started("staging", "v9");

    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/after 2 attempts: connection failed: .*ECONNREFUSED.*; then connection failed: .*ECONNREFUSED/);
  });

  it("stops a request in flight when the step is stopped, and does not retry it", async () => {
    stub.faults.push({ delayMs: 5000 });
    const step = new AbortController();
    setTimeout(() => step.abort(new Error("cancelled by SIGINT")), 100);

    const started = Date.now();
    const result = await reporter({ signal: () => step.signal }).started("staging", "v9");

    expect(result.ok).toBe(false);
    expect(result.message).toContain("failed: not sent: the step was stopped (cancelled by SIGINT)");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(stub.requests).toHaveLength(1);
  });

  it("never puts the token in a message, even when GitHub echoes it", async () => {
    stub.faults.push({ status: 422, body: { message: `token ${TOKEN} rejected` } });

    const result = await reporter().started("staging", "v10");

    expect(result.ok).toBe(false);
    expect(result.message).not.toContain(TOKEN);
    expect(result.message).toContain("token *** rejected");
  });

  it("is a no-op that says so without a token or an environment name", async () => {
    const noToken = await reporter({ token: "" }).started("staging", "v1");
    const noEnvironment = await reporter().started(undefined, "v1");

    expect(noToken).toEqual({ ok: true, skipped: true, message: "GitHub deployment status not reported: no github-token given." });
    expect(noEnvironment).toEqual({ ok: true, skipped: true, message: "GitHub deployment status not reported: no environment name given." });
    expect(stub.requests).toHaveLength(0);
  });

  it("refuses a repository that is not owner/name without calling GitHub", async () => {
    const client = createDeploymentsClient({ token: TOKEN, apiUrl: stub.url });
    for (const repository of ["../x", "acme/..", "acme", "acme/web/extra"]) {
      const result = await findOrCreateDeployment(client, { repository, environment: "e", sha: SHA, runId: RUN_ID, deploymentId: "d", version: "v", description: "Deploying v" });
      expect(result).toEqual({ ok: false, message: `GitHub deployment not reported: repository ${JSON.stringify(repository)} is not owner/name` });
    }
    expect(stub.requests).toHaveLength(0);
  });
});

describe("shortDescription", () => {
  it("flattens whitespace and keeps short text as it is", () => {
    expect(shortDescription("a\n  b")).toBe("a b");
    expect(shortDescription("y".repeat(140))).toHaveLength(140);
    expect(shortDescription("y".repeat(141))).toBe(`${"y".repeat(139)}…`);
  });
});
