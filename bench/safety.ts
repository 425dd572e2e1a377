/**
 * The long safety runs: hostile-input fuzzing (10,000 sets per action in-process, plus bundle runs),
 * seeded kill -9 trials with recovery, and the AWS API fault matrix, all on the loopback sandbox.
 *
 *   node --import tsx bench/safety.ts [--fuzz N] [--bundle N] [--kills N] [--faults N] [--cancels N] [--rolling-kills N] [--only fuzz|fleets|kills|faults|rolling-kills]
 *
 * Prints a table per part and writes bench/safety-results.json. Exit 1 when any run broke a rule.
 */
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { bundleCanCarry, refuseInProcess, refuseWithBundle, startRecordingEndpoint, useRecordingEndpoint } from "./lib/safety-fuzz";
import { ACTIONS, hostileCase } from "./lib/safety-inputs";
import { apiFaultTrial, badFleetTrial, cancelTrial, killTrial, type TrialOutcome } from "./lib/safety-trials";
import { rollingKillTrial } from "./lib/rolling-trials";

type Outcome = TrialOutcome & { restoredMs?: number | undefined; error?: string; recovery?: string; conclusions?: string[]; notes?: string[]; killed?: boolean; faultsInjected?: number };
import { snapshotRepo } from "../test/e2e/support";
import { seededRandom } from "../sandbox/aws";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const only = (() => {
  const i = process.argv.indexOf("--only");
  return i >= 0 ? process.argv[i + 1] : undefined;
})();


const results: Record<string, unknown> = { startedAt: new Date().toISOString(), command: `node --import tsx bench/safety.ts ${process.argv.slice(2).join(" ")}`.trim() };
let broken = 0;

async function fuzz(): Promise<void> {
  const perAction = arg("fuzz", 10_000);
  const viaBundle = arg("bundle", 50);
  const endpoint = await startRecordingEndpoint();
  const restore = useRecordingEndpoint(endpoint);
  const repo = snapshotRepo();
  const rows: Record<string, unknown>[] = [];
  try {
    for (const action of ACTIONS) {
      const started = Date.now();
      const problems: string[] = [];
      const cases = fc.sample(hostileCase(action), { numRuns: perAction, seed: 20261124 });
      for (const c of cases) {
        const r = await refuseInProcess(action, c, endpoint);
        if (!r.ok) problems.push(r.problem!);
      }
      const inProcessMs = Date.now() - started;
      const bundleCases = fc.sample(hostileCase(action).filter(bundleCanCarry), { numRuns: viaBundle, seed: 99 });
      const bundleStarted = Date.now();
      for (let i = 0; i < bundleCases.length; i += 4) {
        const batch = await Promise.all(bundleCases.slice(i, i + 4).map((c) => refuseWithBundle(action, c, endpoint, repo.root)));
        for (const r of batch) if (!r.ok) problems.push(r.problem!);
      }
      rows.push({ action, inProcess: cases.length, bundle: bundleCases.length, refusedCorrectly: cases.length + bundleCases.length - problems.length, awsRequests: endpoint.count(), inProcessMs, bundleMs: Date.now() - bundleStarted, firstProblem: problems[0] });
      broken += problems.length;
    }
  } finally {
    restore();
    repo.remove();
    await endpoint.close();
  }
  console.log("\nHostile inputs");
  console.table(rows);
  results.fuzz = rows;
}

function summarize(outcomes: Outcome[]): Record<string, unknown>[] {
  return outcomes.map((o) => ({ trial: o.label, ok: o.ok, recovery: o.recovery ?? o.conclusions, requests: o.requests, failed: o.failedRequests, inv1: o.violations.length, seconds: Math.round(o.durationMs / 100) / 10, problems: o.problems.join("; ").slice(0, 300), notes: o.notes?.join("; ") }));
}

async function kills(): Promise<void> {
  const trials = arg("kills", 50);
  const random = seededRandom(424242);
  const repo = snapshotRepo();
  const outcomes: Outcome[] = [];
  try {
    for (let i = 0; i < trials; i++) {
      const action = i % 2 === 0 ? "shift-traffic" : "deploy-green";
      // Kill points cover the whole run: deploy-green takes ~6 s here, the canary ~12 s.
      const killAfterMs = Math.round(200 + random() * (action === "shift-traffic" ? 12_000 : 7_000));
      const outcome = await killTrial({ seed: 1000 + i, root: repo.root, action, killAfterMs });
      outcomes.push(outcome);
      if (!outcome.ok) broken++;
      console.log(`${outcome.ok ? "ok  " : "FAIL"} ${outcome.label} → ${outcome.recovery}${outcome.ok ? "" : `: ${outcome.problems.join("; ")}\n${outcome.log.split("\n").filter((l) => /error|warning|Restor|Nothing|lock/i.test(l)).join("\n")}`}`);
    }
  } finally {
    repo.remove();
  }
  const rows = summarize(outcomes);
  console.log("\nkill -9 trials");
  console.table(rows.map(({ problems, notes, ...r }) => ({ ...r, problems, notes })));
  results.kills = { trials: outcomes.length, consistent: outcomes.filter((o) => o.ok).length, killed: outcomes.filter((o) => o.killed).length, leftLock: outcomes.filter((o) => (o.notes?.length ?? 0) > 0).length, rows };
}

