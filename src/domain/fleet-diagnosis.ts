/** Why a fleet did not come to serve, read best effort and said in sentences: instances, failed scaling activities, unhealthy targets. */
import type { Fleet, FleetInstance, ScalingActivity } from "../ports/fleet";
import type { TargetGroups, TargetHealthEntry } from "../ports/load-balancer";
import { targetGroupName } from "../util/arn";
import { errorMessage, OperationalError } from "../util/errors";
import { untrusted } from "../util/untrusted";
import { describeTarget } from "./target-health";

/** Lifecycle states of an instance that is leaving or gone. */
export const LEAVING = /^(Terminating|Terminated|Detaching|Detached)/;

export function describeInstance(i: FleetInstance): string {
  return `${i.id} ${i.lifecycleState}${i.healthStatus && i.healthStatus !== "Healthy" ? `/${i.healthStatus}` : ""}`;
}

/** Why a fleet did not come to serve: the instances, the failed scaling activities, the unhealthy targets. */
export interface FleetDiagnosis {
  instances: FleetInstance[];
  failedActivities: ScalingActivity[];
  /** Terminations of instances Auto Scaling found unhealthy (they crashed or failed health checks). */
  replacedUnhealthy: ScalingActivity[];
  unhealthyTargets: TargetHealthEntry[];
  /** Diagnostics that could not be read, in words. */
  unreadable: string[];
}

export class FleetNotServingError extends OperationalError {
  static override readonly kind: string = "FleetNotServingError";
  constructor(
    message: string,
    readonly diagnosis: FleetDiagnosis,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const FAILED = /^(Failed|Cancelled)$/;
/** "At <time> an instance was taken out of service in response to <why>", unless <why> is a capacity change. */
const TAKEN_OUT = /taken out of service in response to (?!a difference between desired and actual capacity)(.+?)\.?$/;

function replacementReason(a: ScalingActivity): string | undefined {
  if (!/^Terminating/.test(a.description)) return undefined;
  return TAKEN_OUT.exec(a.cause ?? "")?.[1];
}

export function describeActivity(a: ScalingActivity): string {
  // Auto Scaling's words (a status message can quote a launch failure): outside text.
  const why = a.statusMessage || a.cause;
  return `${untrusted(a.statusCode, 40)} at ${a.startTime.toISOString()}: ${untrusted(a.description, 300)}${why ? ` (${untrusted(why, 500)})` : ""}`;
}

/** Reads, best effort, what went wrong with a group and its target group since `since`. */
export async function diagnoseFleet(options: { fleet: Fleet; targetGroups: TargetGroups; groupName: string; targetGroupArn: string; since: Date }): Promise<FleetDiagnosis> {
  const diagnosis: FleetDiagnosis = { instances: [], failedActivities: [], replacedUnhealthy: [], unhealthyTargets: [], unreadable: [] };
  const [group, activities, health] = await Promise.allSettled([
    options.fleet.describe(options.groupName),
    options.fleet.activities(options.groupName, options.since),
    options.targetGroups.health(options.targetGroupArn),
  ]);
  if (group.status === "fulfilled") diagnosis.instances = group.value?.instances ?? [];
  else diagnosis.unreadable.push(`instances: ${errorMessage(group.reason)}`);
  if (activities.status === "fulfilled") {
    diagnosis.failedActivities = activities.value.filter((a) => FAILED.test(a.statusCode));
    diagnosis.replacedUnhealthy = activities.value.filter((a) => replacementReason(a) !== undefined);
  }
  else diagnosis.unreadable.push(`scaling activities: ${errorMessage(activities.reason)}`);
  if (health.status === "fulfilled") diagnosis.unhealthyTargets = health.value.filter((t) => t.state !== "healthy" && t.state !== "draining" && t.state !== "unused");
  else diagnosis.unreadable.push(`target health: ${errorMessage(health.reason)}`);
  return diagnosis;
}

/** The diagnosis in sentences, for an error message. */
export function formatDiagnosis(d: FleetDiagnosis, groupName: string, targetGroupArn: string): string {
  const parts: string[] = [];
  const live = d.instances.filter((i) => !LEAVING.test(i.lifecycleState));
  parts.push(live.length > 0 ? `Instances of ${groupName}: ${live.slice(0, 10).map(describeInstance).join(", ")}${live.length > 10 ? `, and ${live.length - 10} more` : ""}.` : `${groupName} has no running instances.`);
  if (d.failedActivities.length > 0) {
    parts.push(`Failed scaling activities: ${d.failedActivities.slice(0, 5).map(describeActivity).join("; ")}${d.failedActivities.length > 5 ? `; and ${d.failedActivities.length - 5} more` : ""}.`);
  } else if (!d.unreadable.some((u) => u.startsWith("scaling"))) {
    parts.push("No scaling activity failed.");
  }
  if (d.replacedUnhealthy.length > 0) {
    const shown = d.replacedUnhealthy.slice(0, 5).map((a) => `${a.description.replace(/^Terminating EC2 instance: /, "")} (${replacementReason(a)})`);
    parts.push(`Auto Scaling replaced ${d.replacedUnhealthy.length} unhealthy instance(s): ${shown.join(", ")}${d.replacedUnhealthy.length > 5 ? ", …" : ""}.`);
  }
  if (d.unhealthyTargets.length > 0) {
    parts.push(`Not healthy in ${targetGroupName(targetGroupArn)}: ${d.unhealthyTargets.slice(0, 10).map(describeTarget).join("; ")}${d.unhealthyTargets.length > 10 ? `; and ${d.unhealthyTargets.length - 10} more` : ""}.`);
  }
  if (d.unreadable.length > 0) parts.push(`Could not read ${d.unreadable.join("; ")}.`);
  return parts.join(" ");
}
