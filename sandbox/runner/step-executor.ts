import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseCommandLine } from "./commands";
import { readEnvFile, readOptional, readPathFile } from "./env-files";
import type { Masker } from "./masking";
import { runProcess, type CancelTimings } from "./process";
import { emptyStepResult, type Annotation, type StepRunResult } from "./types";

/** Variables a step may not set through GITHUB_ENV, as on GitHub. */
const BLOCKED_ENV = new Set(["NODE_OPTIONS"]);

export interface StepProcessRequest {
  command: string;
  args: string[];
  cwd: string;
  /** Everything except the file-command paths, which are added here. */
  env: Record<string, string>;
  /** Where GITHUB_OUTPUT & co. are created (one fresh file each per step). */
  fileCommandsDir: string;
  masker: Masker;
  cancel?: AbortSignal;
  kill?: AbortSignal;
  timeoutMs?: number;
  timings?: CancelTimings;
  /** Called with each rendered, masked log line as it happens. */
  onLog?: (line: string) => void;
}

interface FileCommandPaths {
  GITHUB_OUTPUT: string;
  GITHUB_STATE: string;
  GITHUB_ENV: string;
  GITHUB_PATH: string;
  GITHUB_STEP_SUMMARY: string;
}

async function createFileCommands(dir: string): Promise<FileCommandPaths> {
  await mkdir(dir, { recursive: true });
  const id = randomUUID();
  const paths: FileCommandPaths = {
    GITHUB_OUTPUT: join(dir, `set_output_${id}`),
    GITHUB_STATE: join(dir, `save_state_${id}`),
    GITHUB_ENV: join(dir, `set_env_${id}`),
    GITHUB_PATH: join(dir, `add_path_${id}`),
    GITHUB_STEP_SUMMARY: join(dir, `step_summary_${id}`),
  };
  await Promise.all(Object.values(paths).map((p) => writeFile(p, "")));
  return paths;
}

