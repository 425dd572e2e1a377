/**
 * npm run bench [-- --only <part>[,<part>…]] [--runs <n>] [--out <file>]
 *
 * Measures the actions' performance budgets against the loopback sandbox and prints one table. Ratios
 * are taken within one run, alternating the measured command and its baseline. Exits 0 even when a
 * budget is missed (the table says MISSED); exits 1 only when the bench itself fails.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { ACTIONS, type BenchContext } from "./lib/context";
import { formatTable, type PartResult } from "./lib/report";
import { modelCheck } from "./lib/world";
import { coldStart } from "./lib/parts/cold-start";
import { firstRequest } from "./lib/parts/first-request";
import { healthGateReaction } from "./lib/parts/health-gate";
import { autoRollback } from "./lib/parts/auto-rollback";
import { pipeline } from "./lib/parts/pipeline";
import { scale } from "./lib/parts/scale";
import { manyEnvs } from "./lib/parts/many-envs";

const PARTS: Record<string, (ctx: BenchContext) => Promise<PartResult>> = {
  "cold-start": coldStart,
  "first-request": firstRequest,
  "health-gate": healthGateReaction,
  "auto-rollback": autoRollback,
  pipeline,
  scale,
  "many-envs": manyEnvs,
};
/** Names of what a part measures, accepted by --only as well. */
const ALIASES: Record<string, string> = { "manual-rollback": "pipeline", calls: "pipeline", load: "pipeline" };

interface Args {
  only: string[];
  runs: number;
  out: string;
}

function parseArgs(argv: string[], root: string): Args {
  const args: Args = { only: Object.keys(PARTS), runs: 20, out: resolve(root, "bench/results.json") };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--only" && value) {
      const names = value.split(",").map((n) => ALIASES[n.trim()] ?? n.trim());
      const unknown = names.filter((n) => !(n in PARTS));
      if (unknown.length) throw new Error(`--only: unknown part ${unknown.join(", ")}; valid: ${[...Object.keys(PARTS), ...Object.keys(ALIASES)].join(", ")}`);
      args.only = [...new Set(names)];
      i++;
    } else if (flag === "--runs" && value) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 3 || n > 500) throw new Error(`--runs: "${value}" is not valid; give a whole number from 3 to 500 (cold start always uses at least 20)`);
      args.runs = n;
      i++;
    } else if (flag === "--out" && value) {
      args.out = resolve(value);
      i++;
    } else {
      throw new Error(`unknown argument "${flag}"; valid: --only <${Object.keys(PARTS).join("|")}>[,…], --runs <n>, --out <file>`);
    }
  }
  return args;
}

/** Copies dist/ aside once every bundle is there and nothing in it has changed for a second. */
async function snapshotDist(root: string): Promise<{ path: string; builtAt: string }> {
  const entries = ACTIONS.map((a) => join(root, "dist", a, "index.js"));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const present = entries.every((p) => existsSync(p));
    const newest = present ? Math.max(...entries.map((p) => statSync(p).mtimeMs)) : 0;
    if (present && Date.now() - newest > 1000) {
      const path = mkdtempSync(join(tmpdir(), "zda-bench-dist-"));
      cpSync(join(root, "dist"), path, { recursive: true });
      if (ACTIONS.every((a) => existsSync(join(path, a, "index.js")))) return { path, builtAt: new Date(newest).toISOString() };
      rmSync(path, { recursive: true, force: true });
    }
    if (Date.now() > deadline) {
      const missing = entries.filter((p) => !existsSync(p)).map((p) => p.slice(root.length + 1));
      throw new Error(`dist/ is not complete (missing ${missing.join(", ") || "nothing, but it kept changing"}); run \`npm run build\` first`);
    }
    await sleep(500);
  }
}

async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const args = parseArgs(process.argv.slice(2), root);
  const dist = await snapshotDist(root);

  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  const machine = { node: process.version, platform: `${process.platform} ${process.arch}`, cores: availableParallelism(), cpu: cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30) };
  console.log(`command: ${command}`);
  console.log(`machine: node ${machine.node}, ${machine.platform}, ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB`);
  console.log(`bundles: dist/ as built at ${dist.builtAt}`);
  const ctx: BenchContext = { root, dist: dist.path, runs: args.runs, log: (line) => console.error(`  ${line}`) };

  const started = Date.now();
  const results: PartResult[] = [];
  const failures: string[] = [];
  process.once("exit", () => rmSync(dist.path, { recursive: true, force: true }));
  for (const name of args.only) {
    const part = PARTS[name] as (ctx: BenchContext) => Promise<PartResult>;
    console.error(`[${name}] running…`);
    const t = Date.now();
    try {
      results.push(await part(ctx));
      console.error(`[${name}] done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push(`${name}: ${message}`);
      console.error(`[${name}] FAILED: ${message}`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  console.log("");
  console.log(formatTable(results));
  const missed = results.flatMap((p) => p.rows.filter((r) => r.status === "MISSED").map((r) => `${p.name} / ${r.metric}`));
  console.log("");
  console.log(missed.length ? `MISSED ${missed.length} budget(s): ${missed.join("; ")}` : "All budgets met.");
  console.log(`bench took ${seconds.toFixed(0)} s`);
  console.log(`API model check: ${modelCheck.checked} AWS requests checked against the API models, ${modelCheck.violating} broke them`);
  for (const v of modelCheck.violations.slice(0, 5)) console.log(`  ${v}`);
  if (modelCheck.violating) process.exitCode = 1;
  writeFileSync(args.out, `${JSON.stringify({ command, machine, startedAt: new Date(started).toISOString(), seconds, parts: results, failures }, null, 2)}\n`);
  console.log(`results: ${args.out.startsWith(root) ? args.out.slice(root.length + 1) : args.out}`);
  if (failures.length) {
    console.log(`the bench itself failed in: ${failures.map((f) => f.split(":")[0]).join(", ")}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
