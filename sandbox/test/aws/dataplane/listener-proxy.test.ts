import { afterEach, describe, expect, it } from "vitest";
import {
  createSandboxClock,
  type ForwardGroup,
  type MetricsStore,
  type ReleaseBehaviour,
  type RequestRecord,
  type RoutePlan,
  type RunningInstance,
  type TargetEndpoint,
  type TargetGroupHealth,
} from "../../../aws/contracts";
import { startListener } from "../../../aws/dataplane/listener-proxy";
import { readStickyGroup } from "../../../aws/dataplane/routing";
import { createTargetGroupHealth } from "../../../aws/dataplane/target-health";
import { launchInstance } from "../../../aws/fleet/instance";
import type { ListenerRequestRecord } from "../../../aws/metrics/request-record";
import { burst, eventually, get, seeded } from "./helpers";

const clock = createSandboxClock(50);
const LB = "app/demo/0123456789abcdef";

function behaviour(version: string, latencyMs = { median: 0.3, p99: 1 }): ReleaseBehaviour {
  return { version, latencyMs, errorRate: 0, health: { path: "/health", status: 200, body: {} }, bootSeconds: 0 };
}

class RecordingMetrics implements MetricsStore {
  readonly requests: ListenerRequestRecord[] = [];
  recordRequest(record: RequestRecord): void {
    this.requests.push(record);
  }
  recordHostCounts(): void {}
  put(): void {}
  query(): never {
    throw new Error("not used by these tests");
  }
}

