/**
 * Mutation check of the safety invariants (docs/RELIABILITY.md): each guard that keeps an invariant
 * is removed, one at a time, in a scratch copy of the repository, and the fast unit tests that should
 * notice are run there. A mutation the tests do not notice is a missing test.
 *
 *   node --import tsx bench/mutations.ts [--only <id>[,<id>…]]
 *
 * First every test set runs once unmutated and must pass, so a failing baseline is never mistaken for
 * a caught mutation. A mutation counts as caught only when at least one test fails; one that does not
 * apply, type-check or load, or that hangs, is reported as broken. Prints one table and writes
 * bench/mutations-results.json (not with --only). Exit 1 when a mutation survives or is broken, or a
 * baseline fails.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

interface Mutation {
  /** Short and stable, for --only: the invariant's number and a letter. */
  id: string;
  invariant: 1 | 2 | 3 | 4 | 5;
  /** What the mutation removes, in words. */
  what: string;
  /** Relative to the repository. */
  file: string;
  /** Must occur exactly once in the file. */
  find: string;
  replace: string;
  /** The smallest set of fast test files that should catch it. */
  tests: string[];
}

const SHIFT = "test/domain/shift-traffic.test.ts";
const ROLLBACK = "test/domain/rollback.test.ts";
const RESTORE = "test/domain/restore.test.ts";
const LOCK = "test/domain/lock.test.ts";
const RACE = "test/domain/lock-race.test.ts";
const DEPLOY = "test/domain/deploy-green.test.ts";

