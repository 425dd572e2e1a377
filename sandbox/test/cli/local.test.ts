/**
 * `npm run local` as the README tells it: .env.example copied, the sandbox's endpoint in it, then
 * deploy-green and shift-traffic's dry run. The sandbox runs here on a free port instead of 4566.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RELEASE_IMAGES, type Sandbox, startSandbox } from "../../aws";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");

function npmLocal(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VITEST|npm_|INIT_CWD$)/.test(k)) env[k] = v;
  const child = spawn("npm", ["run", "-s", "--prefix", ROOT, "local", "--", ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((done) => child.on("close", (code) => done({ code, out })));
}

describe("npm run local", () => {
  let sandbox: Sandbox;
  let dir: string;
  let example: string;
  beforeAll(async () => {
    [sandbox, dir, example] = await Promise.all([startSandbox({ timeScale: 20 }), mkdtemp(join(tmpdir(), "local-run-")), readFile(join(ROOT, ".env.example"), "utf8")]);
    await writeFile(join(dir, ".env"), example.replace("http://127.0.0.1:4566", sandbox.endpoint));
  });
  afterAll(async () => {
    await Promise.all([sandbox?.close(), dir && rm(dir, { recursive: true, force: true })]);
  });

  it(".env.example holds what the sandbox prints for the README's command", async () => {
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    expect(readme.includes("npm run -s sandbox -- up --time-scale 20 --port 4566"), "README starts the sandbox on port 4566").toBe(true);
    expect(example).toMatch(/^AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:4566$/m);
    expect(example).toContain(`INPUT_LISTENER-ARN=${sandbox.environment.listenerArn}\n`);
  });

  it("runs deploy-green, then shift-traffic's dry run, on Node 24, printing outputs and summaries", async () => {
    const deploy = await npmLocal(["deploy-green", ".env", `image-id=${RELEASE_IMAGES.v2}`, "version=v2", "stable-for=1s"], dir);
    expect(deploy.out).toMatch(/^deploy-green on node v24\.\d+\.\d+ with \.env: /);
    expect(deploy.code, deploy.out).toBe(0);
    expect(deploy.out).toMatch(/── outputs\n(?: {2}.*\n)* {2}slot=green\n/);
    expect(deploy.out).not.toContain("NodeVersionSupportWarning");
    expect(await readFile(join(dir, ".tmp", "step-summary.md"), "utf8")).toContain("deploy-green");

    const weights = () => sandbox.state().weights.find((w) => w.isDefault)?.groups.map((g) => `${g.name}=${g.weight}`);
    const before = weights();
    const shift = await npmLocal(["shift-traffic", ".env", "to=candidate", "steps=10,50,100", "interval=10s", "dry-run=true"], dir);
    expect(shift.code, shift.out).toBe(0);
    expect(shift.out).toContain("[dry-run] would set weights: blue 100%, green 0% → blue 90%, green 10%");
    expect(shift.out).toMatch(/── state \(for the post step\)\n {2}finished=true\n/);
    expect(shift.out).toContain("post step skipped: post-if 'failure() || cancelled()' is false");
    expect(weights()).toEqual(before);
  }, 60_000);

  it("shows an error as GitHub does: workflow-command escapes decoded (200%, not 200%25), exit 1", async () => {
    const run = await npmLocal(["shift-traffic", ".env", "to=candidate", "weight=10", "min-healthy=200%"], dir);
    expect(run.code).toBe(1);
    expect(run.out).toContain('##[error]Input min-healthy: "200%" is not valid');
    expect(run.out).not.toContain("%25");
  });

  it("says how to start the sandbox when nothing answers at the endpoint", async () => {
    const server = createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const closed = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((done) => server.close(done));
    await writeFile(join(dir, "closed.env"), example.replace("http://127.0.0.1:4566", closed));
    const run = await npmLocal(["rollback", "closed.env"], dir);
    expect(run.code).toBe(2);
    expect(run.out).toContain(`nothing answers at AWS_ENDPOINT_URL ${closed} (ECONNREFUSED); start the sandbox first, in another terminal: npm run -s sandbox -- up --time-scale 20 --port 4566`);
  });
});
