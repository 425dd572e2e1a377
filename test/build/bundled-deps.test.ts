/**
 * Everything bundled into dist/ is a production dependency, so `npm audit --omit=dev` checks every
 * third-party package the actions ship. The entries are bundled as build.mjs bundles them (in memory,
 * nothing written), and each package among the bundle's inputs must be reachable from package.json's
 * "dependencies" through package-lock.json. build.mjs runs the same check and fails the build.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { auditGap, bundledPackages, productionPackages, type Lockfile } from "../../scripts/production-deps.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as Lockfile;
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

let metafile: esbuild.Metafile;

beforeAll(async () => {
  const entries = [
    ...readdirSync(join(root, "src/actions")).flatMap((a) => ["index.ts", "post.ts", "main.ts", "post-main.ts"].filter((f) => existsSync(join(root, "src/actions", a, f))).map((f) => `src/actions/${a}/${f}`)),
    "src/runtime/aws.ts",
  ];
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entries,
    bundle: true,
    platform: "node",
    target: "node20",
    mainFields: ["module", "main"],
    format: "esm",
    splitting: true,
    outdir: join(root, "dist-unwritten"),
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  metafile = result.metafile;
}, 60_000);

describe("the packages bundled into dist/", () => {
  it("include the AWS SDK, zod and yaml (what the actions import)", () => {
    const bundled = bundledPackages(metafile);
    expect(bundled).toEqual(expect.arrayContaining(["@aws-sdk/client-elastic-load-balancing-v2", "@smithy/core", "zod", "yaml"]));
  });

  it("are all production dependencies, so npm audit --omit=dev covers them", () => {
    const production = productionPackages(lock);
    const uncovered = bundledPackages(metafile).filter((name) => !production.has(name));
    expect(uncovered).toEqual([]);
    expect(auditGap(metafile, root)).toBeUndefined();
  });

  it("have no package npm marks dev-only in the lockfile", () => {
    const dev = bundledPackages(metafile).filter((name) => lock.packages?.[`node_modules/${name}`]?.dev === true);
    expect(dev).toEqual([]);
  });
});

describe("the check itself", () => {
  it("flags a bundled devDependency by name", () => {
    expect(manifest.devDependencies.vitest).toBeDefined();
    const withDev = { inputs: { ...metafile.inputs, "node_modules/vitest/dist/index.js": {} } };
    expect(auditGap(withDev, root)).toBe(
      "dist/ would bundle vitest, which package.json's \"dependencies\" do not reach (a devDependency?), so `npm audit --omit=dev` would not check it. Move it to \"dependencies\".",
    );
  });

  it("follows dependencies transitively and as Node resolves nested copies", () => {
    const fake: Lockfile = {
      packages: {
        "": { dependencies: { a: "1" } },
        "node_modules/a": { dependencies: { b: "1" } },
        "node_modules/a/node_modules/b": { dependencies: { c: "1" } },
        "node_modules/b": { dev: true },
        "node_modules/c": {},
        "node_modules/d": { dev: true },
      },
    };
    expect([...productionPackages(fake)].sort()).toEqual(["a", "b", "c"]);
  });

  it("does not count a package that only a devDependency brings in", () => {
    const fake: Lockfile = { packages: { "": { dependencies: { a: "1" }, devDependencies: { y: "1" } } as never, "node_modules/a": {}, "node_modules/y": { dev: true, dependencies: { z: "1" } }, "node_modules/z": { dev: true } } };
    expect([...productionPackages(fake)]).toEqual(["a"]);
  });
});
