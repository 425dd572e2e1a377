/** The sandbox CLI's flags, parsed and checked: every error names the flag, the value and what is valid. */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";

/** A mistake in the command line: exit code 2. */
export class UsageError extends Error {}

export const USAGE = "usage: npm run sandbox -- up [--config <file.json|file.yaml> | --template <CloudFormation template> [--parameter Key=Value ...]] [--time-scale <number > 0>] [--port <0-65535>] [--seed <integer>]";

export interface Flags {
  config?: string;
  /** A CloudFormation template to build the environment from, and its parameter values. */
  template?: string;
  parameters?: Record<string, string>;
  timeScale?: number;
  port?: number;
  seed?: number;
}

export function parseArgs(argv: string[]): Flags {
  const [command, ...rest] = argv;
  if (command !== "up") throw new UsageError(`unknown command ${command === undefined ? "(none)" : `"${command}"`}; the only command is "up"\n${USAGE}`);
  const flags: Flags = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? rest[++i];
      if (v === undefined || v === "") throw new UsageError(`flag ${name} needs a value\n${USAGE}`);
      return v;
    };
    const number = (check: (n: number) => boolean, valid: string) => {
      const raw = value();
      const n = Number(raw);
      if (!Number.isFinite(n) || !check(n)) throw new UsageError(`flag ${name} got "${raw}"; valid: ${valid}`);
      return n;
    };
    switch (name) {
      case "--config":
        flags.config = value();
        break;
      case "--template":
        flags.template = value();
        break;
      case "--parameter": {
        const pair = value();
        const eq = pair.indexOf("=");
        if (eq < 1) throw new UsageError(`flag --parameter got "${pair}"; valid: Key=Value (a parameter of the template)`);
        (flags.parameters ??= {})[pair.slice(0, eq)] = pair.slice(eq + 1);
        break;
      }
      case "--time-scale":
        flags.timeScale = number((n) => n > 0 && n <= 1000, "a number greater than 0 and at most 1000 (sandbox seconds per real second)");
        break;
      case "--port":
        flags.port = number((n) => Number.isInteger(n) && n >= 0 && n <= 65535, "an integer from 0 to 65535 (0 picks a free port)");
        break;
      case "--seed":
        flags.seed = number((n) => Number.isInteger(n), "an integer");
        break;
      default:
        throw new UsageError(`unknown flag "${name}"; valid flags: --config, --template, --parameter, --time-scale, --port, --seed\n${USAGE}`);
    }
  }
  if (flags.config !== undefined && flags.template !== undefined) throw new UsageError(`flags --config and --template both name an environment; give one\n${USAGE}`);
  if (flags.parameters && flags.template === undefined) throw new UsageError(`flag --parameter needs --template\n${USAGE}`);
  return flags;
}

export async function loadConfig(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`flag --config got "${file}", which cannot be read: ${(error as Error).message}`);
  }
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(`flag --config got "${file}", which is not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"}: ${(error as Error).message}`);
  }
}

