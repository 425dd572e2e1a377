/**
 * The built migration-guard ships the Postgres parser's WebAssembly beside its entry
 * (dist/migration-guard/libpg-query.wasm) and parses with it from the bundle alone, as the runner
 * runs it: from another working directory, with no node_modules in reach.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const entry = join(root, "dist/migration-guard/index.js");
const workspace = mkdtempSync(join(tmpdir(), "guard-dist-"));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe.skipIf(!existsSync(entry))("dist/migration-guard", () => {
  it("has the parser's WebAssembly beside its entry", () => {
    expect(existsSync(join(root, "dist/migration-guard/libpg-query.wasm"))).toBe(true);
  });

  it("names the licenses of what the WebAssembly is compiled from: libpg_query and PostgreSQL's parser", () => {
    const licenses = readFileSync(join(root, "dist/licenses.txt"), "utf8");
    expect(licenses).toContain("libpg-query@");
    expect(licenses).toContain("Copyright (c) 2015-2023, Lukas Fittl");
    expect(licenses).toContain("Portions Copyright (c) 1994, The Regents of the University of California");
  });

  it("lints with the bundled parser: a rename fails with its rule and line", async () => {
    mkdirSync(join(workspace, "db"));
    writeFileSync(join(workspace, "db/001.sql"), "SET lock_timeout = '2s';\nALTER TABLE users RENAME COLUMN email TO email_address;\n");
    const outputs = join(workspace, "outputs");
    writeFileSync(outputs, "");
    const result = await promisify(execFile)(process.execPath, [entry], {
      cwd: workspace,
      env: { PATH: process.env.PATH ?? "", INPUT_MIGRATIONS: "db", GITHUB_WORKSPACE: workspace, GITHUB_OUTPUT: outputs },
      timeout: 20_000,
    }).catch((e: { code?: number; stdout?: string }) => e);
    expect((result as { code?: number }).code).toBe(1);
    expect((result as { stdout: string }).stdout).toContain("::error::migration-guard lint failed: 2 error(s) in 1 file(s): db/001.sql:2 contract-in-expand-file, db/001.sql:2 renaming-column");
  });
});
