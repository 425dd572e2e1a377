import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Ports } from "../../src/adapters/aws/factory";
import { run } from "../../src/actions/health-gate/index";
import { RecordingIO } from "../../src/adapters/github/io";
import { ManualClock } from "../../src/util/clock";
import { BLUE_ARN, FakeElb, GREEN_ARN, healthy, LISTENER_ARN, unhealthy } from "../support/fake-elb";

let server: Server;
let base: string;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(req.url === "/health" ? 200 : 503, { "content-type": "application/json" });
    res.end(req.url === "/health" ? '{"status":"healthy"}' : '{"status":"starting"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => {
  process.exitCode = undefined;
});

interface Harness {
  io: RecordingIO;
  elb: FakeElb;
  portCalls: number;
  ok: boolean;
}

async function gate(inputs: Record<string, string>, elb = new FakeElb()): Promise<Harness> {
  const io = new RecordingIO(inputs);
  const harness: Harness = { io, elb, portCalls: 0, ok: false };
  const ports = async () => {
    harness.portCalls++;
    return { router: elb, tags: elb.tags, targetGroups: elb, discovery: elb } as unknown as Ports;
  };
  harness.ok = await run({ io, clock: new ManualClock(), random: () => 0.5, signal: new AbortController().signal, ports });
  return harness;
}

function errors(io: RecordingIO): string[] {
  return io.annotations.filter((a) => a.level === "error").map((a) => a.message);
}

