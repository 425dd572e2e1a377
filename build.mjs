// Builds every action entry into dist/ with esbuild, in two parts, and a size report that checks the
// validation-failure path stays small and never loads the AWS SDK:
//
// - dist/<action>/index.js (and post.js): the validation stub, one CommonJS file with nothing to
//   import before the inputs are validated. Node loads a single CommonJS file several milliseconds
//   faster than an ES module graph (dist/<action>/package.json says "commonjs"). The build writes each
//   stub from one template (stubSource below): parse the inputs with the action's definition, then
//   import() what the action does.
// - dist/main/<action>.js (and <action>-post.js, aws-ports.js) and dist/chunks/: what each action does
//   once its inputs are valid, and the AWS ports, ES modules split into shared chunks.
//
//   node build.mjs            build dist/ and print the size table
//
// Actions follow a naming pattern, for each action in scripts/actions.json: src/actions/<action>/
// holds definition.ts (exporting `<camelCase action>Action`) and main.ts → dist/<action>/index.js
// with dist/main/<action>.js, and, for a post step, post-main.ts → dist/<action>/post.js with
// dist/main/<action>-post.js. The AWS ports, src/runtime/aws.ts, become dist/main/aws-ports.js.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { auditGap } from "./scripts/production-deps.mjs";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const BUDGET_BYTES = 500_000;
const SDK_INPUT = /(^|\/)node_modules\/@(aws-sdk|smithy)\//;
/** No HTTP client before validation: @actions/core's (for getIDToken), undici, Octokit, @actions/exec. */
const HTTP_INPUT = /(^|\/)node_modules\/(@actions\/(http-client|github|exec|io)|@octokit\/[^/]+|undici|tunnel|bottleneck)\//;

const { actions } = JSON.parse(readFileSync(join(root, "scripts/actions.json"), "utf8"));

/** `deploy-green` → `deployGreenAction`, the name its definition.ts exports. */
const definitionExport = (name) => `${name.replace(/-(\w)/g, (_, c) => c.toUpperCase())}Action`;

/** The AWS ports, imported by the runtime on first use (src/runtime/run-action.ts). */
const AWS_PORTS = { in: "src/runtime/aws.ts", out: "main/aws-ports" };

/** The entries that exist today; a missing one is named, never skipped silently. */
function discoverEntries() {
  const entries = [];
  const skipped = [];
  for (const { name } of actions) {
    const dir = `src/actions/${name}`;
    const base = { action: name, definition: `${dir}/definition.ts`, definitionExport: definitionExport(name) };
    if (existsSync(join(root, dir, "definition.ts")) && existsSync(join(root, dir, "main.ts"))) {
      entries.push({ ...base, kind: "main", main: `${dir}/main.ts`, out: `${name}/index`, mainOut: `main/${name}` });
    } else skipped.push(`${name}: ${dir}/definition.ts or main.ts does not exist yet, so dist/${name}/index.js is not built`);
    if (existsSync(join(root, dir, "post-main.ts"))) entries.push({ ...base, kind: "post", main: `${dir}/post-main.ts`, out: `${name}/post`, mainOut: `main/${name}-post` });
  }
  const known = new Set(actions.map((a) => a.name));
  const strays = readdirSync(join(root, "src/actions"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !known.has(d.name))
    .map((d) => `src/actions/${d.name}/`)
    .sort();
  return { entries, skipped, strays };
}

/**
 * The one template of every validation stub: parse the inputs (runAction), then import() the main
 * module, which stays an import() of the main build's output (mainModulesExternal).
 */
function stubSource(entry) {
  return [
    `import { ${entry.definitionExport} } from "./${entry.definition}";`,
    'import { runAction } from "./src/runtime/run-action";',
    `void runAction(${entry.definitionExport}, async (settings, ctx) => (await import("./${entry.main}")).main(settings, ctx)${entry.kind === "post" ? ", { post: true }" : ""});`,
  ].join("\n");
}

const generatedStubs = (entries) => ({
  name: "generated-stubs",
  setup(build) {
    build.onResolve({ filter: /^stub:/ }, (args) => ({ path: args.path.slice("stub:".length), namespace: "stub" }));
    build.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({ contents: stubSource(entries.find((e) => e.out === args.path)), resolveDir: root, loader: "ts" }));
  },
});

