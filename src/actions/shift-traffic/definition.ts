import * as z from "../../util/zod";
import { boolean, duration, minHealthy, nameList, optionalDuration, optionalMultilineText, percent, steps, text } from "../../inputs/fields";
import { analysisConfigFileInput, checkEnvironment, dryRunInput, environmentInputs, environmentRequired, githubDeploymentInputs, lockTtlInput, metricsDelayInput } from "../../inputs/common";
import { defineAction } from "../../inputs/define";

const optionalPercent = z.union([z.pipe(z.literal(""), z.transform(() => undefined)), percent()]);
const optionalSteps = z.union([z.pipe(z.literal(""), z.transform(() => undefined)), steps()]);

export const shiftTrafficAction = defineAction({
  name: "shift-traffic",
  branding: { icon: "shuffle", color: "purple" },
  title: "Shift traffic",
  description:
    "Moves listener weight to one slot, all at once (blue/green) or in steps with a bake time (canary). Checks health before every increase, reads every write back, aborts and restores the stable slot on any failed gate, and promotes the slot to stable at 100%.",
  inputs: {
    ...environmentInputs,
    to: {
      description: "The slot that gains traffic: a slot name (blue, green, or a target group name) or a role (candidate, stable, previous).",
      default: "candidate",
      get schema() {
        return text(128);
      },
      valid: "blue, green, a target group name, candidate, stable or previous",
    },
    weight: {
      description: "Share of traffic for the `to` slot, in percent with up to one decimal (0.5 is a 0.5% canary). Give this or steps.",
      get schema() {
        return optionalPercent;
      },
      valid: "a number from 0 to 100 with at most one decimal, e.g. 0.5, 10 or 100",
    },
    steps: {
      description: "Ascending percentages to move through, with `interval` of bake time between them, e.g. 1,10,50,100. Give this or weight.",
      get schema() {
        return optionalSteps;
      },
      valid: "comma-separated ascending percentages above 0, e.g. 1,10,50,100",
    },
    interval: {
      description: "Bake time between steps. Health, alarms and canary analysis are checked during and at the end of each bake.",
      default: "5m",
      get schema() {
        return duration({ min: 0, max: 24 * 3600_000 });
      },
      valid: "a duration such as 30s, 5m or 1h (up to 24h)",
    },
    "min-healthy": {
      description: "Healthy targets the receiving target group must have before every increase, and keep during bakes: a count or a percent of its registered targets. At least 1 (0 is refused): no weight ever goes to a target group with no healthy target.",
      default: "1",
      get schema() {
        return minHealthy();
      },
      valid: "a count from 1 such as 2, or a percent from 1% to 100% such as 50%",
    },
    "alarm-names": {
      description: "CloudWatch alarms (one per line or comma-separated) that must not be in ALARM during bakes; any in ALARM aborts and restores.",
      get schema() {
        return nameList(/^[^\s,][^,]{0,254}$/, "a CloudWatch alarm name");
      },
      valid: "alarm names, one per line",
    },
    analysis: {
      description:
        "Run canary analysis (canary-analyze's judge): its counts metrics (the default error rate) are watched at every tick of every bake by an always-valid sequential test that stops a bad canary as soon as the evidence suffices (monitor in the configuration, default true), and every metric is judged at the end of each bake; a fail aborts and restores.",
      default: "false",
      get schema() {
        return boolean();
      },
      valid: "true or false",
    },
    "analysis-config": {
      description: "Canary metrics as inline YAML (see canary-analyze). Defaults to error rate and latency from CloudWatch.",
      get schema() {
        return optionalMultilineText(65536);
      },
      valid: "YAML text",
    },
    ...analysisConfigFileInput,
    "analysis-inconclusive": {
      description:
        "What an inconclusive verdict on the last look before 100% does: fail (abort and restore) or continue. Earlier looks always continue. A metric whose sample is too small to ever reach significance is \"not enough data\" and makes the verdict inconclusive: with CloudWatch's one-minute periods a rank test needs about 6 periods a side at the default alpha, so a canary whose last look sees fewer (short bakes) is inconclusive and, with fail, aborts.",
      default: "fail",
      get schema() {
        return z.enum(["fail", "continue"]);
      },
      valid: "fail or continue",
    },
    ...metricsDelayInput,
    "propagation-delay": {
      description:
        "How long a weight change takes to reach every load balancer node after the API reads it back (AWS: rule updates apply \"for a short time\" later, not quantified). Each bake counts from then, and a scale-in waits it out before the deregistration delay.",
      default: "5s",
      get schema() {
        return duration({ min: 0, max: 120_000 });
      },
      valid: "a duration from 0 to 2m, e.g. 5s",
    },
    "stickiness-duration": {
      description: "Turn on target group stickiness on the forward action for this long, so a user does not flip between versions during a canary. 0 turns it off; empty leaves it unchanged.",
      get schema() {
        return optionalDuration({ min: 0, max: 604_800_000 });
      },
      valid: "a duration from 0 to 7d in seconds, minutes or hours, e.g. 1h",
    },
    "scale-in-previous": {
      description: "At 100%, scale the previous slot's Auto Scaling group to 0 once its deregistration delay and scale-in-delay have passed.",
      default: "false",
      get schema() {
        return boolean();
      },
      valid: "true or false",
    },
    "scale-in-delay": {
      description: "Extra bake time after the deregistration delay before the previous fleet is scaled in.",
      default: "0",
      get schema() {
        return duration({ min: 0, max: 24 * 3600_000 });
      },
      valid: "a duration such as 0, 5m or 1h",
    },
    timeout: {
      description: "Longest the whole step may take, bakes included.",
      default: "60m",
      get schema() {
        return duration({ min: 1000, max: 6 * 3600_000 });
      },
      valid: "a duration from 1s to 6h",
    },
    ...dryRunInput,
    ...lockTtlInput,
    ...githubDeploymentInputs,
  },
  outputs: {
    weights: { description: "Final weights as JSON: slot name → percent." },
    share: { description: "Final share of the `to` slot, in percent." },
    "steps-completed": { description: "How many steps were applied and verified." },
    aborted: { description: "true when a gate failed and traffic was restored." },
    "abort-reason": { description: "Why the shift aborted, in words." },
    promoted: { description: "true when the `to` slot was promoted to stable at 100%." },
    "to-slot": { description: "Name of the slot that gained traffic." },
    "from-slot": { description: "Name of the other slot." },
    version: { description: "Version of the `to` slot, from its tags." },
  },
  requireOneOf: [environmentRequired],
  check: (s) =>
    checkEnvironment(s) ??
    (s.weight === undefined && s.steps === undefined
      ? "Input required and not supplied: weight or steps. Give weight for one move (e.g. 100) or steps for a canary (e.g. 1,10,50,100)."
      : s.weight !== undefined && s.steps !== undefined
        ? "Inputs weight and steps both given; give weight for one move or steps for a canary, not both."
        : s["analysis-config"] && s["analysis-config-file"]
          ? "Inputs analysis-config and analysis-config-file both given; give one."
          : s["stickiness-duration"] !== undefined && s["stickiness-duration"] % 1000 !== 0
            ? "Input stickiness-duration must be whole seconds."
            : undefined),
  post: { entry: "shift-traffic-post", if: "failure() || cancelled()", afterState: "routing" },
});
