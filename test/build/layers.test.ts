/**
 * The import direction of src/, checked over the import graph (every static import, re-export,
 * type-only import and dynamic import()), so CI fails when a lower layer reaches up:
 *
 *   util < ports < { domain, judge | adapters } < { analyze, migrations } < { inputs, report } < runtime < actions
 *
 * A module imports its own folder or a folder of a lower rank. domain and judge (the pure core) and
 * adapters (aws, github, metrics providers) share a rank and never import each other: the core sees
 * AWS, GitHub and metric providers only through src/ports/. analyze sits above both the judge and the
 * providers, so neither imports it; migrations (the migration lint and gate, pure over the SQL parser
 * port) shares its rank, above the domain whose slots the gate reads. Nothing imports src/actions/ but the actions' own folders.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const src = join(root, "src");

/** The layer of a folder of src/: rank, and the group within which same-rank imports are allowed. */
const LAYERS: Record<string, number> = { util: 0, ports: 1, domain: 2, judge: 2, adapters: 2, analyze: 3, migrations: 3, inputs: 4, report: 4, runtime: 5, actions: 6 };

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** The top folder of src/ a file is in: `adapters` for src/adapters/aws/elbv2.ts. */
const folderOf = (file: string) => relative(src, file).split("/")[0]!;
/** One action's folder: `actions/shift-traffic`; undefined outside src/actions/. */
const actionOf = (file: string) => (folderOf(file) === "actions" ? relative(src, file).split("/").slice(0, 2).join("/") : undefined);

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s));
}

function violations(): string[] {
  const out: string[] = [];
  for (const file of files(src)) {
    const from = folderOf(file);
    for (const target of importsOf(file)) {
      const to = folderOf(target + ".ts");
      const where = `${relative(root, file)} imports ${relative(root, target)}`;
      if (!(from in LAYERS)) out.push(`${relative(root, file)}: folder src/${from}/ has no layer; add it to LAYERS`);
      else if (!(to in LAYERS)) out.push(`${where}: src/${to}/ has no layer`);
      else if (from === to) {
        const a = actionOf(file);
        const b = actionOf(target + ".ts");
        if (a && b && a !== b) out.push(`${where}: one action's folder never imports another's; move what both need below src/actions/`);
      } else if (LAYERS[to]! >= LAYERS[from]!) out.push(`${where}: src/${from}/ (rank ${LAYERS[from]}) may import only lower layers, and src/${to}/ is rank ${LAYERS[to]}`);
    }
  }
  return out;
}

describe("the layers of src/", () => {
  it("every import runs downward: no lower layer imports a higher one, and no two siblings import each other", () => {
    expect(violations()).toEqual([]);
  });

  it("knows every folder of src/", () => {
    const folders = readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => !(f in LAYERS))).toEqual([]);
  });
});
