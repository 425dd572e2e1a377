/**
 * What every entry shares: parse inputs first (no AWS module is loaded before they are valid), build
 * the context, run one core function, and turn any failure into a single `::error::` line and exit 1.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Ports } from "../adapters/aws/factory";
import type { ActionIO } from "../github/io";
import { createRunnerIO } from "../github/runner-io";
import { type ActionDefinition, parseInputs, type SettingsOf, type InputSpec } from "../inputs/define";
import { type Clock, type Random, systemClock } from "../util/clock";
import { regionOf } from "../util/arn";
import { ConfigurationError, errorMessage } from "../util/errors";
import { type Cancellation, createCancellation, DeadlineError, stopOnSignals } from "../runtime/cancellation";

export { CancelledError } from "../runtime/cancellation";

export interface RunInfo {
  repository: string;
  runId: string;
  runAttempt: string;
  job: string;
  sha: string;
  actor: string;
  serverUrl: string;
  eventName: string;
  /** Link to the workflow run, when known. */
  runUrl: string | undefined;
  /** The workflow run, as the deployment lock records it; with `job` and `runAttempt` it names the lock's holder (src/domain/lock-format.ts). */
  lockOwner: string;
}

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

export function runInfo(env: (name: string) => string | undefined): RunInfo {
  const repository = env("GITHUB_REPOSITORY") ?? "local/repository";
  const runId = env("GITHUB_RUN_ID") ?? "local";
  const serverUrl = env("GITHUB_SERVER_URL") ?? "https://github.com";
  return {
    repository,
    runId,
    runAttempt: env("GITHUB_RUN_ATTEMPT") ?? "1",
    job: env("GITHUB_JOB") ?? "job",
    sha: env("GITHUB_SHA") ?? "",
    actor: env("GITHUB_ACTOR") ?? "",
    serverUrl,
    eventName: env("GITHUB_EVENT_NAME") ?? "",
    runUrl: env("GITHUB_RUN_ID") ? `${serverUrl}/${repository}/actions/runs/${runId}` : undefined,
    lockOwner: `${repository}/actions/runs/${runId}`,
  };
}

export interface RuntimeOptions {
  io?: ActionIO;
  clock?: Clock;
  random?: Random;
  signal?: AbortSignal;
  /** Replaces the AWS ports (tests). */
  ports?: (regionHint?: string) => Promise<Ports>;
}

/** The region the step is told to use: input aws-region, then AWS_REGION, then AWS_DEFAULT_REGION (an empty value is not set). */
function configuredRegion(settings: Record<string, unknown>, io: ActionIO): { region: string; source: string } | undefined {
  const explicit = settings["aws-region"];
  if (typeof explicit === "string" && explicit) return { region: explicit, source: "input aws-region" };
  for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const value = io.env(name);
    if (value) return { region: value, source: name };
  }
  return undefined;
}

/** The region of every ARN input, in the order the action defines its inputs. */
function arnRegions(settings: Record<string, unknown>): { name: string; region: string }[] {
  const out: { name: string; region: string }[] = [];
  for (const [name, value] of Object.entries(settings)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const region = typeof item === "string" && item.startsWith("arn:") ? regionOf(item) : undefined;
      if (region) out.push({ name, region });
    }
  }
  return out;
}

/**
 * The region of the AWS clients: aws-region, AWS_REGION, AWS_DEFAULT_REGION, then the region of the
 * ARN the step was given (`hint`, else the first ARN input). Undefined with no ARN (environment-tags):
 * the SDK's own chain (its config file) is left to find one, and says so naming aws-region if it cannot.
 */
export function regionFrom(settings: Record<string, unknown>, io: ActionIO, hint?: string): string | undefined {
  return configuredRegion(settings, io)?.region ?? (hint || undefined) ?? arnRegions(settings)[0]?.region;
}

function awsPorts(io: ActionIO, definitionName: string, settings: Record<string, unknown>, signal: () => AbortSignal): (hint?: string) => Promise<Ports> {
  let ports: Promise<Ports> | undefined;
  return (hint) => (ports ??= import("../runtime/aws").then(({ createAwsPorts }) => createAwsPorts(io, definitionName, regionFrom(settings, io, hint), signal)));
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
  let stop: ReturnType<typeof cancellation> | undefined;
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
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      log: (line) => io.info(line),
      signal: c.signal,
      callSignal: () => c.callSignal(),
      deadline: (ms) => c.deadline(ms),
      run: runInfo(env),
      ports: options.ports ?? awsPorts(io, definition.name, settings as Record<string, unknown>, () => c.callSignal()),
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
    stop?.finished();
  }
}

/**
 * An ARN input in another region than the one the AWS clients will use is refused before any AWS call:
 * the configured region, or with none configured the region of the first ARN (all must agree).
 */
export function checkRegion(settings: Record<string, unknown>, io: ActionIO): void {
  const configured = configuredRegion(settings, io);
  const arns = arnRegions(settings);
  const first = arns[0];
  for (const { name, region } of arns) {
    if (configured && region !== configured.region) {
      throw new ConfigurationError(
        `Input ${name}: the ARN is in region ${region}, but ${configured.source} is ${configured.region}. Give aws-region: ${region}, or configure credentials for ${region}.`,
      );
    }
    if (!configured && first && region !== first.region) {
      throw new ConfigurationError(`Input ${name}: the ARN is in region ${region}, but the ARN of input ${first.name} is in ${first.region}. Every ARN of a step must be in the step's one region.`);
    }
  }
}

export function reportFailure(io: ActionIO, error: unknown): void {
  const message = errorMessage(error);
  // By name, not instanceof: what the action does after validation is bundled apart from this entry
  // (dist/main/), with its own copy of the error classes. Subclasses keep their base's name.
  const expected = error instanceof Error && (error.name === "ConfigurationError" || error.name === "SafetyError");
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
