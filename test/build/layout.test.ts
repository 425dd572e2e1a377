/**
 * The shape of src/: no source file over 300 lines and no function over 60, apart from the files
 * and functions named below with the reason they may be longer (generated or table-like code).
 * Each action of scripts/actions.json has its folder src/actions/<name>/ with its definition and
 * its main module, which the build turns into dist/<name>/index.js.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import catalog from "../../scripts/actions.json";

const root = join(import.meta.dirname, "../..");
const src = join(root, "src");

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;
/** Files allowed past MAX_FILE_LINES, with why (generated or table-like). None today. */
const LONG_FILES: Record<string, string> = {};
/** Functions allowed past MAX_FUNCTION_LINES (`path:name`), with why. None today. */
const LONG_FUNCTIONS: Record<string, string> = {};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

const lineCount = (text: string) => text.split("\n").length - (text.endsWith("\n") ? 1 : 0);

/** Every function-like node (declarations, methods, arrows, function expressions) with its length in lines. */
function functions(file: string): { name: string; lines: number }[] {
  const text = readFileSync(file, "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const lines = sf.getLineAndCharacterOfPosition(node.getEnd()).line - sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      const named = node.name ?? (ts.isVariableDeclaration(node.parent) || ts.isPropertyAssignment(node.parent) ? node.parent.name : undefined);
      out.push({ name: named ? named.getText(sf) : `(anonymous at line ${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1})`, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe("the layout of src/", () => {
  it(`has no source file over ${MAX_FILE_LINES} lines but the ones allowed`, () => {
    const long = sources(src)
      .map((f) => ({ file: relative(root, f), lines: lineCount(readFileSync(f, "utf8")) }))
      .filter((f) => f.lines > MAX_FILE_LINES && !(f.file in LONG_FILES))
      .map((f) => `${f.file}: ${f.lines} lines`);

    expect(long).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines but the ones allowed`, () => {
    const long = sources(src).flatMap((f) =>
      functions(f)
        .filter((fn) => fn.lines > MAX_FUNCTION_LINES && !(`${relative(root, f)}:${fn.name}` in LONG_FUNCTIONS))
        .map((fn) => `${relative(root, f)}:${fn.name}: ${fn.lines} lines`),
    );

    expect(long).toEqual([]);
  });

  it("allows no file or function that is not there any more", () => {
    const stale = [...Object.keys(LONG_FILES), ...Object.keys(LONG_FUNCTIONS).map((k) => k.split(":")[0]!)].filter((f) => !existsSync(join(root, f)));

    expect(stale).toEqual([]);
  });

  it("gives each action its folder with its definition and its main module", () => {
    const missing = catalog.actions.flatMap(({ name }) => ["definition.ts", "main.ts"].filter((f) => !existsSync(join(src, "actions", name, f))).map((f) => `src/actions/${name}/${f}`));

    expect(missing).toEqual([]);
  });
});
