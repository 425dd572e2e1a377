/**
 * `npm run demo:migrations`: the rename of users.email to users.email_address rehearsed on the
 * sandbox with a real Postgres (PGlite), as the migration guard makes a team do it, then as it is
 * often done in one step.
 *
 * Run 1, expand/contract: v1 reads and writes email; the expand migration adds email_address, a
 * trigger that keeps both equal, and the backfill; v2 (schema 2) reads and writes email_address; the
 * gate refuses the contract while v1 is warm and rollback could return to it; once v1 is scaled in,
 * the gate allows it and records schema 1 as contracted, the contract drops email, and rollback to
 * v1 is refused. Promise: zero failed requests throughout.
 *
 * Run 2, one step: RENAME COLUMN before deploying v2 (the lint fails it, shown; it runs anyway):
 * every request v1 answers fails until v2 takes the traffic.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AutoScalingClient, UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { recheckCalls, startDatabase, type SandboxDatabase } from "../aws";
import { actionDir, type ActionName, sandboxStableFor, type Stage, startStage, waitFor, weightInvariantViolations } from "../harness";
import { type ActionRunResult, runAction } from "../runner";
import { CONTRACT_SQL, EXPAND_SQL, ONE_STEP_SQL, SEED_SQL } from "./rehearsal-sql";

export interface RehearsalOptions {
  /** The repository whose actions/ and dist/ run. */
  root: string;
  /** A scratch directory (the workflow's workspace with its db/migrations). */
  workspace: string;
  print?: (line: string) => void;
  rps?: number;
  timeScale?: number;
}

export interface ExpandContractResult {
  lint: ActionRunResult;
  earlyGate: ActionRunResult;
  gate: ActionRunResult;
  refusedRollback: ActionRunResult;
  /** Requests and failures from before the expand migration to after the contract. */
  requests: number;
  failed: number;
  byVersion: Record<string, { ok: number; failed: number }>;
  emailDropped: boolean;
  /** AWS requests that broke the API models (real AWS rejects them), and weight given to a group with no healthy target. */
  modelViolations: number;
  invariantViolations: number;
}

export interface OneStepResult {
  lint: ActionRunResult;
  requests: number;
  failed: number;
  byVersion: Record<string, { ok: number; failed: number }>;
}

type Runner = (name: ActionName, inputs: Record<string, string>) => Promise<ActionRunResult>;

function runnerFor(stage: Stage, options: RehearsalOptions): Runner {
  return (name, inputs) =>
    runAction({
      action: actionDir(name, options.root),
      inputs: name === "deploy-green" ? { "stable-for": sandboxStableFor(stage), ...inputs } : inputs,
      github: { repository: "acme/web", runId: "4343" },
      workspace: options.workspace,
      env: stage.awsEnv,
    });
}

/** Starts a stage whose v1 (blue, schema 1) and v2 (schema 2) read and write users in `db`. */
export async function databaseStage(db: SandboxDatabase, options: RehearsalOptions): Promise<Stage> {
  const stage = await startStage({ rps: options.rps ?? 40, timeScale: options.timeScale ?? 25, seed: 11, stableTags: { "deploy:schema-version": "1" } });
  try {
    const { releases } = stage.sandbox.environment;
    stage.sandbox.setRelease(releases.v1!, { database: { url: db.url, reads: "email", writes: ["email"] } });
    stage.sandbox.setRelease(releases.v2!, { database: { url: db.url, reads: "email_address", writes: ["email_address"] } });
    return stage;
  } catch (error) {
    await stage.close();
    throw error;
  }
}

export function writeMigrations(workspace: string, files: Record<string, string>): void {
  const dir = join(workspace, "db", "migrations");
  mkdirSync(dir, { recursive: true });
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
}

function countsSince(stage: Stage, since: { total: number; failed: number }, sinceSecond: number): Pick<ExpandContractResult, "requests" | "failed" | "byVersion"> {
  const now = stage.load!.snapshot();
  const byVersion: Record<string, { ok: number; failed: number }> = {};
  for (const second of now.timeline.slice(sinceSecond)) {
    for (const [version, c] of Object.entries(second.byVersion)) {
      const t = (byVersion[version] ??= { ok: 0, failed: 0 });
      t.ok += c.ok;
      t.failed += c.failed;
    }
  }
  return { requests: now.total - since.total, failed: now.failed - since.failed, byVersion };
}

async function deployV2(stage: Stage, run: Runner, say: (l: string) => void): Promise<void> {
  const listener = stage.sandbox.environment.listenerArn;
  const deploy = await run("deploy-green", { "listener-arn": listener, "image-id": stage.sandbox.environment.releases.v2!, version: "v2", "schema-version": "2", timeout: "90s" });
  say(`deploy-green v2 (schema-version 2): ${deploy.conclusion}`);
  if (deploy.conclusion !== "success") throw new Error(`deploy-green v2 failed:\n${deploy.log.slice(-15).join("\n")}`);
  const shift = await run("shift-traffic", { "listener-arn": listener, steps: "50,100", interval: "1s" });
  say(`shift-traffic to v2 (50%, 100%): ${shift.conclusion}`);
  if (shift.conclusion !== "success") throw new Error(`shift-traffic failed:\n${shift.log.slice(-15).join("\n")}`);
}

