/** The labelled migration corpus (bench/migrations/corpus/*.sql): each file's first line is `-- expect: safe|unsafe (why)`. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const CORPUS_DIR = join(import.meta.dirname, "corpus");

export interface CorpusCase {
  file: string;
  path: string;
  text: string;
  /** Ground truth: safe to run, in its declared phase, with both versions live (contracts once the gate allows them). */
  label: "safe" | "unsafe";
  why: string;
}

const LABEL = /^-- expect: (safe|unsafe) \((.+)\)$/;

export function loadCorpus(dir = CORPUS_DIR): CorpusCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((file) => {
      const path = join(dir, file);
      const text = readFileSync(path, "utf8");
      const m = LABEL.exec(text.split("\n")[0] ?? "");
      if (!m) throw new Error(`${file}: the first line must be "-- expect: safe (why)" or "-- expect: unsafe (why)"`);
      return { file, path, text, label: m[1] as "safe" | "unsafe", why: m[2]! };
    });
}
