/**
 * Runs an action entry from source (node --import tsx, or a bundle of it) in a child process, as the runner would:
 * inputs as INPUT_* variables, state as STATE_*, outputs and summary in files. Records its stdout
 * lines, its wall time and its peak resident memory: the larger of the child's own maxRSS at exit
 * and /proc/<pid>/status VmHWM polled while it runs.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../../..");

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string[];
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
  /** Wall time from spawn to the SIGTERM sent, when one was. */
  sigtermAtMs: number | null;
  /** Peak resident set of the child, MiB; null when neither measure was available. */
  peakMiB: number | null;
  summary: string;
  outputs: string;
}

export interface ChildOptions {
  entry: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  state?: Record<string, string>;
  /** Run the entry with tsx (a .ts source, the default) or as it is (a bundle built for the test). */
  loader?: "tsx" | "none";
  /** Sends SIGTERM this long after spawn. */
  sigtermAfterMs?: number;
  /** Sends SIGTERM once a stdout line matches (then calls `onSigterm`), and records when. */
  sigtermOn?: RegExp;
  onSigterm?: () => void;
  /** SIGKILL after this long (a hang fails the test instead of the run). */
  killAfterMs: number;
}

function vmHwmMiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

export async function runChild(options: ChildOptions): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), "zda-child-"));
  const rssFile = join(dir, "peak-rss");
  const files = { GITHUB_OUTPUT: join(dir, "output"), GITHUB_STATE: join(dir, "state"), GITHUB_STEP_SUMMARY: join(dir, "summary"), GITHUB_ENV: join(dir, "env") };
  for (const f of Object.values(files)) writeFileSync(f, "");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_EC2_METADATA_DISABLED: "true",
    ZDA_PEAK_RSS_FILE: rssFile,
    ...files,
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
  const started = Date.now();
  const child = spawn(process.execPath, [...(options.loader === "none" ? [] : ["--import", "tsx"]), "--import", join(ROOT, "test/safety/support/peak-rss.mjs"), options.entry], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let stderr = "";
  let peak: number | null = null;
  let sigtermAt: number | null = null;
  const sigterm = () => {
    if (sigtermAt !== null) return;
    sigtermAt = Date.now() - started;
    options.onSigterm?.();
    child.kill("SIGTERM");
  };
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString("utf8");
    if (options.sigtermOn?.test(out)) sigterm();
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const poll = setInterval(() => {
    const now = child.pid ? vmHwmMiB(child.pid) : null;
    if (now !== null) peak = Math.max(peak ?? 0, now);
  }, 25);
  const term = options.sigtermAfterMs === undefined ? undefined : setTimeout(sigterm, options.sigtermAfterMs);
  const kill = setTimeout(() => child.kill("SIGKILL"), options.killAfterMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on("exit", (c, s) => done([c, s])));
  const ms = Date.now() - started;
  clearInterval(poll);
  clearTimeout(term);
  clearTimeout(kill);
  let selfKiB: number | null = null;
  try {
    selfKiB = Number(readFileSync(rssFile, "utf8")) || null;
  } catch {
    // Killed before it could write it.
  }
  if (selfKiB !== null) peak = Math.max(peak ?? 0, selfKiB / 1024);
  const result: ChildRun = {
    code,
    signal,
    stdout: out.split("\n").filter((l) => l !== ""),
    stderr,
    ms,
    sigtermAtMs: sigtermAt,
    peakMiB: peak,
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, "utf8"),
    outputs: readFileSync(files.GITHUB_OUTPUT, "utf8"),
  };
  rmSync(dir, { recursive: true, force: true });
  return result;
}
