// Which installed packages `npm audit --omit=dev` covers: those reachable from package.json's
// "dependencies" (with their dependencies, optional and peer ones, transitively) as package-lock.json
// resolves them. build.mjs refuses a bundle that contains any other package, so every line of
// third-party code shipped in dist/ is audited.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The lockfile path a dependency `name` of the package at `from` resolves to, as Node resolves it (nearest node_modules up). */
function resolveIn(packages, from, name) {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const at = base.lastIndexOf("node_modules/");
    base = at <= 0 ? "" : base.slice(0, at - 1);
  }
}

/**
 * Package names reachable from the root's production dependencies, from a parsed package-lock.json
 * (lockfileVersion 2 or 3). A package npm marks dev-only ("dev": true) is never counted.
 */
export function productionPackages(lock) {
  const packages = lock.packages ?? {};
  const root = packages[""] ?? {};
  const names = new Set();
  const seen = new Set();
  const stack = Object.keys({ ...root.dependencies, ...root.optionalDependencies }).map((name) => ["", name]);
  while (stack.length > 0) {
    const [from, name] = stack.pop();
    const path = resolveIn(packages, from, name);
    if (!path || seen.has(path)) continue;
    seen.add(path);
    const entry = packages[path];
    if (entry.dev) continue;
    names.add(name);
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) stack.push([path, dep]);
  }
  return names;
}

/** The package name of a bundle input under node_modules, or undefined for the project's own files. */
export function packageNameOf(input) {
  const at = input.lastIndexOf("node_modules/");
  if (at < 0) return undefined;
  const parts = input.slice(at + "node_modules/".length).split("/");
  return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Bundled package names (sorted) that the production audit would not cover; empty when all are covered. */
export function unauditedPackages(bundled, root) {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
  const production = productionPackages(lock);
  return [...new Set(bundled)].filter((name) => !production.has(name)).sort();
}

/** The packages an esbuild metafile's bundle contains. */
export function bundledPackages(metafile) {
  return [...new Set(Object.keys(metafile.inputs).map(packageNameOf).filter(Boolean))].sort();
}

/** The build's complaint when a bundled package is not a production dependency; undefined when none. */
export function auditGap(metafile, root) {
  const unaudited = unauditedPackages(bundledPackages(metafile), root);
  if (unaudited.length === 0) return undefined;
  return `dist/ would bundle ${unaudited.join(", ")}, which package.json's "dependencies" do not reach (a devDependency?), so \`npm audit --omit=dev\` would not check it. Move it to "dependencies".`;
}
