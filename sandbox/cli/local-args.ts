/**
 * `npm run local`'s arguments and env file, parsed and checked: every error names the argument or the
 * line, the value and what is valid.
 */
import { UsageError } from "./cli-args";

export const LOCAL_ACTIONS = ["deploy-green", "health-gate", "shift-traffic", "canary-analyze", "rollback"] as const;
export type LocalActionName = (typeof LOCAL_ACTIONS)[number];

export const LOCAL_USAGE = [
  "usage: npm run local -- <action> [env file] [input=value ...]",
  `  <action>      ${LOCAL_ACTIONS.join(", ")}`,
  "  [env file]    KEY=VALUE lines: the environment and INPUT_<NAME> inputs (default: .env when it exists)",
  "  input=value   an input of the action; given here, it wins over the env file's INPUT_<NAME>",
].join("\n");

export interface LocalArgs {
  action: LocalActionName;
  envFile?: string;
  /** Input name → value, as given on the command line. */
  inputs: Record<string, string>;
}

const INPUT_ARG = /^([A-Za-z][A-Za-z0-9_-]*)=([^]*)$/;

export function parseLocalArgs(argv: string[]): LocalArgs {
  const [first, ...rest] = argv;
  const action = (first ?? "").replace(/^(\.\/)?actions\//, "").replace(/\/+$/, "");
  if (!(LOCAL_ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`${first === undefined ? "no action given" : `unknown action "${first}"`}; valid: ${LOCAL_ACTIONS.join(", ")}\n${LOCAL_USAGE}`);
  }
  const args: LocalArgs = { action: action as LocalActionName, inputs: {} };
  for (const arg of rest) {
    const input = INPUT_ARG.exec(arg);
    if (input) args.inputs[input[1]!] = input[2]!;
    else if (arg.startsWith("-")) throw new UsageError(`unknown flag "${arg}"; this command takes no flags\n${LOCAL_USAGE}`);
    else if (args.envFile !== undefined) throw new UsageError(`two env files given ("${args.envFile}" and "${arg}"); give one, and inputs as name=value\n${LOCAL_USAGE}`);
    else args.envFile = arg;
  }
  return args;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Parses `KEY=VALUE` lines (blank lines, `#` comments, `export ` and quotes allowed). */
export function parseDotEnv(text: string, file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const body = line.replace(/^export\s+/, "");
    const eq = body.indexOf("=");
    const key = eq > 0 ? body.slice(0, eq).trim() : "";
    if (!KEY.test(key)) throw new UsageError(`${file}:${i + 1}: expected KEY=VALUE with a KEY of letters, digits, _ . -; got "${line}"`);
    let value = body.slice(eq + 1).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, "");
    vars[key] = value;
  });
  return vars;
}

export interface LocalRun {
  /** The action's environment: everything but INPUT_*, the summary file and ACTIONS_STEP_DEBUG. */
  env: Record<string, string>;
  inputs: Record<string, string>;
  /** Where to write the step summary (GITHUB_STEP_SUMMARY), when given. */
  summaryFile?: string;
  debug: boolean;
  /** Variables that were ignored, each with the reason. */
  ignored: string[];
}

/** The runner's own variables, set afresh for each run; an env file cannot set them. */
const RUNNER_OWNED = /^(GITHUB_|RUNNER_|STATE_)/;

/**
 * Splits an env file's variables into the action's environment and inputs, and adds the command
 * line's inputs. An input the action does not declare is an error naming the declared ones.
 */
export function planLocalRun(action: string, declared: string[], vars: Record<string, string>, cliInputs: Record<string, string>, file = "the env file"): LocalRun {
  const byVariable = new Map(declared.map((name) => [`INPUT_${name.replace(/ /g, "_").toUpperCase()}`, name]));
  const known = `the inputs of ${action}: ${declared.join(", ")}`;
  const run: LocalRun = { env: {}, inputs: {}, debug: false, ignored: [] };
  for (const [key, value] of Object.entries(vars)) {
    if (key.toUpperCase().startsWith("INPUT_")) {
      const name = byVariable.get(key.toUpperCase());
      if (name === undefined) throw new UsageError(`${file}: ${key} is not an input of ${action}; ${known}`);
      run.inputs[name] = value;
    } else if (key === "GITHUB_STEP_SUMMARY") {
      if (value !== "") run.summaryFile = value;
    } else if (key === "ACTIONS_STEP_DEBUG") {
      run.debug = value.toLowerCase() === "true";
    } else if (RUNNER_OWNED.test(key)) {
      run.ignored.push(`${key}: the runner sets it for each run`);
    } else {
      run.env[key] = value;
    }
  }
  for (const [name, value] of Object.entries(cliInputs)) {
    if (!declared.includes(name)) throw new UsageError(`"${name}=${value}": ${name} is not an input of ${action}; ${known}`);
    run.inputs[name] = value;
  }
  return run;
}
