/**
 * Bad input is refused before AWS is touched: for every action, generated hostile input sets fail
 * with exactly one error naming an input, no stack trace, and zero requests to a recording AWS
 * endpoint. 200 sets per action in-process and 4 through the built bundle here; bench/safety.ts
 * runs 10,000 per action of ACTIONS (rolling-update, in ROLLING_ACTIONS, only here).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCanCarry, refuseInProcess, refuseWithBundle, startRecordingEndpoint, useRecordingEndpoint, type RecordingEndpoint } from "../../bench/lib/safety-fuzz";
import { ACTIONS, hostileCase, PLANS, ROLLING_ACTIONS } from "../../bench/lib/safety-inputs";
import { snapshotRepo } from "../e2e/support";

const IN_PROCESS_RUNS = 200;
const BUNDLE_RUNS = 4;

let endpoint: RecordingEndpoint;
let restore: () => void;
/** A copy of the built bundles, so a rebuild of dist/ meanwhile cannot hand a run half-written files. */
let repo: ReturnType<typeof snapshotRepo> | undefined;
beforeAll(async () => {
  endpoint = await startRecordingEndpoint();
  restore = useRecordingEndpoint(endpoint);
  repo = snapshotRepo();
});
afterAll(async () => {
  restore();
  repo?.remove();
  await endpoint.close();
});

describe.each([...ACTIONS, ...ROLLING_ACTIONS])("%s refuses hostile inputs", (action) => {
  it(`in-process: ${IN_PROCESS_RUNS} generated sets, each one error naming an input, no stack, no AWS request`, async () => {
    await fc.assert(
      fc.asyncProperty(hostileCase(action), async (c) => {
        const result = await refuseInProcess(action, c, endpoint);
        if (!result.ok) throw new Error(result.problem);
      }),
      { numRuns: IN_PROCESS_RUNS, seed: 20261124 },
    );
    expect(endpoint.count()).toBe(0);
  }, 60_000);

  it(`through the built bundle: ${BUNDLE_RUNS} generated sets`, async () => {
    const cases = fc.sample(hostileCase(action).filter(bundleCanCarry), { numRuns: BUNDLE_RUNS, seed: 7 });
    const results = await Promise.all(cases.map((c) => refuseWithBundle(action, c, endpoint, repo!.root)));
    expect(results.filter((r) => !r.ok).map((r) => r.problem)).toEqual([]);
    expect(endpoint.count()).toBe(0);
  }, 60_000);
});

describe("the recording endpoint and the harness can fail", () => {
  it("counts the request a valid input set makes, and calls that a problem", async () => {
    const before = endpoint.count();
    const result = await refuseInProcess("rollback", { inputs: { ...PLANS.rollback.baseline, "dry-run": "true" }, hostile: ["dry-run"] }, endpoint);
    expect(endpoint.count()).toBeGreaterThan(before);
    expect(result.ok).toBe(false);
    expect(result.problem).toMatch(/AWS requests were made/);
  });
});
