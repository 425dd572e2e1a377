/**
 * The migration guard on the sandbox with a real Postgres (PGlite): the rename of users.email by
 * expand/contract with zero failed requests, the contract refused while v1 could be rolled back to,
 * allowed once v1 is scaled in, and rollback to v1 refused afterwards; then the same rename in one
 * step, which fails requests.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rehearseExpandContract, rehearseOneStep } from "../../sandbox/demo";
import { snapshotRepo, timer } from "./support";

let repo: ReturnType<typeof snapshotRepo>;
const workspaces: string[] = [];
const times = timer();
beforeAll(() => {
  repo = snapshotRepo();
  if (!existsSync(join(repo.root, "dist/migration-guard/index.js"))) throw new Error("dist/migration-guard/index.js is missing: run npm run build first");
});
afterAll(() => {
  repo?.remove();
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
  times.print();
});
const workspace = () => {
  const dir = mkdtempSync(join(tmpdir(), "zda-migrations-"));
  workspaces.push(dir);
  return dir;
};

it("renames a column by expand/contract with zero failed requests; the early contract is refused, and rollback to v1 after it", async () => {
  const started = Date.now();
  const result = await rehearseExpandContract({ root: repo.root, workspace: workspace() });

  expect(result.lint.outputs.verdict).toBe("pass");
  expect(result.earlyGate.conclusion).toBe("failure");
  expect(result.earlyGate.outputs.verdict).toBe("fail");
  expect(result.earlyGate.outputs["safe-to-run"]).toBe("");
  expect(result.earlyGate.annotations.find((a) => a.level === "error")?.message).toContain("blue (v1) has 2 instance(s), so rollback returns to it without a redeploy and needs schema 1");
  expect(result.gate.outputs.verdict).toBe("pass");
  expect(result.gate.outputs["safe-to-run"]).toBe("db/migrations/003_drop_email.sql");
  expect(result.gate.outputs["contracted-schema"]).toBe("1");
  expect(result.emailDropped).toBe(true);
  expect(result.refusedRollback.conclusion).toBe("failure");
  expect(result.refusedRollback.annotations.find((a) => a.level === "error")?.message).toMatch(/^Rollback refused: blue \(v1\) needs schema 1/);
  expect(result.requests).toBeGreaterThan(100);
  expect(result.failed).toBe(0);
  expect(result.byVersion.v1!.ok).toBeGreaterThan(0);
  expect(result.byVersion.v2!.ok).toBeGreaterThan(0);
  expect(result.modelViolations).toBe(0);
  expect(result.invariantViolations).toBe(0);
  times.mark("expand/contract rehearsal", started);
}, 120_000);

it("the same rename in one step fails the requests v1 answers until v2 takes the traffic", async () => {
  const started = Date.now();
  const result = await rehearseOneStep({ root: repo.root, workspace: workspace() });

  expect(result.lint.outputs.verdict).toBe("fail");
  expect(result.byVersion.v1!.failed).toBeGreaterThan(10);
  expect(result.failed).toBeGreaterThan(10);
  times.mark("one-step rename", started);
}, 120_000);
