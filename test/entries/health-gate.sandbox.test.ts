/**
 * Scenario: the health-gate entry end to end against the loopback sandbox, with the real SDK
 * adapter (DescribeListeners, DescribeTags, DescribeTargetHealth) and real HTTP through the listener.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RELEASE_IMAGES } from "../../sandbox/aws";
import { type Sandbox, startSandbox } from "../../sandbox/aws";
import { run } from "../../src/actions/health-gate/index";
import { RecordingIO } from "../../src/adapters/github/io";

const ENV = ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"] as const;
const saved = new Map<string, string | undefined>();

let sandbox: Sandbox;

async function eventually(label: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 20, seed: 7 });
  for (const name of ENV) saved.set(name, process.env[name]);
  Object.assign(process.env, { AWS_ENDPOINT_URL: sandbox.endpoint, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: sandbox.region });
  await eventually("blue's two targets healthy", () => sandbox.state().targetGroups.some((t) => t.healthy === 2), 15_000);
});

afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await sandbox?.close();
});

afterEach(() => {
  process.exitCode = undefined;
});

async function gate(inputs: Record<string, string>) {
  const io = new RecordingIO(inputs, {}, { AWS_REGION: sandbox.region });
  const ok = await run({ io, signal: new AbortController().signal });
  return { io, ok, errors: io.annotations.filter((a) => a.level === "error").map((a) => a.message) };
}

describe("health-gate against the sandbox", () => {
  it("passes for the live slot: its targets healthy in ELB and its health URL answering through the listener", async () => {
    const { io, ok, errors } = await gate({
      "listener-arn": sandbox.environment.listenerArn,
      slot: "blue",
      "min-healthy": "2",
      urls: `${sandbox.environment.listenerUrl}/health`,
      "expect-json": 'status == "ok"\nversion == "v1"',
      "consecutive-successes": "2",
      timeout: "30s",
      // The sandbox runs faster than this clock: auto would hold 10 s of real time for 10 s of its time.
      "stable-for": "1s",
    });

    expect(errors).toEqual([]);
    expect(ok).toBe(true);
    expect(io.outputs.healthy).toBe("true");
    expect(io.outputs["healthy-count"]).toBe("2");
    const checks = JSON.parse(io.outputs.checks!) as { kind: string; ok: boolean }[];
    expect(checks.map((c) => [c.kind, c.ok])).toEqual([
      ["target-group", true],
      ["http", true],
    ]);
    expect(io.summary).toContain("[web-blue](https://console.aws.amazon.com/ec2/home?region=us-east-1#TargetGroup:targetGroupArn=");
  });

  it("fails for the candidate slot, which has no registered targets, and says so", async () => {
    const { io, ok, errors } = await gate({ "listener-arn": sandbox.environment.listenerArn, timeout: "2s", "stable-for": "0s" });

    expect(ok).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("web-green: no registered targets (1 healthy required)");
    expect(io.outputs.healthy).toBe("false");
  });

  it("fails with ELB's reason code and the HTTP status when the release starts failing its health check", async () => {
    sandbox.setRelease(RELEASE_IMAGES.v1, { health: { path: "/health", status: 503, body: { status: "failing", version: "v1" } } });
    await eventually("blue's targets unhealthy", () => sandbox.state().targetGroups.some((t) => t.healthy === 0 && t.name === "web-blue"), 15_000);

    const { ok, errors } = await gate({
      "target-group-arns": sandbox.environment.targetGroups["web-blue"]!,
      urls: `${sandbox.environment.listenerUrl}/health`,
      timeout: "2s",
      "stable-for": "0s",
    });

    expect(ok).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("web-blue: 0/2 healthy");
    expect(errors[0]).toContain("Target.ResponseCodeMismatch");
    expect(errors[0]).toContain('status 503, expected 200; body: {"status":"failing","version":"v1"}');
  });
});