/** Runs a process as a step: processes workflow commands on its output, then reads the file commands. */
export async function executeStepProcess(request: StepProcessRequest): Promise<StepRunResult> {
  const files = await createFileCommands(request.fileCommandsDir);
  const masker = request.masker;
  const annotations: Annotation[] = [];
  const debug: string[] = [];
  const rendered: string[] = [];
  const raw: Array<{ stream: "stdout" | "stderr"; line: string }> = [];
  const outputs: Record<string, string> = {};
  const state: Record<string, string> = {};
  const commandErrors: string[] = [];
  let stopToken: string | undefined;

  const log = (line: string): void => {
    rendered.push(line);
    request.onLog?.(masker.apply(line));
  };
  const allowUnsecure = request.env.ACTIONS_ALLOW_UNSECURE_COMMANDS === "true";

  const onLine = (line: string, stream: "stdout" | "stderr"): void => {
    raw.push({ stream, line });
    const command = parseCommandLine(line);
    if (stopToken !== undefined) {
      if (command && command.name === stopToken) {
        stopToken = undefined;
        return;
      }
      log(line);
      return;
    }
    if (!command) return log(line);
    const { name, properties, message } = command;
    switch (name) {
      case "add-mask":
        masker.add(message);
        return;
      case "error":
      case "warning":
      case "notice":
        annotations.push({ level: name, message, properties });
        return log(`##[${name}]${message}`);
      case "debug":
        debug.push(message);
        return log(`##[debug]${message}`);
      case "group":
        return log(`##[group]${message}`);
      case "endgroup":
        return log("##[endgroup]");
      case "set-output":
      case "save-state": {
        const target = name === "set-output" ? outputs : state;
        const key = properties.name;
        if (!key) {
          commandErrors.push(`::${name}:: needs a 'name' property`);
          return log(`##[error]::${name}:: needs a 'name' property`);
        }
        target[key] = message;
        const file = name === "set-output" ? "GITHUB_OUTPUT" : "GITHUB_STATE";
        const warning = `The \`${name}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files (${file}).`;
        annotations.push({ level: "warning", message: warning, properties: {} });
        return log(`##[warning]${warning}`);
      }
      case "set-env":
      case "add-path": {
        if (allowUnsecure && name === "set-env" && properties.name) {
          pendingEnv[properties.name] = message;
          return;
        }
        if (allowUnsecure && name === "add-path") {
          pendingPath.push(message);
          return;
        }
        const error = `The \`${name}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`.`;
        commandErrors.push(error);
        annotations.push({ level: "error", message: error, properties: {} });
        return log(`##[error]${error}`);
      }
      case "stop-commands":
        stopToken = message;
        return;
      case "echo":
        return;
      default:
        return log(line);
    }
  };
  const pendingEnv: Record<string, string> = {};
  const pendingPath: string[] = [];

  const outcome = await runProcess({
    command: request.command,
    args: request.args,
    cwd: request.cwd,
    env: { ...request.env, ...files },
    onLine,
    ...(request.cancel ? { cancel: request.cancel } : {}),
    ...(request.kill ? { kill: request.kill } : {}),
    ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
    ...(request.timings ? { timings: request.timings } : {}),
  });

  const errors: string[] = [...commandErrors];
  if (outcome.spawnError) errors.push(outcome.spawnError);
  const env: Record<string, string> = { ...pendingEnv };
  const path = [...pendingPath];
  try {
    Object.assign(outputs, await readEnvFile(files.GITHUB_OUTPUT, "GITHUB_OUTPUT"));
    Object.assign(state, await readEnvFile(files.GITHUB_STATE, "GITHUB_STATE"));
    for (const [key, value] of Object.entries(await readEnvFile(files.GITHUB_ENV, "GITHUB_ENV"))) {
      if (BLOCKED_ENV.has(key.toUpperCase())) errors.push(`Can't store ${key} output parameter using '$GITHUB_ENV' command.`);
      else env[key] = value;
    }
    path.push(...(await readPathFile(files.GITHUB_PATH)));
  } catch (error) {
    errors.push((error as Error).message);
  }
  const summary = masker.apply(await readOptional(files.GITHUB_STEP_SUMMARY));

  if (outcome.timedOut) errors.unshift(`The step has timed out after ${request.timeoutMs} ms.`);
  const exitedBadly = outcome.exitCode !== 0;
  if (exitedBadly && !outcome.cancelled && !outcome.timedOut) {
    errors.push(
      outcome.signal
        ? `Process completed with signal ${outcome.signal}${outcome.killed ? " (killed)" : ""}.`
        : `Process completed with exit code ${outcome.exitCode}.`,
    );
  }
  for (const error of errors) log(`##[error]${error}`);
  if (outcome.cancelled) log("##[error]The operation was canceled.");

  const conclusion = outcome.cancelled ? "cancelled" : exitedBadly || errors.length > 0 ? "failure" : "success";
  const text = (stream: "stdout" | "stderr"): string => {
    const lines = raw.filter((r) => r.stream === stream).map((r) => r.line);
    return lines.length ? masker.apply(lines.join("\n") + "\n") : "";
  };
  return emptyStepResult({
    conclusion,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    cancelled: outcome.cancelled,
    timedOut: outcome.timedOut,
    killed: outcome.killed,
    signalsSent: outcome.signalsSent,
    outputs,
    state,
    env,
    path,
    summary,
    annotations: annotations.map((a) => ({ ...a, message: masker.apply(a.message) })),
    debug: debug.map((d) => masker.apply(d)),
    masks: masker.list(),
    stdout: text("stdout"),
    stderr: text("stderr"),
    log: rendered.map((l) => masker.apply(l)),
    durationMs: outcome.durationMs,
    ...(errors.length ? { error: masker.apply(errors.join(" ")) } : outcome.cancelled ? { error: "The operation was canceled." } : {}),
  });
}
