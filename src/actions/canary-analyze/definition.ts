import * as z from "../../util/zod";
import { arn, duration, optionalMultilineText, optionalText } from "../../inputs/fields";
import { environmentInputs, metricsDelayInput } from "../../inputs/common";
import { defineAction } from "../../inputs/define";

export const canaryAnalyzeAction = defineAction({
  name: "canary-analyze",
  branding: { icon: "bar-chart-2", color: "orange" },
  title: "Canary analysis",
  description:
    "Compares the canary target group with the baseline over a window (CloudWatch ALB metrics, alarms, Prometheus, Datadog or New Relic) with statistical tests and thresholds, and gives a verdict: pass, fail or inconclusive — never pass on no data.",
  inputs: {
    ...environmentInputs,
    "canary-target-group-arn": {
      description: "Target group of the canary. Default: the environment's candidate slot.",
      get schema() {
        return arn("targetGroup");
      },
      valid: "a target group ARN",
    },
    "baseline-target-group-arn": {
      description: "Target group of the baseline. Default: the environment's stable slot.",
      get schema() {
        return arn("targetGroup");
      },
      valid: "a target group ARN",
    },
    window: {
      description: "How long a window to compare: the newest published data, ending metrics-delay before now.",
      default: "10m",
      get schema() {
        return duration({ min: 60_000, max: 24 * 3600_000 });
      },
      valid: "a duration from 1m to 24h, e.g. 10m",
    },
    ...metricsDelayInput,
    config: {
      description: "Metrics, thresholds and providers as inline YAML. Default: error rate (critical) and p99/p50 latency from CloudWatch.",
      get schema() {
        return optionalMultilineText(65536);
      },
      valid: "YAML text",
    },
    "config-file": {
      description: "Path of a YAML file in the repository with the metrics; used when config is empty.",
      get schema() {
        return optionalText(1024);
      },
      valid: "a relative file path",
    },
    "fail-on": {
      description: "Which verdicts fail the step: fail, fail-or-inconclusive, or never (only report).",
      default: "fail",
      get schema() {
        return z.enum(["fail", "fail-or-inconclusive", "never"]);
      },
      valid: "fail, fail-or-inconclusive or never",
    },
    "report-path": {
      description: "Where to write the JSON report. Default: canary-report.json in the runner's temp directory.",
      get schema() {
        return optionalText(1024);
      },
      valid: "a file path",
    },
  },
  outputs: {
    verdict: { description: "pass, fail or inconclusive." },
    score: { description: "Weighted score 0–100 (empty when nothing could be scored)." },
    band: { description: "Score band: pass, marginal or fail." },
    results: { description: "Per-metric results as JSON: name, classification, baseline, canary, effect, reason." },
    "report-path": { description: "Path of the JSON report." },
  },
  requireOneOf: [
    {
      inputs: ["listener-arn", "rule-arn", "environment-tags", "canary-target-group-arn", "baseline-target-group-arn"],
      message: "Input required and not supplied: listener-arn, rule-arn or environment-tags (or canary-target-group-arn with baseline-target-group-arn).",
    },
  ],
  check: (s) => {
    const explicit = s["canary-target-group-arn"] !== undefined || s["baseline-target-group-arn"] !== undefined;
    const env = [s["listener-arn"], s["rule-arn"], Object.keys(s["environment-tags"]).length ? "tags" : undefined].filter(Boolean).length;
    if (explicit && !(s["canary-target-group-arn"] && s["baseline-target-group-arn"])) return "Inputs canary-target-group-arn and baseline-target-group-arn go together; give both, or neither and name the environment.";
    if (!explicit && env !== 1) return env === 0 ? "Input required and not supplied: listener-arn, rule-arn or environment-tags (or canary-target-group-arn with baseline-target-group-arn)." : "Give exactly one of listener-arn, rule-arn or environment-tags.";
    if (s.config && s["config-file"]) return "Inputs config and config-file both given; give one.";
    return undefined;
  },
});
