/**
 * The test runner starts the files that take longest first (those that stage whole deployments on
 * the sandbox), so the run is not held up by one long file started last. On a fresh checkout there
 * is no timing cache to go by; this list is that cache, by hand. Files not listed follow in the
 * default order.
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

const SLOW_FIRST = [
  "test/safety/faults.test.ts",
  "test/safety/iam.test.ts",
  "test/e2e/demo.test.ts",
  "test/e2e/workflows.test.ts",
  "test/e2e/migrations-workflow.test.ts",
  "test/e2e/rolling.test.ts",
  "test/safety/bad-fleet.test.ts",
  "test/e2e/promote.test.ts",
  "sandbox/test/aws/api/elbv2-rules.test.ts",
  "test/safety/faults-recovery.test.ts",
  "test/e2e/abort.test.ts",
  "test/e2e/prometheus.test.ts",
  "test/e2e/migrations.test.ts",
  "test/github/deployments.test.ts",
  "test/safety/rolling-kill.test.ts",
  "sandbox/test/aws/world/instance-refresh.test.ts",
];

function rank(file: string): number {
  const i = SLOW_FIRST.findIndex((slow) => file.replace(/\\/g, "/").endsWith(slow));
  return i < 0 ? SLOW_FIRST.length : i;
}

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return sorted.map((spec, order) => ({ spec, order })).sort((a, b) => rank(a.spec.moduleId) - rank(b.spec.moduleId) || a.order - b.order).map((x) => x.spec);
  }
}
