/**
 * What every entry shares: parse inputs first (no AWS module is loaded before they are valid), build
 * the context, run one core function, and turn any failure into a single `::error::` line and exit 1.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Ports } from "../adapters/aws/factory";
import type { ActionIO } from "../adapters/github/io";
import { createRunnerIO } from "../adapters/github/runner-io";
import { type ActionDefinition, parseInputs, type SettingsOf, type InputSpec } from "../inputs/define";
import { type Clock, type Random, systemClock } from "../util/clock";
import { ConfigurationError, errorMessage, SafetyError } from "../util/errors";
import { checkRegion, regionFrom } from "./region";
import { type Cancellation, createCancellation, DeadlineError, stopOnSignals } from "./cancellation";
import { type RunInfo, runInfo } from "../util/run-info";

export { CancelledError } from "./cancellation";
export type { RunInfo };

export interface ActionContext {
  io: ActionIO;
  clock: Clock;
  random: Random;
  log: (line: string) => void;
  /** Aborted when the step is stopped: the job is cancelled (SIGINT, then SIGTERM), or the step's deadline passed. */
  signal: AbortSignal;
  /** The signal for the next call out (AWS, GitHub): the step's signal until it is stopped, then the short window to put things back. */
  callSignal?: () => AbortSignal;
  /** Arms the step's deadline, `ms` from now: then the step is stopped as on cancellation. */
  deadline?: (ms: number) => void;
  run: RunInfo;
  /** AWS ports, built on first use; the SDK is imported only then. */
  ports: (regionHint?: string) => Promise<Ports>;
}

export interface RuntimeOptions {
  /** This is the action's post step (see ActionDefinition.post.afterState). */
  post?: boolean;
  io?: ActionIO;
  clock?: Clock;
  random?: Random;
  signal?: AbortSignal;
  /** Replaces the AWS ports (tests). */
  ports?: (regionHint?: string) => Promise<Ports>;
}

function awsPorts(io: ActionIO, definitionName: string, settings: Record<string, unknown>, signal: () => AbortSignal, built: (ports: Ports) => void): (hint?: string) => Promise<Ports> {
  let ports: Promise<Ports> | undefined;
  return (hint) =>
    (ports ??= import("./aws").then(({ createAwsPorts }) => {
      const made = createAwsPorts(io, definitionName, regionFrom(settings, io, hint), signal);
      built(made);
      return made;
    }));
}

/** Stops the step on SIGINT/SIGTERM (unless the caller brings its own signal) and at its deadline. */
function cancellation(io: ActionIO, outer: AbortSignal | undefined): { cancellation: Cancellation; finished(): void } {
  const onStop = (reason: Error) => {
    if (reason instanceof DeadlineError) io.warning(`${reason.message}: stopping the step. Putting the environment back in a safe state.`);
  };
  const c = createCancellation({ outer, onStop });
  return { cancellation: c, finished: outer ? () => c.dispose() : stopOnSignals(c, (line) => io.warning(line)).finished };
}

/** Runs an action entry. Resolves when done (the step summary written); fails the step (exit status 1) on failure. */
export async function runAction<I extends Record<string, InputSpec>>(
  definition: ActionDefinition<I>,
  main: (settings: SettingsOf<I>, ctx: ActionContext) => Promise<void>,
  options: RuntimeOptions = {},
): Promise<boolean> {
  const io = options.io ?? createRunnerIO();
  const afterState = options.post ? definition.post?.afterState : undefined;
  if (afterState && !io.getState(afterState)) {
    io.info(`${definition.name}'s main step changed nothing, so its post step has nothing to put back.`);
    await io.flush();
    return true;
  }
  let stop: ReturnType<typeof cancellation> | undefined;
  let built: Ports | undefined;
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  try {
    const settings = parseInputs(definition, (name) => io.getInput(name));
    checkRegion(settings as Record<string, unknown>, io);
    for (const [name, spec] of Object.entries(definition.inputs)) {
      const value = io.getInput(name);
      if (spec.secret && value) io.setSecret(value);
    }
    stop = cancellation(io, options.signal);
    const { cancellation: c } = stop;
    const env = (name: string) => io.env(name);
    const ctx: ActionContext = {
      io,
      clock,
      random: options.random ?? Math.random,
      log: (line) => io.info(line),
      signal: c.signal,
      callSignal: () => c.callSignal(),
      deadline: (ms) => c.deadline(ms),
      run: runInfo(env),
      ports: options.ports ?? awsPorts(io, definition.name, settings as Record<string, unknown>, () => c.callSignal(), (p) => (built = p)),
    };
    await main(settings, ctx);
    await io.flush();
    return true;
  } catch (error) {
    // The summary appended before the failure is still written; a failed write is told, not hidden.
    await io.flush().catch((summaryError: unknown) => io.warning(`The step summary could not be written: ${errorMessage(summaryError)}`));
    reportFailure(io, error);
    return false;
  } finally {
    // Every deployment in the account draws from the same API budget: say what this step used.
    if (built && built.clients.calls.total > 0) io.info(built.clients.calls.describe(clock.now() - started));
    stop?.finished();
  }
}

export function reportFailure(io: ActionIO, error: unknown): void {
  const message = errorMessage(error);
  // The error classes are branded (src/util/errors.ts), so instanceof holds for an error thrown by the
  // main bundle (dist/main/), which has its own copy of the classes.
  const expected = error instanceof ConfigurationError || error instanceof SafetyError;
  if (!expected && error instanceof Error && error.stack) {
    io.debug(error.stack);
  }
  io.setFailed(message);
}

/**
 * True when this module is the script node was started with (the bundle GitHub runs), so an entry
 * runs itself there but not when a test imports it. Compares real paths, so symlinked checkouts work.
 */
export function isMainModule(metaUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}
