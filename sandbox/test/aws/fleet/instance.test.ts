import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createSandboxClock, type ReleaseBehaviour, type RunningInstance } from "../../../aws/contracts";
import { launchInstance } from "../../../aws/fleet/instance";
import { lognormalSampler } from "../../../aws/fleet/latency";
import { eventually, get, seeded } from "../dataplane/helpers";

const clock = createSandboxClock(50); // one sandbox second lasts 20 ms

function behaviour(overrides: Partial<ReleaseBehaviour> = {}): ReleaseBehaviour {
  return {
    version: "v1",
    latencyMs: { median: 2, p99: 5 },
    errorRate: 0,
    health: { path: "/health", status: 200, body: { status: "ok" } },
    bootSeconds: 1,
    ...overrides,
  };
}

const launched: RunningInstance[] = [];
function launch(id: string, b: ReleaseBehaviour, seed = 1): RunningInstance {
  const instance = launchInstance({ instanceId: id, behaviour: b, clock, random: seeded(seed) });
  launched.push(instance);
  return instance;
}

afterEach(async () => {
  for (const instance of launched.splice(0)) instance.kill();
});

describe("lognormalSampler", () => {
  it("fits the median and the 99th percentile", () => {
    const sample = lognormalSampler({ median: 20, p99: 60 }, seeded(7));
    const draws = Array.from({ length: 100_000 }, sample).sort((a, b) => a - b);
    expect(draws[50_000]).toBeGreaterThan(19.4);
    expect(draws[50_000]).toBeLessThan(20.6);
    expect(draws[99_000]).toBeGreaterThan(57);
    expect(draws[99_000]).toBeLessThan(63);
  });

  it("is constant when p99 equals the median", () => {
    const sample = lognormalSampler({ median: 5, p99: 5 }, seeded(1));
    expect(new Set(Array.from({ length: 10 }, sample))).toEqual(new Set([5]));
  });
});

describe("launchInstance", () => {
  it("listens only after its boot time and serves the health path with version headers", async () => {
    const instance = launch("i-0001", behaviour({ bootSeconds: 2 }));
    expect(instance.port).toBe(0);
    await instance.ready;
    expect(instance.port).toBeGreaterThan(0);
    const response = await get(`http://127.0.0.1:${instance.port}/health`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: "ok" });
    expect(response.headers["x-sandbox-version"]).toBe("v1");
    expect(response.headers["x-sandbox-instance"]).toBe("i-0001");
  });

  it("rejects an invalid behaviour naming the field", () => {
    expect(() => launch("i-bad", behaviour({ errorRate: 2 }))).toThrow(/i-bad.*errorRate/);
    expect(() => launch("i-bad", behaviour({ latencyMs: { median: 50, p99: 10 } }))).toThrow(/latencyMs\.p99/);
  });

  it("fails ordinary requests at the error rate and applies latency", async () => {
    const instance = launch("i-0002", behaviour({ errorRate: 0.3, latencyMs: { median: 30, p99: 40 } }), 42);
    await instance.ready;
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 300 }, () => get(`http://127.0.0.1:${instance.port}/orders`)));
    const elapsed = Date.now() - started;
    const errors = responses.filter((r) => r.status === 500).length;
    expect(responses.every((r) => r.status === 200 || r.status === 500)).toBe(true);
    expect(errors / 300).toBeGreaterThan(0.22);
    expect(errors / 300).toBeLessThan(0.38);
    expect(elapsed).toBeGreaterThanOrEqual(20);
    expect(responses.every((r) => r.headers["x-sandbox-version"] === "v1")).toBe(true);
  });

  it("applies a new behaviour live", async () => {
    const instance = launch("i-0003", behaviour());
    await instance.ready;
    instance.setBehaviour(behaviour({ version: "v1-sick", health: { path: "/health", status: 503, body: { status: "down" } } }));
    const response = await get(`http://127.0.0.1:${instance.port}/health`);
    expect(response.status).toBe(503);
    expect(response.headers["x-sandbox-version"]).toBe("v1-sick");
    expect(instance.behaviour.version).toBe("v1-sick");
  });

  it("crashes after crashAfterSeconds, firing onDeath once and refusing connections", async () => {
    const instance = launch("i-0004", behaviour({ crashAfterSeconds: 2 }));
    let deaths = 0;
    instance.onDeath(() => (deaths += 1));
    await instance.ready;
    const port = instance.port;
    await eventually(() => instance.dead, 2000, "the crash");
    instance.kill();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(deaths).toBe(1);
    await expect(get(`http://127.0.0.1:${port}/health`)).rejects.toThrow(/ECONNREFUSED/);
    let late = 0;
    instance.onDeath(() => (late += 1));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(late).toBe(1);
  });

  it("kill destroys open connections mid-request", async () => {
    const instance = launch("i-0005", behaviour({ latencyMs: { median: 2000, p99: 2000 } }));
    await instance.ready;
    const pending = get(`http://127.0.0.1:${instance.port}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    instance.kill();
    await expect(pending).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(instance.dead).toBe(true);
  });

  it("stop lets in-flight requests finish and is not a death", async () => {
    const instance = launch("i-0006", behaviour({ latencyMs: { median: 80, p99: 80 } }));
    let deaths = 0;
    instance.onDeath(() => (deaths += 1));
    await instance.ready;
    const pending = get(`http://127.0.0.1:${instance.port}/work`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await instance.stop();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(instance.dead).toBe(true);
    expect(deaths).toBe(0);
  });

  it("stop cuts connections that never finish a request after its timeout", async () => {
    const instance = launchInstance({ instanceId: "i-0008", behaviour: behaviour(), clock, random: seeded(1), stopTimeoutMs: 100 });
    launched.push(instance);
    await instance.ready;
    const socket = connect(instance.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("GET /half HTTP/1.1\r\nHost: x\r\n"); // headers never end
    const closed = new Promise((resolve) => socket.once("close", resolve));
    const started = Date.now();
    await instance.stop();
    await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it("a kill while booting rejects ready and never listens", async () => {
    const instance = launch("i-0007", behaviour({ bootSeconds: 5 }));
    instance.kill();
    await expect(instance.ready).rejects.toThrow(/i-0007 was killed before it finished booting/);
    expect(instance.port).toBe(0);
  });
});
