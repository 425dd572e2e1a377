/** SDK clients pointed at a sandbox, exactly as an action would build them (test credentials), and a plain HTTP GET for its listener. */
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { request, type Agent } from "node:http";
import type { Sandbox } from "../../../aws/sandbox";

export function clientsFor(sandbox: Sandbox, maxAttempts = 3) {
  const config = {
    endpoint: sandbox.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts,
  };
  const clients = {
    elb: new ElasticLoadBalancingV2Client(config),
    asg: new AutoScalingClient(config),
    ec2: new EC2Client(config),
    cw: new CloudWatchClient(config),
  };
  return {
    ...clients,
    destroy() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}

/** Resolves the error a promise rejects with (fails when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & { Code?: string; $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** Polls `probe` every 20 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(label: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** GETs `url` through `agent` and resolves the status code, once the body is read. */
export function statusOf(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}
