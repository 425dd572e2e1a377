/**
 * A rolling environment: one Auto Scaling group, attached to one target group, that a listener's
 * default action or one listener rule forwards to. Every instance serves; an update replaces them
 * in place (EC2 instance refresh), so two versions serve at once while it runs. The deployment lock
 * lives on that listener or rule, as for a blue/green environment. The state is kept in tags on the
 * group and its target group: the last good version and its numbered launch template version, the
 * previous ones, and, while an update runs, the candidate's.
 */
import type { Fleet, FleetGroup } from "../ports/fleet";
import type { EnvironmentPorts } from "../ports/environment";
import type { ForwardState } from "../ports/load-balancer";
import { targetGroupName } from "../util/arn";
import { ConfigurationError, OperationalError } from "../util/errors";
import { parseRole, type Role, TAG, tagText } from "./tags";

export type RollingRef = { kind: "group"; name: string } | { kind: "tags"; tags: Record<string, string> };

/** The tags a rolling environment adds to the suite's (TAG): which version is good, and which is being rolled out. */
export const ROLLING_TAG = {
  strategy: "deploy:strategy",
  launchTemplateVersion: "deploy:launch-template-version",
  previousVersion: "deploy:previous-version",
  previousLaunchTemplateVersion: "deploy:previous-launch-template-version",
  candidateVersion: "deploy:candidate-version",
  candidateLaunchTemplateVersion: "deploy:candidate-launch-template-version",
  refreshId: "deploy:refresh-id",
} as const;

export interface RollingState {
  role?: Role | undefined;
  /** The last good version (label) and its numbered launch template version. */
  version?: string | undefined;
  launchTemplateVersion?: string | undefined;
  previousVersion?: string | undefined;
  previousLaunchTemplateVersion?: string | undefined;
  /** Set while an update runs (or after one that stopped before it finished). */
  candidateVersion?: string | undefined;
  candidateLaunchTemplateVersion?: string | undefined;
}

export interface RollingEnvironment {
  group: FleetGroup;
  targetGroupArn: string;
  /** The forward action that sends traffic to the target group; the deployment lock lives on its listener or rule. */
  routing: ForwardState;
  state: RollingState;
}

export function rollingState(tags: Record<string, string>): RollingState {
  const get = (key: string) => tags[key] || undefined;
  return {
    role: parseRole(tags[TAG.role]),
    version: get(TAG.version),
    launchTemplateVersion: get(ROLLING_TAG.launchTemplateVersion),
    previousVersion: get(ROLLING_TAG.previousVersion),
    previousLaunchTemplateVersion: get(ROLLING_TAG.previousLaunchTemplateVersion),
    candidateVersion: get(ROLLING_TAG.candidateVersion),
    candidateLaunchTemplateVersion: get(ROLLING_TAG.candidateLaunchTemplateVersion),
  };
}

export function describeRollingRef(ref: RollingRef): string {
  return ref.kind === "group" ? `Auto Scaling group ${ref.name}` : `environment-tags (${Object.entries(ref.tags).map(([k, v]) => `${k}=${v}`).join(", ")})`;
}

async function findGroup(ref: RollingRef, fleet: Fleet): Promise<FleetGroup> {
  if (ref.kind === "group") {
    const group = await fleet.describe(ref.name);
    if (!group) throw new ConfigurationError(`auto-scaling-group-name: no Auto Scaling group named ${ref.name} in this account and region.`);
    return group;
  }
  const groups = await fleet.findByTags(ref.tags);
  if (groups.length !== 1) {
    throw new ConfigurationError(
      `${describeRollingRef(ref)} matched ${groups.length} Auto Scaling group(s)${groups.length ? ` (${groups.map((g) => g.name).join(", ")})` : ""}; a rolling environment is one group. Add a tag that tells it apart, or give auto-scaling-group-name.`,
    );
  }
  return groups[0]!;
}

/** The group, its one target group, and the one forward action that serves it. */
export async function resolveRolling(ref: RollingRef, ports: EnvironmentPorts): Promise<RollingEnvironment> {
  const group = await findGroup(ref, await ports.fleet());
  if (group.targetGroupArns.length !== 1) {
    throw new ConfigurationError(
      `Auto Scaling group ${group.name} is attached to ${group.targetGroupArns.length} target groups${group.targetGroupArns.length ? ` (${group.targetGroupArns.map(targetGroupName).join(", ")})` : ""}; a rolling update needs exactly one, whose health it checks at each checkpoint.`,
    );
  }
  const targetGroupArn = group.targetGroupArns[0]!;
  const [info] = await ports.targetGroups.describe([targetGroupArn]);
  if (!info || info.loadBalancerArns.length === 0) {
    throw new ConfigurationError(`Target group ${targetGroupName(targetGroupArn)} of ${group.name} is used by no load balancer, so nothing serves from it and no deployment lock can be taken.`);
  }
  const routes: ForwardState[] = [];
  for (const lb of info.loadBalancerArns) {
    for (const candidate of await ports.discovery.routingCandidates(lb)) {
      if (candidate.groups.some((g) => g.targetGroupArn === targetGroupArn && g.weight > 0)) routes.push(candidate);
    }
  }
  if (routes.length !== 1) {
    throw new ConfigurationError(
      routes.length === 0
        ? `No listener or rule forwards traffic to ${targetGroupName(targetGroupArn)} (weight above 0), so ${group.name} serves nothing; a rolling update needs the group in service.`
        : `${routes.length} forward actions send traffic to ${targetGroupName(targetGroupArn)} (${routes.map((r) => r.ref.arn).join("; ")}); the deployment lock needs one. Serve the group from one listener or rule.`,
    );
  }
  return { group, targetGroupArn, routing: routes[0]!, state: rollingState(group.tags) };
}

/** Reads the group again (its instances, tags and launch template now). */
export async function refreshGroup(env: RollingEnvironment, fleet: Fleet): Promise<FleetGroup> {
  const group = await fleet.describe(env.group.name);
  if (!group) throw new OperationalError(`Auto Scaling group ${env.group.name} no longer exists.`);
  env.group = group;
  env.state = rollingState(group.tags);
  return group;
}

/** Writes the same tags to the group and its target group (free text through tagText, as ELBv2 requires). */
export async function writeRollingTags(env: RollingEnvironment, ports: EnvironmentPorts, tags: Record<string, string>): Promise<void> {
  const clean = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, tagText(v)]));
  await (await ports.fleet()).tag(env.group.name, clean);
  await ports.tags.write(env.targetGroupArn, clean);
}
