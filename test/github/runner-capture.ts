/**
 * Runs the real runner IO (over @actions/core) in a test: the inputs and the runner's variables
 * are set in the environment, and stdout is recorded as the runner would read it.
 */
import { vi } from "vitest";
import { inputEnvName } from "../../src/adapters/github/io";
import { createRunnerIO } from "../../src/adapters/github/runner-io";

/** Variables of the machine the tests run on that would change what an action does. */
const CLEARED = ["GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "AWS_REGION", "AWS_DEFAULT_REGION", "RUNNER_DEBUG"];

export interface CapturedRunner {
  io: ReturnType<typeof createRunnerIO>;
  /** Each write to stdout, as made. */
  written: string[];
  /** Stdout as the runner reads it: CR and LF both end a line. */
  lines(): string[];
}

/** Undo with `vi.restoreAllMocks()` and `vi.unstubAllEnvs()` (in afterEach). */
export function captureRunner(inputs: Record<string, string> = {}, env: Record<string, string> = {}): CapturedRunner {
  for (const name of CLEARED) vi.stubEnv(name, "");
  for (const [name, value] of Object.entries(inputs)) vi.stubEnv(inputEnvName(name), value);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const written: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return { io: createRunnerIO(), written, lines: () => written.join("").replace(/\n$/, "").split(/\r\n|\r|\n/) };
}
