import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createSandboxClock, type ReleaseBehaviour, type RunningInstance, type TargetGroupHealth } from "../../aws/contracts";
import { startListener } from "../../aws/dataplane/listener-proxy";
import { launchInstance } from "../../aws/fleet/instance";
import { startLoad, type LoadReport } from "../../aws/load";
import { createMetricsStore } from "../../aws/metrics/store";
import { seeded } from "./dataplane/helpers";

const clock = createSandboxClock(50);

function behaviour(version: string, errorRate = 0): ReleaseBehaviour {
  return { version, latencyMs: { median: 1, p99: 3 }, errorRate, health: { path: "/health", status: 200, body: {} }, bootSeconds: 0 };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function instance(id: string, b: ReleaseBehaviour): Promise<RunningInstance> {
  const running = launchInstance({ instanceId: id, behaviour: b, clock, random: seeded(9) });
  cleanups.push(() => running.kill());
  await running.ready;
  return running;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function consistent(report: LoadReport): void {
  expect(report.inFlight).toBe(0);
  expect(report.total).toBe(report.sent);
  expect(report.ok + report.failed).toBe(report.total);
  expect(sum(Object.values(report.byStatus)) + report.connectionErrors).toBe(report.total);
  expect(sum(report.timeline.map((s) => s.ok + s.failed))).toBe(report.total);
}

describe("startLoad", () => {
  it("sends at the requested rate and counts statuses, versions and failures", async () => {
    const target = await instance("i-load", behaviour("v1", 0.25));
    const run = startLoad({ url: `http://127.0.0.1:${target.port}/orders`, rps: 200 });
    await sleep(600);
    const report = await run.stop();

    consistent(report);
    // Open loop: one request per 5 ms of the run, however slowly they are answered.
    expect(report.durationMs).toBeGreaterThanOrEqual(590);
    expect(report.sent).toBeLessThanOrEqual(Math.floor(report.durationMs / 5) + 1);
    expect(report.sent).toBeGreaterThanOrEqual(Math.floor((report.durationMs / 5) * 0.8));
    expect(report.byVersion).toEqual({ v1: report.total });
    expect((report.byStatus["200"] ?? 0) + (report.byStatus["500"] ?? 0)).toBe(report.total);
    expect(report.failed).toBe(report.byStatus["500"] ?? 0);
    expect(report.failed / report.total).toBeGreaterThan(0.1);
    expect(report.failed / report.total).toBeLessThan(0.4);
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
    expect(report.stoppedBy).toBe("stop");
  });

  it("counts connection errors as failures", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const report = await startLoad({ url: `http://127.0.0.1:${port}/`, rps: 100, maxDurationMs: 200 }).finished;
    consistent(report);
    expect(report.total).toBeGreaterThan(5);
    expect(report.connectionErrors).toBe(report.total);
    expect(report.failed).toBe(report.total);
    expect(report.errorsByCode).toEqual({ ECONNREFUSED: report.total });
    expect(report.stoppedBy).toBe("maxDuration");
  });

  it("shows in its timeline when traffic moved to a new version", async () => {
    const target = await instance("i-shift", behaviour("v1"));
    const run = startLoad({ url: `http://127.0.0.1:${target.port}/`, rps: 100, arrivals: "poisson", random: seeded(4) });
    await sleep(1_100);
    target.setBehaviour(behaviour("v2"));
    await sleep(1_500);
    const report = await run.stop();
    consistent(report);
    // Second 0 is before the switch (at about 1.1 s); second 2 after it; second 1 holds both.
    expect(Object.keys(report.timeline[0]?.byVersion ?? {})).toEqual(["v1"]);
    expect(Object.keys(report.timeline[2]?.byVersion ?? {})).toEqual(["v2"]);
    expect(report.byVersion.v1).toBeGreaterThan(50);
    expect(report.byVersion.v2).toBeGreaterThan(50);
  });

  it("keeps a sticky client on one target group with its cookie jar, and a cookieless crowd on both", async () => {
    const blue = await instance("i-blue", behaviour("v1"));
    const green = await instance("i-green", behaviour("v2"));
    const health = (i: RunningInstance): TargetGroupHealth => ({
      register: () => undefined,
      deregister: async () => undefined,
      updateEndpoint: () => undefined,
      setConfig: () => undefined,
      describe: () => [],
      routable: () => [{ id: i.instanceId, host: i.host, port: i.port }],
      counts: () => ({ healthy: 1, unhealthy: 0 }),
      setInUse: () => undefined,
      close: () => undefined,
    });
    const listener = await startListener({
      resolve: () => ({
        kind: "forward",
        loadBalancerDimension: "app/demo/0123456789abcdef",
        groups: [
          { targetGroupArn: "arn:tg/blue", targetGroupDimension: "targetgroup/blue/1", weight: 500, health: health(blue) },
          { targetGroupArn: "arn:tg/green", targetGroupDimension: "targetgroup/green/2", weight: 500, health: health(green) },
        ],
        stickiness: { enabled: true, durationSeconds: 300 },
      }),
      metrics: createMetricsStore(clock),
      clock,
      random: seeded(21),
    });
    cleanups.push(() => listener.close());

    const seededJar = { AWSALBTG: Buffer.from("arn:tg/green").toString("base64url") };
    const pinned = await startLoad({ url: `${listener.url}/`, rps: 200, cookies: seededJar, maxDurationMs: 300 }).finished;
    const sticky = await startLoad({ url: `${listener.url}/`, rps: 40, cookies: true, maxDurationMs: 1_600 }).finished;
    const crowd = await startLoad({ url: `${listener.url}/`, rps: 200, maxDurationMs: 300 }).finished;
    [pinned, sticky, crowd].forEach(consistent);
    expect(pinned.byTargetGroup).toEqual({ green: pinned.total });
    // Requests sent before the first answer carry no cookie yet; every later one sticks.
    expect(Object.keys(sticky.timeline[1]?.byVersion ?? {})).toHaveLength(1);
    expect(sticky.timeline[1]?.ok).toBeGreaterThan(15);
    expect(Object.keys(crowd.byTargetGroup).sort()).toEqual(["blue", "green"]);
  });

  it("rejects invalid options naming them", () => {
    expect(() => startLoad({ url: "ftp://127.0.0.1/", rps: 10 })).toThrow(/url: must be an http:\/\/ URL/);
    expect(() => startLoad({ url: "http://127.0.0.1/", rps: 0 })).toThrow(/rps/);
  });
});
