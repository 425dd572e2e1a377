/**
 * AWS API faults under load on the sandbox, through the built bundles (CI-sized; bench/safety.ts runs
 * the long version): a canary under throttling, 5xx, connection resets and latency spikes. The run
 * ends with all traffic on a healthy slot whose tags agree, no user request failed, and no weight ever
 * went to an unhealthy group. Kept in a file of its own (it takes about a minute and a half) so that
 * the test runner can run the recovery trials (faults-recovery.test.ts) beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFaultTrial, type TrialOutcome } from "../../bench/lib/safety-trials";
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
});
