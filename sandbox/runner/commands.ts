/**
 * Workflow commands (`::name key=value,...::message`) as the runner reads them from a step's output.
 * Data escapes: %25 %0D %0A; property values also %3A %2C.
 */
export interface WorkflowCommand {
  name: string;
  properties: Record<string, string>;
  message: string;
}

const COMMAND = /^::([A-Za-z][A-Za-z0-9_-]*)(?: ([^]*?))?::([^]*)$/;

export function unescapeData(value: string): string {
  return value.replace(/%0D/gi, "\r").replace(/%0A/gi, "\n").replace(/%25/g, "%");
}

export function unescapeProperty(value: string): string {
  return value
    .replace(/%0D/gi, "\r")
    .replace(/%0A/gi, "\n")
    .replace(/%3A/gi, ":")
    .replace(/%2C/gi, ",")
    .replace(/%25/g, "%");
}

export function escapeData(value: string): string {
  return value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** Parses one output line as a workflow command, or returns undefined when it is ordinary output. */
export function parseCommandLine(line: string): WorkflowCommand | undefined {
  const match = COMMAND.exec(line.trimStart());
  if (!match) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? "").split(",")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
  }
  return { name: match[1] as string, properties, message: unescapeData(match[3] ?? "") };
}