const MUTATIONS: Mutation[] = [
  // 1. No weight to a target group with fewer than min-healthy healthy targets.
  {
    id: "1a",
    invariant: 1,
    what: "shift-traffic: no health check before an increase",
    file: "src/domain/shift-traffic.ts",
    find: "if (!report.ok) throw new AbortShift(",
    replace: "if (false && !report.ok) throw new AbortShift(",
    tests: [SHIFT],
  },
  {
    id: "1b",
    invariant: 1,
    what: "shift-traffic: health not watched during a bake",
    file: "src/domain/shift-traffic.ts",
    find: "if (!health.ok) throw new AbortShift(",
    replace: "if (false && !health.ok) throw new AbortShift(",
    tests: [SHIFT],
  },
  {
    id: "1c",
    invariant: 1,
    what: "requireHealthy never refuses",
    file: "src/domain/traffic.ts",
    find: "if (!report.ok) throw new SafetyError(",
    replace: "if (false && !report.ok) throw new SafetyError(",
    tests: [RESTORE, SHIFT],
  },
  {
    id: "1d",
    invariant: 1,
    what: "post-step restore: no health check of the stable slot",
    file: "src/domain/restore.ts",
    find: "await requireHealthy(ports.targetGroups, input.stableArn, { minHealthy: input.minHealthy, requireAll: false }, `restoring traffic to ${name(input.stableArn)}`);\n",
    replace: "",
    tests: [RESTORE],
  },
  {
    id: "1e",
    invariant: 1,
    what: "shift-traffic abort: restores onto an unhealthy stable slot",
    file: "src/domain/shift-traffic.ts",
    find: "await requireHealthy(ports.targetGroups, stable.targetGroupArn, { minHealthy: options.minHealthy, requireAll: false }, `restoring traffic to ${stable.name}`);\n",
    replace: "",
    tests: [SHIFT],
  },
  {
    id: "1f",
    invariant: 1,
    what: "rollback: moves traffic without scaling up and waiting until healthy",
    file: "src/domain/rollback.ts",
    // The good slot's health reads as enough, so nothing is scaled up or waited for.
    find: "const healthNow = await readTargetHealth(ports.targetGroups, good.targetGroupArn, requirement);",
    replace: "const healthNow = { ...(await readTargetHealth(ports.targetGroups, good.targetGroupArn, requirement)), ok: true };",
    tests: [ROLLBACK],
  },
  {
    id: "1g",
    invariant: 1,
    what: "rollback: moves traffic onto an unhealthy slot no Auto Scaling group feeds",
    file: "src/domain/rollback.ts",
    find: "if (!healthNow.ok) {",
    replace: "if (!healthNow.ok && group !== undefined) {",
    tests: [ROLLBACK],
  },

  // 2. Every weight write is read back and verified.
  {
    id: "2a",
    invariant: 2,
    what: "writeVerified accepts whatever it reads back",
    file: "src/domain/traffic.ts",
    find: "if (sameWeights(last.groups, groups) && sameStickiness(last.stickiness, options.stickiness)) return last;",
    replace: "return last;",
    tests: [SHIFT],
  },
  {
    id: "2b",
    invariant: 2,
    what: "writeVerified does not compare stickiness",
    file: "src/domain/traffic.ts",
    find: " && sameStickiness(last.stickiness, options.stickiness)",
    replace: "",
    tests: [SHIFT],
  },
  {
    id: "2c",
    invariant: 2,
    what: "shift-traffic steps write without reading back",
    file: "src/domain/shift-traffic.ts",
    find: "const verified = await writeVerified(ports.router, env.ref, next, clock, { stickiness });",
    replace: "await ports.router.setWeights(env.ref, next, stickiness);\n      const verified = { groups: next };",
    tests: [SHIFT],
  },
  {
    id: "2d",
    invariant: 2,
    what: "shift-traffic abort restores without reading back",
    file: "src/domain/shift-traffic.ts",
    find: "const verified = await writeVerified(ports.router, env.ref, restoreTo, clock, { stickiness: unstick({ enabled: sticky }) });",
    replace: "await ports.router.setWeights(env.ref, restoreTo, unstick({ enabled: sticky }));\n    const verified = { groups: restoreTo };",
    tests: [SHIFT],
  },
  {
    id: "2e",
    invariant: 2,
    what: "rollback writes without reading back",
    file: "src/domain/rollback.ts",
    find: "const verified = await writeVerified(ports.router, env.ref, weightsFor(100, good.targetGroupArn, bad.targetGroupArn), clock, { stickiness: unstick(sticky) });",
    replace: "const verified = { groups: weightsFor(100, good.targetGroupArn, bad.targetGroupArn) };\n      await ports.router.setWeights(env.ref, verified.groups, unstick(sticky));",
    tests: [ROLLBACK],
  },
  {
    id: "2f",
    invariant: 2,
    what: "post-step restore writes without reading back",
    file: "src/domain/restore.ts",
    find: "const verified = await writeVerified(ports.router, input.ref, input.restoreTo, clock, { stickiness: unstick(now.stickiness) });",
    replace: "await ports.router.setWeights(input.ref, input.restoreTo, unstick(now.stickiness));\n  const verified = { groups: input.restoreTo };",
    tests: [RESTORE],
  },

  // 3. The old fleet is never scaled in while it carries weight, or before its deregistration delay.
  {
    id: "3a",
    invariant: 3,
    what: "scale-in: no wait before scaling in",
    file: "src/domain/scale-in.ts",
    find: "const end = clock.now() + waitMs;",
    replace: "const end = clock.now();",
    tests: [SHIFT],
  },
  {
    id: "3b",
    invariant: 3,
    what: "scale-in: the wait leaves out the deregistration delay",
    file: "src/domain/scale-in.ts",
    find: "const waitMs = delaySeconds * 1000 + extraDelayMs;",
    replace: "const waitMs = extraDelayMs;",
    tests: [SHIFT],
  },
  {
    id: "3c",
    invariant: 3,
    what: "scale-in: no re-check that the fleet carries no weight",
    file: "src/domain/scale-in.ts",
    find: "if (share > 0) {",
    replace: "if (false && share > 0) {",
    tests: [SHIFT],
  },
  {
    id: "3d",
    invariant: 3,
    what: "scale-in: weights re-read before the wait, not after it",
    file: "src/domain/scale-in.ts",
    find: "  const end = clock.now() + waitMs;\n  // In slices, so the lock's lease is renewed while the delay runs (it may be longer than half the lease).\n  for (let left = end - clock.now(); left > 0; left = end - clock.now()) {\n    if (left > 5_000) deps.log(`scaling in ${group.name} in ${Math.ceil(left / 1000)}s`);\n    await clock.sleep(Math.min(left, 5_000), deps.signal);\n    await deps.lock?.checkpoint(`scaling in ${group.name}`);\n  }\n  const now = await ports.router.read(env.ref);\n",
    replace: "  const now = await ports.router.read(env.ref);\n  const end = clock.now() + waitMs;\n  // In slices, so the lock's lease is renewed while the delay runs (it may be longer than half the lease).\n  for (let left = end - clock.now(); left > 0; left = end - clock.now()) {\n    if (left > 5_000) deps.log(`scaling in ${group.name} in ${Math.ceil(left / 1000)}s`);\n    await clock.sleep(Math.min(left, 5_000), deps.signal);\n    await deps.lock?.checkpoint(`scaling in ${group.name}`);\n  }\n",
    tests: [SHIFT],
  },

  // 4. A failed or killed run ends, after rollback or a re-run, with 100% on a healthy slot and tags agreeing.
  {
    id: "4a",
    invariant: 4,
    what: "rollback: the good slot is not tagged stable",
    file: "src/domain/rollback.ts",
    find: "await ports.tags.write(good.targetGroupArn, goodTags);\n",
    replace: "",
    tests: [ROLLBACK],
  },
  {
    id: "4b",
    invariant: 4,
    what: "rollback: the bad slot is not tagged failed",
    file: "src/domain/rollback.ts",
    find: "await ports.tags.write(bad.targetGroupArn, badTags);\n",
    replace: "",
    tests: [ROLLBACK],
  },
  {
    id: "4c",
    invariant: 4,
    what: "rollback: an interrupted promotion is finished forwards (onto the unpromoted candidate)",
    file: "src/domain/rollback.ts",
    find: "case \"canary\":\n    case \"promoting\":\n      return state.stable;",
    replace: "case \"canary\":\n      return state.stable;\n    case \"promoting\":\n      return otherSlot(env, state.stable);",
    tests: [ROLLBACK],
  },
  {
    id: "4d",
    invariant: 4,
    what: "rollback: inconsistent tags are not resolved by the one stable slot",
    file: "src/domain/rollback.ts",
    find: "if (stable.length === 1) return stable[0]!;\n",
    replace: "",
    tests: [ROLLBACK],
  },
  {
    id: "4e",
    invariant: 4,
    what: "rollback: the lock is not released",
    file: "src/domain/rollback.ts",
    find: "await lock.release().catch((e) => deps.warn(`Could not release the deployment lock: ${errorMessage(e)}`));",
    replace: "",
    tests: [ROLLBACK],
  },
  {
    id: "4f",
    invariant: 4,
    what: "shift-traffic: an abort does not restore the stable slot",
    file: "src/domain/shift-traffic.ts",
    find: "await restore(env, stableSlot, restoreTo, current, options, deps, result, lock, seenAt);\n",
    replace: "",
    tests: [SHIFT],
  },
  {
    id: "4g",
    invariant: 4,
    what: "shift-traffic: an untagged live slot is not tagged stable before the first step",
    file: "src/domain/shift-traffic.ts",
    find: "await ports.tags.write(from.targetGroupArn, { [TAG.role]: \"stable\", [TAG.updatedAt]: new Date(clock.now()).toISOString() });\n",
    replace: "",
    tests: [SHIFT],
  },
  {
    id: "4h",
    invariant: 4,
    what: "post-step restore does not move the weights back",
    file: "src/domain/restore.ts",
    find: "const verified = await writeVerified(ports.router, input.ref, input.restoreTo, clock, { stickiness: unstick(now.stickiness) });",
    replace: "const verified = now;",
    tests: [RESTORE],
  },
  {
    id: "4i",
    invariant: 4,
    what: "post-step restore keeps the job's lock after restoring",
    file: "src/domain/restore.ts",
    find: "  await resumed.lock.release();\n  return {\n    changed: true,",
    replace: "  return {\n    changed: true,",
    tests: [RESTORE],
  },

  // 5. At most one deployment per environment, and only its holder writes.
  {
    id: "5a",
    invariant: 5,
    what: "lock: every lease is taken as expired",
    file: "src/domain/lock.ts",
    find: 'if (expired(holder, now)) return "expired";',
    replace: 'if (expired(holder, now) || holder) return "expired";',
    tests: [LOCK, RACE],
  },
  {
    id: "5b",
    invariant: 5,
    what: "lock: another run's live lease is not refused at once",
    file: "src/domain/lock.ts",
    find: "if (holder && !reason && holder.run !== owner.run) throw refusal(holder, owner);\n",
    replace: "",
    tests: [LOCK],
  },
  {
    id: "5c",
    invariant: 5,
    what: "lock: an active lease of another job of the same run is claimed",
    file: "src/domain/lock.ts",
    find: 'if (ownRun && (holder.state === "parked" || holder.legacy || (holder.attempt !== undefined && holder.attempt < owner.attempt))) return "claim";',
    replace: 'if (ownRun) return "claim";',
    tests: [LOCK, RACE],
  },
  {
    id: "5d",
    invariant: 5,
    what: "lock: the holder does not stop once half its lease has passed",
    file: "src/domain/lock-lease.ts",
    find: "    if (this.lapsed()) {\n      const at",
    replace: "    if (false) {\n      const at",
    tests: [LOCK, SHIFT],
  },
  {
    id: "5e",
    invariant: 5,
    what: "lock: assertHeld does not renew on the load balancer (a takeover goes unnoticed)",
    file: "src/domain/lock-lease.ts",
    find: "    this.guard(what);\n    await this.renew(what);\n  }",
    replace: "    this.guard(what);\n  }",
    tests: [LOCK, SHIFT],
  },
  {
    id: "5f",
    invariant: 5,
    what: "lock: checkpoints never renew the lease",
    file: "src/domain/lock-lease.ts",
    find: "    if (now - this.renewedAt >= this.o.ttlMs / 4) return this.renew(what);\n",
    replace: "",
    tests: [LOCK, SHIFT],
  },
  {
    id: "5g",
    invariant: 5,
    what: "lock: the post step resumes a lease that lapsed or is another's",
    file: "src/domain/lock.ts",
    find: 'if (holder.id !== saved.id || holder.state !== "active" || renewed === undefined || options.clock.now() >= renewed + ttlMs / 2) {',
    replace: "if (renewed === undefined) {",
    tests: [RESTORE],
  },
  {
    id: "5h",
    invariant: 5,
    what: "shift-traffic: the lock is not checked before each shift",
    file: "src/domain/shift-traffic.ts",
    find: "      await lock.assertHeld(`moving ${to.name} to ${percent}%`);\n",
    replace: "",
    tests: [SHIFT],
  },
  {
    id: "5i",
    invariant: 5,
    what: "shift-traffic: the lock is not checked before promotion",
    file: "src/domain/shift-traffic.ts",
    find: "  await lock.assertHeld(`promoting ${to.name} to stable`);\n",
    replace: "",
    tests: [SHIFT],
  },
  {
    id: "5j",
    invariant: 5,
    what: "scale-in: the lock is not checked before scaling in",
    file: "src/domain/scale-in.ts",
    find: "  await deps.lock?.assertHeld(`scaling in ${group.name}`);\n",
    replace: "",
    tests: [SHIFT],
  },
  {
    id: "5k",
    invariant: 5,
    what: "deploy-green: the lock is not checked before tagging",
    file: "src/domain/deploy-green.ts",
    find: "await lock.assertHeld(`tagging ${idle.targetGroupName} as the candidate`);\n",
    replace: "",
    tests: [DEPLOY],
  },
  {
    id: "5l",
    invariant: 5,
    what: "deploy-green: the lock is not checked while the fleet comes up",
    file: "src/domain/deploy-green.ts",
    find: 'checkpoint: () => lock.checkpoint("the new fleet finished coming up"),',
    replace: "checkpoint: undefined,",
    tests: [DEPLOY],
  },
];

