/** canary-analyze once its inputs are valid: settings → which targets, analysis → outputs, report file, summary and verdict. Loaded with import(). */
import { join } from "node:path";
import { verdictOutcome } from "../../analyze/fail-on";
import { resolveCanaryTargets, type CanaryTargetsRequest } from "../../analyze/targets";
import type { canaryAnalyzeAction } from "./definition";
import { environmentRef } from "../../inputs/common";
import type { Settings } from "../../inputs/define";
import { SafetyError } from "../../util/errors";
import { maskSecrets } from "../../util/untrusted";
import type { ActionContext } from "../../runtime/run-action";

type CanarySettings = Settings<typeof canaryAnalyzeAction>;

/** Two target groups given by ARN, or the environment the inputs name. */
function targetsRequest(s: CanarySettings): CanaryTargetsRequest {
  const canaryArn = s["canary-target-group-arn"];
  const baselineArn = s["baseline-target-group-arn"];
  return canaryArn && baselineArn ? { canaryArn, baselineArn } : { environment: environmentRef(s) };
}

export async function main(s: CanarySettings, ctx: ActionContext): Promise<void> {
  const ports = await ctx.ports();
  const [{ loadAnalysis, analyzeCanary }, { renderCanaryMarkdown }, { writeFile }] = await Promise.all([import("../../analyze/load"), import("../../report/canary"), import("node:fs/promises")]);
  const { config, providers } = await loadAnalysis(s.config, s["config-file"], ports, ctx.io, "config", ctx.signal);
  const { canary, baseline, labels } = await resolveCanaryTargets(targetsRequest(s), ports, ctx.log);
  // The window ends at the newest published data (metrics-delay before now) and is as long as asked.
  const now = ctx.clock.now();
  const end = new Date(now - s["metrics-delay"]);
  const report = await analyzeCanary(config, { baseline, canary, window: { start: new Date(end.getTime() - s.window), end }, published: { now, delayMs: s["metrics-delay"] } }, { providers, log: ctx.log });
  const path = s["report-path"] ?? join(ctx.io.env("RUNNER_TEMP") ?? ".", "canary-report.json");
  // The runner masks the log, not files: the report is masked as it is written.
  await writeFile(path, maskSecrets(JSON.stringify(report, null, 2), config.secrets));
  ctx.io.setOutput("verdict", report.verdict);
  ctx.io.setOutput("score", report.score === null ? "" : String(report.score));
  ctx.io.setOutput("band", report.band ?? "");
  ctx.io.setOutput(
    "results",
    JSON.stringify(report.metrics.map((m) => ({ name: m.name, classification: m.classification, baseline: m.baseline, canary: m.canary, effect: m.effect, reason: m.reason }))),
  );
  ctx.io.setOutput("report-path", path);
  ctx.io.appendSummary(renderCanaryMarkdown(report, { ...labels, runUrl: ctx.run.runUrl, next: true }));
  const outcome = verdictOutcome(report, s["fail-on"]);
  if (outcome.kind === "fail") throw new SafetyError(outcome.message);
  if (outcome.kind === "warning") ctx.io.warning(outcome.message);
  else ctx.io.notice(outcome.message);
}
