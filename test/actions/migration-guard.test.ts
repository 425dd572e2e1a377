/** migration-guard's entry in lint mode: inputs, files, outputs, the summary and the failure line, with no AWS. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/actions/migration-guard/index";
import { RecordingIO } from "../../src/adapters/github/io";
import { findMigrationFiles, globToRegExp } from "../../src/adapters/files/migration-files";

const workspace = mkdtempSync(join(tmpdir(), "migration-guard-"));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));
mkdirSync(join(workspace, "db/migrations/nested"), { recursive: true });
writeFileSync(join(workspace, "db/migrations/001_add_email_address.sql"), "-- migration: expand\nSET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN email_address text;\nUPDATE users SET email_address = email;\n");
writeFileSync(join(workspace, "db/migrations/nested/002_drop_email.sql"), "-- migration: contract after 1\nSET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN email;\n");
writeFileSync(join(workspace, "db/migrations/README.md"), "not SQL");
mkdirSync(join(workspace, "bad"));
writeFileSync(join(workspace, "bad/001_rename.sql"), "SET lock_timeout = '2s';\n-- ::error::forged\nALTER TABLE users RENAME COLUMN email TO \"::warning::x\";\n");

async function lint(inputs: Record<string, string>) {
  const io = new RecordingIO(inputs, {}, { GITHUB_WORKSPACE: workspace });
  const ok = await run({ io, signal: new AbortController().signal, ports: () => Promise.reject(new Error("lint mode makes no AWS call")) });
  return { ok, io };
}

describe("migration-guard lint", () => {
  it("passes a directory of expand and contract files (subdirectories included, only .sql), with outputs and a summary table", async () => {
    const { ok, io } = await lint({ migrations: "db/migrations" });
    expect(ok).toBe(true);
    expect(io.outputs.verdict).toBe("pass");
    expect(io.outputs["safe-to-run"]).toBe("");
    expect(io.outputs["expand-files"]).toBe("db/migrations/001_add_email_address.sql");
    expect(io.outputs["contract-files"]).toBe("db/migrations/nested/002_drop_email.sql");
    const findings = JSON.parse(io.outputs.findings!) as { rule: string }[];
    expect(findings.map((f) => f.rule)).toEqual(["ban-drop-column"]);
    expect(io.summary).toContain("| db/migrations/001\\_add\\_email\\_address.sql | expand | 3 | ✅ |");
    expect(io.summary).toContain("| db/migrations/nested/002\\_drop\\_email.sql | contract after 1 | 2 | ✅ |");
  });

  it("fails a rename with one ::error:: line, the recipe in the findings, and outside text neutralised in the summary", async () => {
    const { ok, io } = await lint({ migrations: "bad/*.sql" });
    expect(ok).toBe(false);
    expect(io.outputs.verdict).toBe("fail");
    const findings = JSON.parse(io.outputs.findings!) as { file: string; line: number; rule: string; phase: string; recipe: string | null; statement: string; message: string }[];
    const rename = findings.find((f) => f.rule === "renaming-column")!;
    expect(rename).toMatchObject({ file: "bad/001_rename.sql", line: 3, phase: "contract" });
    expect(Object.keys(rename).sort()).toEqual(["file", "line", "message", "phase", "recipe", "rule", "severity", "statement"]);
    expect(rename.recipe).toContain("UPDATE users SET \"::warning::x\" = email");
    const errors = io.annotations.filter((a) => a.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^migration-guard lint failed: 2 error\(s\) in 1 file\(s\): bad\/001_rename\.sql:3 contract-in-expand-file, bad\/001_rename\.sql:3 renaming-column/);
    expect(io.summary.split("\n").some((l) => /^\s*::/.test(l))).toBe(false);
    expect(io.summary).toContain("<details><summary>Recipe for bad/001_rename.sql:3 (renaming-column)</summary>");
  });

  it("names the input when the files are missing, and gate mode without an environment, before any parsing", async () => {
    const missing = await lint({ migrations: "nowhere" });
    expect(missing.ok).toBe(false);
    expect(missing.io.annotations[0]!.message).toContain('Input migrations: "nowhere" does not exist');
    const gate = await lint({ migrations: "db/migrations", mode: "gate" });
    expect(gate.io.annotations[0]!.message).toBe("Input required and not supplied: listener-arn, rule-arn or environment-tags. Give exactly one to name the environment.");
    const marker = await lint({ migrations: "db/migrations", "phase-marker": "# phase:" });
    expect(marker.io.annotations[0]!.message).toContain("Input phase-marker");
  });

  it("a custom phase marker", async () => {
    writeFileSync(join(workspace, "bad/002.sql"), "--- phase: contract after 3\nSET lock_timeout = '2s';\nDROP TABLE old_sessions;\n");
    const { io } = await lint({ migrations: "bad/002.sql", "phase-marker": "--- phase:" });
    expect(io.outputs.verdict).toBe("pass");
  });
});

describe("the findings output", () => {
  it("keeps the findings that fit in its byte budget, in order, and warns about the rest", async () => {
    const { findingsJson } = await import("../../src/actions/migration-guard/main");
    const finding = { file: "a.sql", line: 1, statement: "DROP TABLE t;", rule: "ban-drop-table" as const, severity: "warning" as const, phase: "contract" as const, message: "x".repeat(100) };
    const report = { files: [], findings: Array.from({ length: 10 }, (_, i) => ({ ...finding, line: i + 1 })), verdict: "pass" as const };
    const warnings: string[] = [];
    const all = JSON.parse(findingsJson(report, (w) => warnings.push(w))) as { line: number }[];
    expect(all).toHaveLength(10);
    expect(warnings).toEqual([]);
    const some = JSON.parse(findingsJson(report, (w) => warnings.push(w), 1000)) as { line: number }[];
    expect(some.map((f) => f.line)).toEqual([1, 2, 3, 4]);
    expect(warnings).toEqual(["The findings output holds the first 4 of 10 findings (GitHub keeps at most 1 MB of outputs); the step summary counts them all."]);
  });
});

describe("finding migration files", () => {
  it("globs with *, ? and **, sorted by path", () => {
    expect(globToRegExp("db/**/*.sql").test("db/a/b/001.sql")).toBe(true);
    expect(globToRegExp("db/**/*.sql").test("db/001.sql")).toBe(true);
    expect(globToRegExp("db/00?.sql").test("db/001.sql")).toBe(true);
    expect(globToRegExp("db/*.sql").test("db/a/001.sql")).toBe(false);
    expect(findMigrationFiles("db/**/*.sql", workspace).map((f) => f.file)).toEqual(["db/migrations/001_add_email_address.sql", "db/migrations/nested/002_drop_email.sql"]);
  });
});