async function scaleInBlue(stage: Stage): Promise<void> {
  const client = new AutoScalingClient({ endpoint: stage.sandbox.endpoint, region: stage.sandbox.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  await client.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "web-blue", MinSize: 0, DesiredCapacity: 0 }));
  client.destroy();
  await waitFor("web-blue to have no instance left", () => !stage.sandbox.state().instances.some((i) => i.group === "web-blue" && !i.dead), 30_000);
}

/** A rehearsal's frame: a seeded database, a stage on it, its runner and the migrations written; the stage and the database closed at the end. */
async function rehearse<T>(
  options: RehearsalOptions,
  migrations: Record<string, string>,
  body: (r: { db: SandboxDatabase; stage: Stage; run: Runner; say: (line: string) => void }) => Promise<T>,
): Promise<T> {
  const say = options.print ?? (() => undefined);
  const db = await startDatabase();
  let stage: Stage | undefined;
  try {
    await db.exec(SEED_SQL);
    stage = await databaseStage(db, options);
    const run = runnerFor(stage, options);
    writeMigrations(options.workspace, migrations);
    return await body({ db, stage, run, say });
  } finally {
    await stage?.close();
    await db.close();
  }
}

/** Lets the load run a second more, then marks where the counts of countsSince start. */
async function markLoad(stage: Stage): Promise<{ before: { total: number; failed: number }; fromSecond: number }> {
  await new Promise((r) => setTimeout(r, 1_000));
  const before = stage.load!.snapshot();
  return { before, fromSecond: before.timeline.length };
}

export async function rehearseExpandContract(options: RehearsalOptions): Promise<ExpandContractResult> {
  return rehearse(options, { "002_add_email_address.sql": EXPAND_SQL, "003_drop_email.sql": CONTRACT_SQL }, async ({ db, stage, run, say }) => {
    const listener = stage.sandbox.environment.listenerArn;
    const lint = await run("migration-guard", { mode: "lint", migrations: "db/migrations" });
    say(`migration-guard lint: ${lint.outputs.verdict} (${JSON.parse(lint.outputs.findings ?? "[]").length} finding(s))`);
    const { before, fromSecond } = await markLoad(stage);
    await db.exec(EXPAND_SQL);
    say("expand migration run (psql -f db/migrations/002_add_email_address.sql): email_address added, both columns kept equal, backfilled");
    await deployV2(stage, run, say);
    const earlyGate = await run("migration-guard", { mode: "gate", migrations: "db/migrations", "listener-arn": listener });
    say(`gate while v1 is warm: ${earlyGate.outputs.verdict} — ${earlyGate.annotations.find((a) => a.level === "error")?.message ?? ""}`);
    await scaleInBlue(stage);
    say("web-blue (v1) scaled in");
    const gate = await run("migration-guard", { mode: "gate", migrations: "db/migrations", "listener-arn": listener });
    say(`gate after the scale-in: ${gate.outputs.verdict}; safe to run: ${gate.outputs["safe-to-run"] || "nothing"}; contracted schema ${gate.outputs["contracted-schema"]}`);
    if (gate.outputs.verdict === "pass") await db.exec(CONTRACT_SQL);
    const columns = await db.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'users'");
    await new Promise((r) => setTimeout(r, 1_000));
    const counts = countsSince(stage, before, fromSecond);
    say(`contract migration run: users has ${columns.map((c) => c.column_name).join(", ")}; ${counts.failed} failed of ${counts.requests} requests since the expand`);
    const refusedRollback = await run("rollback", { "listener-arn": listener, timeout: "60s" });
    say(`rollback to v1 after the contract: ${refusedRollback.conclusion} — ${refusedRollback.annotations.find((a) => a.level === "error")?.message ?? ""}`);
    const modelViolations = recheckCalls(stage.sandbox.calls()).violations.length;
    const invariantViolations = weightInvariantViolations(stage.sandbox.state().weightHistory, { since: stage.readyAt }).length;
    return { lint, earlyGate, gate, refusedRollback, ...counts, emailDropped: !columns.some((c) => c.column_name === "email"), modelViolations, invariantViolations };
  });
}

export async function rehearseOneStep(options: RehearsalOptions): Promise<OneStepResult> {
  return rehearse(options, { "010_rename_email.sql": ONE_STEP_SQL }, async ({ db, stage, run, say }) => {
    const lint = await run("migration-guard", { mode: "lint", migrations: "db/migrations/010_rename_email.sql" });
    say(`migration-guard lint of the one-step rename: ${lint.outputs.verdict} — ${lint.annotations.find((a) => a.level === "error")?.message ?? ""}`);
    const { before, fromSecond } = await markLoad(stage);
    await db.exec(ONE_STEP_SQL);
    say("one-step rename run anyway (ALTER TABLE users RENAME COLUMN email TO email_address), then v2 deployed");
    await deployV2(stage, run, say);
    await new Promise((r) => setTimeout(r, 1_000));
    const counts = countsSince(stage, before, fromSecond);
    say(`${counts.failed} failed of ${counts.requests} requests from the rename until v2 took all traffic`);
    return { lint, ...counts };
  });
}
