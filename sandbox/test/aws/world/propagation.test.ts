/**
 * A listener change reaches the load balancer's nodes one after another: for the propagation delay
 * after ModifyListener, old and new weights route requests side by side; after it, only the new ones.
 */
import { SetDesiredCapacityCommand } from "@aws-sdk/client-auto-scaling";
import { ModifyListenerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig, parseConfig } from "../../../aws/config";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, eventually } from "../api/clients";
import { send } from "./http";

describe("propagation of listener changes", () => {
  let sandbox: Sandbox;
  let c: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    // 5 sandbox seconds (the default) at time scale 5: one real second.
    sandbox = await startSandbox({ timeScale: 5, seed: 23 });
    c = clientsFor(sandbox);
    await c.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "web-green", DesiredCapacity: 1 }));
    await eventually("green healthy", () => (sandbox.state().targetGroups.every((t) => t.healthy >= 1) ? true : undefined), 20_000);
  }, 30_000);
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });

  it("defaults to 5 sandbox seconds and refuses a negative delay", () => {
    expect(parseConfig(defaultConfig()).propagationSeconds).toBe(5);
    expect(sandbox.environment.propagationSeconds).toBe(5);
    expect(() => parseConfig({ ...defaultConfig(), propagationSeconds: -1 })).toThrow(/propagationSeconds must be 0 or more/);
  });

  it("routes by old and new weights side by side for the delay, then by the new ones only", async () => {
    const { listenerArn, listenerUrl, targetGroups } = sandbox.environment;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const groupOf = async () => String((await send(`${listenerUrl}/`, { agent })).headers["x-sandbox-target-group"]);
    // Settled on blue first (the initial weights are older than the delay once green is healthy).
    expect(new Set(await Promise.all(Array.from({ length: 8 }, groupOf)))).toEqual(new Set(["web-blue"]));
    await c.elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: targetGroups["web-blue"]!, Weight: 0 }, { TargetGroupArn: targetGroups["web-green"]!, Weight: 1 }] } }] }));
    const writtenAt = Date.now();
    const early: string[] = [];
    while (Date.now() - writtenAt < 600) early.push(await groupOf());
    // The API answers with the new weights at once.
    expect(sandbox.state().weights.find((w) => w.isDefault)!.groups.map((g) => g.weight)).toEqual([0, 1]);
    expect(new Set(early)).toEqual(new Set(["web-blue", "web-green"]));
    await new Promise((r) => setTimeout(r, 1_050 - (Date.now() - writtenAt)));
    const late = await Promise.all(Array.from({ length: 12 }, groupOf));
    agent.destroy();
    expect(new Set(late)).toEqual(new Set(["web-green"]));
  }, 20_000);
});
