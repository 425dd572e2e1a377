import { boolean, duration, minHealthy, optionalInteger, optionalText, text } from "../../inputs/fields";
import { checkEnvironment, dryRunInput, environmentInputs, environmentRequired, githubDeploymentInputs, lockTtlInput } from "../../inputs/common";
import { defineAction, describedAs } from "../../inputs/define";
import { autoScalingGroupInput } from "../../inputs/release";

export const rollbackAction = defineAction({
  name: "rollback",
  branding: { icon: "rotate-ccw", color: "red" },
  title: "Roll back",
  description:
    "Puts 100% of traffic back on the last known good slot from any state (mid-canary, after promotion, after a crashed job). Scales that slot back up and waits until it is healthy if it was scaled in; never moves traffic onto an empty or unhealthy group. Takes over any deployment lock.",
  inputs: {
    ...environmentInputs,
    "auto-scaling-group-name": describedAs(
      autoScalingGroupInput["auto-scaling-group-name"],
      "A rolling environment's Auto Scaling group (see rolling-update): every instance returns to the last good launch template version. Give this, listener-arn, rule-arn or environment-tags; a listener or rule with one target group, or tags matching one group, name a rolling environment too.",
    ),
    reason: {
      description:
        "Why, in words, on one line. Recorded in the step summary as written and in the deploy:reason tag with who asked, in the characters ELBv2 allows in a tag (letters, digits, spaces and _ . : / = + - @; e.g. `(by alice)` becomes `- by alice`).",
      default: "manual rollback",
      get schema() {
        return text(200);
      },
      valid: "1 to 200 characters on one line",
    },
    "to-version": {
      description: "Roll back to the slot tagged with this version, instead of the last known good one.",
      get schema() {
        return optionalText(128);
      },
      valid: "a version recorded by deploy-green, e.g. v41",
    },
    "to-slot": {
      description: "Roll back to this slot (blue, green, a target group name, stable or previous), instead of the last known good one.",
      get schema() {
        return optionalText(128);
      },
      valid: "a slot name or role",
    },
    "min-healthy": {
      description: "Healthy targets the good slot must have before traffic moves to it: a count or a percent of its registered targets. At least 1 (0 is refused): no weight ever goes to a target group with no healthy target.",
      default: "1",
      get schema() {
        return minHealthy();
      },
      valid: "a count from 1 such as 2, or a percent from 1% to 100% such as 50%",
    },
    "desired-capacity": {
      description: "Instances to scale the good slot to when it was scaled in. Default: the failing slot's desired capacity.",
      get schema() {
        return optionalInteger(1, 10000);
      },
      valid: "a whole number from 1 to 10000",
    },
    "scale-in-bad": {
      description: "After the rollback, scale the failing slot's Auto Scaling group to 0 once its deregistration delay has passed.",
      default: "false",
      get schema() {
        return boolean();
      },
      valid: "true or false",
    },
    timeout: {
      description: "Longest to wait for the good slot to scale up and become healthy.",
      default: "15m",
      get schema() {
        return duration({ min: 1000, max: 3 * 3600_000 });
      },
      valid: "a duration from 1s to 3h",
    },
    force: {
      description:
        "Roll back even to a slot whose release needs a database schema that a contract migration ended (its deploy:schema-version is at or below the deploy:schema-contracted tag that migration-guard's gate records on the listener or rule). Without it such a rollback is refused, since that release would fail against the current database.",
      default: "false",
      get schema() {
        return boolean();
      },
      valid: "true or false",
    },
    ...dryRunInput,
    ...lockTtlInput,
    ...githubDeploymentInputs,
  },
  outputs: {
    "from-version": { description: "Version that was serving traffic before the rollback." },
    "to-version": { description: "Version that serves all traffic now." },
    "to-slot": { description: "Slot that serves all traffic now." },
    seconds: { description: "Seconds the rollback took, from start to verified weights." },
    "scaled-up": { description: "true when the good slot had to be scaled back up." },
  },
  requireOneOf: [{ inputs: [...environmentRequired.inputs, "auto-scaling-group-name"], message: "Input required and not supplied: listener-arn, rule-arn, environment-tags or auto-scaling-group-name. Give exactly one to name the environment." }],
  check: (s) => (s["auto-scaling-group-name"] ? rollingEnvironmentCheck(s) : checkEnvironment(s)) ?? (s["to-version"] && s["to-slot"] ? "Inputs to-version and to-slot both given; give at most one." : undefined),
});

/** auto-scaling-group-name names the environment alone; to-slot means nothing without slots. */
function rollingEnvironmentCheck(s: { "listener-arn"?: string | undefined; "rule-arn"?: string | undefined; "environment-tags": Record<string, string>; "to-slot"?: string | undefined }): string | undefined {
  if (s["listener-arn"] || s["rule-arn"] || Object.keys(s["environment-tags"]).length > 0) return "Input auto-scaling-group-name names the environment; give it without listener-arn, rule-arn or environment-tags.";
  return s["to-slot"] ? "Input to-slot names a blue/green slot; a rolling environment (auto-scaling-group-name) has none. Give to-version, or neither." : undefined;
}
