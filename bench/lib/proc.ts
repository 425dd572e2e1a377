/** Runs node processes and measures them from the outside (wall time) and the inside (peak RSS). */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const RSS_PRELOAD = fileURLToPath(new URL("./rss-preload.cjs", import.meta.url));
const USAGE_LINE = /\n?__bench_usage max_rss_kib=(\d+) cpu_us=(\d+)\n?/;

export interface NodeRun {
  code: number | null;
  signal: string | null;
  /** Epoch ms just before spawn. */
  spawnedAt: number;
  /** Epoch ms when the process exited. */
  exitedAt: number;
  /** From spawn to exit, by the monotonic clock. */
  wallMs: number;
  stdout: string;
  stderr: string;
  /** Peak RSS in MiB as reported by the preload, when it ran. */
  maxRssMiB?: number;
  /** User + system CPU time in ms as reported by the preload, when it ran. */
  cpuMs?: number;
}

export interface NodeRunOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Measure peak RSS from inside the process with the preload. */
  rss?: boolean;
  /** Kill the process after this long. */
  timeoutMs?: number;
}

/** Spawns `node [--import preload] ...args` and resolves once it has exited and its output is read. */
export function runNode(args: readonly string[], options: NodeRunOptions): Promise<NodeRun> {
  const argv = options.rss ? ["--require", RSS_PRELOAD, ...args] : [...args];
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now();
    const started = performance.now();
    const child = spawn(process.execPath, argv, { env: options.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let wallMs = 0;
    let exitedAt = 0;
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = options.timeoutMs
      ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs)
      : undefined;
    child.on("error", (error) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`could not start node ${argv.join(" ")}: ${error.message}`));
    });
    child.on("exit", () => {
      wallMs = performance.now() - started;
      exitedAt = Date.now();
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      const match = USAGE_LINE.exec(stderr);
      const run: NodeRun = { code, signal, spawnedAt, exitedAt, wallMs, stdout, stderr: stderr.replace(USAGE_LINE, "") };
      if (match) {
        run.maxRssMiB = Number(match[1]) / 1024;
        run.cpuMs = Number(match[2]) / 1000;
      }
      resolve(run);
    });
  });
}

/** The last lines of a run's output, for error messages. */
export function tail(run: NodeRun, lines = 12): string {
  return `${run.stdout}\n${run.stderr}`.trim().split("\n").slice(-lines).join("\n");
}
