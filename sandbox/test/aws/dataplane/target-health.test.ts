import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import {
  createSandboxClock,
  type HealthCheckConfig,
  type ReleaseBehaviour,
  type RunningInstance,
  type TargetGroupHealth,
  type TargetHealthView,
} from "../../../aws/contracts";
import { parseMatcher } from "../../../aws/dataplane/health-probe";
import { createTargetGroupHealth } from "../../../aws/dataplane/target-health";
import { launchInstance } from "../../../aws/fleet/instance";
import { eventually, seeded } from "./helpers";

const clock = createSandboxClock(50); // interval 5 s = 100 ms, timeout 2 s = 40 ms

const config: HealthCheckConfig = {
  enabled: true,
  protocol: "HTTP",
  port: "traffic-port",
  path: "/health",
  intervalSeconds: 5,
  timeoutSeconds: 2,
  healthyThreshold: 3,
  unhealthyThreshold: 2,
  matcher: "200-299",
};

function behaviour(status = 200): ReleaseBehaviour {
  return {
    version: "v1",
    latencyMs: { median: 1, p99: 2 },
    errorRate: 0,
    health: { path: "/health", status, body: { status } },
    bootSeconds: 0,
  };
}

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function instance(id: string, status = 200): Promise<RunningInstance> {
  const running = launchInstance({ instanceId: id, behaviour: behaviour(status), clock, random: seeded(3) });
  cleanups.push(() => running.kill());
  await running.ready;
  return running;
}

function group(overrides: Partial<HealthCheckConfig> = {}) {
  const changes: TargetHealthView[] = [];
  const health = createTargetGroupHealth({ config: { ...config, ...overrides }, clock, onChange: (v) => changes.push(v) });
  cleanups.push(() => health.close());
  return { health, changes };
}

const stateOf = (health: TargetGroupHealth, id: string) => health.describe().find((t) => t.id === id);