const REPO = fileURLToPath(new URL("..", import.meta.url));
/** What the tests need: the sources, the tests with their support, and the configuration. */
const COPIED = ["src", "test", "sandbox", "bench/lib", "package.json", "tsconfig.json", "vitest.config.ts"];
/** A vitest run that takes longer has hung (a mutation can turn a wait into an endless loop). */
const RUN_TIMEOUT_MS = 180_000;

const only = (() => {
  const i = process.argv.indexOf("--only");
  return i >= 0 ? new Set((process.argv[i + 1] ?? "").split(",")) : undefined;
})();
const selected = only ? MUTATIONS.filter((m) => only.has(m.id)) : MUTATIONS;
if (only && selected.length !== only.size) throw new Error(`--only: unknown mutation id among ${[...only].join(", ")}`);

function occurrences(text: string, find: string): number {
  let count = 0;
  for (let i = text.indexOf(find); i >= 0; i = text.indexOf(find, i + find.length)) count++;
  return count;
}

/** Applies the mutation to the file under root; throws unless `find` occurs exactly once. */
function applyMutation(root: string, m: Mutation): void {
  const path = join(root, m.file);
  const text = readFileSync(path, "utf8");
  const count = occurrences(text, m.find);
  if (count !== 1) throw new Error(`mutation ${m.id}: ${JSON.stringify(m.find)} occurs ${count} times in ${m.file}, not once`);
  // A function as replacement, so `$` in the replacement is taken literally.
  writeFileSync(path, text.replace(m.find, () => m.replace));
}

