import { afterEach, describe, expect, it } from "vitest";
import { createSandboxClock, type ReleaseBehaviour, type RunningInstance } from "../../../aws/contracts";
import { launchInstance } from "../../../aws/fleet/instance";
import { get, seeded } from "../dataplane/helpers";

const clock = createSandboxClock(50);
const launched: RunningInstance[] = [];
afterEach(() => {
  for (const instance of launched.splice(0)) instance.kill();
});

function behaviour(overrides: Partial<ReleaseBehaviour> = {}): ReleaseBehaviour {
  return { version: "v3", latencyMs: { median: 2, p99: 5 }, errorRate: 0.5, health: { path: "/health", status: 200, body: { status: "ok" } }, bootSeconds: 0, ...overrides };
}

/** The value of one sample line `name{labels} value` of the text format. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && labels.split(",").every((p) => l.includes(p)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("instance /metrics (Prometheus text format)", () => {
  it("counts answered requests by code and version and their durations; health checks and scrapes are not counted", async () => {
    const instance = launchInstance({ instanceId: "i-metrics", behaviour: behaviour(), clock, random: seeded(4) });
    launched.push(instance);
    await instance.ready;
    const base = `http://127.0.0.1:${instance.port}`;
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await get(`${base}/`)).status);
    await get(`${base}/health`);
    await get(`${base}/metrics`);
    const response = await get(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(String(response.headers["content-type"])).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    const failed = statuses.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(0);
    expect(sample(text, "sandbox_http_requests_total", 'code="500",version="v3"')).toBe(failed);
    expect(sample(text, "sandbox_http_requests_total", 'code="200",version="v3"')).toBe(40 - failed);
    expect(sample(text, "sandbox_http_request_duration_seconds_count", 'version="v3"')).toBe(40);
    expect(sample(text, "sandbox_http_request_duration_seconds_bucket", 'le="+Inf",version="v3"')).toBe(40);
    // Latencies of a few ms: all of them under the 250 ms bucket the analysis's slow-requests metric uses.
    expect(sample(text, "sandbox_http_request_duration_seconds_bucket", 'le="0.25",version="v3"')).toBe(40);
  });

  it("exports both codes from the first request on, at 0 until they happen, so a first failure is an increase", async () => {
    const instance = launchInstance({ instanceId: "i-zero", behaviour: behaviour({ errorRate: 0, version: "v2" }), clock, random: seeded(1) });
    launched.push(instance);
    await instance.ready;
    await get(`http://127.0.0.1:${instance.port}/`);
    const text = (await get(`http://127.0.0.1:${instance.port}/metrics`)).body;
    expect(sample(text, "sandbox_http_requests_total", 'code="500",version="v2"')).toBe(0);
    expect(sample(text, "sandbox_http_requests_total", 'code="200",version="v2"')).toBe(1);
  });
});