/** A stub's (and the runtime's) import() of a main module stays an import() of dist/main/<name>.js. */
const mainModulesExternal = (mainModules) => ({
  name: "main-modules-external",
  setup(build) {
    build.onResolve({ filter: /^\./, namespace: "file" }, (args) => mainExternal(mainModules, args));
    build.onResolve({ filter: /^\./, namespace: "stub" }, (args) => mainExternal(mainModules, args));
  },
});

function mainExternal(mainModules, args) {
  if (args.kind !== "dynamic-import") return undefined;
  const target = relative(root, resolve(args.resolveDir, args.path)).replace(/\.ts$/, "");
  const out = mainModules.get(target);
  return out ? { path: `../${out}.js`, external: true } : undefined;
}

/**
 * @actions/core imports its HTTP client (and through it undici) for getIDToken, and @actions/exec
 * for its platform details; the entries use neither. These packages declare no "sideEffects", so
 * esbuild would keep every module they import; marked free of side effects here, only what the
 * entries call is bundled, and nothing of an HTTP client is parsed before the inputs are valid.
 */
const SIDE_EFFECT_FREE_PACKAGE = /^(@actions\/(core|exec|io|http-client)|undici|tunnel)(\/|$)/;
const SIDE_EFFECT_FREE_FILE = /(^|[\\/])node_modules[\\/](@actions[\\/](core|exec|io|http-client)|undici|tunnel)[\\/]/;
const toolkitSideEffectFree = {
  name: "toolkit-side-effect-free",
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.sideEffectFree || !(SIDE_EFFECT_FREE_PACKAGE.test(args.path) || SIDE_EFFECT_FREE_FILE.test(args.importer))) return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { sideEffectFree: true } });
      if (resolved.errors.length > 0 || resolved.external || !SIDE_EFFECT_FREE_FILE.test(resolved.path)) return undefined;
      return { path: resolved.path, sideEffects: false };
    });
  },
};

/**
 * Two Node modules that @actions/core loads at once cost the validation-failure path for nothing:
 * node:crypto (about 4 ms and 3 MiB), for the delimiter of an output or state written to a file,
 * and fs.promises (1.3 MiB), which its summary module takes apart as it loads. In the entries, the
 * toolkit gets shims of the two that load them on first use. A name a shim lacks is a build error.
 */
const LAZY_BUILTINS = [
  { name: "crypto", importer: /[\\/]@actions[\\/]core[\\/]/, contents: 'export function randomUUID() { return require("node:crypto").randomUUID(); }' },
  {
    name: "fs",
    importer: /[\\/]@actions[\\/]core[\\/]lib[\\/]summary\.js$/,
    contents: [
      'export const constants = require("node:fs").constants;',
      'export const promises = new Proxy({}, { get: (_, name) => (...args) => require("node:fs").promises[name](...args) });',
    ].join("\n"),
  },
];
const toolkitLazyBuiltins = {
  name: "toolkit-lazy-builtins",
  setup(build) {
    build.onResolve({ filter: /^(node:)?(crypto|fs)$/ }, (args) => {
      const name = args.path.replace(/^node:/, "");
      const shim = LAZY_BUILTINS.find((b) => b.name === name && b.importer.test(args.importer));
      return shim ? { path: shim.name, namespace: "toolkit-lazy-builtin" } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: "toolkit-lazy-builtin" }, (args) => ({ contents: LAZY_BUILTINS.find((b) => b.name === args.path).contents, loader: "js" }));
  },
};

/**
 * libpg-query (migration-guard's Postgres parser) is Emscripten output that finds its WebAssembly
 * file next to itself through `__dirname`, which an ES module does not have. In the bundle it looks
 * in dist/migration-guard/ (every chunk is one folder below dist/), where the build copies the file.
 */
const PG_QUERY_JS = /[\\/]libpg-query[\\/]wasm[\\/]libpg-query\.js$/;
const PG_QUERY_WASM = "node_modules/libpg-query/wasm/libpg-query.wasm";
const pgQueryWasmBeside = {
  name: "pg-query-wasm-beside",
  setup(build) {
    build.onLoad({ filter: PG_QUERY_JS }, (args) => ({
      // The banner's require() resolves from the chunk's own file.
      contents: `var __dirname = require("node:path").dirname(require.resolve("../migration-guard/libpg-query.wasm"));\n${readFileSync(args.path, "utf8")}`,
      loader: "js",
    }));
  },
};