const scratchDirs: string[] = [];

/** A scratch copy of what the tests need, with node_modules linked to the repository's. */
function scratchCopy(label: string): string {
  const root = mkdtempSync(join(tmpdir(), `zda-mutation-${label}-`));
  scratchDirs.push(root);
  for (const entry of COPIED) cpSync(join(REPO, entry), join(root, entry), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"), "dir");
  return root;
}

interface Run {
  code: number | null;
  timedOut: boolean;
  ms: number;
  output: string;
}

/** Runs `npx <args>` in cwd, its own process group so a hung run is killed whole. */
function npx(args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // NO_COLOR keeps vitest's ` FAIL ` headers plain, so the failed tests' names can be read.
    const child = spawn("npx", [...args], { cwd, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // The group is already gone.
      }
    }, RUN_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start npx ${args.join(" ")}: ${error.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, ms: Math.round(performance.now() - started), output });
    });
  });
}

interface TestReport {
  exitCode: number | null;
  timedOut: boolean;
  ms: number;
  /** From the closing `tests: N passed, N failed, N skipped` line; undefined when it is missing. */
  totals?: { passed: number; failed: number; skipped: number } | undefined;
  /** The `failed: ` lines, without the prefix: a test that failed, or a file that did not load. */
  failures: string[];
  /** Names (`describe > test`) of the failed tests. */
  failedTests: string[];
}

