/**
 * Hygiene: no source under src/ can build or run a shell command (no child_process at all, no eval),
 * and credentials given as inputs (health-gate headers, canary provider keys) are masked before
 * anything is printed and never appear in the log, annotations or summary.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRecordingEndpoint, useRecordingEndpoint, type RecordingEndpoint } from "../../bench/lib/safety-fuzz";
import { run as canaryAnalyze } from "../../src/actions/canary-analyze/index";
import { run as healthGate } from "../../src/actions/health-gate/index";
import { RecordingIO } from "../../src/adapters/github/io";
import { ManualClock } from "../../src/util/clock";

const FORBIDDEN: { what: string; pattern: RegExp }[] = [
  { what: "child_process", pattern: /["'](?:node:)?child_process["']/ },
  { what: "a process-spawning package", pattern: /["'](?:execa|shelljs|cross-spawn|@actions\/exec)["']/ },
  { what: "eval", pattern: /\beval\s*\(/ },
  { what: "new Function", pattern: /\bnew\s+Function\s*\(/ },
  { what: "process.binding", pattern: /process\.binding\s*\(/ },
];

export function shellProblems(source: string): string[] {
  return FORBIDDEN.filter((f) => f.pattern.test(source)).map((f) => f.what);
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|js|mjs|cjs)$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe("no shell commands in src/", () => {
  it("the scanner catches each forbidden form", () => {
    expect(shellProblems('import { spawn } from "node:child_process";')).toEqual(["child_process"]);
    expect(shellProblems("const cp = require('child_process');")).toEqual(["child_process"]);
    expect(shellProblems('await import("execa")')).toEqual(["a process-spawning package"]);
    expect(shellProblems("eval (code)")).toEqual(["eval"]);
    expect(shellProblems("const f = new Function('x', body)")).toEqual(["new Function"]);
    expect(shellProblems("const evaluate = (x) => x; evaluated(1)")).toEqual([]);
  });

  it("no file under src/ imports child_process, a spawning package, or evaluates code", () => {
    const files = sources("src");
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((file) => shellProblems(readFileSync(file, "utf8")).map((what) => `${file}: ${what}`));
    expect(found).toEqual([]);
  });
});

describe("secrets are masked", () => {
  let endpoint: RecordingEndpoint;
  let restore: () => void;
  beforeAll(async () => {
    endpoint = await startRecordingEndpoint();
    restore = useRecordingEndpoint(endpoint);
  });
  afterAll(async () => {
    restore();
    await endpoint.close();
  });

  function everythingPrinted(io: RecordingIO): string {
    return [...io.lines, ...io.annotations.map((a) => a.message), io.summary, ...Object.values(io.outputs)].join("\n");
  }

  it("health-gate masks credential headers before the first request and never prints them", async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(200).end("ok");
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
      const io = new RecordingIO({ urls: url, headers: "Authorization: Bearer s3cr3t-token\nX-Api-Key: k3y-value\nAccept: text/plain", "consecutive-successes": "1", timeout: "10s" });
      const ok = await healthGate({ io, clock: new ManualClock(), random: () => 0.5, signal: new AbortController().signal });
      expect(ok, io.annotations.map((a) => a.message).join("\n")).toBe(true);
      expect(seen[0]).toBe("Bearer s3cr3t-token");
      expect(io.secrets).toEqual(expect.arrayContaining(["Bearer s3cr3t-token", "k3y-value"]));
      expect(io.secrets).not.toContain("text/plain");
      const printed = everythingPrinted(io);
      expect(printed).not.toContain("s3cr3t-token");
      expect(printed).not.toContain("k3y-value");
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });

  it("canary-analyze masks provider keys from the configuration, and an error about them does not print them", async () => {
    const tg = (name: string, id: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/${id}`;
    const config = "providers:\n  datadog: { apiKey: dd-api-SECRET1, applicationKey: dd-app-SECRET2 }\n";
    const io = new RecordingIO({ config, "canary-target-group-arn": tg("web-green", "09966783158cda59"), "baseline-target-group-arn": tg("web-blue", "73e2d6bc24d8a067") }, {}, { AWS_REGION: "us-east-1", AWS_MAX_ATTEMPTS: "1" });
    const previous = process.exitCode;
    const ok = await canaryAnalyze({ io, clock: new ManualClock(), random: () => 0.5, signal: new AbortController().signal });
    process.exitCode = previous;
    // The recording endpoint refuses the target group lookup: the run fails, after masking.
    expect(ok).toBe(false);
    expect(io.secrets).toEqual(expect.arrayContaining(["dd-api-SECRET1", "dd-app-SECRET2"]));
    expect(everythingPrinted(io)).not.toMatch(/SECRET[12]/);

    const bad = new RecordingIO({ config: "providers:\n  datadog: { apiKey: 12345, applicationKey: dd-app-SECRET3 }\n" }, {}, { AWS_REGION: "us-east-1" });
    await canaryAnalyze({ io: bad, clock: new ManualClock(), random: () => 0.5, signal: new AbortController().signal });
    process.exitCode = previous;
    expect(bad.annotations.filter((a) => a.level === "error")).toHaveLength(1);
    expect(everythingPrinted(bad)).not.toContain("12345");
  });
});
