/**
 * examples/deploy-with-migrations.yml, as written, on a push: the runner harness runs it against the
 * sandbox, with its psql steps on the sandbox's Postgres (PGlite, through pglite-socket). The expand
 * migration runs before deploy-green, the canary and the promotion scale the old fleet in, the gate
 * allows the contract and psql runs it, with no failed request; rollback to v1 is refused after it.
 * Without a psql client it is skipped on a workstation and FAILS in CI (CI=true), where .ci/run installs
 * Debian's postgresql-client, so CI cannot pass without having run it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startDatabase } from "../../sandbox/aws";
import { CONTRACT_SQL, databaseStage, EXPAND_SQL, SEED_SQL, writeMigrations } from "../../sandbox/demo";
import { DEMO_VARS, exampleVars } from "../../sandbox/harness";
import { runWorkflow } from "../../sandbox/runner";
import { snapshotRepo, step, timer } from "./support";

const hasPsql = (() => {
  try {
    execFileSync("psql", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let repo: ReturnType<typeof snapshotRepo>;
let workspace: string;
const times = timer();
beforeAll(() => {
  repo = snapshotRepo();
  workspace = mkdtempSync(join(tmpdir(), "zda-migrations-workflow-"));
});
afterAll(() => {
  repo?.remove();
  rmSync(workspace, { recursive: true, force: true });
  times.print();
});

it("psql is on the PATH in CI", () => {
  if (process.env.CI === "true" && !hasPsql) {
    throw new Error("CI=true but no psql was found: .ci/run installs Debian's postgresql-client");
  }
});

it.skipIf(!hasPsql)("runs expand with psql, deploys v2 (schema 2), promotes, gates and contracts, with no failed request", async () => {
  const started = Date.now();
  const db = await startDatabase();
  await db.exec(SEED_SQL);
  const stage = await databaseStage(db, { root: repo.root, workspace, rps: 40 });
  try {
    writeMigrations(workspace, { "002_add_email_address.sql": EXPAND_SQL, "003_drop_email.sql": CONTRACT_SQL });
    writeFileSync(join(workspace, "db", "schema-version"), "2\n");
    const run = await runWorkflow({
      workflow: join(repo.root, "examples", "deploy-with-migrations.yml"),
      repoRoot: repo.root,
      eventName: "push",
      workspace,
      env: { AWS_ENDPOINT_URL: stage.sandbox.endpoint },
      vars: exampleVars(stage, { ...DEMO_VARS, ALARM_NAMES: "", IMAGE_ID: stage.sandbox.environment.releases.v2! }),
      secrets: { DATABASE_URL: db.url },
      environments: ["canary", "production"],
      github: { repository: "acme/web", runId: "9101", actor: "octocat", sha: "4c1e2a9b7d3f5a6c8e0b1d2f3a4b5c6d7e8f9a0b" },
      approve: () => true,
    });
    const story = Object.values(run.jobs).flatMap((j) => j.log).join("\n");
    expect(Object.fromEntries(Object.entries(run.jobs).map(([id, j]) => [id, j.result])), story).toEqual({
      lint: "skipped",
      build: "success",
      expand: "success",
      deploy: "success",
      promote: "success",
      contract: "success",
      rollback: "skipped",
    });
    const columns = (await db.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY column_name")).map((c) => c.column_name);
    expect(columns).toEqual(["email_address", "id"]);
    const applied = (await db.query<{ file: string }>("SELECT file FROM schema_migrations ORDER BY file")).map((r) => r.file);
    expect(applied).toEqual(["db/migrations/002_add_email_address.sql", "db/migrations/003_drop_email.sql"]);
    const state = stage.sandbox.state();
    const greenArn = state.targetGroups.find((tg) => tg.name === "web-green")!.arn;
    expect(state.tags[greenArn]?.["deploy:schema-version"]).toBe("2");
    expect(state.tags[stage.sandbox.environment.listenerArn]?.["deploy:schema-contracted"]).toBe("1");
    await new Promise((r) => setTimeout(r, 1_000));
    const load = stage.load!.snapshot();
    expect(load.failed, JSON.stringify(load.byStatus)).toBe(0);

    const rollback = await step(stage, "rollback", { "listener-arn": stage.sandbox.environment.listenerArn, timeout: "60s" }, { root: repo.root });
    expect(rollback.conclusion).toBe("failure");
    expect(rollback.annotations.find((a) => a.level === "error")?.message).toMatch(/^Rollback refused: blue \(v1\) needs schema 1/);
  } finally {
    await stage.close();
    await db.close();
  }
  times.mark("deploy-with-migrations.yml on a push, psql on PGlite", started);
}, 180_000);
