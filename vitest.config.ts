import { defineConfig } from "vitest/config";
import SlowFirstSequencer from "./test/support/slow-first-sequencer.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "sandbox/**/*.test.ts", "bench/lib/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The slow files mostly wait (sandbox time, bakes, health checks): four at once on two cores use
    // about half the CPU, and the run takes about a third of the time one at a time takes.
    maxWorkers: 4,
    sequence: { sequencer: SlowFirstSequencer },
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
