/** rollback's options for tests: back to the last good slot of the fake listener, with whatever a test changes. */
import type { RollbackOptions } from "../../src/domain/rollback";
import { LISTENER_ARN } from "./fake-elb";

export function rollbackOptions(overrides: Partial<RollbackOptions> = {}): RollbackOptions {
  return {
    environment: { kind: "listener", arn: LISTENER_ARN },
    reason: "errors after release",
    minHealthy: { kind: "count", value: 1 },
    scaleInBad: false,
    timeoutMs: 900_000,
    dryRun: false,
    lockOwner: "org/repo/actions/runs/7",
    lockTtlMs: 3_600_000,
    ...overrides,
  };
}
