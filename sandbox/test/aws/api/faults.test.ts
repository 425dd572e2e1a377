import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeLaunchTemplatesCommand } from "@aws-sdk/client-ec2";
import { DescribeListenersCommand, DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../../aws/sandbox";
import { clientsFor, failure } from "./clients";

describe("fault injection, call log and protocol edges", () => {
  let sandbox: Sandbox;
  let c: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    sandbox = await startSandbox({ timeScale: 50, seed: 13 });
    c = clientsFor(sandbox);
  });
  afterAll(async () => {
    c?.destroy();
    await sandbox?.close();
  });
  beforeEach(() => {
    sandbox.clearFaults();
    sandbox.resetCalls();
  });

  it("throttles one call, which the SDK retries by itself", async () => {
    sandbox.injectFaults({ operation: "DescribeListeners", throttlingCount: 1 });
    const out = await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: sandbox.environment.loadBalancerArn }));
    expect(out.$metadata.attempts).toBe(2);
    const calls = sandbox.calls();
    expect(calls.map((x) => [x.operation, x.status, x.errorCode, x.fault])).toEqual([
      ["DescribeListeners", 400, "Throttling", "throttle"],
      ["DescribeListeners", 200, undefined, undefined],
    ]);
    expect(calls[0]!.service).toBe("ElasticLoadBalancingV2");
  });

  it("gives up after the SDK's attempts when every call is throttled, with the Throttling code", async () => {
    sandbox.injectFaults({ operation: "*", throttlingRate: 1 });
    const single = clientsFor(sandbox, 1);
    const error = await failure(single.asg.send(new DescribeAutoScalingGroupsCommand({})));
    single.destroy();
    expect(error.name).toBe("Throttling");
    expect(error.message).toBe("Rate exceeded");
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it("answers 5xx faults that the SDK retries, also on the JSON protocol", async () => {
    sandbox.injectFaults({ operation: "DescribeAlarms", serverErrorCount: 2 });
    const out = await c.cw.send(new DescribeAlarmsCommand({}));
    expect(out.$metadata.attempts).toBe(3);
    const faults = sandbox.calls().filter((x) => x.fault === "server-error");
    expect(faults).toHaveLength(2);
    for (const f of faults) expect([500, 503]).toContain(f.status);
  });

  it("throttles CloudWatch JSON calls with a code the SDK classes as throttling", async () => {
    sandbox.injectFaults({ service: "CloudWatch", throttlingCount: 1 });
    const out = await c.cw.send(new DescribeAlarmsCommand({}));
    expect(out.$metadata.attempts).toBe(2);
  });

  it("throttles EC2 with RequestLimitExceeded, which the SDK retries", async () => {
    sandbox.injectFaults({ service: "EC2", throttlingCount: 1 });
    const out = await c.ec2.send(new DescribeLaunchTemplatesCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(sandbox.calls()[0]).toMatchObject({ service: "EC2", operation: "DescribeLaunchTemplates", errorCode: "RequestLimitExceeded", fault: "throttle" });
  });

  it("resets connections, which the SDK retries", async () => {
    sandbox.injectFaults({ operation: "DescribeTargetGroups", connectionResetRate: 1 });
    const twice = clientsFor(sandbox, 2);
    const error = await failure(twice.elb.send(new DescribeTargetGroupsCommand({})));
    twice.destroy();
    expect(String((error as { code?: string }).code ?? error.name)).toMatch(/ECONNRESET|socket hang up/i);
    expect(sandbox.calls().filter((x) => x.fault === "connection-reset")).toHaveLength(2);
  });

  it("adds latency", async () => {
    sandbox.injectFaults({ operation: "DescribeTargetGroups", latencyMs: 150 });
    const started = Date.now();
    await c.elb.send(new DescribeTargetGroupsCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(sandbox.calls()[0]!.fault).toBe("latency");
  });

  it("rejects invalid fault specs with a clear message", () => {
    expect(() => sandbox.injectFaults({ operation: "*", throttlingRate: 2 })).toThrow(/throttlingRate/);
  });

  it("answers an operation it does not implement with an error naming it", async () => {
    const res = await fetch(`${sandbox.endpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=x" },
      body: "Action=CreateLoadBalancer&Version=2015-12-01&Name=x",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    const body = await res.text();
    expect(body).toContain("<Code>InvalidAction</Code>");
    expect(body).toContain("Operation CreateLoadBalancer is not supported by the sandbox");
  });

  it("reads empty lists sent as Name=", async () => {
    const res = await fetch(`${sandbox.endpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `Action=DescribeTargetGroups&Version=2015-12-01&TargetGroupArns=&Names=`,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<TargetGroupName>web-blue</TargetGroupName>");
  });

  it("accepts CloudWatch's query form (Version 2010-08-01) and answers in XML", async () => {
    const res = await fetch(`${sandbox.endpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=x" },
      body: "Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=web-green-target-5xx",
    });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain("<DescribeAlarmsResult><MetricAlarms><member>");
    expect(body).toContain("<AlarmName>web-green-target-5xx</AlarmName>");
    expect(body).toMatch(/<StateUpdatedTimestamp>[0-9]{4}-[0-9]{2}-[0-9]{2}T/);
  });

  it("serves the control API over HTTP", async () => {
    const env = (await (await fetch(`${sandbox.endpoint}/_sandbox/environment`)).json()) as { listenerUrl: string };
    expect(env.listenerUrl).toBe(sandbox.environment.listenerUrl);
    const injected = await fetch(`${sandbox.endpoint}/_sandbox/faults`, { method: "POST", body: JSON.stringify({ operation: "DescribeListeners", throttlingCount: 1 }) });
    expect(injected.status).toBe(200);
    await c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: sandbox.environment.loadBalancerArn }));
    const calls = (await (await fetch(`${sandbox.endpoint}/_sandbox/calls`)).json()) as { errorCode?: string }[];
    expect(calls.map((x) => x.errorCode ?? null)).toEqual(["Throttling", null]);
    expect((await fetch(`${sandbox.endpoint}/_sandbox/calls`, { method: "DELETE" })).status).toBe(200);
    expect(await (await fetch(`${sandbox.endpoint}/_sandbox/calls`)).json()).toEqual([]);
    const bad = await fetch(`${sandbox.endpoint}/_sandbox/faults`, { method: "POST", body: JSON.stringify({ latencyMs: -1 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("latencyMs");
    const state = (await (await fetch(`${sandbox.endpoint}/_sandbox/state`)).json()) as { targetGroups: { name: string }[] };
    expect(state.targetGroups.map((t) => t.name)).toEqual(["web-blue", "web-green"]);
    const unknown = await fetch(`${sandbox.endpoint}/_sandbox/instances/i-0000/kill`, { method: "POST" });
    expect(unknown.status).toBe(404);
    const missing = await fetch(`${sandbox.endpoint}/_sandbox/nope`);
    expect(missing.status).toBe(404);
  });
});
