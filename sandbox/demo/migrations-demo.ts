/**
 * `npm run demo:migrations`: the rename rehearsal (./rehearsal.ts) with its promises checked and a
 * table of results. Exit code 0 when every promise held, 1 otherwise (saying which broke).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT, scratchDir } from "../harness";
import { rehearseExpandContract, rehearseOneStep } from "./rehearsal";

export interface MigrationsDemoResult {
  ok: boolean;
  broken: string[];
  durationMs: number;
  expandContract: { requests: number; failed: number };
  oneStep: { requests: number; failed: number };
}

const BUNDLES = ["migration-guard/index.js", "deploy-green/index.js", "shift-traffic/index.js", "rollback/index.js"];

export async function runMigrationsDemo(options: { print?: (line: string) => void; repoRoot?: string } = {}): Promise<MigrationsDemoResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const root = options.repoRoot ?? REPO_ROOT;
  const missing = BUNDLES.filter((b) => !existsSync(join(root, "dist", b)));
  if (missing.length) throw new Error(`the actions are not built (missing dist/${missing.join(", dist/")}): run npm run build`);
  const started = Date.now();
  const say = (line: string) => print(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
  const broken: string[] = [];
  const first = await scratchDir();
  const second = await scratchDir();
  try {
    say("run 1: rename users.email → users.email_address by expand/contract, on PGlite, with load on the listener");
    const ec = await rehearseExpandContract({ root, workspace: first.dir, print: (l) => say(`  ${l}`) });
    if (ec.lint.outputs.verdict !== "pass") broken.push("the lint did not pass the expand and contract files");
    if (ec.earlyGate.outputs.verdict !== "fail") broken.push("the gate allowed the contract while v1 could still be rolled back to");
    if (ec.gate.outputs["safe-to-run"] !== "db/migrations/003_drop_email.sql") broken.push("the gate did not allow the contract once v1 was scaled in");
    if (!ec.emailDropped) broken.push("the contract did not drop users.email");
    if (ec.refusedRollback.conclusion !== "failure") broken.push("rollback returned to v1 after its schema was contracted away");
    if (ec.failed !== 0) broken.push(`${ec.failed} requests failed during the expand/contract rename (promise: 0)`);
    say("run 2: the same rename in one step");
    const one = await rehearseOneStep({ root, workspace: second.dir, print: (l) => say(`  ${l}`) });
    if (one.lint.outputs.verdict !== "fail") broken.push("the lint passed the one-step rename");
    const durationMs = Date.now() - started;
    const versions = (b: Record<string, { ok: number; failed: number }>) => Object.entries(b).sort(([x], [y]) => x.localeCompare(y)).map(([v, c]) => `${v} ${c.ok} ok/${c.failed} failed`).join(", ");
    const rows: [string, string][] = [
      ["expand/contract: requests", `${ec.requests} (${ec.failed} failed; ${versions(ec.byVersion)})`],
      ["expand/contract: early contract", `refused by the gate: ${ec.earlyGate.outputs.verdict === "fail" ? "yes" : "no"}`],
      ["expand/contract: rollback to v1 afterwards", `refused: ${ec.refusedRollback.conclusion === "failure" ? "yes" : "no"}`],
      ["one-step rename: requests", `${one.requests} (${one.failed} failed; ${versions(one.byVersion)})`],
      ["wall time", `${(durationMs / 1000).toFixed(1)} s (budget 120 s)`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    print("RESULTS");
    for (const [k, v] of rows) print(`  ${k.padEnd(width)}  ${v}`);
    if (broken.length === 0) print(`All promises held: 0 failed requests by expand/contract, the early contract refused; the one-step rename failed ${one.failed} requests.`);
    else for (const b of broken) print(`PROMISE BROKEN: ${b}`);
    return { ok: broken.length === 0, broken, durationMs, expandContract: { requests: ec.requests, failed: ec.failed }, oneStep: { requests: one.requests, failed: one.failed } };
  } finally {
    await first.remove();
    await second.remove();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runMigrationsDemo().then(
    (r) => (process.exitCode = r.ok ? 0 : 1),
    (error: unknown) => {
      console.log(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
