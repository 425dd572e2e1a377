/** `npm run demo` end to end: its main function reports every promise held. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { runDemo } from "../../sandbox/demo";
import { snapshotRepo } from "./support";

let repo: ReturnType<typeof snapshotRepo>;
beforeAll(() => {
  repo = snapshotRepo();
});
afterAll(() => repo.remove());

it("ships v2 with no failed request, catches and restores v3, holds the invariant", async () => {
  const lines: string[] = [];
  const result = await runDemo({ repoRoot: repo.root, print: (line) => lines.push(line) });
  const output = lines.join("\n");
  console.log(`demo wall time ${(result.durationMs / 1000).toFixed(1)} s; v3 detected and restored in ${((result.bad.detectToRestoreMs ?? NaN) / 1000).toFixed(1)} s`);

  expect(result.broken, output).toEqual([]);
  expect(result.ok).toBe(true);
  expect(result.good).toMatchObject({ conclusion: "success", failedRequests: 0 });
  expect(result.bad.conclusion).toBe("failure");
  expect(result.bad.detectToRestoreMs).toBeGreaterThan(0);
  expect(result.byVersion.v2?.failed).toBe(0);
  expect(result.byVersion.v3?.ok).toBeGreaterThan(0);
  expect(result.invariantViolations).toBe(0);
  expect(output).toMatch(/approval: environment 'production'/);
  expect(output).toMatch(/RESULTS/);
  expect(result.durationMs).toBeLessThan(120_000);
  // .ci/run installs prometheus, so in CI the demo must have judged from it, not fallen back to CloudWatch.
  if (process.env.CI === "true") expect(result.analysisSource, "CI=true but the demo found no prometheus binary").toBe("prometheus");
}, 150_000);
