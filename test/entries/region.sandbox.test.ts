/**
 * With AWS_REGION and AWS_DEFAULT_REGION unset (and no AWS config file), every action takes the
 * region from the ARN it was given, as the aws-region input documents. Each entry runs in process
 * against the sandbox, through a proxy that records the region of every request's SigV4 scope.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../sandbox/aws";
import { REGION_MISSING } from "../../src/adapters/aws/clients";
import { run as canaryAnalyze } from "../../src/actions/canary-analyze/index";
import { run as deployGreen } from "../../src/actions/deploy-green/index";
import { run as healthGate } from "../../src/actions/health-gate/index";
import { run as rollback } from "../../src/actions/rollback/index";
import type { RuntimeOptions } from "../../src/runtime/run-action";
import { run as shiftTraffic } from "../../src/actions/shift-traffic/index";
import { run as shiftTrafficPost } from "../../src/actions/shift-traffic/post";
import { RecordingIO } from "../../src/adapters/github/io";

const ENV = ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] as const;
const saved = new Map<string, string | undefined>();

let sandbox: Sandbox;
let proxy: Server;
/** The region of each request's credential scope, or "unsigned". */
const scopes: string[] = [];

/** Forwards every request to the sandbox, noting the region its Authorization header was signed for. */
function startProxy(target: URL): Promise<Server> {
  const server = createServer((req, res) => {
    scopes.push(/Credential=[^/,]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "unsigned");
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 30, seed: 5 });
  proxy = await startProxy(new URL(sandbox.endpoint));
  for (const name of ENV) saved.set(name, process.env[name]);
  for (const name of ENV) delete process.env[name];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
  });
});

afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await new Promise((resolve) => proxy?.close(resolve));
  await sandbox?.close();
});

afterEach(() => {
  process.exitCode = undefined;
});

async function step(run: (options: RuntimeOptions) => Promise<boolean>, inputs: Record<string, string>, state: Record<string, string> = {}) {
  scopes.length = 0;
  // The runner's environment as the action sees it: no AWS_REGION, no AWS_DEFAULT_REGION.
  const io = new RecordingIO(inputs, state, { GITHUB_REPOSITORY: "acme/web", GITHUB_RUN_ID: "77", RUNNER_TEMP: process.env.TMPDIR ?? "/tmp" });
  const ok = await run({ io, signal: new AbortController().signal });
  const errors = io.annotations.filter((a) => a.level === "error").map((a) => a.message);
  if (process.env.REGION_COUNTS) console.log(`${inputs["listener-arn"] ? "listener-arn" : inputs["rule-arn"] ? "rule-arn" : "tags"}: ${scopes.length} requests, scopes ${[...new Set(scopes)].join(",")}`);
  return { io, ok, errors, scopes: [...new Set(scopes)], requests: scopes.length };
}

describe("every action with AWS_REGION and AWS_DEFAULT_REGION unset", () => {
  const listener = () => sandbox.environment.listenerArn;
  let shiftState: Record<string, string> = {};
  const defaultRule = () => sandbox.environment.loadBalancers[0]!.listeners[0]!.defaultRuleArn;
  const stableFor = () => `${Math.ceil(60 / sandbox.environment.timeScale)}s`;

  it("the sandbox's ARNs are in us-east-1, and nothing else names a region", () => {
    expect(listener()).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:/);
    expect(defaultRule()).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:[0-9]+:listener-rule\//);
    expect(process.env.AWS_REGION).toBeUndefined();
    expect(process.env.AWS_DEFAULT_REGION).toBeUndefined();
  });

  it("deploy-green signs every request for the listener's region", async () => {
    const r = await step(deployGreen, { "listener-arn": listener(), "image-id": sandbox.environment.releases.v2!, version: "v2", timeout: "60s", "stable-for": stableFor() });
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.requests).toBeGreaterThan(0);
    expect(r.scopes).toEqual(["us-east-1"]);
  }, 90_000);

  it("health-gate", async () => {
    const r = await step(healthGate, { "listener-arn": listener(), slot: "candidate", timeout: "30s", "stable-for": stableFor() });
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.scopes).toEqual(["us-east-1"]);
  }, 60_000);

  it("shift-traffic, given the listener's default rule as rule-arn: the rule ARN's region, and ModifyListener", async () => {
    sandbox.resetCalls();
    const r = await step(shiftTraffic, { "rule-arn": defaultRule(), weight: "10" });
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.io.outputs.share).toBe("10");
    expect(r.scopes).toEqual(["us-east-1"]);
    const ops = sandbox.calls().map((c) => c.operation);
    expect(ops).toContain("ModifyListener");
    expect(ops).not.toContain("ModifyRule");
    shiftState = r.io.state;
  }, 60_000);

  it("shift-traffic's post step reaches AWS in the same region (given the state of a main step that did not finish)", async () => {
    expect(shiftState.routing).toBeDefined();
    const r = await step(shiftTrafficPost, { "rule-arn": defaultRule(), weight: "10" }, { ...shiftState, finished: "false" });
    // The main step did finish and handed its lock on, so the post step declines to restore; what
    // matters here is that it read the environment, in the ARN's region.
    expect(r.requests).toBeGreaterThan(0);
    expect(r.scopes).toEqual(["us-east-1"]);
    expect(r.errors.join("\n")).not.toMatch(/region/i);
  }, 60_000);

  it("canary-analyze, CloudWatch included", async () => {
    const r = await step(canaryAnalyze, { "listener-arn": listener(), window: "1m", "fail-on": "never" });
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(["pass", "fail", "inconclusive"]).toContain(r.io.outputs.verdict);
    expect(r.scopes).toEqual(["us-east-1"]);
    expect(sandbox.calls().some((c) => c.service === "CloudWatch")).toBe(true);
  }, 60_000);

  it("rollback, given the default rule as rule-arn too", async () => {
    const r = await step(rollback, { "rule-arn": defaultRule(), reason: "region check", timeout: "60s" });
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.io.outputs["to-slot"]).toBe("blue");
    expect(r.scopes).toEqual(["us-east-1"]);
  }, 90_000);

  it("with environment-tags there is no ARN: the step says to give aws-region, and sends nothing", async () => {
    const r = await step(shiftTraffic, { "environment-tags": "environment=sandbox\nservice=web", weight: "10" });
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([REGION_MISSING]);
    expect(r.requests).toBe(0);
  });

  it("environment-tags with aws-region works", async () => {
    const r = await step(shiftTraffic, { "environment-tags": "environment=sandbox\nservice=web", weight: "0", "aws-region": "us-east-1", "dry-run": "true" });
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.scopes).toEqual(["us-east-1"]);
  });
});
