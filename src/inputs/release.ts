/** The inputs that say what to roll out: rolling-update's as they are, deploy-green's with its own words (describedAs). */
import * as z from "../util/zod";
import { optionalText } from "./fields";
import type { InputSpec } from "./define";

export const VERSION_LABEL = /^[A-Za-z0-9][A-Za-z0-9._+:@/-]{0,127}$/;
export const LAUNCH_TEMPLATE_VERSION = /^(?:[1-9]\d{0,9}|\$Latest|\$Default)$/;
export const IMAGE_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const DEPLOYMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

const optionalMatching = (pattern: RegExp, message: string) =>
  z.union([z.pipe(z.literal(""), z.transform(() => undefined)), z.string().check(z.regex(pattern, message))]);

export const releaseInputs = {
  version: {
    description: "Label of the version being rolled out (e.g. the git tag or build number), recorded in the deploy:version tag.",
    required: true,
    get schema() {
      return z.string().check(z.regex(VERSION_LABEL, "not 1–128 letters, digits or . _ + : @ / -, starting with a letter or digit"));
    },
    valid: "1–128 characters: letters, digits and . _ + : @ / -, starting with a letter or digit (e.g. v1.4.2 or build-5123)",
  },
  "launch-template-version": {
    description: "Launch template version to roll out: a version number, $Latest or $Default, pinned to the number it names when the step starts (never $Latest, so a rollback is always possible). Give this or image-id.",
    get schema() {
      return optionalMatching(LAUNCH_TEMPLATE_VERSION, "not a version number, $Latest or $Default");
    },
    valid: "a version number such as 7, or $Latest, or $Default",
  },
  "image-id": {
    description: "AMI to roll out. A new launch template version is created from the group's current one with only the image changed. Give this or launch-template-version.",
    get schema() {
      return optionalMatching(IMAGE_ID, "not an AMI id");
    },
    valid: "ami- followed by 8 or 17 lowercase hex digits, e.g. ami-0abcdef1234567890",
  },
  "deployment-id": {
    description: "Identifies this deployment in tags and the summary. Default: <run id>-<run attempt>.",
    get schema() {
      return z.pipe(optionalText(128), z.union([z.undefined(), z.string().check(z.regex(DEPLOYMENT_ID, "not 1–128 letters, digits or . _ : / -"))]));
    },
    valid: "1–128 characters: letters, digits and . _ : / -, starting with a letter or digit",
  },
} satisfies Record<string, InputSpec>;

const GROUP_NAME = /^[\u0020-\uD7FF\uE000-\uFFFD]{1,255}$/;

/** The rolling environment's Auto Scaling group, by name (rolling-update; rollback of a rolling environment). */
export const autoScalingGroupInput = {
  "auto-scaling-group-name": {
    description: "Name of the Auto Scaling group of a rolling environment (one group, attached to one target group that a listener or rule forwards to).",
    get schema() {
      return z.pipe(optionalText(255), z.union([z.undefined(), z.string().check(z.regex(GROUP_NAME, "not an Auto Scaling group name"))]));
    },
    valid: "1–255 characters, e.g. web",
  },
} satisfies Record<string, InputSpec>;
