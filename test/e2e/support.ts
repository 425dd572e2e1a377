/** Shared steps of the end-to-end scenarios: run one built action against a stage's sandbox. */
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { runAction, type ActionRunResult, type RunActionOptions } from "../../sandbox/runner";
import { recheckCalls } from "../../sandbox/aws";
import { actionDir, REPO_ROOT, sandboxMetricsDelay, sandboxPropagationDelay, sandboxStableFor, startStage, type ActionName, type Stage, type StageOptions } from "../../sandbox/harness";

const BUNDLES = ["deploy-green/index.js", "health-gate/index.js", "shift-traffic/index.js", "shift-traffic/post.js", "canary-analyze/index.js", "rollback/index.js"];

/**
 * A copy of the built actions (actions/, dist/, examples/) in a temporary directory, so a rebuild
 * of dist/ while the scenarios run cannot hand a step half-written bundles. Throws when a bundle is
 * missing (run `npm run build`).
 */
export function snapshotRepo(): { root: string; remove(): void } {
  for (const bundle of BUNDLES) {
    if (!existsSync(join(REPO_ROOT, "dist", bundle))) throw new Error(`dist/${bundle} is missing: run npm run build first`);
  }
  const root = mkdtempSync(join(tmpdir(), "zda-e2e-"));
  for (const dir of ["actions", "dist", "examples"]) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
  for (const bundle of BUNDLES) {
    if (!existsSync(join(root, "dist", bundle))) throw new Error(`dist/${bundle} vanished while it was copied (a build was running); try again`);
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}


export type StepInputs = Record<string, string | number | boolean>;

/**
 * What every scenario file sets up: a snapshot of the built actions for the file, and the stage of
 * each test closed after it, whatever the test did. Call once at the top of the file (or a describe).
 */
export function scenarios(): { start(options: StageOptions): Promise<Stage>; run(name: ActionName, inputs: StepInputs, extra?: Partial<RunActionOptions>): Promise<ActionRunResult>; root(): string } {
  let repo: ReturnType<typeof snapshotRepo> | undefined;
  let stage: Stage | undefined;
  beforeAll(() => {
    repo = snapshotRepo();
  });
  const models = modelTally();
  afterAll(() => {
    repo?.remove();
    models.print();
  });
  afterEach(async () => {
    const closing = stage;
    await stage?.close();
    stage = undefined;
    if (closing) models.check(closing);
  });
  return {
    start: async (options) => (stage = await startStage(options)),
    run: (name, inputs, extra = {}) => {
      if (!stage || !repo) throw new Error("scenarios(): start a stage before running a step");
      return step(stage, name, inputs, { root: repo.root, ...extra });
    },
    root: () => {
      if (!repo) throw new Error("scenarios(): the snapshot is taken in beforeAll");
      return repo.root;
    },
  };
}

/**
 * Real AWS rejects a request that breaks the API model: `check(stage)` re-validates every request the
 * stage's sandbox recorded, through the sandbox's own validator, and throws on any violation; `print()`
 * tells how many were checked.
 */
export function modelTally(): { check(stage: Stage): void; print(): void } {
  const models = { checked: 0, unchecked: 0, violations: 0 };
  return {
    check(stage) {
      const result = recheckCalls(stage.sandbox.calls());
      models.checked += result.checked;
      models.unchecked += result.unchecked;
      models.violations += result.violations.length;
      if (result.violations.length > 0) {
        const shown = result.violations.slice(0, 5).map((v) => `  ${v.operation}: ${v.message}`).join("\n");
        throw new Error(`${result.violations.length} of ${result.checked} AWS requests broke the API models (real AWS rejects them):\n${shown}`);
      }
    },
    print: () => console.log(`API model check: ${models.checked} recorded AWS requests re-validated, ${models.violations} violations${models.unchecked ? ` (${models.unchecked} too old to re-check)` : ""}`),
  };
}

/** Runs the built bundle of `name` (from `root`) as a GitHub runner would, pointed at the stage's sandbox. */
export async function step(
  stage: Stage,
  name: ActionName,
  inputs: StepInputs,
  extra: Partial<RunActionOptions> & { root?: string } = {},
): Promise<ActionRunResult> {
  const { root, ...options } = extra;
  if ((name === "deploy-green" || name === "health-gate") && inputs["stable-for"] === undefined) inputs = { ...inputs, "stable-for": sandboxStableFor(stage) };
  if ((name === "shift-traffic" || name === "canary-analyze") && inputs["metrics-delay"] === undefined) inputs = { ...inputs, "metrics-delay": sandboxMetricsDelay(stage) };
  if (name === "shift-traffic" && inputs["propagation-delay"] === undefined) inputs = { ...inputs, "propagation-delay": sandboxPropagationDelay(stage) };
  return runAction({ action: actionDir(name, root), inputs, github: { repository: "acme/web", runId: "4242" }, ...options, env: { ...stage.awsEnv, ...(options.env ?? {}) } });
}

/** Blank lines only: a runtime warning (such as the AWS SDK's about the Node.js version) stays in the message. */
const NOISE = /^\s*$/;

/** The log of a step (and its post step) for an assertion message. */
export function logOf(result: ActionRunResult): string {
  const lines = [...result.log, ...(result.post ? ["--- post ---", ...result.post.log] : [])];
  return lines.filter((l) => !NOISE.test(l)).join("\n");
}

/** Asserts a step succeeded, with its log in the message when it did not. */
export function expectSuccess(result: ActionRunResult, what: string): void {
  if (result.conclusion !== "success") throw new Error(`${what} ended ${result.conclusion} (exit ${result.exitCode}):\n${logOf(result)}`);
}

/** Wall time of each scenario, printed at the end of the file's run. */
export function timer(): { mark(name: string, startedAt: number): void; print(): void } {
  const rows: string[] = [];
  return {
    mark: (name, startedAt) => rows.push(`${name}: ${((Date.now() - startedAt) / 1000).toFixed(1)} s`),
    print: () => console.log(`e2e wall times\n  ${rows.join("\n  ")}`),
  };
}
export type { ActionName };
