/** shift-traffic's options for tests: a 100% switch on the fake listener, with whatever a test changes. */
import type { ShiftOptions } from "../../src/domain/shift-traffic";
import { LISTENER_ARN } from "./fake-elb";

export function shiftOptions(overrides: Partial<ShiftOptions> = {}): ShiftOptions {
  return {
    environment: { kind: "listener", arn: LISTENER_ARN },
    to: "candidate",
    plan: { kind: "weight", percent: 100 },
    minHealthy: { kind: "count", value: 1 },
    alarmNames: [],
    scaleInPrevious: false,
    scaleInDelayMs: 0,
    timeoutMs: 3_600_000,
    dryRun: false,
    lockOwner: "org/repo/actions/runs/1",
    lockTtlMs: 3_600_000,
    watchEveryMs: 2000,
    ...overrides,
  };
}
