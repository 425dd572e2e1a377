/**
 * Runs an action's entry in this process against a sandbox (the SDK follows AWS_ENDPOINT_URL), with
 * a recording IO and the real clock: for tests that need the AWS calls an action makes, not its
 * process (IAM). Never use spawnSync/execSync next to it: the sandbox lives in this event loop.
 */
import { RecordingIO } from "../../src/adapters/github/io";

export type EntryName = "deploy-green" | "health-gate" | "shift-traffic" | "canary-analyze" | "rollback" | "migration-guard" | "rolling-update";

type Entry = { run(options: { io: RecordingIO; signal: AbortSignal }): Promise<boolean> };
const LOADERS: Record<EntryName, () => Promise<unknown>> = {
  "deploy-green": () => import("../../src/actions/deploy-green/index"),
  "health-gate": () => import("../../src/actions/health-gate/index"),
  "shift-traffic": () => import("../../src/actions/shift-traffic/index"),
  "canary-analyze": () => import("../../src/actions/canary-analyze/index"),
  rollback: () => import("../../src/actions/rollback/index"),
  "migration-guard": () => import("../../src/actions/migration-guard/index"),
  "rolling-update": () => import("../../src/actions/rolling-update/index"),
};

export interface InProcessRun {
  ok: boolean;
  io: RecordingIO;
  /** Errors and log lines, for assertion messages. */
  log: string;
}

/** Points this process's SDK at the endpoint; returns a function that restores the environment. */
export function pointSdkAt(endpoint: string): () => void {
  const keys = ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;
  const saved = keys.map((k) => process.env[k]);
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_ACCESS_KEY_ID = "test";
  process.env.AWS_SECRET_ACCESS_KEY = "test";
  return () =>
    keys.forEach((k, i) => {
      if (saved[i] === undefined) delete process.env[k];
      else process.env[k] = saved[i];
    });
}

export async function runInProcess(name: EntryName, inputs: Record<string, string>, env: Record<string, string> = {}, signal = new AbortController().signal): Promise<InProcessRun> {
  const { run } = (await LOADERS[name]()) as Entry;
  const io = new RecordingIO(inputs, {}, { AWS_REGION: "us-east-1", GITHUB_REPOSITORY: "acme/web", GITHUB_RUN_ID: "4242", RUNNER_TEMP: "/tmp", ...env });
  const previous = process.exitCode;
  const ok = await run({ io, signal });
  process.exitCode = previous;
  const log = [...io.lines, ...io.annotations.map((a) => `${a.level}: ${a.message}`)].join("\n");
  return { ok, io, log };
}
