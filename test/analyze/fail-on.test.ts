/** canary-analyze's fail-on policy: which verdicts fail the step, and what the step says otherwise. */
import { describe, expect, it } from "vitest";
import { verdictOutcome } from "../../src/analyze/fail-on";

const report = (verdict: "pass" | "fail" | "inconclusive", reasons: string[] = [], score: number | null = 40) => ({ verdict, reasons, score });

describe("verdictOutcome", () => {
  it("fails the step on a fail unless fail-on is never, saying why and what to do", () => {
    expect(verdictOutcome(report("fail", ["error-rate is high"]), "fail")).toEqual({
      kind: "fail",
      message: "Canary verdict fail (score 40): error-rate is high. Do not promote; run rollback to return all traffic to the baseline.",
    });
    expect(verdictOutcome(report("fail", ["error-rate is high"]), "never")).toEqual({ kind: "warning", message: "Canary verdict fail: error-rate is high (fail-on: never)." });
  });

  it("fails on inconclusive only with fail-or-inconclusive", () => {
    expect(verdictOutcome(report("inconclusive", ["not enough data"], null), "fail-or-inconclusive").kind).toBe("fail");
    expect(verdictOutcome(report("inconclusive", ["not enough data"], null), "fail")).toEqual({ kind: "warning", message: "Canary verdict inconclusive: not enough data." });
  });

  it("notes a pass with its score", () => {
    expect(verdictOutcome(report("pass", [], 100), "fail-or-inconclusive")).toEqual({ kind: "notice", message: "Canary verdict pass (score 100)." });
  });
});
