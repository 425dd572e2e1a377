/** Inputs every action that acts on an environment shares: how to find it, and the AWS region. */
import * as z from "../util/zod";
import type { EnvironmentRef } from "../domain/environment";
import type { StableFor } from "../domain/target-health";
import { arn, boolean, duration, keyValues, optionalText, stableFor } from "./fields";
import type { InputSpec } from "./define";

export const environmentInputs = {
  "listener-arn": {
    description: "ARN of the listener whose default action forwards to the two slots' target groups. Give this, rule-arn, or environment-tags.",
    get schema() {
      return arn("listener");
    },
    valid: "an ARN like arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<lb>/<id>/<id>",
  },
  "rule-arn": {
    description: "ARN of the listener rule (path- or host-routed service) whose forward action splits traffic between the two slots.",
    get schema() {
      return arn("rule");
    },
    valid: "an ARN like arn:aws:elasticloadbalancing:<region>:<account>:listener-rule/app/<lb>/<id>/<id>/<id>",
  },
  "environment-tags": {
    description:
      "Find the environment by the tags on its two Auto Scaling groups, one key=value per line (e.g. environment=production and service=web). The listener or rule forwarding to both groups' target groups is found from them.",
    get schema() {
      return keyValues();
    },
    valid: "lines of key=value",
  },
  "aws-region": {
    description:
      "AWS region. Default: AWS_REGION (set by aws-actions/configure-aws-credentials), then AWS_DEFAULT_REGION, then the region in the ARN given (listener-arn, rule-arn or a target group ARN). With environment-tags and neither variable set, give it.",
    get schema() {
      return z.pipe(optionalText(32), z.union([z.undefined(), z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "not an AWS region"))]));
    },
    valid: "a region name such as us-east-1",
  },
} satisfies Record<string, InputSpec>;

export const dryRunInput = {
  "dry-run": {
    description: "Print the plan (each change as before → after) and change nothing.",
    default: "false",
    get schema() {
      return boolean();
    },
    valid: "true or false",
  },
} satisfies Record<string, InputSpec>;

export const lockTtlInput = {
  "lock-ttl": {
    description: "Lease of the deployment lock this run holds on the environment; another run can take it over once it expires.",
    default: "2h",
    get schema() {
      return duration({ min: 60_000, max: 24 * 3600_000 });
    },
    valid: "a duration from 1m to 24h, e.g. 90m or 2h",
  },
} satisfies Record<string, InputSpec>;

/** Shared by every action that analyses metrics (see src/analyze/window.ts for why and for the default). */
export const metricsDelayInput = {
  "metrics-delay": {
    description:
      "How late metrics are readable: analysis judges only data at least this old, and a look after a bake waits this long so the whole bake is judged. CloudWatch serves an ALB minute only once it has ended and after an undocumented ingest delay (1–3 min is commonly observed), so the default is 3m; Prometheus alone (its scrape interval) can use 30s.",
    default: "3m",
    get schema() {
      return duration({ min: 0, max: 30 * 60_000 });
    },
    valid: "a duration from 0 to 30m, e.g. 3m",
  },
} satisfies Record<string, InputSpec>;

/** Where the canary metrics of an action's own analysis are, as a file (shift-traffic, rolling-update); each says what analysis-config does. */
export const analysisConfigFileInput = {
  "analysis-config-file": {
    description: "Path of a YAML file in the repository with the canary metrics; used when analysis-config is empty.",
    get schema() {
      return optionalText(1024);
    },
    valid: "a relative file path",
  },
} satisfies Record<string, InputSpec>;

export const stableForInput = {
  "stable-for": {
    description:
      "Once everything passes, how long it must keep passing before the step succeeds; a failure in between starts this wait again, all within timeout. `auto`: twice as long as the load balancer can take to mark a failed target unhealthy (2 × health check interval × unhealthy threshold of the target group: 2m with the ALB defaults of 30s × 2, 20s with 5s × 2), so a target that fails in that first stretch is caught. `0s`: the first passing poll is enough.",
    default: "auto",
    get schema() {
      return stableFor();
    },
    valid: "auto, or a duration up to 30m such as 0s, 20s or 2m",
  },
} satisfies Record<string, InputSpec>;

/** A fixed stable-for must leave time within timeout to pass first (`auto` is checked once it is known). */
export function checkStableFor(stable: StableFor, timeoutMs: number): string | undefined {
  if (stable.kind === "fixed" && stable.ms >= timeoutMs) {
    return `Input stable-for (${stable.ms / 1000}s) must be shorter than timeout (${timeoutMs / 1000}s): health has to pass first and then hold for stable-for, all within timeout.`;
  }
  return undefined;
}

interface EnvironmentSettings {
  "listener-arn": string | undefined;
  "rule-arn": string | undefined;
  "environment-tags": Record<string, string>;
}

export const ENVIRONMENT_MISSING = "Input required and not supplied: listener-arn, rule-arn or environment-tags. Give exactly one to name the environment.";

/** For `requireOneOf`: the environment must be named. */
export const environmentRequired = { inputs: ["listener-arn", "rule-arn", "environment-tags"] as ("listener-arn" | "rule-arn" | "environment-tags")[], message: ENVIRONMENT_MISSING };

export function checkEnvironment(s: EnvironmentSettings): string | undefined {
  const given = [s["listener-arn"] && "listener-arn", s["rule-arn"] && "rule-arn", Object.keys(s["environment-tags"]).length > 0 && "environment-tags"].filter(Boolean);
  if (given.length === 1) return undefined;
  if (given.length === 0) return ENVIRONMENT_MISSING;
  return `Inputs ${given.join(" and ")} both name the environment; give exactly one of listener-arn, rule-arn or environment-tags.`;
}

export function environmentRef(s: EnvironmentSettings): EnvironmentRef {
  if (s["listener-arn"]) return { kind: "listener", arn: s["listener-arn"] };
  if (s["rule-arn"]) return { kind: "rule", arn: s["rule-arn"] };
  return { kind: "tags", tags: s["environment-tags"] };
}

export const githubDeploymentInputs = {
  "github-environment": {
    description:
      "GitHub environment whose deployment status this step reports (in_progress, success, failure), usually the job's `environment:` name. The job's own deployment is updated, never duplicated. Empty: no deployment status.",
    get schema() {
      return optionalText(255);
    },
    valid: "an environment name such as production",
  },
  "environment-url": {
    description: "URL shown on the GitHub deployment (the service's address).",
    get schema() {
      return z.pipe(optionalText(2048), z.union([z.undefined(), z.url({ protocol: /^https?$/ })]));
    },
    valid: "an http or https URL",
  },
  "github-token": {
    description: "Token for the deployments API (needs `deployments: write`). Used only when github-environment is set.",
    default: "${{ github.token }}",
    get schema() {
      return optionalText(4096);
    },
    valid: "a GitHub token",
    secret: true,
  },
} satisfies Record<string, InputSpec>;

export interface DeploymentSettings {
  "github-environment": string | undefined;
  "environment-url": string | undefined;
  "github-token": string | undefined;
}
