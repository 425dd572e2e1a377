/** deploy-green's inputs and outputs: the single truth for its settings, action.yml and docs. */
import { checkEnvironment, checkStableFor, dryRunInput, environmentInputs, githubDeploymentInputs, lockTtlInput, stableForInput } from "../../inputs/common";
import { defineAction, describedAs, type Settings } from "../../inputs/define";
import { duration, minHealthy, optionalInteger } from "../../inputs/fields";
import { releaseInputs } from "../../inputs/release";

export const deployGreenAction = defineAction({
  name: "deploy-green",
  branding: { icon: "upload-cloud", color: "green" },
  title: "Deploy green",
  description:
    "Brings the idle slot's Auto Scaling group up on a new version (a launch template version or an AMI), waits until every instance is InService and healthy in its target group and has stayed so for stable-for, and tags the slot as the candidate. Never touches the listener. Old instances on the idle slot are replaced by scaling it to 0 and back up, which costs no traffic since it has none. On success the run keeps the deployment lock for shift-traffic in the same run; on failure it releases it.",
  inputs: {
    ...environmentInputs,
    version: describedAs(releaseInputs.version, "Label of the version being deployed (e.g. the git tag or build number), recorded in the deploy:version tag."),
    "launch-template-version": describedAs(
      releaseInputs["launch-template-version"],
      "Launch template version to run on the idle slot: a version number, $Latest or $Default. Give this or image-id.",
    ),
    "image-id": describedAs(
      releaseInputs["image-id"],
      "AMI to run on the idle slot. A new launch template version is created from the group's current one with only the image changed. Give this or launch-template-version.",
    ),
    "desired-capacity": {
      description:
        "Instances to run on the idle slot. Default: the live slot's desired capacity (at least 1), raised to the idle group's minimum size if below it. Must fit the idle group's maximum size.",
      get schema() {
        return optionalInteger(1, 10_000);
      },
      valid: "a whole number from 1 to 10000",
    },
    "min-healthy": {
      description: "Healthy targets the idle slot's target group must reach, as a count or a percentage of registered targets; every registered target must be healthy as well. At least 1 (0 is refused): a group with no healthy target never passes.",
      default: "100%",
      get schema() {
        return minHealthy();
      },
      valid: "a count from 1 such as 2, or a percentage from 1% to 100% such as 100%",
    },
    timeout: {
      description: "How long to wait for the new instances to be InService and healthy before failing.",
      default: "15m",
      get schema() {
        return duration({ min: 30_000, max: 6 * 3600_000 });
      },
      valid: "a duration from 30s to 6h, e.g. 15m",
    },
    ...stableForInput,
    "deployment-id": releaseInputs["deployment-id"],
    "schema-version": {
      description:
        "The database schema version this release needs (a whole number), recorded in the deploy:schema-version tag of the slot. migration-guard's gate lets a contract migration that ends schema N (`-- migration: contract after N`) run only when no live or rollback-able slot needs N or older, and rollback refuses to return to a slot whose schema was contracted away; deploy-green itself refuses a schema-version at or below the environment's deploy:schema-contracted tag. Empty: no tag, and the gate treats the slot's schema as unknown (it blocks every contract while the slot is live or warm).",
      get schema() {
        return optionalInteger(0, 999_999_999);
      },
      valid: "a whole number from 0 to 999999999, e.g. 42",
    },
    ...dryRunInput,
    ...lockTtlInput,
    ...githubDeploymentInputs,
  },
  outputs: {
    slot: { description: "Name of the slot deployed to (blue, green, or its target group's name)." },
    "target-group-arn": { description: "ARN of the slot's target group." },
    "asg-name": { description: "Name of the slot's Auto Scaling group." },
    version: { description: "The version label deployed." },
    "instance-count": { description: "Instances of the new version InService and healthy." },
    "deployment-id": { description: "The deployment id recorded in tags." },
    "launch-template-version": { description: "The launch template version the group now runs (a number when image-id created one)." },
  },
  check: (s) => {
    const environment = checkEnvironment(s);
    if (environment) return environment;
    const given = [s["launch-template-version"] && "launch-template-version", s["image-id"] && "image-id"].filter(Boolean);
    if (given.length === 0) return "Input required and not supplied: launch-template-version or image-id. Give exactly one to say what to deploy.";
    if (given.length === 2) return "Inputs launch-template-version and image-id both say what to deploy; give exactly one of them.";
    return checkStableFor(s["stable-for"], s.timeout);
  },
});

export type DeployGreenSettings = Settings<typeof deployGreenAction>;
