/** canary-analyze once its inputs are valid: analysis → outputs, report file, summary and verdict. Loaded with import(). */
import { join } from "node:path";
import { analyzeState, findSlot, otherSlot, resolveEnvironment, slotNameFor } from "../../domain/environment";
import { TAG } from "../../domain/tags";
import type { canaryAnalyzeAction } from "./definition";
import { environmentRef } from "../../inputs/common";
import type { Settings } from "../../inputs/define";
import type { CanaryContext } from "../../report/canary";
import { ConfigurationError, errorMessage, SafetyError } from "../../util/errors";
import { maskSecrets } from "../../util/untrusted";
import type { ActionContext } from "../../runtime/run-action";

type SideLabels = Pick<CanaryContext, "slots" | "versions">;

/** Slot names and versions of target groups given by ARN, from their tags, for the summary only: a failed read is logged and leaves them out. */
async function sideLabels(ports: Awaited<ReturnType<ActionContext["ports"]>>, [canary, baseline]: [string, string], log: (line: string) => void): Promise<SideLabels> {
  try {
    const tags = await ports.tags.read([canary, baseline]);
    const of = (arn: string) => tags.get(arn) ?? {};
    return {
      slots: { canary: slotNameFor(canary, of(canary)), baseline: slotNameFor(baseline, of(baseline)) },
      versions: { canary: of(canary)[TAG.version], baseline: of(baseline)[TAG.version] },
    };
  } catch (error) {
    log(`The summary leaves out the slots' names and versions: their tags could not be read (${errorMessage(error)}).`);
    return {};
  }
}

export async function main(s: Settings<typeof canaryAnalyzeAction>, ctx: ActionContext): Promise<void> {
  const ports = await ctx.ports();
  const [{ loadAnalysis, analyzeCanary }, { renderCanaryMarkdown }, { writeFile }] = await Promise.all([import("../../analyze/load"), import("../../report/canary"), import("node:fs/promises")]);
  const { config, providers } = await loadAnalysis(s.config, s["config-file"], ports, ctx.io, "config", ctx.signal);
  let canary;
  let baseline;
  let labels: SideLabels = {};
  if (s["canary-target-group-arn"] && s["baseline-target-group-arn"]) {
    const infos = await ports.targetGroups.describe([s["canary-target-group-arn"], s["baseline-target-group-arn"]]);
    const lb = infos.find((i) => i.loadBalancerArns.length)?.loadBalancerArns[0];
    if (!lb) throw new ConfigurationError("canary-target-group-arn and baseline-target-group-arn: neither target group is attached to a load balancer, so there are no ALB metrics to compare.");
    canary = { targetGroupArn: s["canary-target-group-arn"], loadBalancerArn: lb };
    baseline = { targetGroupArn: s["baseline-target-group-arn"], loadBalancerArn: lb };
    labels = await sideLabels(ports, [s["canary-target-group-arn"], s["baseline-target-group-arn"]], ctx.log);
  } else {
    const env = await resolveEnvironment(environmentRef(s), ports);
    const state = analyzeState(env);
    if (state.phase === "inconsistent") throw new SafetyError(`canary-analyze: cannot tell the canary from the baseline: ${state.reason}.`);
    const c = findSlot(env, "candidate");
    const b = otherSlot(env, c);
    canary = { targetGroupArn: c.targetGroupArn, loadBalancerArn: env.routing.loadBalancerArn, version: c.version };
    baseline = { targetGroupArn: b.targetGroupArn, loadBalancerArn: env.routing.loadBalancerArn, version: b.version };
    labels = { slots: { canary: c.name, baseline: b.name } };
  }
  const end = new Date(ctx.clock.now());
  const report = await analyzeCanary(config, { baseline, canary, window: { start: new Date(end.getTime() - s.window), end } }, { providers, log: ctx.log });
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
  const why = report.reasons[0] ? `: ${report.reasons[0]}` : "";
  const failing = report.verdict === "fail" ? s["fail-on"] !== "never" : report.verdict === "inconclusive" && s["fail-on"] === "fail-or-inconclusive";
  if (failing) throw new SafetyError(`Canary verdict ${report.verdict}${report.score === null ? "" : ` (score ${report.score})`}${why}. Do not promote; run rollback to return all traffic to the baseline.`);
  if (report.verdict === "inconclusive") ctx.io.warning(`Canary verdict inconclusive${why}.`);
  else if (report.verdict === "fail") ctx.io.warning(`Canary verdict fail${why} (fail-on: never).`);
  else ctx.io.notice(`Canary verdict pass${report.score === null ? "" : ` (score ${report.score})`}.`);
}