/** The CommonJS entries: `import.meta.url` (to tell whether the file is the script node runs) from __filename. */
const cjsBanner = [
  "/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */",
  'var __zdaEntryUrl = require("node:url").pathToFileURL(__filename).href;',
].join("\n");

const banner = [
  "/*! zero-downtime-actions | MIT License | third-party licenses: dist/licenses.txt */",
  // CommonJS dependencies inside the ESM bundle call require() for Node built-ins.
  'import { createRequire as __zdaCreateRequire } from "node:module";',
  "const require = __zdaCreateRequire(import.meta.url);",
].join("\n");

function packageOf(input) {
  const at = input.lastIndexOf("node_modules/");
  if (at < 0) return undefined;
  const parts = input.slice(at + "node_modules/".length).split("/");
  const name = parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  return { name, dir: input.slice(0, at) + "node_modules/" + name };
}

const LICENSE_FILES = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license", "license.md", "LICENCE", "LICENCE.md"];

/** dist/licenses.txt: every bundled package with its version and license, identical texts grouped. */
function licenses(metafile) {
  const packages = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const input of Object.keys(output.inputs)) {
      const pkg = packageOf(input);
      if (pkg && !packages.has(pkg.name)) packages.set(pkg.name, pkg.dir);
    }
  }
  const byText = new Map();
  for (const name of [...packages.keys()].sort()) {
    const dir = join(root, packages.get(name));
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const file = LICENSE_FILES.find((f) => existsSync(join(dir, f)));
    const text = file ? readFileSync(join(dir, file), "utf8").replace(/\r\n/g, "\n").trim() : `(no license file; package.json says ${manifest.license ?? "nothing"})`;
    const line = `${name}@${manifest.version} (${manifest.license ?? "unknown license"})`;
    byText.set(text, [...(byText.get(text) ?? []), line]);
  }
  const sections = [...byText.entries()].map(([text, names]) => `${names.join("\n")}\n\n${text}\n`);
  return `Third-party software bundled in dist/\n\n${sections.join("\n-----\n\n")}`;
}

/**
 * The output files an entry can reach: with `staticOnly`, those it loads before any dynamic import()
 * (itself and its static chunk imports); otherwise every file, dynamic imports included. An entry's
 * import() of its main module is external to the entry's build: `../main/<name>.js` → dist/main/<name>.js.
 */
function closure(metafile, start, staticOnly) {
  const seen = new Set();
  const stack = [start];
  while (stack.length > 0) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of metafile.outputs[file].imports) {
      if (staticOnly && imp.kind !== "import-statement" && imp.kind !== "require-call") continue;
      if (!imp.external) stack.push(imp.path);
      else if (imp.path.startsWith("../main/")) stack.push(`dist/main/${basename(imp.path)}`);
    }
  }
  return [...seen];
}

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

