/**
 * Crashes and races under load on the sandbox, through the built bundles (CI-sized; bench/safety.ts
 * runs the long version): kill -9 of an action followed by its recovery, and two deploys racing for
 * one environment. Every run ends with all traffic on a healthy slot whose tags agree, no user request
 * failed, and no weight ever went to an unhealthy group. API faults: faults.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { concurrentDeployTrial, killTrial, type TrialOutcome } from "../../bench/lib/safety-trials";
import { snapshotRepo } from "../e2e/support";

let repo: ReturnType<typeof snapshotRepo>;
beforeAll(() => {
  repo = snapshotRepo();
});
afterAll(() => repo.remove());

const explain = (o: TrialOutcome) => `${o.label}: ${o.problems.join("; ")}\n${o.log.slice(-4000)}`;

describe("safety under crashes and races", () => {
  it.each([
    { action: "shift-traffic" as const, killAfterMs: 2_300 },
    { action: "deploy-green" as const, killAfterMs: 800 },
  ])("kill -9 of $action after $killAfterMs ms, then recovery, ends consistent", async ({ action, killAfterMs }) => {
    const outcome = await killTrial({ seed: 3, root: repo.root, action, killAfterMs });
    expect(outcome.killed, explain(outcome)).toBe(true);
    expect(outcome.problems, explain(outcome)).toEqual([]);
  }, 180_000);

  it("of two deploy-green at once, exactly one proceeds and the other fails fast naming the holder", async () => {
    const outcome = await concurrentDeployTrial({ seed: 4, root: repo.root, rps: 20 });
    expect(outcome.problems, explain(outcome)).toEqual([]);
  }, 120_000);
});
