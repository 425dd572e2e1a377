import { readFile } from "node:fs/promises";

/** Thrown when a GITHUB_OUTPUT/ENV/STATE file is malformed; names the file and the line. */
export class EnvFileError extends Error {
  override readonly name = "EnvFileError";
}

/**
 * Reads `name=value` and `name<<DELIMITER` ... `DELIMITER` entries, in order; later entries win.
 * Same rules as the runner: a line is the heredoc form when `<<` comes before any `=`.
 */
export function parseEnvFile(text: string, label: string): Array<[string, string]> {
  const lines = text.split(/\r?\n/);
  const entries: Array<[string, string]> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === "") continue;
    const eq = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const name = line.slice(0, eq);
      if (name === "") throw new EnvFileError(`${label} line ${i + 1}: empty name in ${JSON.stringify(line)}`);
      entries.push([name, line.slice(eq + 1)]);
      continue;
    }
    if (heredoc <= 0) {
      throw new EnvFileError(`${label} line ${i + 1}: expected 'name=value' or 'name<<DELIMITER', got ${JSON.stringify(line)}`);
    }
    const name = line.slice(0, heredoc);
    const delimiter = line.slice(heredoc + 2);
    if (delimiter === "") throw new EnvFileError(`${label} line ${i + 1}: empty delimiter after '<<' for '${name}'`);
    const value: string[] = [];
    let closed = false;
    for (i++; i < lines.length; i++) {
      if (lines[i] === delimiter) {
        closed = true;
        break;
      }
      value.push(lines[i] as string);
    }
    if (!closed) throw new EnvFileError(`${label}: matching delimiter not found '${delimiter}' for '${name}'`);
    entries.push([name, value.join("\n")]);
  }
  return entries;
}

export async function readEnvFile(path: string, label: string): Promise<Record<string, string>> {
  const text = await readOptional(path);
  const out: Record<string, string> = {};
  for (const [k, v] of parseEnvFile(text, label)) out[k] = v;
  return out;
}

/** GITHUB_PATH: one directory per line, non-empty. */
export async function readPathFile(path: string): Promise<string[]> {
  return (await readOptional(path)).split(/\r?\n/).filter((l) => l.trim() !== "");
}

export async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}
