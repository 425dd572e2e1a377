/** The one region of a step: from aws-region, the environment, or the ARNs it is given, which must all agree. */
import type { ActionIO } from "../adapters/github/io";
import { regionOf } from "../util/arn";
import { ConfigurationError } from "../util/errors";

/** The region the step is told to use: input aws-region, then AWS_REGION, then AWS_DEFAULT_REGION (an empty value is not set). */
function configuredRegion(settings: Record<string, unknown>, io: ActionIO): { region: string; source: string } | undefined {
  const explicit = settings["aws-region"];
  if (typeof explicit === "string" && explicit) return { region: explicit, source: "input aws-region" };
  for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const value = io.env(name);
    if (value) return { region: value, source: name };
  }
  return undefined;
}

/** The region of every ARN input, in the order the action defines its inputs. */
function arnRegions(settings: Record<string, unknown>): { name: string; region: string }[] {
  const out: { name: string; region: string }[] = [];
  for (const [name, value] of Object.entries(settings)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const region = typeof item === "string" && item.startsWith("arn:") ? regionOf(item) : undefined;
      if (region) out.push({ name, region });
    }
  }
  return out;
}

/**
 * The region of the AWS clients: aws-region, AWS_REGION, AWS_DEFAULT_REGION, then the region of the
 * ARN the step was given (`hint`, else the first ARN input). Undefined with no ARN (environment-tags):
 * the SDK's own chain (its config file) is left to find one, and says so naming aws-region if it cannot.
 */
export function regionFrom(settings: Record<string, unknown>, io: ActionIO, hint?: string): string | undefined {
  return configuredRegion(settings, io)?.region ?? (hint || undefined) ?? arnRegions(settings)[0]?.region;
}

/**
 * An ARN input in another region than the one the AWS clients will use is refused before any AWS call:
 * the configured region, or with none configured the region of the first ARN (all must agree).
 */
export function checkRegion(settings: Record<string, unknown>, io: ActionIO): void {
  const configured = configuredRegion(settings, io);
  const arns = arnRegions(settings);
  const first = arns[0];
  for (const { name, region } of arns) {
    if (configured && region !== configured.region) {
      throw new ConfigurationError(
        `Input ${name}: the ARN is in region ${region}, but ${configured.source} is ${configured.region}. Give aws-region: ${region}, or configure credentials for ${region}.`,
      );
    }
    if (!configured && first && region !== first.region) {
      throw new ConfigurationError(`Input ${name}: the ARN is in region ${region}, but the ARN of input ${first.name} is in ${first.region}. Every ARN of a step must be in the step's one region.`);
    }
  }
}
