/**
 * The GitHub Actions runner protocol: inputs from INPUT_* variables, outputs, state and env through
 * the GITHUB_* files (with the `name<<delimiter` form), workflow commands on stdout. Small on purpose,
 * so an action starts in a blink. Entries use an `ActionIO`; tests use a recording one.
 */
import { appendFileSync } from "node:fs";
import { maskSecrets, neutraliseCommands } from "../util/untrusted";

/** The runner's line ending, as os.EOL gives it, without loading node:os before the inputs are valid. */
const EOL = process.platform === "win32" ? "\r\n" : "\n";

export interface AnnotationProperties {
  title?: string;
  file?: string;
  line?: number;
}

export interface ActionIO {
  getInput(name: string): string;
  getState(name: string): string;
  setOutput(name: string, value: string): void;
  saveState(name: string, value: string): void;
  setSecret(value: string): void;
  info(message: string): void;
  debug(message: string): void;
  notice(message: string, properties?: AnnotationProperties): void;
  warning(message: string, properties?: AnnotationProperties): void;
  error(message: string, properties?: AnnotationProperties): void;
  startGroup(name: string): void;
  endGroup(): void;
  appendSummary(markdown: string): void;
  env(name: string): string | undefined;
}

export function escapeData(value: string): string {
  return value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function command(name: string, message: string, properties: Record<string, string | number | undefined> = {}): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(",");
  return `::${name}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}

/**
 * A message as printed lines that start no workflow command, whatever text it carries: each line
 * that begins with `::` (after whitespace) or holds `##[` is neutralised. The runner splits lines at
 * CR as well as LF. The suite's own commands are written by `command()`, never through here.
 */
export function safeLines(message: string): string {
  return message.split(/(\r\n|\r|\n)/).map((part, i) => (i % 2 === 0 ? neutraliseCommands(part) : part)).join("");
}

/** An annotation's or debug line's text: `command()` escapes its line breaks; `##[` is neutralised too. */
function safeData(message: string): string {
  return message.replace(/##\[/g, "# #[");
}

function fileCommand(file: string | undefined, name: string, value: string): boolean {
  if (!file) return false;
  // The Web Crypto global: node:crypto would load a module before the inputs are valid.
  const delimiter = `ghadelimiter_${globalThis.crypto.randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`value for ${name} contains the delimiter`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, "utf8");
  return true;
}

export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

/** The real runner, reading `process.env` and writing to stdout and the GITHUB_* files. */
export function createRunnerIO(env: NodeJS.ProcessEnv = process.env, write: (line: string) => void = (l) => process.stdout.write(l + EOL)): ActionIO {
  // The runner masks the log, not the step summary: what setSecret is given is masked there too.
  const secrets = new Set<string>();
  return {
    getInput: (name) => (env[inputEnvName(name)] ?? "").trim(),
    getState: (name) => env[`STATE_${name}`] ?? "",
    setOutput: (name, value) => {
      if (!fileCommand(env.GITHUB_OUTPUT, name, value)) write(command("set-output", value, { name }));
    },
    saveState: (name, value) => {
      if (!fileCommand(env.GITHUB_STATE, name, value)) write(command("save-state", value, { name }));
    },
    setSecret: (value) => {
      if (!value) return;
      secrets.add(value);
      write(command("add-mask", value));
    },
    info: (message) => write(safeLines(message)),
    debug: (message) => write(command("debug", safeData(message))),
    notice: (message, p = {}) => write(command("notice", safeData(message), { ...p })),
    warning: (message, p = {}) => write(command("warning", safeData(message), { ...p })),
    error: (message, p = {}) => write(command("error", safeData(message), { ...p })),
    startGroup: (name) => write(command("group", safeData(name))),
    endGroup: () => write("::endgroup::"),
    appendSummary: (markdown) => {
      if (!env.GITHUB_STEP_SUMMARY) return;
      const masked = maskSecrets(markdown, secrets);
      appendFileSync(env.GITHUB_STEP_SUMMARY, masked.endsWith(EOL) ? masked : masked + EOL, "utf8");
    },
    env: (name) => env[name],
  };
}

/** An in-memory IO for tests: inputs and state in, everything written is recorded. */
export class RecordingIO implements ActionIO {
  readonly outputs: Record<string, string> = {};
  readonly state: Record<string, string> = {};
  readonly secrets: string[] = [];
  readonly lines: string[] = [];
  readonly annotations: { level: "notice" | "warning" | "error"; message: string; properties?: AnnotationProperties | undefined }[] = [];
  summary = "";
  constructor(
    private readonly inputs: Record<string, string> = {},
    private readonly savedState: Record<string, string> = {},
    private readonly environment: Record<string, string> = {},
  ) {}
  getInput(name: string): string {
    return (this.inputs[name] ?? "").trim();
  }
  getState(name: string): string {
    return this.savedState[name] ?? "";
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }
  saveState(name: string, value: string): void {
    this.state[name] = value;
  }
  setSecret(value: string): void {
    this.secrets.push(value);
  }
  info(message: string): void {
    this.lines.push(message);
  }
  debug(message: string): void {
    this.lines.push(`debug: ${message}`);
  }
  notice(message: string, properties?: AnnotationProperties): void {
    this.annotations.push({ level: "notice", message, properties });
  }
  warning(message: string, properties?: AnnotationProperties): void {
    this.annotations.push({ level: "warning", message, properties });
  }
  error(message: string, properties?: AnnotationProperties): void {
    this.annotations.push({ level: "error", message, properties });
  }
  startGroup(name: string): void {
    this.lines.push(`group: ${name}`);
  }
  endGroup(): void {
    this.lines.push("endgroup");
  }
  appendSummary(markdown: string): void {
    this.summary += markdown.endsWith("\n") ? markdown : `${markdown}\n`;
  }
  env(name: string): string | undefined {
    return this.environment[name];
  }
}