/** A target group whose targets are always routable, for routing tests that do not exercise health checks. */
function staticHealth(targets: TargetEndpoint[]): TargetGroupHealth {
  return {
    register: () => undefined,
    deregister: async () => undefined,
    updateEndpoint: () => undefined,
    setConfig: () => undefined,
    describe: () => targets.map((t) => ({ id: t.id, port: t.port, state: "healthy" as const })),
    routable: () => targets,
    counts: () => ({ healthy: targets.length, unhealthy: 0 }),
    setInUse: () => undefined,
    close: () => undefined,
  };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function instance(id: string, b: ReleaseBehaviour): Promise<RunningInstance> {
  const running = launchInstance({ instanceId: id, behaviour: b, clock, random: seeded(id.length * 7) });
  cleanups.push(() => running.kill());
  await running.ready;
  return running;
}

const endpoint = (i: RunningInstance): TargetEndpoint => ({ id: i.instanceId, host: i.host, port: i.port });

function group(name: string, weight: number, health: TargetGroupHealth): ForwardGroup {
  return {
    targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/00000000000000${name.length}a`,
    targetGroupDimension: `targetgroup/${name}/00000000000000${name.length}a`,
    weight,
    health,
  };
}

function forward(groups: ForwardGroup[], stickiness: { enabled: boolean; durationSeconds: number; beatsWeight?: boolean } = { enabled: false, durationSeconds: 3600 }): RoutePlan {
  return { kind: "forward", loadBalancerDimension: LB, groups, stickiness };
}

async function listen(resolve: () => RoutePlan, seed = 11) {
  const metrics = new RecordingMetrics();
  const listener = await startListener({ resolve, metrics, clock, random: seeded(seed) });
  cleanups.push(() => listener.close());
  return { listener, metrics };
}

describe("startListener", () => {
  it("splits 10,000 requests 90/10 at weights 900/100 within two percentage points", async () => {
    const blue = await instance("i-blue", behaviour("v1"));
    const green = await instance("i-green", behaviour("v2"));
    const plan = forward([group("blue", 900, staticHealth([endpoint(blue)])), group("green", 100, staticHealth([endpoint(green)]))]);
    const { listener, metrics } = await listen(() => plan);

    const responses = await burst(`${listener.url}/orders`, 10_000, 32);

    const onBlue = responses.filter((r) => r.headers["x-sandbox-target-group"] === "blue").length;
    const onGreen = responses.filter((r) => r.headers["x-sandbox-target-group"] === "green").length;
    expect(onBlue + onGreen).toBe(10_000);
    expect(Math.abs(onBlue / 10_000 - 0.9)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(onGreen / 10_000 - 0.1)).toBeLessThanOrEqual(0.02);
    expect(responses.filter((r) => r.headers["x-sandbox-version"] === "v2").length).toBe(onGreen);
    expect(metrics.requests).toHaveLength(10_000);
    expect(metrics.requests.filter((r) => r.targetGroupDimension === "targetgroup/green/000000000000005a").length).toBe(onGreen);
    expect(metrics.requests.every((r) => r.status === 200 && r.latencyMs >= 0 && r.loadBalancerDimension === LB)).toBe(true);
  });

  it("round-robins across the routable targets of a group", async () => {
    const a = await instance("i-a", behaviour("v1"));
    const b = await instance("i-b", behaviour("v1"));
    const plan = forward([group("blue", 1, staticHealth([endpoint(a), endpoint(b)]))]);
    const { listener } = await listen(() => plan);
    const seen: string[] = [];
    for (let i = 0; i < 4; i += 1) seen.push(String((await get(`${listener.url}/x`)).headers["x-sandbox-instance"]));
    expect(seen).toEqual(["i-a", "i-b", "i-a", "i-b"]);
  });

  it("keeps a client on its group with the stickiness cookie, at weight 0 too, until stickiness is turned off", async () => {
    const blue = await instance("i-blue", behaviour("v1"));
    const green = await instance("i-green", behaviour("v2"));
    const groups = [group("blue", 500, staticHealth([endpoint(blue)])), group("green", 500, staticHealth([endpoint(green)]))];
    let plan = forward(groups, { enabled: true, durationSeconds: 120 });
    const { listener } = await listen(() => plan, 5);

    const first = await get(`${listener.url}/`);
    const setCookie = [first.headers["set-cookie"]].flat().find((c) => c?.startsWith("AWSALBTG="));
    expect(setCookie).toMatch(/^AWSALBTG=[\w-]+; Max-Age=120; Path=\/$/);
    const cookie = String(setCookie).split(";")[0] as string;
    const firstGroup = first.headers["x-sandbox-target-group"];
    expect(readStickyGroup(cookie)).toBe(groups.find((g) => g.targetGroupDimension.includes(`/${firstGroup}/`))?.targetGroupArn);

    const later = await burst(`${listener.url}/`, 60, 4, () => ({ cookie }));
    expect(new Set(later.map((r) => r.headers["x-sandbox-target-group"]))).toEqual(new Set([firstGroup]));
    const without = await burst(`${listener.url}/`, 60, 4);
    expect(new Set(without.map((r) => r.headers["x-sandbox-target-group"]))).toEqual(new Set(["blue", "green"]));

    // Stickiness beats weight (AWS): at weight 0 the cookie still keeps the client on its group.
    const atZero = groups.map((g) => ({ ...g, weight: g.targetGroupDimension.includes(`/${firstGroup}/`) ? 0 : 999 }));
    plan = forward(atZero, { enabled: true, durationSeconds: 120 });
    const kept = await burst(`${listener.url}/`, 20, 4, () => ({ cookie }));
    expect(new Set(kept.map((r) => r.headers["x-sandbox-target-group"]))).toEqual(new Set([firstGroup]));
    // Turning stickiness off on the action drops it: the weights decide.
    plan = forward(atZero, { enabled: false, durationSeconds: 0 });
    const moved = await get(`${listener.url}/`, { cookie });
    expect(moved.headers["x-sandbox-target-group"]).not.toBe(firstGroup);
    // With beatsWeight false (config stickinessBeatsWeight: false) the cookie is honoured only while its group has weight.
    plan = forward(atZero, { enabled: true, durationSeconds: 120, beatsWeight: false });
    expect((await get(`${listener.url}/`, { cookie })).headers["x-sandbox-target-group"]).not.toBe(firstGroup);
  });

  it("keeps a sticky client on its emptied group at weight 0, which answers 503 as AWS's does, and ignores an expired cookie", async () => {
    const blue = await instance("i-blue2", behaviour("v1"));
    const green = group("green", 0, staticHealth([]));
    const groups = [group("blue", 999, staticHealth([endpoint(blue)])), green];
    const plan = forward(groups, { enabled: true, durationSeconds: 120 });
    const { listener } = await listen(() => plan, 5);
    const valid = `AWSALBTG=${Buffer.from(`${green.targetGroupArn}|${Date.now() + 60_000}`).toString("base64url")}`;
    const expired = `AWSALBTG=${Buffer.from(`${green.targetGroupArn}|${Date.now() - 1}`).toString("base64url")}`;
    expect((await get(`${listener.url}/`, { cookie: valid })).status).toBe(503);
    const fresh = await get(`${listener.url}/`, { cookie: expired });
    expect(fresh.status).toBe(200);
    expect(fresh.headers["x-sandbox-target-group"]).toBe("blue");
  });

  it("answers 503 itself when no group has weight or no target is routable, and 502 when the target refuses", async () => {
    const dead = await instance("i-dead", behaviour("v1"));
    let plan = forward([group("blue", 0, staticHealth([endpoint(dead)]))]);
    const { listener, metrics } = await listen(() => plan);

    const noWeight = await get(`${listener.url}/`);
    expect(noWeight.status).toBe(503);
    expect(noWeight.headers.server).toBe("awselb/2.0");

    plan = forward([group("blue", 10, staticHealth([]))]);
    const noTarget = await get(`${listener.url}/`);
    expect(noTarget.status).toBe(503);

    dead.kill();
    plan = forward([group("blue", 10, staticHealth([endpoint(dead)]))]);
    const refused = await get(`${listener.url}/`);
    expect(refused.status).toBe(502);
    expect(refused.headers["x-sandbox-target-group"]).toBe("blue");

    expect(metrics.requests.map((r) => [r.elbStatus, r.status, r.targetGroupDimension])).toEqual([
      [503, undefined, ""],
      [503, undefined, "targetgroup/blue/000000000000004a"],
      [502, undefined, "targetgroup/blue/000000000000004a"],
    ]);
  });

  it("answers 504 itself when the target stays silent past the idle timeout", async () => {
    const slow = await instance("i-silent", behaviour("v1", { median: 1500, p99: 1500 }));
    const plan = forward([group("blue", 1, staticHealth([endpoint(slow)]))]);
    const metrics = new RecordingMetrics();
    const listener = await startListener({ resolve: () => plan, metrics, clock, random: seeded(2), idleTimeoutMs: 100 });
    cleanups.push(() => listener.close());
    const response = await get(`${listener.url}/`);
    expect(response.status).toBe(504);
    expect(metrics.requests.map((r) => r.elbStatus)).toEqual([504]);
    expect(listener.inFlight()).toEqual({});
  });

  it("lets a draining target finish its slow in-flight requests and sends it no new ones", async () => {
    const slow = await instance("i-slow", behaviour("v1", { median: 300, p99: 300 }));
    const fast = await instance("i-fast", behaviour("v1"));
    const health = createTargetGroupHealth({
      config: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: "/health",
        intervalSeconds: 5,
        timeoutSeconds: 2,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
        matcher: "200",
      },
      clock,
    });
    cleanups.push(() => health.close());
    health.register(endpoint(slow));
    health.register(endpoint(fast));
    await eventually(() => health.counts().healthy === 2, 3000, "both healthy");
    const plan = forward([group("blue", 1, health)]);
    const { listener } = await listen(() => plan);

    const inFlight = Array.from({ length: 10 }, () => get(`${listener.url}/work`));
    await eventually(() => (listener.inFlight()["i-slow"] ?? 0) === 5, 2000, "five requests on the slow target");
    const drained = health.deregister("i-slow", 20); // 400 ms, longer than the slow requests
    const during = await burst(`${listener.url}/work`, 20, 2);
    const finished = await Promise.all(inFlight);
    await drained;

    expect(finished.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(finished.filter((r) => r.headers["x-sandbox-instance"] === "i-slow")).toHaveLength(5);
    expect(during.every((r) => r.headers["x-sandbox-instance"] === "i-fast")).toBe(true);
    expect(listener.inFlight()).toEqual({});
  });

  it("answers fixed-response and redirect plans directly", async () => {
    let plan: RoutePlan = { kind: "fixed-response", status: 404, contentType: "text/plain", body: "nothing here" };
    const { listener, metrics } = await listen(() => plan);
    const fixed = await get(`${listener.url}/missing`);
    expect([fixed.status, fixed.headers["content-type"], fixed.body]).toEqual([404, "text/plain", "nothing here"]);
    plan = { kind: "redirect", status: 301, location: "https://example.com/" };
    const moved = await get(`${listener.url}/old`);
    expect([moved.status, moved.headers.location]).toEqual([301, "https://example.com/"]);
    expect(metrics.requests).toHaveLength(0);
  });

  it("hands the resolver the method, host without port, path and headers", async () => {
    const seen: unknown[] = [];
    const { listener } = await listen(() => ({ kind: "fixed-response", status: 200, contentType: "text/plain", body: "ok" }));
    const capture = await startListener({
      resolve: (request) => {
        seen.push({ method: request.method, host: request.host, path: request.path, h: request.headers["x-test"] });
        return { kind: "fixed-response", status: 200, contentType: "text/plain", body: "ok" };
      },
      metrics: new RecordingMetrics(),
      clock,
      random: seeded(1),
    });
    cleanups.push(() => capture.close());
    await get(`${capture.url}/api/orders?id=1`, { "x-test": "yes" });
    expect(seen).toEqual([{ method: "GET", host: "127.0.0.1", path: "/api/orders", h: "yes" }]);
    expect(capture.port).not.toBe(listener.port);
  });
});