function report(metafile, entries) {
  const rows = [];
  const problems = [];
  for (const entry of entries) {
    const out = relative(root, join(dist, `${entry.out}.js`));
    const statics = closure(metafile, out, true);
    const all = closure(metafile, out, false);
    const size = (files) => files.reduce((sum, f) => sum + metafile.outputs[f].bytes, 0);
    const staticBytes = size(statics);
    rows.push([out, kB(metafile.outputs[out].bytes), String(statics.length - 1), kB(staticBytes), kB(size(all) - staticBytes)]);
    if (staticBytes > BUDGET_BYTES) {
      problems.push(`${out} loads ${kB(staticBytes)} before its inputs are validated; the budget is ${kB(BUDGET_BYTES)}. Move heavy imports behind import().`);
    }
    if (statics.some((f) => Object.keys(metafile.outputs[f].inputs).some((i) => /node_modules\/zod\/v4\/locales\/(?!en\.js)/.test(i)))) {
      console.log(`warning: ${out} loads zod's locales before validation; import zod through src/util/zod.ts (zod/mini with English messages only).`);
    }
    const sdk = statics.flatMap((f) => Object.keys(metafile.outputs[f].inputs).filter((i) => SDK_INPUT.test(i)).map((i) => `${f}: ${i}`));
    if (sdk.length > 0) {
      problems.push(`${out} loads the AWS SDK before its inputs are validated (a static import reaches it); import it with import() instead:\n    ${sdk.slice(0, 5).join("\n    ")}`);
    }
    const http = statics.flatMap((f) => Object.keys(metafile.outputs[f].inputs).filter((i) => HTTP_INPUT.test(i)).map((i) => `${f}: ${i}`));
    if (http.length > 0) {
      problems.push(`${out} loads an HTTP client before its inputs are validated; import it with import(), or mark the package free of side effects (toolkitSideEffectFree):\n    ${http.slice(0, 5).join("\n    ")}`);
    }
  }
  const header = ["entry", "entry file", "static chunks", "loaded before validation", "loaded lazily"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${rows.map(line).join("\n")}`);
  console.log(`budget: ${kB(BUDGET_BYTES)} loaded before validation per entry, with no AWS SDK or HTTP client module in it`);
  return problems;
}

async function main() {
  const { entries, skipped, strays } = discoverEntries();
  for (const s of skipped) console.log(`skip ${s}`);
  for (const s of strays) console.log(`note: ${s} is not an action of scripts/actions.json, so nothing is built from it`);

  rmSync(dist, { recursive: true, force: true });
  if (entries.length === 0) {
    console.log("No entry exists yet: dist/ is empty.");
    return;
  }

  const mainEntries = [...entries.map((e) => ({ in: e.main, out: e.mainOut })), AWS_PORTS];
  const mainModules = new Map(mainEntries.map((e) => [e.in.replace(/\.ts$/, ""), e.out]));
  const common = { absWorkingDir: root, bundle: true, platform: "node", target: "node20", mainFields: ["module", "main"], minify: true, legalComments: "eof", sourcemap: false, metafile: true, logLevel: "warning" };
  let mains;
  let starts;
  try {
    mains = await esbuild.build({
      ...common,
      entryPoints: mainEntries,
      outdir: "dist",
      chunkNames: "chunks/[name]-[hash]",
      splitting: true,
      format: "esm",
      banner: { js: banner },
      plugins: [pgQueryWasmBeside],
    });
    starts = await esbuild.build({
      ...common,
      entryPoints: entries.map((e) => ({ in: `stub:${e.out}`, out: e.out })),
      outdir: "dist",
      format: "cjs",
      banner: { js: cjsBanner },
      define: { "import.meta.url": "__zdaEntryUrl" },
      plugins: [generatedStubs(entries), mainModulesExternal(mainModules), toolkitLazyBuiltins, toolkitSideEffectFree],
    });
  } catch {
    // esbuild has already printed each error with its file and line.
    console.error("Build failed: fix the errors above.");
    process.exit(1);
  }
  const result = { metafile: { inputs: { ...mains.metafile.inputs, ...starts.metafile.inputs }, outputs: { ...mains.metafile.outputs, ...starts.metafile.outputs } } };
  for (const action of new Set(entries.map((e) => e.action))) {
    writeFileSync(join(dist, action, "package.json"), `${JSON.stringify({ type: "commonjs", private: true }, null, 2)}\n`);
  }

  const shipsParser = Object.keys(result.metafile.inputs).some((i) => PG_QUERY_JS.test(i));
  if (shipsParser) {
    if (!existsSync(join(dist, "migration-guard"))) mkdirSync(join(dist, "migration-guard"));
    copyFileSync(join(root, PG_QUERY_WASM), join(dist, "migration-guard", "libpg-query.wasm"));
  }
  writeFileSync(join(dist, "package.json"), `${JSON.stringify({ type: "module", private: true }, null, 2)}\n`);
  const wasmNotice = shipsParser ? `\n-----\n\n${readFileSync(join(root, "scripts/licenses/libpg-query-wasm.txt"), "utf8")}` : "";
  writeFileSync(join(dist, "licenses.txt"), licenses(result.metafile) + wasmNotice);

  const problems = report(result.metafile, entries);
  const gap = auditGap(result.metafile, root);
  if (gap) problems.push(gap);
  console.log(`built ${entries.length} entr${entries.length === 1 ? "y" : "ies"} into dist/ (${Object.keys(result.metafile.outputs).length} files)`);
  if (problems.length > 0) {
    console.error(`\nBuild failed:\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
}

await main();
