/**
 * A rule-arn naming a listener's default rule, against the sandbox with the real SDK: the adapter
 * reads it with DescribeRules (IsDefault), writes it with ModifyListener and never ModifyRule, and
 * the weights read back through the rule ARN are the listener's.
 */
import { DescribeListenersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ElbV2Adapter, elbTags } from "../../src/adapters/aws/elbv2";
import { loadEnvironment } from "../../src/domain/environment";
import { writeVerified } from "../../src/domain/traffic";
import { systemClock } from "../../src/util/clock";
import { type Sandbox, startSandbox } from "../../sandbox/aws";

let sandbox: Sandbox;
let client: ElasticLoadBalancingV2Client;

beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 20, seed: 3 });
  client = new ElasticLoadBalancingV2Client({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await sandbox?.close();
});

describe("a listener's default rule named by its rule ARN", () => {
  it("is read as the listener and written with ModifyListener, read back the same through either ARN", async () => {
    const listener = sandbox.environment.loadBalancers[0]!.listeners[0]!;
    const adapter = new ElbV2Adapter(async () => client);
    const ports = { router: adapter, tags: elbTags(adapter), targetGroups: adapter, discovery: adapter, fleet: async () => Promise.reject(new Error("not used")) };

    const env = await loadEnvironment({ kind: "rule", arn: listener.defaultRuleArn }, ports);
    expect(env.ref).toEqual({ kind: "listener", arn: listener.arn });
    const live = env.slots.find((s) => s.weight > 0)!;
    const idle = env.slots.find((s) => s !== live)!;

    sandbox.resetCalls();
    // A real change that keeps all traffic on the live group: its weight goes from what it was to 7.
    const groups = [
      { targetGroupArn: live.targetGroupArn, weight: 7 },
      { targetGroupArn: idle.targetGroupArn, weight: 0 },
    ];
    await writeVerified(adapter, { kind: "rule", arn: listener.defaultRuleArn }, groups, systemClock);
    await writeVerified(adapter, env.ref, groups.map((g) => ({ ...g, weight: g.weight === 7 ? 3 : 0 })), systemClock);

    const ops = sandbox.calls().map((c) => `${c.operation}:${c.status}`);
    expect(ops.filter((o) => o.startsWith("ModifyListener"))).toEqual(["ModifyListener:200", "ModifyListener:200"]);
    expect(ops.filter((o) => o.startsWith("ModifyRule"))).toEqual([]);
    const out = await client.send(new DescribeListenersCommand({ ListenerArns: [listener.arn] }));
    const weights = out.Listeners![0]!.DefaultActions!.find((a) => a.Type === "forward")!.ForwardConfig!.TargetGroups!.map((g) => [g.TargetGroupArn, g.Weight]);
    expect(Object.fromEntries(weights)).toEqual({ [live.targetGroupArn]: 3, [idle.targetGroupArn]: 0 });
    const again = await adapter.read({ kind: "rule", arn: listener.defaultRuleArn });
    expect(again.groups.map((g) => g.weight).sort()).toEqual([0, 3]);
  });
});
