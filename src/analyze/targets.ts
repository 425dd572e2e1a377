/**
 * Which target group is the canary and which the baseline: two target groups given by ARN (both on
 * one load balancer), or the environment's candidate slot against the other slot. Also the names
 * and versions a summary shows for each side.
 */
import { analyzeState, type EnvironmentRef, findSlot, otherSlot, resolveEnvironment, slotNameFor } from "../domain/environment";
import { TAG } from "../domain/tags";
import type { EnvironmentPorts } from "../ports/environment";
import { ConfigurationError, errorMessage, SafetyError } from "../util/errors";
import type { Target } from "../adapters/metrics/provider";

export type CanaryTargetsRequest = { canaryArn: string; baselineArn: string } | { environment: EnvironmentRef };

export interface SideLabels {
  slots?: { canary?: string | undefined; baseline?: string | undefined } | undefined;
  versions?: { canary?: string | undefined; baseline?: string | undefined } | undefined;
}

export interface CanaryTargets {
  canary: Target;
  baseline: Target;
  labels: SideLabels;
}

export async function resolveCanaryTargets(request: CanaryTargetsRequest, ports: EnvironmentPorts, log: (line: string) => void): Promise<CanaryTargets> {
  return "environment" in request ? fromEnvironment(request.environment, ports) : fromTargetGroups(request.canaryArn, request.baselineArn, ports, log);
}

async function fromTargetGroups(canaryArn: string, baselineArn: string, ports: EnvironmentPorts, log: (line: string) => void): Promise<CanaryTargets> {
  const infos = await ports.targetGroups.describe([canaryArn, baselineArn]);
  const lb = infos.find((i) => i.loadBalancerArns.length)?.loadBalancerArns[0];
  if (!lb) throw new ConfigurationError("canary-target-group-arn and baseline-target-group-arn: neither target group is attached to a load balancer, so there are no ALB metrics to compare.");
  return {
    canary: { targetGroupArn: canaryArn, loadBalancerArn: lb },
    baseline: { targetGroupArn: baselineArn, loadBalancerArn: lb },
    labels: await tagLabels(ports, canaryArn, baselineArn, log),
  };
}

async function fromEnvironment(ref: EnvironmentRef, ports: EnvironmentPorts): Promise<CanaryTargets> {
  const env = await resolveEnvironment(ref, ports);
  const state = analyzeState(env);
  if (state.phase === "inconsistent") throw new SafetyError(`canary-analyze: cannot tell the canary from the baseline: ${state.reason}.`);
  const c = findSlot(env, "candidate");
  const b = otherSlot(env, c);
  return {
    canary: { targetGroupArn: c.targetGroupArn, loadBalancerArn: env.routing.loadBalancerArn, version: c.version },
    baseline: { targetGroupArn: b.targetGroupArn, loadBalancerArn: env.routing.loadBalancerArn, version: b.version },
    labels: { slots: { canary: c.name, baseline: b.name } },
  };
}

/** Slot names and versions of target groups given by ARN, from their tags, for the summary only: a failed read is logged and leaves them out. */
async function tagLabels(ports: EnvironmentPorts, canary: string, baseline: string, log: (line: string) => void): Promise<SideLabels> {
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
