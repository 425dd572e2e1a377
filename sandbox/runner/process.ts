import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";

/** How long the runner waits between the signals it sends to cancel a step. */
export interface CancelTimings {
  /** SIGINT → SIGTERM; the runner waits 7.5 s. */
  sigtermAfterMs: number;
  /** SIGTERM → SIGKILL; the runner waits 2.5 s. */
  sigkillAfterMs: number;
}

export const RUNNER_CANCEL_TIMINGS: CancelTimings = { sigtermAfterMs: 7_500, sigkillAfterMs: 2_500 };

export interface SignalSent {
  signal: NodeJS.Signals;
  /** Milliseconds after the process started. */
  atMs: number;
  reason: "cancel" | "timeout" | "kill";
}

export interface ProcessRequest {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  onLine(line: string, stream: "stdout" | "stderr"): void;
  /** Aborting starts the cancel sequence: SIGINT, SIGTERM, SIGKILL. */
  cancel?: AbortSignal;
  /** Aborting kills the process at once with SIGKILL (a crash). */
  kill?: AbortSignal;
  /** After this long the cancel sequence starts and the outcome says timedOut. */
  timeoutMs?: number;
  timings?: CancelTimings;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  cancelled: boolean;
  timedOut: boolean;
  killed: boolean;
  signalsSent: SignalSent[];
  durationMs: number;
  /** Set when the process could not be started at all. */
  spawnError?: string;
}

/** Splits a stream into lines, calling back once per complete line and once for any tail at the end. */
function lineSplitter(emit: (line: string) => void): { push(chunk: string): void; end(): void } {
  let buffer = "";
  return {
    push(chunk) {
      buffer += chunk;
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        emit(buffer.slice(0, nl).replace(/\r$/, ""));
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
      }
    },
    end() {
      if (buffer !== "") emit(buffer.replace(/\r$/, ""));
      buffer = "";
    },
  };
}

/**
 * Runs one process from an argument array (never a shell string) in its own process group, so that
 * signals reach everything it started, and escalates cancellation the way the runner does.
 */
export function runProcess(request: ProcessRequest): Promise<ProcessOutcome> {
  const timings = request.timings ?? RUNNER_CANCEL_TIMINGS;
  const started = performance.now();
  const signalsSent: SignalSent[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let cancelled = false;
  let timedOut = false;
  let killed = false;
  let closed = false;

  return new Promise<ProcessOutcome>((resolve) => {
    const child = spawn(request.command, request.args, {
      cwd: request.cwd,
      env: request.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });

    const send = (signal: NodeJS.Signals, reason: SignalSent["reason"]): void => {
      if (closed || child.pid === undefined) return;
      signalsSent.push({ signal, atMs: Math.round(performance.now() - started), reason });
      try {
        process.kill(-child.pid, signal);
      } catch {
        try {
          child.kill(signal);
        } catch {
          // already gone
        }
      }
    };
    const later = (ms: number, fn: () => void): void => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
    };
    const startCancel = (reason: "cancel" | "timeout"): void => {
      if (cancelled || timedOut || closed) return;
      if (reason === "cancel") cancelled = true;
      else timedOut = true;
      send("SIGINT", reason);
      later(timings.sigtermAfterMs, () => {
        send("SIGTERM", reason);
        later(timings.sigkillAfterMs, () => send("SIGKILL", reason));
      });
    };
    const onCancel = (): void => startCancel("cancel");
    const onKill = (): void => {
      if (closed) return;
      killed = true;
      send("SIGKILL", "kill");
    };

    const out = lineSplitter((line) => request.onLine(line, "stdout"));
    const err = lineSplitter((line) => request.onLine(line, "stderr"));
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => out.push(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => err.push(chunk));

    let spawnError: string | undefined;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      request.cancel?.removeEventListener("abort", onCancel);
      request.kill?.removeEventListener("abort", onKill);
      out.end();
      err.end();
      resolve({
        exitCode: code,
        signal,
        cancelled,
        timedOut,
        killed,
        signalsSent,
        durationMs: Math.round(performance.now() - started),
        ...(spawnError ? { spawnError } : {}),
      });
    };
    child.on("error", (error) => {
      spawnError = `could not start ${request.command}: ${error.message}`;
      if (child.pid === undefined) finish(null, null);
    });
    child.on("close", finish);

    if (request.cancel?.aborted) onCancel();
    else request.cancel?.addEventListener("abort", onCancel, { once: true });
    if (request.kill?.aborted) onKill();
    else request.kill?.addEventListener("abort", onKill, { once: true });
    if (request.timeoutMs !== undefined) later(request.timeoutMs, () => startCancel("timeout"));
  });
}
