import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = join(import.meta.dirname, "../../cli/sandbox.ts");

function run(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_NO_WARNINGS: "1" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe("sandbox CLI", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sandbox-cli-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints one line of JSON with the environment, serves it, and exits 0 on SIGTERM", async () => {
    const proc = run(["up", "--time-scale", "50"]);
    try {
      const deadline = Date.now() + 20_000;
      while (!proc.out().includes("\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const lines = proc.out().trim().split("\n");
      expect(lines).toHaveLength(1);
      const env = JSON.parse(lines[0]!) as { endpoint: string; listenerUrl: string; region: string; targetGroups: Record<string, string>; releases: Record<string, string> };
      expect(env.region).toBe("us-east-1");
      expect(env.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
      expect(Object.keys(env.targetGroups)).toEqual(["web-blue", "web-green"]);
      expect(Object.keys(env.releases)).toEqual(["v1", "v2", "v3", "v4", "v5"]);
      const served = (await (await fetch(`${env.endpoint}/_sandbox/environment`)).json()) as { listenerUrl: string };
      expect(served.listenerUrl).toBe(env.listenerUrl);
    } finally {
      proc.child.kill("SIGTERM");
    }
    expect(await proc.exited).toBe(0);
  });

  it("exits 2 with a clear message on a bad flag, and 1 on an invalid configuration", async () => {
    const file = join(dir, "bad.json");
    await writeFile(file, JSON.stringify({ targetGroups: [{ name: "a" }], loadBalancers: [{ name: "lb", listeners: [{ defaultAction: { type: "forward", targetGroups: [{ name: "missing" }] } }] }] }));
    const runs = [run(["up", "--time-scale", "fast"]), run(["up", "--config", file]), run(["up", "--config", join(import.meta.dirname, "../../../package.json")])];
    expect(await Promise.all(runs.map((r) => r.exited))).toEqual([2, 1, 1]);
    expect(runs[0]!.err()).toContain('flag --time-scale got "fast"; valid: a number greater than 0');
    expect(runs[1]!.err()).toContain('loadBalancers.0.listeners.0.defaultAction.targetGroups.0.name: unknown target group "missing"');
    expect(runs[2]!.err()).toMatch(/\(root\): unknown keys "name", "version", .*; valid keys here: region, accountId, /);
    expect(runs[2]!.out()).toBe("");
  });
});
