/**
 * The sandbox is four siblings and two entry-point folders, and none reaches into another's insides:
 *
 * - `sandbox/aws/`: the AWS emulator (API server, data plane, world, fleet, metrics, load);
 * - `sandbox/runner/`: the GitHub Actions runner, tied to nothing else in the sandbox;
 * - `sandbox/harness/`: what the end-to-end tests, the bench and the demo use to stage scenarios;
 * - `sandbox/demo/`: `npm run demo`;
 * - `sandbox/cli/`: the `npm run sandbox` and `npm run local` commands (nothing imports them);
 * - `sandbox/test/<sibling>/`: each sibling's own tests.
 *
 * A file outside a sibling imports it only through its `index.ts`; only that sibling's own tests
 * (under `sandbox/test/<sibling>/`) may import its other files. The siblings depend on each other in
 * one direction only (ALLOWED below). The check reads every TypeScript and JavaScript file of the
 * repository and resolves its relative imports (static, `export … from`, dynamic `import()`,
 * `require()` and `vi.mock()`).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..", "..");
const SIBLINGS = ["aws", "runner", "harness", "demo", "cli"] as const;
type Sibling = (typeof SIBLINGS)[number];
/** The siblings each may import (through their index); outside the sandbox, anything but the cli. */
const ALLOWED: Record<Sibling, readonly Sibling[]> = {
  aws: [],
  runner: [],
  harness: ["aws", "runner"],
  demo: ["aws", "runner", "harness"],
  cli: ["aws", "runner"],
};
const OUTSIDE: readonly Sibling[] = ["aws", "runner", "harness", "demo"];
/** Siblings with a public API, in `sandbox/<name>/index.ts`. */
const LIBRARIES: readonly Sibling[] = ["aws", "runner", "harness", "demo"];
const SCANNED = ["src", "test", "sandbox", "bench", "scripts", "infra"];
const SKIPPED = new Set(["node_modules", "dist", "coverage", "cdk.out"]);
const CODE = /\.(?:ts|mts|cts|mjs|cjs|js)$/;

/** Relative module specifiers of one file: imports, re-exports, import(), require() and vi.mock(). */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\b[^"'`;]*?\bfrom\s*["'](\.[^"']*)["']/g, /\bimport\s*["'](\.[^"']*)["']/g, /\b(?:import|require|vi\.mock)\s*\(\s*["'](\.[^"']*)["']/g];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** The repository file a specifier names: the path itself, with a code extension, or a folder's index. */
export function resolveSpecifier(from: string, spec: string, exists: (path: string) => boolean): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const candidates = [base, `${base}.ts`, `${base}.mts`, `${base}.js`, `${base}.mjs`, `${base}/index.ts`, `${base}/index.js`];
  return candidates.find(exists);
}

interface Place {
  /** The sibling the file belongs to. */
  sibling?: Sibling;
  /** The sibling whose own tests the file is. */
  testOf?: Sibling;
}

export function placeOf(path: string): Place {
  const parts = path.split("/");
  if (parts[0] !== "sandbox") return {};
  if (parts[1] === "test") return SIBLINGS.includes(parts[2] as Sibling) && parts.length > 3 ? { testOf: parts[2] as Sibling } : {};
  return SIBLINGS.includes(parts[1] as Sibling) && parts.length > 2 ? { sibling: parts[1] as Sibling } : {};
}

/** Every import that breaks the rules, in words; `files` maps repository paths to their text. */
export function siblingViolations(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const exists = (path: string) => files.has(path);
  for (const [from, source] of files) {
    const here = placeOf(from);
    for (const spec of specifiers(source)) {
      const target = resolveSpecifier(from, spec, exists);
      if (target === undefined) continue;
      const there = placeOf(target).sibling;
      if (there === undefined || there === here.sibling) continue;
      if (here.testOf === there) continue;
      if (!LIBRARIES.includes(there)) {
        problems.push(`${from} imports "${spec}": sandbox/${there}/ holds entry points only, which nothing imports`);
        continue;
      }
      if (target !== `sandbox/${there}/index.ts`) {
        problems.push(`${from} imports "${spec}", inside sandbox/${there}/: import sandbox/${there}/index.ts instead (or export what it needs from there)`);
        continue;
      }
      const allowed = here.sibling !== undefined ? ALLOWED[here.sibling] : here.testOf !== undefined ? SIBLINGS : OUTSIDE;
      if (!allowed.includes(there)) {
        const who = here.sibling !== undefined ? `sandbox/${here.sibling}/` : from;
        problems.push(`${from} imports sandbox/${there}/, which ${who} may not depend on (it may import: ${allowed.join(", ") || "no other sibling"})`);
      }
    }
  }
  return problems;
}

