/** What a verdict means for the step, under `fail-on`: fail it (with why and what to do), or say it as a warning or a notice. */
import type { CanaryReport } from "./analyze";

export type FailOn = "fail" | "fail-or-inconclusive" | "never";

export type VerdictOutcome = { kind: "fail"; message: string } | { kind: "warning"; message: string } | { kind: "notice"; message: string };

export function verdictOutcome(report: Pick<CanaryReport, "verdict" | "score" | "reasons">, failOn: FailOn): VerdictOutcome {
  const why = report.reasons[0] ? `: ${report.reasons[0]}` : "";
  const score = report.score === null ? "" : ` (score ${report.score})`;
  const failing = report.verdict === "fail" ? failOn !== "never" : report.verdict === "inconclusive" && failOn === "fail-or-inconclusive";
  if (failing) return { kind: "fail", message: `Canary verdict ${report.verdict}${score}${why}. Do not promote; run rollback to return all traffic to the baseline.` };
  if (report.verdict === "inconclusive") return { kind: "warning", message: `Canary verdict inconclusive${why}.` };
  if (report.verdict === "fail") return { kind: "warning", message: `Canary verdict fail${why} (fail-on: never).` };
  return { kind: "notice", message: `Canary verdict pass${score}.` };
}
