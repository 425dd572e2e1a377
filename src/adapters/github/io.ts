/**
 * The port through which an action talks to the runner: inputs (raw strings; the schemas parse
 * them), outputs, state, masking, log lines, annotations, the exit status and the step summary.
 * Entries get the runner's, an adapter over @actions/core (./runner-io); tests get `RecordingIO`.
 *
 * What the runner would take as a command is kept out of what an action prints: `safeLines` for
 * log lines, `safeData` for the text of annotations (whose line breaks @actions/core escapes).
 */
import { neutraliseCommands } from "../../util/untrusted";
import type { Summary } from "../../util/summary";

export interface AnnotationProperties {
  title?: string;
  file?: string;
  line?: number;
}

export interface ActionIO {
  /** The input's raw value, trimmed; "" when not given. */
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
  /** Fails the step: the message as an error annotation, and exit status 1. */
  setFailed(message: string): void;
  startGroup(name: string): void;
  endGroup(): void;
  /** Appends to the step summary: a builder's blocks one by one, or markdown it rendered. */
  appendSummary(content: Summary | string): void;
  /** Resolves once what was appended to the summary is written; rejects with the first write that failed. */
  flush(): Promise<void>;
  env(name: string): string | undefined;
}

/**
 * A message as printed lines that start no workflow command, whatever text it carries: each line
 * that begins with `::` (after whitespace) or holds `##[` is neutralised. The runner splits lines at
 * CR as well as LF. The suite's own commands are written by @actions/core, never through here.
 */
export function safeLines(message: string): string {
  return message.split(/(\r\n|\r|\n)/).map((part, i) => (i % 2 === 0 ? neutraliseCommands(part) : part)).join("");
}

/** An annotation's or debug line's text: @actions/core escapes its line breaks; `##[` is neutralised here. */
export function safeData(message: string): string {
  return message.replace(/##\[/g, "# #[");
}

/** The variable the runner sets for an input (what @actions/core's getInput reads). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

/** An in-memory IO for tests: inputs and state in, everything written is recorded. */
export class RecordingIO implements ActionIO {
  readonly outputs: Record<string, string> = {};
  readonly state: Record<string, string> = {};
  readonly secrets: string[] = [];
  readonly lines: string[] = [];
  readonly annotations: { level: "notice" | "warning" | "error"; message: string; properties?: AnnotationProperties | undefined }[] = [];
  summary = "";
  failed = false;
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
  /** As the runner sees a failed step: an error annotation and exit status 1. */
  setFailed(message: string): void {
    this.failed = true;
    this.error(message);
    process.exitCode = 1;
  }
  startGroup(name: string): void {
    this.lines.push(`group: ${name}`);
  }
  endGroup(): void {
    this.lines.push("endgroup");
  }
  appendSummary(content: Summary | string): void {
    const markdown = typeof content === "string" ? content : content.toString();
    this.summary += markdown.endsWith("\n") ? markdown : `${markdown}\n`;
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  env(name: string): string | undefined {
    return this.environment[name];
  }
}
