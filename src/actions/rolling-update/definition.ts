/** rolling-update's inputs and outputs: the single truth for its settings, action.yml and docs. */
import * as z from "../../util/zod";
import { analysisConfigFileInput, checkStableFor, dryRunInput, environmentInputs, githubDeploymentInputs, lockTtlInput, stableForInput } from "../../inputs/common";
import { defineAction, describedAs, type Settings } from "../../inputs/define";
import { addIssue, boolean, duration, integer, keyValues, nameList, optionalDuration, optionalMultilineText } from "../../inputs/fields";
import { autoScalingGroupInput, releaseInputs } from "../../inputs/release";
import { ROLLING_UPDATE_README } from "./readme";

/** `10,50,100`: ascending whole percentages of the group that must be new, ending at 100. */
const checkpoints = () =>
  z.pipe(z.string(), z.transform((s: string, ctx) => {
    const parts = s.split(",").map((p) => p.trim());
    const values = parts.map(Number);
    if (parts.some((p) => !/^\d{1,3}$/.test(p)) || values.some((v) => v < 1 || v > 100)) {
      addIssue(ctx, "not whole percentages from 1 to 100 separated by commas");
      return z.NEVER;
    }
    if (values.some((v, i) => i > 0 && v <= values[i - 1]!)) {
      addIssue(ctx, "checkpoints must increase");
      return z.NEVER;
    }
    if (values.at(-1) !== 100) {
      addIssue(ctx, "the last checkpoint must be 100, so every instance is replaced and checked");
      return z.NEVER;
    }
    return values;
  }));

