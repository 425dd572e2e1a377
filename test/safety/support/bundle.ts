/**
 * Bundles one entry from source into a temporary directory (never dist/), split and minified as the
 * build does, so a child process runs it with the memory and start-up of the shipped action rather
 * than of tsx.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./child";

export async function bundleEntry(entry: string): Promise<{ file: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "zda-bundle-"));
  const file = join(dir, "entry.mjs");
  await build({
    absWorkingDir: ROOT,
    entryPoints: [{ in: entry, out: "entry" }],
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    // What is imported with import() (the action's main part, each SDK client) is a chunk of its own, loaded when used, as in dist/.
    splitting: true,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    mainFields: ["module", "main"],
    banner: { js: 'import { createRequire as __zdaRequire } from "node:module"; const require = __zdaRequire(import.meta.url);' },
    minify: true,
    logLevel: "silent",
  });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
