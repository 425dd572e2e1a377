/**
 * rolling-update refuses bad input before AWS is touched, as every action does (input-fuzz.test.ts):
 * generated hostile sets fail with exactly one error naming an input, no stack trace, and zero
 * requests to a recording AWS endpoint; in-process, and through the built bundle once dist/ has it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundleCanCarry, refuseInProcess, refuseWithBundle, startRecordingEndpoint, useRecordingEndpoint, type RecordingEndpoint } from "../../bench/lib/safety-fuzz";
import { hostileCase } from "../../bench/lib/safety-inputs";
import { REPO_ROOT } from "../../sandbox/harness";

let endpoint: RecordingEndpoint;
let restore: () => void;
beforeAll(async () => {
  endpoint = await startRecordingEndpoint();
  restore = useRecordingEndpoint(endpoint);
});
afterAll(async () => {
  restore();
  await endpoint.close();
});

it("in-process: 200 generated sets, each one error naming an input, no stack, no AWS request", async () => {
  await fc.assert(
    fc.asyncProperty(hostileCase("rolling-update"), async (c) => {
      const result = await refuseInProcess("rolling-update", c, endpoint);
      if (!result.ok) throw new Error(result.problem);
    }),
    { numRuns: 200, seed: 20261201 },
  );
  expect(endpoint.count()).toBe(0);
}, 60_000);

it.skipIf(!existsSync(join(REPO_ROOT, "dist", "rolling-update", "index.js")))("through the built bundle: 4 generated sets", async () => {
  const cases = fc.sample(hostileCase("rolling-update").filter(bundleCanCarry), { numRuns: 4, seed: 7 });
  const results = await Promise.all(cases.map((c) => refuseWithBundle("rolling-update", c, endpoint, REPO_ROOT)));
  expect(results.filter((r) => !r.ok).map((r) => r.problem)).toEqual([]);
  expect(endpoint.count()).toBe(0);
}, 60_000);