/**
 * Reads what test/support/summary-reporter.ts prints. Its `failed: <file> > <name>: <error>` lines do
 * not mark where a name that contains ": " ends, so each is matched against the ` FAIL  <file> > <name>`
 * headers of vitest's own report.
 */
function readReport(run: Run): TestReport {
  const lines = run.output.split("\n");
  const totalsLine = lines.map((l) => /^tests: (\d+) passed, (\d+) failed, (\d+) skipped$/.exec(l)).findLast((m) => m !== null);
  const failures = lines.filter((l) => l.startsWith("failed: ")).map((l) => l.slice("failed: ".length));
  const headers = lines.map((l) => /^ FAIL {2}(.+ > .+)$/.exec(l)?.[1]).filter((h): h is string => h !== undefined);
  const failedTests = failures
    .filter((f) => / > /.test(f.split(": ")[0]!))
    .map((f) => {
      const header = headers.filter((h) => f.startsWith(`${h}: `)).sort((a, b) => b.length - a.length)[0];
      const full = header ?? f.slice(0, f.indexOf(": ", f.indexOf(" > ")));
      return full.slice(full.indexOf(" > ") + 3);
    });
  return {
    exitCode: run.code,
    timedOut: run.timedOut,
    ms: run.ms,
    totals: totalsLine ? { passed: Number(totalsLine[1]), failed: Number(totalsLine[2]), skipped: Number(totalsLine[3]) } : undefined,
    failures,
    failedTests,
  };
}