export const rollingUpdateAction = defineAction({
  name: "rolling-update",
  branding: { icon: "refresh-cw", color: "orange" },
  readme: ROLLING_UPDATE_README,
  title: "Rolling update",
  description:
    "Replaces the instances of one Auto Scaling group in place with EC2 instance refresh, in checkpoints (e.g. 10%, 50%, 100%), with no second fleet. At each checkpoint the new instances must be healthy in the target group and stay so (stable-for), then a bake watches alarms and, optionally, canary analysis of the new version against the old one in the same target group. Any failure rolls every instance back to the previous numbered launch template version. Two versions serve at once while it runs. Takes the environment's deployment lock.",
  inputs: {
    "auto-scaling-group-name": describedAs(
      autoScalingGroupInput["auto-scaling-group-name"],
      "Name of the Auto Scaling group to update. It must be attached to one target group that a listener or rule forwards to. Give this or environment-tags.",
    ),
    "environment-tags": {
      description: "Find the Auto Scaling group by its tags, one key=value per line (e.g. environment=production and service=web); exactly one group must match.",
      get schema() {
        return keyValues();
      },
      valid: "lines of key=value",
    },
    "aws-region": environmentInputs["aws-region"],
    version: releaseInputs.version,
    "launch-template-version": releaseInputs["launch-template-version"],
    "image-id": releaseInputs["image-id"],
    checkpoints: {
      description: "Percentages of the group that must run the new version at each checkpoint, ascending and ending at 100. The refresh pauses at each one while the checks run.",
      default: "10,50,100",
      get schema() {
        return checkpoints();
      },
      valid: "whole percentages separated by commas, ascending, ending at 100, e.g. 10,50,100",
    },
    "min-healthy-percentage": {
      description: "Percentage of the desired capacity that stays in service and healthy while instances are replaced (the refresh's MinHealthyPercentage).",
      default: "90",
      get schema() {
        return integer(0, 100);
      },
      valid: "a whole number from 0 to 100",
    },
    "max-healthy-percentage": {
      description: "Most instances in service or launching, as a percentage of the desired capacity (MaxHealthyPercentage). 110 or more launches new instances before it terminates old ones, so capacity never drops; the group's maximum size must leave room.",
      default: "100",
      get schema() {
        return integer(100, 200);
      },
      valid: "a whole number from 100 to 200",
    },
    "instance-warmup": {
      description: "How long after a new instance is InService the refresh waits before counting it and moving on (InstanceWarmup). Default: the group's default instance warm-up, else its health check grace period.",
      get schema() {
        return optionalDuration({ max: 48 * 3600_000 });
      },
      valid: "a duration up to 48h, e.g. 60s",
    },
    ...stableForInput,
    bake: {
      description: "At each checkpoint, once the new instances have held healthy for stable-for: how long to watch the alarms and the health before going on; canary analysis runs at its end.",
      default: "2m",
      get schema() {
        return duration({ max: 6 * 3600_000 });
      },
      valid: "a duration up to 6h, e.g. 5m",
    },
    "checkpoint-timeout": {
      description: "At each checkpoint, how long the new instances may take to be healthy in the target group (before stable-for starts) before the update fails and rolls back.",
      default: "5m",
      get schema() {
        return duration({ min: 1000, max: 6 * 3600_000 });
      },
      valid: "a duration from 1s to 6h, e.g. 5m",
    },
    "checkpoint-delay": {
      description: "How long the refresh pauses at each checkpoint (CheckpointDelay; also its BakeTime at 100%). The checks must finish within it: the refresh goes on by itself when it ends. auto: checkpoint-timeout + stable-for + bake + 1m.",
      default: "auto",
      get schema() {
        return z.union([z.pipe(z.string().check(z.regex(/^auto$/i)), z.transform(() => undefined)), duration({ min: 1000, max: 172_800_000 })]);
      },
      valid: "auto, or a duration up to 48h, e.g. 15m",
    },
    "alarm-names": {
      description: "CloudWatch alarms (one per line or comma-separated) that must not go into ALARM while the refresh runs. They are also the refresh's own AlarmSpecification with AutoRollback, so AWS rolls back on an alarm even if this job is gone.",
      get schema() {
        return nameList(/^[^\s,][^,]{0,254}$/, "a CloudWatch alarm name");
      },
      valid: "alarm names, one per line",
    },
    analysis: {
      description:
        "Run canary analysis (canary-analyze's judge) at the end of each checkpoint's bake: the new version against the old one in the same target group. Only providers that split by version can compare them (Prometheus, Datadog or New Relic with a version label or tag); CloudWatch's ALB metrics are per target group, so with CloudWatch alone use absolute thresholds with compare: false, and alarms.",
      default: "false",
      get schema() {
        return boolean();
      },
      valid: "true or false",
    },
    "analysis-config": {
      description: "Canary metrics as inline YAML (see canary-analyze). Needed with analysis: the default CloudWatch comparison cannot tell the versions apart in one target group.",
      get schema() {
        return optionalMultilineText(65536);
      },
      valid: "YAML text",
    },
    ...analysisConfigFileInput,
    timeout: {
      description: "How long the whole update may take, checkpoints included; the rollback after a failure has as long again.",
      default: "60m",
      get schema() {
        return duration({ min: 60_000, max: 24 * 3600_000 });
      },
      valid: "a duration from 1m to 24h, e.g. 60m",
    },
    "deployment-id": releaseInputs["deployment-id"],
    ...dryRunInput,
    ...lockTtlInput,
    ...githubDeploymentInputs,
  },
  outputs: {
    "asg-name": { description: "Name of the Auto Scaling group updated." },
    "from-version": { description: "Version label that served before (the group's deploy:version tag; empty if untagged)." },
    "to-version": { description: "Version label rolled out." },
    "from-launch-template-version": { description: "Numbered launch template version the group ran before." },
    "to-launch-template-version": { description: "Numbered launch template version rolled out (a new one when image-id created it)." },
    "instances-replaced": { description: "How many of the group's instances were replaced (by the update, or by its rollback)." },
    "checkpoints-passed": { description: "The checkpoints that passed, e.g. 10,50." },
    "rolled-back": { description: "true when a failure rolled the group back to from-launch-template-version." },
    "rollback-reason": { description: "Why it rolled back (outside text sanitised); empty when it did not." },
    "refresh-id": { description: "The instance refresh's id." },
  },
  requireOneOf: [
    { inputs: ["auto-scaling-group-name", "environment-tags"], message: "Input required and not supplied: auto-scaling-group-name or environment-tags. Give exactly one to name the group." },
    { inputs: ["launch-template-version", "image-id"], message: "Input required and not supplied: launch-template-version or image-id. Give exactly one to say what to roll out." },
  ],
  check: (s) => {
    if (s["auto-scaling-group-name"] && Object.keys(s["environment-tags"]).length > 0) return "Inputs auto-scaling-group-name and environment-tags both name the group; give exactly one.";
    if (s["launch-template-version"] && s["image-id"]) return "Inputs launch-template-version and image-id both say what to roll out; give exactly one of them.";
    if (s["max-healthy-percentage"] - s["min-healthy-percentage"] > 100) {
      return `Inputs max-healthy-percentage (${s["max-healthy-percentage"]}) and min-healthy-percentage (${s["min-healthy-percentage"]}) may differ by at most 100 (an instance refresh limit).`;
    }
    if (s["analysis-config"] && s["analysis-config-file"]) return "Inputs analysis-config and analysis-config-file both given; give one.";
    if (s.analysis && !s["analysis-config"] && !s["analysis-config-file"]) {
      return "Input analysis is true but neither analysis-config nor analysis-config-file is given: the default CloudWatch comparison cannot tell the two versions apart in one target group. Give metrics that split by version, or absolute thresholds with compare: false.";
    }
    return checkStableFor(s["stable-for"], s.timeout);
  },
});

export type RollingUpdateSettings = Settings<typeof rollingUpdateAction>;
