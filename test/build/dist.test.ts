/**
 * The committed bundles, run as the runner runs them: with no inputs each action must fail fast with
 * one `::error::` line naming a missing input, load only what it imports statically, and its
 * action.yml must point at files that exist.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import catalog from "../../scripts/actions.json";
import { loadActions } from "../../scripts/generate-actions";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "dist-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function node(args: string[], env: Record<string, string>): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: root, env, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const cleanEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" });

/** The files a bundle imports statically (`import … from "./x.js"`), transitively; `import()` is not followed. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\b(?:import|export)\s*(?:[^"'();]*?\bfrom\s*)?["'](\.\.?\/[^"']+\.js)["']/g)) {
      stack.push(resolve(dirname(file), m[1]!));
    }
  }
  return seen;
}

const loaded = await loadActions(root);
const inputsOf = new Map(loaded.sources.map((s) => [s.definition.name, Object.keys(s.definition.inputs)]));

for (const { name } of catalog.actions) {
  const entry = join(root, "dist", name, "index.js");
  describe(`dist/${name}`, () => {
    if (!existsSync(entry)) {
      it.skip(`is not built: ${existsSync(join(root, `src/actions/${name}/main.ts`)) ? "run npm run build" : `src/actions/${name}/main.ts does not exist yet`}`, () => {});
      return;
    }

    it("fails with exactly one ::error:: line naming a missing input, and no stack trace, when given no inputs", async () => {
      const result = await node([entry], cleanEnv());

      expect(result.code).toBe(1);
      const errors = result.stdout.split(/\r?\n/).filter((l) => l.startsWith("::error::"));
      expect(errors, result.stdout + result.stderr).toHaveLength(1);
      const named = /^::error::Input required and not supplied: ([^.]+)\./.exec(errors[0]!);
      expect(named, errors[0]).not.toBeNull();
      const inputs = inputsOf.get(name) ?? [];
      const mentioned = named![1]!.split(/,\s*|\s+or\s+|\s+/).filter((w) => inputs.includes(w));
      expect(mentioned.length, `${errors[0]} names none of ${inputs.join(", ")}`).toBeGreaterThan(0);
      expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/^\s{4}at /m);
    });

    it("loads only what it imports statically, under 500 kB, before rejecting its inputs", async () => {
      const record = join(scratch, `${name}.loads`);
      const hook = join(root, "test/build/support/record-loads.mjs");

      const result = await node(["--import", hook, entry], { ...cleanEnv(), RECORD_LOADS: record });

      expect(result.code).toBe(1);
      const files = readFileSync(record, "utf8")
        .split("\n")
        .filter((u) => u.startsWith("file:"))
        .map((u) => fileURLToPath(u))
        .filter((f) => f.startsWith(join(root, "dist")));
      expect(files).toContain(entry);
      const allowed = staticClosure(entry);
      const lazy = files.filter((f) => !allowed.has(f)).map((f) => relative(root, f));
      expect(lazy, "modules loaded with import() on the validation-failure path").toEqual([]);
      const bytes = [...new Set(files)].reduce((sum, f) => sum + readFileSync(f).length, 0);
      expect(bytes).toBeLessThanOrEqual(500_000);
    });

    const metadata = join(root, "actions", name, "action.yml");
    it.skipIf(!existsSync(metadata))("has an action.yml whose main (and post) point at built files", () => {
      const action = parse(readFileSync(metadata, "utf8")) as { runs: { using: string; main: string; post?: string } };

      expect(action.runs.using).toBe("node24");
      expect(resolve(dirname(metadata), action.runs.main)).toBe(entry);
      if (action.runs.post) {
        const post = resolve(dirname(metadata), action.runs.post);
        const source = `src/actions/${name}/post-main.ts`;
        const why = existsSync(join(root, source)) ? "run npm run build" : `${source} is not written yet`;
        expect(existsSync(post), `post: ${action.runs.post} does not exist (${why})`).toBe(true);
      }
    });
  });
}