describe("the gate's summary", () => {
  it("lists each slot's schema, traffic and instances, and each contract file's decision with why", async () => {
    const { renderGuardSummary } = await import("../../src/actions/migration-guard/summary");
    const report = { files: [{ file: "db/003_drop_email.sql", phase: { phase: "contract" as const, after: 1, markerLine: 1 }, statements: [{ line: 3, statement: "ALTER TABLE users DROP COLUMN email;", phase: "contract" as const }], findings: [], ok: true }], findings: [], verdict: "pass" as const };
    const slots = [
      { name: "blue", targetGroupName: "web-blue", version: "v1", schemaVersion: 1, share: 0, instances: 2 },
      { name: "green", targetGroupName: "web-green", version: "v2", schemaVersion: 2, share: 100, instances: 2 },
    ];
    const blocked = { file: "db/003_drop_email.sql", after: 1, by: [{ slot: "blue", reason: "blue (v1) has 2 instance(s), so rollback returns to it without a redeploy and needs schema 1, which this contract ends (after 1); scale it in first" }] };
    const md = renderGuardSummary("gate", report, { decision: { allowed: [], blocked: [blocked] }, slots, contracted: undefined });
    expect(md).toContain("## ❌ migration-guard gate: fail");
    expect(md).toContain("| blue | v1 | 1 | 0% | 2 | has 2 instance(s), so rollback returns to it without a redeploy |");
    expect(md).toContain("| green | v2 | 2 | 100% | 2 | serves 100% of traffic |");
    expect(md).toContain("| db/003\\_drop\\_email.sql | 1 | ⛔ not yet | blue (v1) has 2 instance(s)");
    expect(md).toContain("No schema version is recorded as contracted on the environment.");
  });
});