function walk(dir: string, out: Map<string, string>): void {
  for (const name of readdirSync(join(ROOT, dir))) {
    if (SKIPPED.has(name) || name.startsWith(".")) continue;
    const path = dir === "" ? name : `${dir}/${name}`;
    const stats = statSync(join(ROOT, path));
    if (stats.isDirectory()) walk(path, out);
    else if (CODE.test(name) || name.endsWith(".json")) out.set(path, CODE.test(name) ? readFileSync(join(ROOT, path), "utf8") : "");
  }
}

function repositoryFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of SCANNED) walk(dir, files);
  for (const name of readdirSync(ROOT)) if (CODE.test(name) && statSync(join(ROOT, name)).isFile()) files.set(name, readFileSync(join(ROOT, name), "utf8"));
  return files;
}

describe("the sandbox's siblings", () => {
  const files = repositoryFiles();

  it("import each other, and are imported from outside, only through each sibling's index.ts, in one direction", () => {
    expect(siblingViolations(files)).toEqual([]);
  });

  it("each have a public index.ts, and nothing else sits in sandbox/ but the siblings, their tests and the README", () => {
    for (const name of LIBRARIES) expect(files.has(`sandbox/${name}/index.ts`), `sandbox/${name}/index.ts`).toBe(true);
    // node_modules/ (a local tool cache) is ignored by git and is no part of the layout.
    const top = readdirSync(join(ROOT, "sandbox")).filter((name) => name !== "node_modules").sort();
    expect(top).toEqual(["README.md", ...SIBLINGS, "test"].sort());
    const testFolders = readdirSync(join(ROOT, "sandbox", "test")).filter((name) => statSync(join(ROOT, "sandbox", "test", name)).isDirectory());
    expect(testFolders.filter((name) => !SIBLINGS.includes(name as Sibling))).toEqual([]);
  });

  it("are checked for real: the graph is read, and an import into a sibling's insides is caught", () => {
    // The tests and the bench do import the siblings, so the scan sees imports to check.
    const imported = [...files].filter(([from, source]) => specifiers(source).some((spec) => placeOf(resolveSpecifier(from, spec, (p) => files.has(p)) ?? "").sibling !== undefined));
    expect(imported.length).toBeGreaterThan(20);
    const fake = new Map([
      ["sandbox/aws/index.ts", 'export { x } from "./world/x";'],
      ["sandbox/aws/world/x.ts", "export const x = 1;"],
      ["sandbox/runner/index.ts", 'import { x } from "../aws";\nexport const y = x;'],
      ["sandbox/harness/index.ts", 'export { x } from "../aws";'],
      ["sandbox/harness/stage.ts", 'import type { X } from "../aws/world/x";\nconst later = () => import("../runner");'],
      ["sandbox/cli/local.ts", 'export * from "../harness";'],
      ["sandbox/demo/index.ts", 'import { x } from "../cli/local";'],
      ["sandbox/test/aws/x.test.ts", 'import { x } from "../../aws/world/x";'],
      ["sandbox/test/runner/y.test.ts", 'import { x } from "../../aws/world/x";'],
      ["test/e2e/a.test.ts", 'import { x } from "../../sandbox/aws";\nvi.mock("../../sandbox/aws/world/x");'],
      ["bench/b.ts", 'import { x } from "../sandbox/cli/local";'],
    ]);
    expect(siblingViolations(fake)).toEqual([
      'sandbox/runner/index.ts imports sandbox/aws/, which sandbox/runner/ may not depend on (it may import: no other sibling)',
      'sandbox/harness/stage.ts imports "../aws/world/x", inside sandbox/aws/: import sandbox/aws/index.ts instead (or export what it needs from there)',
      'sandbox/cli/local.ts imports sandbox/harness/, which sandbox/cli/ may not depend on (it may import: aws, runner)',
      'sandbox/demo/index.ts imports "../cli/local": sandbox/cli/ holds entry points only, which nothing imports',
      'sandbox/test/runner/y.test.ts imports "../../aws/world/x", inside sandbox/aws/: import sandbox/aws/index.ts instead (or export what it needs from there)',
      'test/e2e/a.test.ts imports "../../sandbox/aws/world/x", inside sandbox/aws/: import sandbox/aws/index.ts instead (or export what it needs from there)',
      'bench/b.ts imports "../sandbox/cli/local": sandbox/cli/ holds entry points only, which nothing imports',
    ]);
  });
});
