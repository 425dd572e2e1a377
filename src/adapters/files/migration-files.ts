/**
 * The migration files an input names: a directory (its `.sql` files, in subdirectories too) or a
 * glob (`*` and `?` within a path segment, `**` across segments), relative to the workspace. Sorted
 * by path, the order migration tools run them in.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { ConfigurationError } from "../../util/errors";

export interface MigrationFile {
  /** The path as the findings show it: relative to the workspace, with `/`. */
  file: string;
  text: string;
}

const GLOB = /[*?[]/;
const MAX_FILES = 2000;
const MAX_BYTES = 5_000_000;

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile()) out.push(path);
    if (out.length > MAX_FILES * 10) return;
  }
}

/** A glob as a regular expression over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

const posix = (p: string) => p.split(sep).join("/");

export function findMigrationFiles(pattern: string, workspace: string): MigrationFile[] {
  const paths = GLOB.test(pattern) ? byGlob(pattern, workspace) : byPath(pattern, workspace);
  if (paths.length === 0) throw new ConfigurationError(`Input migrations: "${pattern}" matches no .sql file. Give a directory of .sql files or a glob such as db/migrations/*.sql.`);
  if (paths.length > MAX_FILES) throw new ConfigurationError(`Input migrations: "${pattern}" matches ${paths.length} files; at most ${MAX_FILES}. Give a narrower directory or glob.`);
  const odd = paths.find((p) => /[\u0000-\u001f\u007f]/.test(p));
  if (odd) throw new ConfigurationError(`Input migrations: a file's name has a control character or line break (${JSON.stringify(posix(relative(workspace, odd))).slice(0, 120)}); rename it, since the outputs list one path per line.`);
  let total = 0;
  return paths.map((path) => {
    const text = readFileSync(path, "utf8");
    total += text.length;
    if (total > MAX_BYTES) throw new ConfigurationError(`Input migrations: the files of "${pattern}" hold more than ${MAX_BYTES / 1e6} MB of SQL; give a narrower directory or glob.`);
    return { file: posix(relative(workspace, path)) || path, text };
  });
}

function byPath(pattern: string, workspace: string): string[] {
  const path = resolve(workspace, pattern);
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new ConfigurationError(`Input migrations: "${pattern}" does not exist (looked in ${posix(relative(workspace, path)) || "."} of the workspace). Give a directory of .sql files or a glob.`);
  }
  if (stat.isFile()) return [path];
  const all: string[] = [];
  walk(path, all);
  return all.filter((p) => p.endsWith(".sql")).sort();
}

function byGlob(pattern: string, workspace: string): string[] {
  const parts = pattern.split("/");
  const fixed = parts.slice(0, parts.findIndex((p) => GLOB.test(p))).join("/");
  const base = resolve(workspace, fixed || ".");
  const re = globToRegExp(posix(relative(base, resolve(workspace, pattern))));
  const all: string[] = [];
  try {
    walk(base, all);
  } catch {
    return [];
  }
  return all.filter((p) => re.test(posix(relative(base, p)))).sort();
}
