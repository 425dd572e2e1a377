/** Secrets are masked before anything prints them, and in what the runner does not mask: the summary and the report file. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Ports } from "../../src/adapters/aws/factory";
import { run as runCanary } from "../../src/actions/canary-analyze/index";
import { ManualClock } from "../../src/util/clock";
import { maskSecrets } from "../../src/util/untrusted";
import { startStub, type Stub } from "../metrics/stub-server";
import { BLUE_ARN, FakeElb, GREEN_ARN } from "../support/fake-elb";
import { captureRunner } from "./runner-capture";

const TOKEN = "SUPERSECRET-TOKEN-123";

let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
  process.exitCode = undefined;
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe("a provider that echoes its token", () => {
  it("is masked in the log before the first line that holds it, and in the summary and the JSON report", async () => {
    stub = await startStub(() => ({ status: 401, text: `invalid bearer token ${TOKEN}` }));
    const dir = mkdtempSync(join(tmpdir(), "secrets-"));
    const summaryFile = join(dir, "summary.md");
    writeFileSync(summaryFile, "");
    const inputs: Record<string, string> = {
      "canary-target-group-arn": GREEN_ARN,
      "baseline-target-group-arn": BLUE_ARN,
      "fail-on": "never",
      "report-path": join(dir, "report.json"),
      config: `providers:\n  prometheus: { url: "${stub.url}", bearerToken: ${TOKEN} }\nmetrics:\n  - { name: prom, provider: prometheus, query: up }\n`,
    };
    const { io, lines } = captureRunner(inputs, { GITHUB_STEP_SUMMARY: summaryFile });
    const elb = new FakeElb();

    const ok = await runCanary({ io, clock: new ManualClock(), random: () => 0.5, signal: new AbortController().signal, ports: async () => ({ targetGroups: elb }) as unknown as Ports });

    expect(ok).toBe(true);
    expect(stub.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const holding = lines().filter((line) => line.includes(TOKEN));
    expect(holding[0]).toBe(`::add-mask::${TOKEN}`);
    expect(readFileSync(join(dir, "report.json"), "utf8")).not.toContain(TOKEN);
    expect(readFileSync(join(dir, "report.json"), "utf8")).toContain("invalid bearer token ***");
    const summary = readFileSync(summaryFile, "utf8");
    expect(summary.length).toBeGreaterThan(0);
    expect(summary).not.toContain(TOKEN);
  });
});

describe("maskSecrets", () => {
  it("replaces each secret, longest first, also as JSON escapes it", () => {
    expect(maskSecrets('a tok-1 b tok-12 {"k":"q\\"uote"}', ["tok-1", "tok-12", 'q"uote'])).toBe('a *** b *** {"k":"***"}');
    expect(maskSecrets("nothing here", [""])).toBe("nothing here");
  });
});