async function runTests(root: string, tests: readonly string[]): Promise<TestReport> {
  return readReport(await npx(["vitest", "run", ...tests], root));
}

/** Type-checks the given files (and what they import) with the project's compiler options. */
async function typecheck(root: string, files: readonly string[]): Promise<{ ok: boolean; ms: number; errors: string[] }> {
  writeFileSync(join(root, "tsconfig.mutation.json"), JSON.stringify({ extends: "./tsconfig.json", include: [], files }));
  const run = await npx(["tsc", "-p", "tsconfig.mutation.json", "--noEmit"], root);
  return { ok: run.code === 0 && !run.timedOut, ms: run.ms, errors: run.output.split("\n").filter((l) => /error TS\d+/.test(l)) };
}

type Outcome = "caught" | "SURVIVED" | "BROKEN";

interface MutationResult {
  id: string;
  invariant: number;
  what: string;
  file: string;
  tests: string[];
  outcome: Outcome;
  /** Why a mutation is BROKEN: it did not type-check, the tests did not load or did not finish. */
  problem?: string | undefined;
  typecheckMs: number;
  report?: TestReport | undefined;
}

function classify(report: TestReport, baselineTotal: number): { outcome: Outcome; problem?: string } {
  if (report.timedOut) return { outcome: "BROKEN", problem: `the tests did not finish within ${RUN_TIMEOUT_MS / 1000}s` };
  if (!report.totals) return { outcome: "BROKEN", problem: `no closing "tests:" line (exit ${report.exitCode})` };
  if (report.totals.failed > 0) return { outcome: "caught" };
  if (report.exitCode === 0 && report.totals.passed === baselineTotal) return { outcome: "SURVIVED" };
  // Exit 1 with no failed test: a test file did not load, which says nothing about the guard.
  return { outcome: "BROKEN", problem: `exit ${report.exitCode}, ${report.totals.passed} of ${baselineTotal} tests passed, none failed: ${report.failures[0] ?? "no failure named"}` };
}

const setKey = (tests: readonly string[]) => [...tests].sort().join(" ");

const started = performance.now();
const startedAt = new Date().toISOString();
let problems = 0;
const results: MutationResult[] = [];
const baselines: { tests: string; passed: boolean; report: TestReport }[] = [];