describe("createTargetGroupHealth", () => {
  it("moves a new target from registration to initial checks to healthy after one pass", async () => {
    const target = await instance("i-a");
    const { health, changes } = group();
    health.register({ id: "i-a", host: target.host, port: target.port });
    expect(stateOf(health, "i-a")).toEqual({
      id: "i-a",
      port: target.port,
      state: "initial",
      reason: "Elb.RegistrationInProgress",
      description: "Target registration is in progress",
    });
    await eventually(() => stateOf(health, "i-a")?.state === "healthy", 3000, "healthy");
    expect(changes.map((c) => `${c.state}/${c.reason ?? ""}`)).toEqual([
      "initial/Elb.RegistrationInProgress",
      "initial/Elb.InitialHealthChecking",
      "healthy/",
    ]);
    expect(stateOf(health, "i-a")).toEqual({ id: "i-a", port: target.port, state: "healthy" });
    expect(health.counts()).toEqual({ healthy: 1, unhealthy: 0 });
  });

  it("reports a status mismatch after the unhealthy threshold and recovers after the healthy threshold", async () => {
    const target = await instance("i-b");
    const { health, changes } = group();
    health.register({ id: "i-b", host: target.host, port: target.port });
    await eventually(() => stateOf(health, "i-b")?.state === "healthy", 3000, "healthy");
    target.setBehaviour(behaviour(503));
    await eventually(() => stateOf(health, "i-b")?.state === "unhealthy", 3000, "unhealthy");
    expect(stateOf(health, "i-b")).toMatchObject({
      reason: "Target.ResponseCodeMismatch",
      description: "Health checks failed with these codes: [503]",
    });
    expect(health.counts()).toEqual({ healthy: 0, unhealthy: 1 });
    const unhealthyAt = Date.now();
    target.setBehaviour(behaviour(200));
    await eventually(() => stateOf(health, "i-b")?.state === "healthy", 3000, "recovered");
    // Three consecutive passes at a 100 ms interval take at least two intervals.
    expect(Date.now() - unhealthyAt).toBeGreaterThanOrEqual(180);
    expect(changes.map((c) => c.state)).toEqual(["initial", "initial", "healthy", "unhealthy", "healthy"]);
  });

  it("reports Target.Timeout when the health endpoint does not answer in time", async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => {
      silent.closeAllConnections();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const port = (silent.address() as { port: number }).port;
    const { health } = group();
    health.register({ id: "i-c", host: "127.0.0.1", port });
    await eventually(() => stateOf(health, "i-c")?.state === "unhealthy", 3000, "unhealthy");
    expect(stateOf(health, "i-c")).toMatchObject({ reason: "Target.Timeout", description: "Request timed out" });
  });

  it("reports Target.FailedHealthChecks when the target refuses connections, and fails open", async () => {
    const a = await instance("i-d");
    const b = await instance("i-e");
    const { health } = group();
    health.register({ id: "i-d", host: a.host, port: a.port });
    health.register({ id: "i-e", host: b.host, port: b.port });
    await eventually(() => health.counts().healthy === 2, 3000, "two healthy");
    a.kill();
    await eventually(() => stateOf(health, "i-d")?.state === "unhealthy", 3000, "i-d unhealthy");
    expect(stateOf(health, "i-d")).toMatchObject({ reason: "Target.FailedHealthChecks", description: "Health checks failed" });
    expect(health.routable().map((t) => t.id)).toEqual(["i-e"]);
    b.setBehaviour(behaviour(500));
    await eventually(() => stateOf(health, "i-e")?.state === "unhealthy", 3000, "i-e unhealthy");
    // No healthy target: every registered target receives traffic.
    expect(health.routable().map((t) => t.id).sort()).toEqual(["i-d", "i-e"]);
  });

  it("drains a deregistered target for the delay, then removes it", async () => {
    const a = await instance("i-f");
    const b = await instance("i-g");
    const { health, changes } = group();
    health.register({ id: "i-f", host: a.host, port: a.port });
    health.register({ id: "i-g", host: b.host, port: b.port });
    await eventually(() => health.counts().healthy === 2, 3000, "two healthy");
    const started = Date.now();
    const removed = health.deregister("i-f", 4); // 80 ms
    expect(stateOf(health, "i-f")).toMatchObject({
      state: "draining",
      reason: "Target.DeregistrationInProgress",
      description: "Target deregistration is in progress",
    });
    expect(health.routable().map((t) => t.id)).toEqual(["i-g"]);
    expect(health.counts()).toEqual({ healthy: 1, unhealthy: 0 });
    await removed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    expect(stateOf(health, "i-f")).toBeUndefined();
    expect(changes.at(-1)).toMatchObject({ id: "i-f", state: "unused", reason: "Target.NotRegistered" });
    await expect(health.deregister("i-unknown", 4)).resolves.toBeUndefined();
  });

  it("does not route to a draining target even when it is the last one (fail-open excludes draining)", async () => {
    const a = await instance("i-h");
    const { health } = group();
    health.register({ id: "i-h", host: a.host, port: a.port });
    void health.deregister("i-h", 100);
    expect(health.routable()).toEqual([]);
  });

  it("reports unused targets when the group is not in use, and checks them again from the start when it is", async () => {
    const a = await instance("i-i");
    const { health } = group();
    health.register({ id: "i-i", host: a.host, port: a.port });
    await eventually(() => stateOf(health, "i-i")?.state === "healthy", 3000, "healthy");
    health.setInUse(false);
    expect(stateOf(health, "i-i")).toMatchObject({
      state: "unused",
      reason: "Target.NotInUse",
      description: "Target group is not configured to receive traffic from the load balancer",
    });
    health.setInUse(true);
    expect(stateOf(health, "i-i")).toMatchObject({ state: "initial", reason: "Elb.RegistrationInProgress" });
    await eventually(() => stateOf(health, "i-i")?.state === "healthy", 3000, "healthy again");
  });

  it("reports unavailable targets when health checks are disabled and routes to all of them", async () => {
    const a = await instance("i-j", 503);
    const { health } = group({ enabled: false });
    health.register({ id: "i-j", host: a.host, port: a.port });
    expect(stateOf(health, "i-j")).toMatchObject({
      state: "unavailable",
      reason: "Target.HealthCheckDisabled",
      description: "Health checks are disabled",
    });
    expect(health.routable().map((t) => t.id)).toEqual(["i-j"]);
    expect(health.counts()).toEqual({ healthy: 0, unhealthy: 0 });
    health.setConfig({ ...config, enabled: true });
    await eventually(() => stateOf(health, "i-j")?.state === "unhealthy", 3000, "unhealthy");
    expect(stateOf(health, "i-j")?.reason).toBe("Target.ResponseCodeMismatch");
  });

  it("uses a fixed health-check port when one is configured, and follows endpoint updates", async () => {
    const a = await instance("i-k");
    const { health } = group({ port: String(a.port) });
    health.register({ id: "i-k", host: a.host, port: 0 });
    await eventually(() => stateOf(health, "i-k")?.state === "healthy", 3000, "healthy via fixed port");
    health.updateEndpoint({ id: "i-k", host: a.host, port: a.port });
    expect(health.routable()).toEqual([{ id: "i-k", host: a.host, port: a.port }]);
  });

  it("rejects an invalid configuration naming the field", () => {
    expect(() => group({ timeoutSeconds: 10 })).toThrow(/timeoutSeconds must be less than intervalSeconds/);
    expect(() => group({ matcher: "abc" })).toThrow(/"abc" is not an HTTP code or range/);
  });
});

describe("parseMatcher", () => {
  it("accepts single codes, lists and ranges", () => {
    const single = parseMatcher("200");
    const list = parseMatcher("200,202");
    const range = parseMatcher("200-299");
    expect([single(200), single(202)]).toEqual([true, false]);
    expect([list(200), list(201), list(202)]).toEqual([true, false, true]);
    expect([range(200), range(299), range(300), range(503)]).toEqual([true, true, false, false]);
    expect(() => parseMatcher("100")).toThrow(/from 200 to 499/);
  });
});
