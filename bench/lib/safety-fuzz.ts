/**
 * Runs hostile input sets through the actions and checks how they are refused: failure, exactly one
 * error naming an input, no stack trace, and zero requests to a recording AWS endpoint. In-process
 * (the entry's run() with a recording IO, for thousands of sets) or through the built bundle.
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { RecordingIO } from "../../src/adapters/github/io";
import { inputEnvName } from "../../src/adapters/github/io";
import { ManualClock } from "../../src/util/clock";
import type { FuzzAction, HostileCase } from "./safety-inputs";

export interface RecordingEndpoint {
  url: string;
  /** Requests received so far. */
  count(): number;
  close(): Promise<void>;
}

/** A loopback HTTP server standing in for every AWS endpoint: counts requests and refuses them all. */
export async function startRecordingEndpoint(): Promise<RecordingEndpoint> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(400, { "content-type": "text/xml" });
    res.end("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>recording endpoint</Message></Error></ErrorResponse>");
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export interface Refusal {
  ok: boolean;
  /** Why the case was not refused properly, in words. */
  problem?: string;
  errors: string[];
}

const STACK = /\n\s+at [^\n]+[:(]|\.(?:ts|js|mjs):\d+:\d+/;

function judge(action: FuzzAction, c: HostileCase, failed: boolean, errors: string[], otherText: string, requests: number): Refusal {
  const problems: string[] = [];
  if (!failed) problems.push("the action did not fail");
  if (errors.length !== 1) problems.push(`${errors.length} error lines instead of 1`);
  const message = errors[0] ?? "";
  if (errors.length === 1 && !c.hostile.some((name) => message.includes(name))) problems.push(`the error names none of ${c.hostile.join(", ")}`);
  if (STACK.test(message) || STACK.test(otherText)) problems.push("a stack trace was printed");
  if (requests !== 0) problems.push(`${requests} AWS requests were made`);
  return problems.length ? { ok: false, problem: `${action} ${JSON.stringify(c.inputs).slice(0, 400)}: ${problems.join("; ")}; errors: ${errors.join(" | ").slice(0, 400)}`, errors } : { ok: true, errors };
}

type Entry = { run(options: { io: RecordingIO; clock: ManualClock; random: () => number; signal: AbortSignal }): Promise<boolean> };
const LOADERS: Record<FuzzAction, () => Promise<unknown>> = {
  "deploy-green": () => import("../../src/actions/deploy-green/index"),
  "health-gate": () => import("../../src/actions/health-gate/index"),
  "shift-traffic": () => import("../../src/actions/shift-traffic/index"),
  "canary-analyze": () => import("../../src/actions/canary-analyze/index"),
  rollback: () => import("../../src/actions/rollback/index"),
  "rolling-update": () => import("../../src/actions/rolling-update/index"),
};
const entries = new Map<FuzzAction, Promise<Entry>>();
function entry(action: FuzzAction): Promise<Entry> {
  let loaded = entries.get(action);
  if (!loaded) {
    loaded = LOADERS[action]() as Promise<Entry>;
    entries.set(action, loaded);
  }
  return loaded;
}

/**
 * Points the SDK of this process at the recording endpoint (the entry builds real AWS ports when it
 * gets that far) and returns a function that restores the environment.
 */
export function useRecordingEndpoint(endpoint: RecordingEndpoint): () => void {
  const saved = { url: process.env.AWS_ENDPOINT_URL, id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ENDPOINT_URL = endpoint.url;
  process.env.AWS_ACCESS_KEY_ID = "test";
  process.env.AWS_SECRET_ACCESS_KEY = "test";
  return () => {
    for (const [key, value] of [["AWS_ENDPOINT_URL", saved.url], ["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** Runs one case through the entry's run() in this process (the endpoint must be in use). */
export async function refuseInProcess(action: FuzzAction, c: HostileCase, endpoint: RecordingEndpoint): Promise<Refusal> {
  const { run } = await entry(action);
  const io = new RecordingIO(c.inputs, {}, { AWS_REGION: "us-east-1", AWS_MAX_ATTEMPTS: "1", RUNNER_TEMP: resolve("/nonexistent-runner-temp") });
  const before = endpoint.count();
  const previousExit = process.exitCode;
  const ok = await run({ io, clock: new ManualClock(), random: () => 0.5, signal: new AbortController().signal });
  const exitCode = process.exitCode;
  process.exitCode = previousExit;
  const errors = io.annotations.filter((a) => a.level === "error").map((a) => a.message);
  return judge(action, c, !ok && exitCode === 1, errors, io.lines.join("\n"), endpoint.count() - before);
}

const BUNDLE_ENV = ["PATH", "HOME", "SystemRoot"];

/** Runs one case through the built bundle `dist/<action>/index.js` as the runner would. */
export async function refuseWithBundle(action: FuzzAction, c: HostileCase, endpoint: RecordingEndpoint, root = process.cwd()): Promise<Refusal> {
  const env: Record<string, string> = { AWS_ENDPOINT_URL: endpoint.url, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_MAX_ATTEMPTS: "1", GITHUB_RUN_ID: "7", GITHUB_REPOSITORY: "acme/web" };
  for (const key of BUNDLE_ENV) if (process.env[key]) env[key] = process.env[key]!;
  for (const [name, value] of Object.entries(c.inputs)) env[inputEnvName(name)] = value;
  const before = endpoint.count();
  const child = spawn(process.execPath, [resolve(root, "dist", action, "index.js")], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((done) => child.on("close", (exit) => done(exit)));
  const lines = stdout.split("\n");
  const errors = lines.filter((l) => l.startsWith("::error")).map((l) => l.replace(/^::error[^:]*::/, "").replace(/%0A/g, "\n").replace(/%0D/g, "\r").replace(/%25/g, "%"));
  return judge(action, c, code === 1, errors, `${lines.filter((l) => !l.startsWith("::error")).join("\n")}\n${stderr}`, endpoint.count() - before);
}

/** Environment variables cannot carry NUL: such cases are only run in-process. */
export function bundleCanCarry(c: HostileCase): boolean {
  return !Object.values(c.inputs).some((v) => v.includes("\u0000"));
}