describe("health-gate entry: inputs", () => {
  it("without target groups, environment or URLs fails once, naming the inputs, before any AWS call", async () => {
    const { io, ok, portCalls } = await gate({});
    expect(ok).toBe(false);
    expect(process.exitCode).toBe(1);
    expect(errors(io)).toHaveLength(1);
    expect(errors(io)[0]).toMatch(/^Input required and not supplied: target-group-arns, urls, or the environment/);
    expect(portCalls).toBe(0);
  });

  it("rejects a URL that is not http or https, naming the input and the value", async () => {
    const { io } = await gate({ urls: "ftp://files.example.com/health" });
    expect(errors(io)).toEqual([expect.stringMatching(/^Input urls: "ftp:\/\/files.example.com\/health" is not valid \(.*is not an http:\/\/ or https:\/\/ URL\)/)]);
  });

  it("rejects a malformed header line without showing any header value", async () => {
    const { io } = await gate({ urls: `${base}/health`, headers: "Authorization: Bearer s3cr3t\nnot a header" });
    expect(errors(io)).toHaveLength(1);
    expect(errors(io)[0]).toMatch(/^Input headers: the value given is not valid \(line 2 is not "Name: value"/);
    expect(JSON.stringify(io.annotations)).not.toContain("s3cr3t");
  });

  it("refuses URL settings without URLs, and target-group-arns together with an environment", async () => {
    const stray = await gate({ "target-group-arns": GREEN_ARN, "expect-json": 'status == "healthy"' });
    expect(errors(stray.io)[0]).toBe("Input expect-json applies to URL checks, but urls is empty; give urls or remove expect-json.");
    const both = await gate({ "target-group-arns": GREEN_ARN, "listener-arn": LISTENER_ARN });
    expect(errors(both.io)[0]).toMatch(/^Inputs target-group-arns and listener-arn\/rule-arn\/environment-tags both name/);
    expect(stray.portCalls + both.portCalls).toBe(0);
  });
});

describe("health-gate entry: stable-for", () => {
  it("rejects a value that is neither auto nor a duration, and one that does not fit in timeout, before any AWS call", async () => {
    const bad = await gate({ "target-group-arns": GREEN_ARN, "stable-for": "a while" });
    expect(errors(bad.io)).toEqual([expect.stringMatching(/^Input stable-for: "a while" is not valid \(.*\)\. Valid: auto, or a duration up to 30m/)]);
    const long = await gate({ "target-group-arns": GREEN_ARN, "stable-for": "5m", timeout: "5m" });
    expect(errors(long.io)).toEqual(["Input stable-for (300s) must be shorter than timeout (300s): health has to pass first and then hold for stable-for, all within timeout."]);
    expect(bad.portCalls + long.portCalls).toBe(0);
  });

  it("defaults to auto: holds twice as long as the target group's health checks need to notice a failure, and says so", async () => {
    const elb = new FakeElb();
    elb.healthChecks.set(GREEN_ARN, { enabled: true, intervalSeconds: 5, unhealthyThreshold: 2 });
    const { io, ok } = await gate({ "target-group-arns": GREEN_ARN }, elb);
    expect(ok).toBe(true);
    expect(io.lines).toContain("health gate: once everything passes, it must keep passing for 20s (stable-for auto: twice the 10s web-green can take to mark a failed target unhealthy (2 failed checks 5s apart)).");
    expect(io.lines.find((l) => l.startsWith("health gate passed"))).toMatch(/^health gate passed after 2\d\.\ds, holding for the last 20\.0s: /);
    expect(io.summary).toContain("had to hold 20.0 s once passing");
  });
});

describe("health-gate entry: results", () => {
  it("writes the outputs and a summary row per check when healthy", async () => {
    const elb = new FakeElb();
    elb.healthOf.set(BLUE_ARN, healthy(3, "i-blue"));
    elb.healthOf.set(GREEN_ARN, healthy(2, "i-green"));

    const { io, ok } = await gate({ "target-group-arns": `${BLUE_ARN}, ${GREEN_ARN}` }, elb);

    expect(ok).toBe(true);
    expect(errors(io)).toEqual([]);
    expect(io.outputs.healthy).toBe("true");
    expect(io.outputs["healthy-count"]).toBe("5");
    expect(JSON.parse(io.outputs.checks!)).toEqual([
      { kind: "target-group", target: BLUE_ARN, ok: true, detail: "3/3 healthy (1 required)" },
      { kind: "target-group", target: GREEN_ARN, ok: true, detail: "2/2 healthy (1 required)" },
    ]);
    expect(io.summary).toContain("### Health gate: ✅ healthy");
    expect(io.summary).toContain("| target health | [web-blue](https://console.aws.amazon.com/ec2/home?region=us-east-1#TargetGroup:targetGroupArn=");
    expect(io.summary).toContain("| ✅ pass | 2/2 healthy (1 required) |");
    expect(io.summary).toContain("5 healthy target(s)");
  });

  it("checks the candidate slot of an environment", async () => {
    const elb = new FakeElb();
    const { io, ok } = await gate({ "listener-arn": LISTENER_ARN, "min-healthy": "2" }, elb);
    expect(ok).toBe(true);
    expect(JSON.parse(io.outputs.checks!)).toEqual([{ kind: "target-group", target: GREEN_ARN, ok: true, detail: "2/2 healthy (2 required)" }]);
    expect(io.lines).toContain("slot candidate: green, target group web-green (0% of traffic, untagged)");
  });

  it("checks URLs alone against a local server without building AWS ports, sending the headers and masking credentials", async () => {
    seen.length = 0;
    const { io, ok, portCalls } = await gate({
      urls: `${base}/health`,
      "expect-json": 'status == "healthy"',
      headers: "Host: app.example.com\nAuthorization: Bearer s3cr3t",
      "consecutive-successes": "2",
    });

    expect(ok).toBe(true);
    expect(portCalls).toBe(0);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.host).toBe("app.example.com");
    expect(io.secrets).toContain("Bearer s3cr3t");
    expect(io.secrets).not.toContain("app.example.com");
    expect(io.lines.join("\n")).not.toContain("s3cr3t");
    expect(io.outputs.healthy).toBe("true");
    expect(io.outputs["healthy-count"]).toBe("0");
    expect(JSON.parse(io.outputs.checks!)).toEqual([{ kind: "http", target: `${base}/health`, ok: true, detail: "200 in 0 ms (2/2 in a row)" }]);
    expect(io.summary).toContain(`| HTTP | \`${base}/health\` | ✅ pass |`);
  });

  it("fails with the reason codes and the HTTP status, after writing outputs and the summary", async () => {
    const elb = new FakeElb();
    elb.healthOf.set(GREEN_ARN, [...healthy(1, "i-green"), ...unhealthy(1)]);

    const { io, ok } = await gate({ "target-group-arns": GREEN_ARN, urls: `${base}/starting`, timeout: "20s" }, elb);

    expect(ok).toBe(false);
    expect(process.exitCode).toBe(1);
    const [message, ...others] = errors(io);
    expect(others).toEqual([]);
    expect(message).toMatch(/^health-gate: not healthy after 20\.0s \(timeout 20s\): /);
    expect(message).toContain("i-u0000:80 unhealthy (Target.ResponseCodeMismatch: Health checks failed with these codes: [503])");
    expect(message).toContain(`${base}/starting: status 503, expected 200; body: {"status":"starting"}`);
    expect(io.outputs.healthy).toBe("false");
    expect(io.outputs["healthy-count"]).toBe("1");
    expect(JSON.parse(io.outputs.checks!).map((c: { ok: boolean }) => c.ok)).toEqual([false, false]);
    expect(io.summary).toContain("### Health gate: ❌ not healthy");
    expect(io.summary).toContain("| ❌ fail | status 503, expected 200; body: {\"status\":\"starting\"} |");
  });
});