/** kill -9 of rolling-update at a seeded moment of its run (~30 s on 10 instances), then rollback. */
async function rollingKills(): Promise<void> {
  const trials = arg("rolling-kills", 20);
  const random = seededRandom(151515);
  const repo = snapshotRepo();
  const rows: Record<string, unknown>[] = [];
  let consistent = 0;
  try {
    for (let i = 0; i < trials; i++) {
      const killAfterMs = Math.round(1_500 + random() * 24_000);
      const o = await rollingKillTrial({ seed: 2000 + i, root: repo.root, killAfterMs });
      if (o.ok) consistent++;
      else broken++;
      rows.push({ trial: o.label, ok: o.ok, killed: o.killed, atKill: o.phase, recovery: o.recovery, requests: o.requests, failed: o.failedRequests, seconds: Math.round(o.durationMs / 100) / 10, problems: o.problems.join("; ").slice(0, 300) });
      console.log(`${o.ok ? "ok  " : "FAIL"} ${o.label}: ${o.phase} → ${o.recovery}${o.ok ? "" : `: ${o.problems.join("; ")}`}`);
    }
  } finally {
    repo.remove();
  }
  console.log("\nkill -9 of rolling-update, then rollback");
  console.table(rows);
  results.rollingKills = { trials, consistent, killed: rows.filter((r) => r.killed).length, rows };
}

async function faults(): Promise<void> {
  const runs = arg("faults", 3);
  const repo = snapshotRepo();
  const outcomes: Outcome[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const outcome = await apiFaultTrial({ seed: 500 + i, root: repo.root });
      outcomes.push(outcome);
      if (!outcome.ok) broken++;
      console.log(`${outcome.ok ? "ok  " : "FAIL"} ${outcome.label}: ${outcome.conclusions!.join(", ")}, ${outcome.faultsInjected} faults injected${outcome.ok ? "" : `: ${outcome.problems.join("; ")}`}`);
    }
  } finally {
    repo.remove();
  }
  console.log("\nAWS API faults (30% throttling, 10% 5xx, 5% resets, 10% 2 s spikes)");
  const rows = summarize(outcomes).map((r, i) => ({ ...r, faultsInjected: outcomes[i]!.faultsInjected }));
  console.table(rows);
  results.faults = rows;
}

async function fleets(): Promise<void> {
  const repo = snapshotRepo();
  const rows: Record<string, unknown>[] = [];
  try {
    for (const release of ["v4", "v5", "flapping"] as const) {
      const o = await badFleetTrial({ seed: 77, root: repo.root, release });
      if (!o.ok) broken++;
      rows.push({ release, ok: o.ok, steps: o.conclusions.join(", "), failedRequests: o.failedRequests, inv1: o.violations.length, error: o.error.replace(/\s+/g, " ").slice(0, 220), problems: o.problems.join("; ") });
    }
    const cancels = arg("cancels", 3);
    for (let i = 0; i < cancels; i++) {
      const o = await cancelTrial({ seed: 300 + i, root: repo.root, cancelAfterBakeMs: 1_000 + i * 1_500 });
      if (!o.ok) broken++;
      rows.push({ release: "cancel", ok: o.ok, steps: o.label, restoredMs: o.restoredMs, failedRequests: o.failedRequests, inv1: o.violations.length, problems: o.problems.join("; ") });
    }
  } finally {
    repo.remove();
  }
  console.log("\nBad fleets and cancellation");
  console.table(rows);
  results.fleets = rows;
}

if (!only || only === "fuzz") await fuzz();
if (!only || only === "fleets") await fleets();
if (!only || only === "faults") await faults();
if (!only || only === "kills") await kills();
if (!only || only === "rolling-kills") await rollingKills();
results.finishedAt = new Date().toISOString();
results.broken = broken;
writeFileSync(new URL(`./safety-results${only ? `-${only}` : ""}.json`, import.meta.url), JSON.stringify(results, null, 2) + "\n");
console.log(`\n${broken === 0 ? "All safety runs kept every rule." : `${broken} runs broke a rule.`}`);
process.exitCode = broken === 0 ? 0 : 1;
