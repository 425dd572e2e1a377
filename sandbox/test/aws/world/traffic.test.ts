import { SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { ModifyListenerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig, type SandboxConfig } from "../../../aws/config";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, eventually } from "../api/clients";
import { hammer, hammerInWorker, send } from "./http";

function config(): SandboxConfig {
  const base = defaultConfig();
  // Fast releases: the split is what is measured here, not latency.
  const releases = Object.fromEntries(Object.entries(base.releases!).map(([image, r]) => [image, { ...r, latencyMs: { median: 1, p99: 3 } }]));
  return {
    ...base,
    // The split after each write is measured at once here; propagation has its own test.
    propagationSeconds: 0,
    releases,
    loadBalancers: base.loadBalancers!.map((lb) => ({
      ...lb,
      listeners: lb.listeners.map((l) => ({
        ...l,
        rules: [
          { priority: 1, pathPatterns: ["/maintenance/*"], action: { type: "fixed-response" as const, statusCode: 503, body: "down for maintenance" } },
          { priority: 2, hostHeaders: ["green.example.com"], action: { type: "forward" as const, targetGroups: [{ name: "web-green", weight: 1 }] } },
        ],
      })),
    })),
  };
}

describe("traffic through the listener", () => {
  let sandbox: Sandbox;
  let c: ReturnType<typeof clientsFor>;
  let blue: string;
  let green: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ config: config(), timeScale: 10, seed: 21 });
    c = clientsFor(sandbox);
    blue = sandbox.environment.targetGroups["web-blue"]!;
    green = sandbox.environment.targetGroups["web-green"]!;
    await c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "web-green", DesiredCapacity: 2 }));
    await eventually(
      "both groups healthy",
      () => {
        const tgs = sandbox.state().targetGroups;
        return tgs.every((t) => t.healthy === 2) ? true : undefined;
      },
      15_000,
    );
  });
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });

  const weights = (b: number, g: number, stickiness?: { Enabled: boolean; DurationSeconds: number }) =>
    c.elb.send(
      new ModifyListenerCommand({
        ListenerArn: sandbox.environment.listenerArn,
        DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue, Weight: b }, { TargetGroupArn: green, Weight: g }], ...(stickiness ? { TargetGroupStickinessConfig: stickiness } : {}) } }],
      }),
    );

  it("splits 10,000 requests at weights 900/100 within ±2% of 90/10", async () => {
    await weights(900, 100);
    const { byGroup, byStatus } = await hammerInWorker(`${sandbox.environment.listenerUrl}/`, 10_000, 64);
    expect(byStatus).toEqual({ 200: 10_000 });
    const blueShare = (byGroup["web-blue"] ?? 0) / 10_000;
    const greenShare = (byGroup["web-green"] ?? 0) / 10_000;
    expect(Math.abs(blueShare - 0.9)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(greenShare - 0.1)).toBeLessThanOrEqual(0.02);
    const history = sandbox.state().weightHistory.at(-1)!;
    expect(history.groups).toEqual([
      expect.objectContaining({ name: "web-blue", weight: 900, healthy: 2 }),
      expect.objectContaining({ name: "web-green", weight: 100, healthy: 2 }),
    ]);
  }, 30_000);

  it("sends nothing to a group of weight 0", async () => {
    await weights(1, 0);
    const { byGroup } = await hammer(`${sandbox.environment.listenerUrl}/`, 300, 16);
    expect(byGroup).toEqual({ "web-blue": 300 });
  });

  it("keeps a client with the stickiness cookie on one group", async () => {
    await weights(1, 1, { Enabled: true, DurationSeconds: 3600 });
    const agent = new Agent({ keepAlive: true });
    try {
      const first = await send(`${sandbox.environment.listenerUrl}/`, { agent });
      const cookies = ([] as string[]).concat(first.headers["set-cookie"] ?? []);
      expect(cookies.length).toBeGreaterThan(0);
      const cookie = cookies.map((c) => c.split(";")[0]).join("; ");
      const group = first.headers["x-sandbox-target-group"];
      const seen = new Set<string>();
      for (let i = 0; i < 60; i++) seen.add(String((await send(`${sandbox.environment.listenerUrl}/`, { agent, headers: { cookie } })).headers["x-sandbox-target-group"]));
      expect([...seen]).toEqual([group]);
      // Without the cookie both groups are reached.
      const { byGroup } = await hammer(`${sandbox.environment.listenerUrl}/`, 200, 8);
      expect(Object.keys(byGroup).sort()).toEqual(["web-blue", "web-green"]);
    } finally {
      agent.destroy();
    }
  });

  it("evaluates rules by priority before the default action (path-pattern, host-header)", async () => {
    await weights(1, 0);
    const maintenance = await send(`${sandbox.environment.listenerUrl}/maintenance/now`);
    expect(maintenance.status).toBe(503);
    expect(maintenance.body).toBe("down for maintenance");
    const byHost = await send(`${sandbox.environment.listenerUrl}/`, { headers: { host: "green.example.com" } });
    expect(byHost.headers["x-sandbox-target-group"]).toBe("web-green");
    const plain = await send(`${sandbox.environment.listenerUrl}/`);
    expect(plain.headers["x-sandbox-target-group"]).toBe("web-blue");
  });
});
