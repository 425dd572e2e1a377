/**
 * Faults under load on the sandbox, through the built bundles (CI-sized; bench/safety.ts runs the
 * long version): AWS API faults during a deploy and a canary, kill -9 of an action followed by its
 * recovery, and two deploys racing for one environment. Every run ends with all traffic on a healthy
 * slot whose tags agree, no user request failed, and no weight ever went to an unhealthy group.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFaultTrial, concurrentDeployTrial, killTrial, type TrialOutcome } from "../../bench/lib/safety-trials";
import { snapshotRepo } from "../e2e/support";

let repo: ReturnType<typeof snapshotRepo>;
beforeAll(() => {
  repo = snapshotRepo();
});
afterAll(() => repo.remove());

const explain = (o: TrialOutcome) => `${o.label}: ${o.problems.join("; ")}\n${o.log.slice(-4000)}`;

describe("safety under faults", () => {
  it("a canary under 30% throttling, 10% 5xx, 5% resets and 2 s spikes completes or fails closed, with no failed request", async () => {
    // The deploy under the same faults takes about two minutes: bench/safety.ts runs it.
    const outcome = await apiFaultTrial({ seed: 11, root: repo.root, deployUnderFaults: false, steps: "25,100" });
    expect(outcome.problems, explain(outcome)).toEqual([]);
    expect(outcome.faultsInjected).toBeGreaterThan(5);
    expect(outcome.requests).toBeGreaterThan(100);
  }, 180_000);

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
