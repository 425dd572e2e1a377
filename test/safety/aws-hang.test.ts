/**
 * AWS endpoints that accept a connection and never answer. Before, shift-traffic with `timeout: 5s`
 * was still running 707 s after SIGTERM. Now every AWS call carries the step's signal: the step's
 * deadline and SIGINT/SIGTERM stop the calls in flight, what restores gets a short window of its own,
 * and the post step ends within 5 s whatever AWS does. The entries run from source in child
 * processes; the bounds are acceptance bounds, with the child's start-up (tsx) included.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsCallAbortedError, CONNECTION_TIMEOUT_MS, createAwsClients, REQUEST_TIMEOUT_MS } from "../../src/adapters/aws/clients";
import { startBlackHole, type BlackHole } from "./support/black-hole";
import { runChild } from "./support/child";

const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";
const BLUE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/73e2d6bc24d8a067";
const GREEN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/0a1b2c3d4e5f6a7b";

let hole: BlackHole;
beforeEach(async () => {
  hole = await startBlackHole();
});
afterEach(() => hole.close());

const aws = () => ({ AWS_ENDPOINT_URL: hole.url });
const errorLine = (stdout: string[]) => stdout.find((l) => l.startsWith("::error::")) ?? "";

describe("the AWS client factory", () => {
  it("sets connection and request timeouts on every client, and stops a call in flight when its signal aborts", async () => {
    const controller = new AbortController();
    const clients = createAwsClients({ region: "us-east-1", retryMode: "standard", maxAttempts: 3, userAgent: "test", signal: () => controller.signal });
    const env = { AWS_ENDPOINT_URL: hole.url, AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
    const previous = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const elbv2 = await clients.elbv2();
      const { DescribeListenersCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
      const started = Date.now();
      setTimeout(() => controller.abort(new Error("cancelled by SIGTERM")), 300);
      const error = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [LISTENER] })).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(error).toBeInstanceOf(AwsCallAbortedError);
      expect((error as Error).message).toBe("AWS call ElasticLoadBalancingV2.DescribeListeners was stopped: cancelled by SIGTERM");
      expect(hole.connections()).toBe(1);
      // An aborted signal stops the next call before it connects.
      await expect(elbv2.send(new DescribeListenersCommand({ ListenerArns: [LISTENER] }))).rejects.toThrow(/was stopped: cancelled by SIGTERM/);
      expect(hole.connections()).toBe(1);
      for (const client of [elbv2, await clients.autoScaling(), await clients.cloudWatch(), await clients.ec2()]) {
        const handler = client.config.requestHandler as unknown as { httpHandlerConfigs(): Record<string, unknown> };
        await client.config.requestHandler.handle(new (await import("@smithy/core/protocols")).HttpRequest({ hostname: "127.0.0.1", port: 9, path: "/" }), { abortSignal: AbortSignal.abort() }).catch(() => undefined);
        expect(handler.httpHandlerConfigs()).toMatchObject({ connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true, socketTimeout: REQUEST_TIMEOUT_MS });
      }
    } finally {
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe("AWS that never answers", () => {
  it("shift-traffic with timeout: 5s ends within its deadline + 5 s, saying the time limit stopped the AWS call", async () => {
    const run = await runChild({ entry: "src/actions/shift-traffic/index.ts", inputs: { "listener-arn": LISTENER, weight: "10", timeout: "5s" }, env: aws(), killAfterMs: 60_000 });
    console.log(`shift-traffic timeout 5s against a black hole: exit ${run.code} after ${(run.ms / 1000).toFixed(2)} s, peak ${run.peakMiB?.toFixed(1)} MiB`);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(10_000);
    expect(hole.connections()).toBeGreaterThan(0);
    expect(run.stdout).toContain("::warning::the step's time limit of 5s passed: stopping the step. Putting the environment back in a safe state.");
    expect(errorLine(run.stdout)).toMatch(/AWS call ElasticLoadBalancingV2\.DescribeListeners was stopped: the step's time limit of 5s passed$/);
  }, 70_000);

  it("SIGTERM ends a running shift-traffic within 5 s", async () => {
    const run = await runChild({ entry: "src/actions/shift-traffic/index.ts", inputs: { "listener-arn": LISTENER, weight: "10", timeout: "60m" }, env: aws(), sigtermAfterMs: 3_000, killAfterMs: 60_000 });
    console.log(`shift-traffic SIGTERM at 3 s against a black hole: exit ${run.code} after ${(run.ms / 1000).toFixed(2)} s (${((run.ms - 3000) / 1000).toFixed(2)} s after SIGTERM)`);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.ms - 3_000).toBeLessThan(5_000);
    expect(run.stdout).toContain("::warning::Received SIGTERM: the job is being cancelled. Putting the environment back in a safe state.");
    expect(errorLine(run.stdout)).toMatch(/was stopped: cancelled by SIGTERM$/);
  }, 70_000);

  it("the post step finishes within 5 s, saying it could not restore", async () => {
    const state = {
      finished: "false",
      routing: JSON.stringify({ kind: "listener", arn: LISTENER }),
      restore: JSON.stringify([
        { targetGroupArn: GREEN, weight: 0 },
        { targetGroupArn: BLUE, weight: 1 },
      ]),
      stable: BLUE,
    };
    const run = await runChild({ entry: "src/actions/shift-traffic/post.ts", inputs: { "listener-arn": LISTENER, weight: "10" }, state, env: aws(), killAfterMs: 60_000 });
    console.log(`shift-traffic post step against a black hole: exit ${run.code} after ${(run.ms / 1000).toFixed(2)} s`);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(5_000);
    expect(errorLine(run.stdout)).toMatch(/^::error::shift-traffic did not finish, and its post step could not restore the stable weights: .*was stopped: the step's time limit of 3s passed\. Run the rollback action\.$/);
  }, 70_000);
});
