/**
 * Outside text cannot become a runner command: each scenario feeds a hostile answer (a metrics
 * server, a health endpoint, an alarm) through a real action entry and the real runner IO, and
 * reads what reached stdout as the runner would, line by line (CR or LF ends a line).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CloudWatchAlarmStates } from "../../src/adapters/aws/alarms";
import type { Ports } from "../../src/adapters/aws/factory";
import { shiftTraffic } from "../../src/domain/shift-traffic";
import { TAG } from "../../src/domain/tags";
import { run as runCanary } from "../../src/actions/canary-analyze/index";
import { run as runHealthGate } from "../../src/actions/health-gate/index";
import { ManualClock } from "../../src/util/clock";
import { startStub, type Stub } from "../metrics/stub-server";
import { BLUE_ARN, FakeElb, GREEN_ARN } from "../support/fake-elb";
import { FakeFleet } from "../support/fake-fleet";
import { shiftOptions } from "../support/shift-options";
import { captureRunner } from "./runner-capture";

const INJECTED = "oops\n::add-mask::verdict\n::stop-commands::pwned\n::error title=forged::canary is fine";
/** The commands the suite writes, with the only property it sets on them. */
const OWN = /^::(debug|notice|warning|error|group|endgroup|set-output name=[a-z-]+|save-state name=[a-z-]+|add-mask)::/;

let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
  process.exitCode = undefined;
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Every line that the runner would take as a command and the suite did not write, or that carries a legacy `##[` command. */
function forged(lines: string[], allowedMasks: string[] = []): string[] {
  return lines.filter((line) => {
    if (line.includes("##[")) return true;
    const start = line.trimStart();
    if (!start.startsWith("::")) return false;
    if (!OWN.test(start)) return true;
    return start.startsWith("::add-mask::") && !allowedMasks.includes(start.slice("::add-mask::".length));
  });
}

describe("a metrics server cannot inject runner commands", () => {
  it("a Prometheus 500 body with add-mask, stop-commands and a forged error reaches stdout as text on one line", async () => {
    stub = await startStub(() => ({ status: 500, text: INJECTED }));
    const dir = mkdtempSync(join(tmpdir(), "canary-"));
    const { io, lines: runnerLines } = captureRunner(
      {
        "canary-target-group-arn": GREEN_ARN,
        "baseline-target-group-arn": BLUE_ARN,
        "fail-on": "never",
        "report-path": join(dir, "report.json"),
        config: `providers:\n  prometheus: { url: "${stub.url}" }\nmetrics:\n  - { name: prom, provider: prometheus, query: up }\n`,
      },
    );
    const elb = new FakeElb();
    const ok = await runCanary({ io, clock: new ManualClock(), random: () => 0.5, signal: new AbortController().signal, ports: async () => ({ targetGroups: elb }) as unknown as Ports });

    expect(ok).toBe(true);
    expect(stub.requests.length).toBeGreaterThan(0);
    const lines = runnerLines();
    expect(forged(lines)).toEqual([]);
    // The server's words are still there to read, escaped on the line that reports the metric.
    expect(lines.some((l) => l.includes("returned HTTP 500") && l.includes("verdict") && !l.trimStart().startsWith("::"))).toBe(true);
    const report = readFileSync(join(dir, "report.json"), "utf8");
    expect(JSON.parse(report).metrics[0].reason).not.toMatch(/[\r\n]/);
  });
});

describe("a health endpoint cannot inject runner commands", () => {
  it("a body with a legacy ##[error] command and a forged ::error is shown neutralised in progress lines and the failure", async () => {
    stub = await startStub(() => ({ status: 500, text: "##[error]forged\n::error title=forged::all good\r::add-mask::healthy" }));
    const { io, lines: runnerLines } = captureRunner({ urls: `${stub.url}/health`, timeout: "10s", "stable-for": "0s" });
    const ok = await runHealthGate({ io, clock: new ManualClock(), random: () => 0.5, signal: new AbortController().signal, ports: async () => ({}) as Ports });

    expect(ok).toBe(false);
    const lines = runnerLines();
    expect(forged(lines)).toEqual([]);
    const failure = lines.find((l) => l.startsWith("::error::"))!;
    expect(failure).toContain("# #[error]forged");
  });
});

describe("an alarm's StateReason cannot inject runner commands", () => {
  const reason = "Threshold Crossed\n::add-mask::verdict\r\n::error title=forged::fine ##[warning]x";

  it("the CloudWatch adapter returns the reason escaped, on one line", async () => {
    const cw = mockClient(CloudWatchClient);
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: "web-5xx", StateValue: "ALARM", StateReason: reason }] });
    const states = await new CloudWatchAlarmStates(async () => new CloudWatchClient({ region: "us-east-1" })).read(["web-5xx"]);
    cw.restore();

    expect(states[0]!.reason).toBe("Threshold Crossed\\n::add-mask::verdict\\r\\n::error title=forged::fine # #[warning]x");
  });

  it("shift-traffic's alarm gate aborts with the reason on one line, and what it prints forges nothing", async () => {
    const clock = new ManualClock();
    const elb = new FakeElb();
    const fleet = new FakeFleet(clock);
    fleet.addGroup({ name: "web-blue", running: 2, targetGroupArns: [BLUE_ARN] });
    fleet.addGroup({ name: "web-green", running: 2, targetGroupArns: [GREEN_ARN] });
    elb.resourceTags.set(BLUE_ARN, { [TAG.role]: "stable", [TAG.version]: "v1" });
    elb.resourceTags.set(GREEN_ARN, { [TAG.role]: "candidate", [TAG.version]: "v2" });
    const { io, lines: runnerLines } = captureRunner();
    const alarms = { read: async () => [{ name: "web-5xx", state: "ALARM" as const, reason }] };
    const locks = (elb as unknown as { locks?: unknown }).locks;
    const ports = { router: elb, tags: elb.tags, locks, targetGroups: elb, discovery: elb, fleet: async () => fleet, alarms: async () => alarms } as unknown as Ports;

    const result = await shiftTraffic(
      shiftOptions({ plan: { kind: "steps", percents: [10, 100], intervalMs: 10_000 }, alarmNames: ["web-5xx"] }),
      { ports, gates: [], clock, random: () => 0.5, log: (l) => io.info(l), warn: (l) => io.warning(l) } as Parameters<typeof shiftTraffic>[1],
    );

    expect(result.aborted).toBe(true);
    expect(result.abortReason).toContain("web-5xx is in ALARM (Threshold Crossed\\n::add-mask::verdict");
    expect(result.abortReason).not.toMatch(/[\r\n]|##\[/);
    expect(forged(runnerLines())).toEqual([]);
  });
});