try {
  // Every mutation must apply to the repository as it is now, before anything runs.
  for (const m of selected) {
    const count = occurrences(readFileSync(join(REPO, m.file), "utf8"), m.find);
    if (count !== 1) throw new Error(`mutation ${m.id}: ${JSON.stringify(m.find)} occurs ${count} times in ${m.file}, not once`);
  }

  // Baselines: each test set passes unmutated, and every file mutated type-checks alone unmutated.
  const clean = scratchCopy("baseline");
  const cleanCheck = await typecheck(clean, [...new Set(selected.map((m) => m.file))]);
  if (!cleanCheck.ok) throw new Error(`the unmutated sources do not type-check in the scratch copy:\n${cleanCheck.errors.join("\n")}`);
  const baselineTotal = new Map<string, number>();
  for (const tests of new Map(selected.map((m) => [setKey(m.tests), m.tests])).values()) {
    const report = await runTests(clean, tests);
    const passed = report.exitCode === 0 && report.totals !== undefined && report.totals.failed === 0 && report.totals.passed > 0;
    baselines.push({ tests: setKey(tests), passed, report });
    console.log(`${passed ? "ok  " : "FAIL"} baseline ${setKey(tests)}: ${report.totals ? `${report.totals.passed} passed, ${report.totals.failed} failed` : "no summary"} (${report.ms} ms)`);
    if (!passed) {
      problems++;
      console.log(report.failures.map((f) => `  failed: ${f}`).join("\n"));
    }
    baselineTotal.set(setKey(tests), report.totals?.passed ?? 0);
  }

  // Mutations, each in its own scratch copy, only against test sets whose baseline passed.
  for (const m of selected) {
    const base = baselines.find((b) => b.tests === setKey(m.tests))!;
    const result: MutationResult = { id: m.id, invariant: m.invariant, what: m.what, file: m.file, tests: m.tests, outcome: "BROKEN", typecheckMs: 0 };
    results.push(result);
    if (!base.passed) {
      result.problem = "its baseline failed";
      continue;
    }
    const root = scratchCopy(m.id);
    applyMutation(root, m);
    const check = await typecheck(root, [m.file]);
    result.typecheckMs = check.ms;
    if (!check.ok) {
      result.problem = `does not type-check: ${check.errors.slice(0, 2).join("; ")}`;
    } else {
      result.report = await runTests(root, m.tests);
      Object.assign(result, classify(result.report, baselineTotal.get(setKey(m.tests))!));
    }
    rmSync(root, { recursive: true, force: true });
    console.log(`${result.outcome === "caught" ? "ok  " : result.outcome} ${m.id} ${m.what}: ${result.report?.failedTests.slice(0, 2).join(" | ") || result.problem || "no test failed"}`);
  }
} finally {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
}

const short = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
console.log("\nSafety invariants: guards removed one at a time");
// Keyed by mutation id, so the table's index column is the id.
console.table(
  Object.fromEntries(
    results.map((r) => [
      r.id,
      {
        inv: r.invariant,
        mutation: short(r.what, 62),
        file: r.file.replace("src/domain/", ""),
        tests: r.tests.map((t) => t.replace(/^test\/domain\/|\.test\.ts$/g, "")).join(","),
        caught: r.outcome === "caught" ? "yes" : r.outcome === "SURVIVED" ? "NO" : "BROKEN",
        "failing tests (first 2)": r.report?.failedTests.slice(0, 2).map((t) => short(t.replace(/^[^>]+ > /, ""), 45)).join(" | ") || r.problem || "",
      },
    ]),
  ),
);

const notCaught = results.filter((r) => r.outcome !== "caught");
problems += notCaught.length;
const seconds = Math.round((performance.now() - started) / 100) / 10;
if (!only) {
  writeFileSync(
    new URL("./mutations-results.json", import.meta.url),
    `${JSON.stringify({ command: "node --import tsx bench/mutations.ts", startedAt, finishedAt: new Date().toISOString(), seconds, node: process.version, baselines, mutations: results, notCaught: notCaught.map((r) => r.id) }, null, 2)}\n`,
  );
}
console.log(
  `\n${results.length - notCaught.length} of ${results.length} mutations caught in ${seconds}s.` +
    (notCaught.length ? ` Not caught: ${notCaught.map((r) => `${r.id} (${r.outcome}: ${r.what}; tests ${r.tests.join(", ")})`).join("; ")}.` : ""),
);
process.exitCode = problems === 0 ? 0 : 1;
