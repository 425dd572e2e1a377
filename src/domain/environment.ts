/**
 * The environment model. An environment is one forward action (a listener's default action or a
 * listener rule) that splits traffic between two slots, each one target group (normally fed by one
 * Auto Scaling group). Which slot is live and which is last known good is kept in tags.
 */
import type { EnvironmentPorts } from "../ports/environment";
import type { Fleet, FleetGroup } from "../ports/fleet";
import type { ForwardState, RoutingRef } from "../ports/load-balancer";
import { ConfigurationError, SafetyError } from "../util/errors";
import { targetGroupName } from "../util/arn";
import { parseRole, type Role, TAG } from "./tags";
import { shareOf } from "./weights";

export type { EnvironmentPorts };

export type EnvironmentRef = RoutingRef | { kind: "tags"; tags: Record<string, string> };

export interface Slot {
  /** `blue`/`green` (from the `deploy:slot` tag or the target group's name), else the target group's name. */
  name: string;
  targetGroupArn: string;
  targetGroupName: string;
  weight: number;
  /** Share of traffic, 0–100. */
  share: number;
  role?: Role | undefined;
  version?: string | undefined;
  deploymentId?: string | undefined;
  sha?: string | undefined;
  tags: Record<string, string>;
}

export interface Environment {
  ref: RoutingRef;
  routing: ForwardState;
  slots: [Slot, Slot];
  /** Auto Scaling groups found during tag discovery, by target group ARN. */
  knownFleets: Map<string, FleetGroup>;
}


export function slotNameFor(arn: string, tags: Record<string, string>): string {
  const tagged = tags[TAG.slot];
  if (tagged) return tagged;
  const name = targetGroupName(arn);
  const colour = /(?:^|[-_])(blue|green)$/i.exec(name)?.[1];
  return colour ? colour.toLowerCase() : name;
}

function toSlot(routing: ForwardState, index: number, tags: Record<string, string>): Slot {
  const group = routing.groups[index]!;
  return {
    name: slotNameFor(group.targetGroupArn, tags),
    targetGroupArn: group.targetGroupArn,
    targetGroupName: targetGroupName(group.targetGroupArn),
    weight: group.weight,
    share: shareOf(routing.groups, group.targetGroupArn),
    role: parseRole(tags[TAG.role]),
    version: tags[TAG.version] || undefined,
    deploymentId: tags[TAG.deploymentId] || undefined,
    sha: tags[TAG.sha] || undefined,
    tags,
  };
}

function describeRef(ref: RoutingRef): string {
  return ref.kind === "listener" ? `listener ${ref.arn}` : `listener rule ${ref.arn}`;
}

/**
 * Builds the environment from its forward action and the target groups' tags. Its `ref` is the
 * resource the router says holds the action: a listener's default rule named as a rule is the listener.
 */
export async function loadEnvironment(given: RoutingRef, ports: EnvironmentPorts, knownFleets = new Map<string, FleetGroup>()): Promise<Environment> {
  const routing = await ports.router.read(given);
  const ref = routing.ref;
  if (routing.groups.length !== 2) {
    throw new ConfigurationError(
      `The forward action of ${describeRef(ref)} sends traffic to ${routing.groups.length} target group(s); ` +
        `a blue/green environment needs exactly 2 (the live one, and the idle one at weight 0). ` +
        `Add the second target group to the forward action with weight 0.`,
    );
  }
  const arns = routing.groups.map((g) => g.targetGroupArn);
  const tags = await ports.tags.read(arns);
  const slots: [Slot, Slot] = [toSlot(routing, 0, tags.get(arns[0]!) ?? {}), toSlot(routing, 1, tags.get(arns[1]!) ?? {})];
  if (slots[0].name === slots[1].name) {
    slots[0].name = slots[0].targetGroupName;
    slots[1].name = slots[1].targetGroupName;
  }
  return { ref, routing, slots, knownFleets };
}

/** Finds the environment from ARNs or by tag discovery (Auto Scaling groups → target groups → listener). */
export async function resolveEnvironment(ref: EnvironmentRef, ports: EnvironmentPorts): Promise<Environment> {
  if (ref.kind !== "tags") return loadEnvironment(ref, ports);
  const fleet = await ports.fleet();
  const groups = await fleet.findByTags(ref.tags);
  const wanted = Object.entries(ref.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const byTargetGroup = new Map<string, FleetGroup>();
  for (const group of groups) for (const arn of group.targetGroupArns) byTargetGroup.set(arn, group);
  if (byTargetGroup.size < 2) {
    throw new ConfigurationError(
      `environment-tags (${wanted}) matched ${groups.length} Auto Scaling group(s) attached to ${byTargetGroup.size} target group(s); ` +
        `tag discovery needs the two slots' Auto Scaling groups, each attached to its target group. ` +
        `Tag both groups, or give listener-arn or rule-arn instead.`,
    );
  }
  const infos = await ports.targetGroups.describe([...byTargetGroup.keys()]);
  const loadBalancers = new Set(infos.flatMap((info) => info.loadBalancerArns));
  const matches: ForwardState[] = [];
  for (const lb of loadBalancers) {
    for (const candidate of await ports.discovery.routingCandidates(lb)) {
      const arns = candidate.groups.map((g) => g.targetGroupArn);
      if (arns.length === 2 && arns.every((arn) => byTargetGroup.has(arn))) matches.push(candidate);
    }
  }
  if (matches.length !== 1) {
    const listed = matches.map((m) => describeRef(m.ref)).join("; ");
    throw new ConfigurationError(
      matches.length === 0
        ? `environment-tags (${wanted}): no listener or rule forwards to both target groups ${[...byTargetGroup.keys()].map(targetGroupName).join(" and ")}. Add both to one forward action, or give listener-arn or rule-arn.`
        : `environment-tags (${wanted}): ${matches.length} forward actions use both target groups (${listed}); give listener-arn or rule-arn to choose one.`,
    );
  }
  const known = new Map<string, FleetGroup>();
  for (const g of matches[0]!.groups) {
    const fleetGroup = byTargetGroup.get(g.targetGroupArn);
    if (fleetGroup) known.set(g.targetGroupArn, fleetGroup);
  }
  return loadEnvironment(matches[0]!.ref, ports, known);
}

export type EnvironmentState =
  | { phase: "steady"; live: Slot; idle: Slot; inferred: boolean }
  | { phase: "canary"; stable: Slot; candidate: Slot }
  | { phase: "promoting"; stable: Slot; candidate: Slot }
  | { phase: "inconsistent"; reason: string };

function fmt(slot: Slot): string {
  return `${slot.name} (${slot.targetGroupName}, ${slot.share}%${slot.role ? `, tagged ${slot.role}` : ", untagged"})`;
}

/** Reads the phase from weights and tags; says exactly why when they disagree. */
export function analyzeState(env: Environment): EnvironmentState {
  const [a, b] = env.slots;
  const stableCount = env.slots.filter((s) => s.role === "stable").length;
  if (stableCount > 1) return { phase: "inconsistent", reason: `both slots are tagged stable: ${fmt(a)} and ${fmt(b)}` };
  if (a.weight === 0 && b.weight === 0) return { phase: "inconsistent", reason: `both target groups have weight 0, so the listener has nowhere to send traffic: ${fmt(a)}, ${fmt(b)}` };
  if (a.weight > 0 && b.weight > 0) {
    const stable = env.slots.find((s) => s.role === "stable");
    if (!stable) return { phase: "inconsistent", reason: `traffic is split between ${fmt(a)} and ${fmt(b)}, but neither is tagged stable, so the last known good slot is unknown` };
    const candidate = stable === a ? b : a;
    return { phase: "canary", stable, candidate };
  }
  const live = a.weight > 0 ? a : b;
  const idle = live === a ? b : a;
  if (live.role === "previous") return { phase: "inconsistent", reason: `all traffic goes to ${fmt(live)}, which is tagged previous` };
  if (live.role === "candidate") {
    if (idle.role === "stable") return { phase: "promoting", stable: idle, candidate: live };
    return { phase: "inconsistent", reason: `all traffic goes to ${fmt(live)}, tagged candidate, and ${fmt(idle)} is not tagged stable` };
  }
  if (idle.role === "stable") return { phase: "inconsistent", reason: `the tags say ${fmt(idle)} is stable, but the listener sends all traffic to ${fmt(live)}` };
  return { phase: "steady", live, idle, inferred: live.role !== "stable" };
}

/** The slot named by `to`: a slot name (blue, green, a target group name) or a role (candidate, stable, previous, idle, live). */
export function findSlot(env: Environment, to: string, input = "to"): Slot {
  const byName = env.slots.find((s) => s.name === to || s.targetGroupName === to || s.targetGroupArn === to);
  if (byName) return byName;
  const state = analyzeState(env);
  const byRole: Record<string, Slot | undefined> = {
    candidate: env.slots.find((s) => s.role === "candidate") ?? (state.phase === "steady" ? state.idle : undefined),
    stable: env.slots.find((s) => s.role === "stable") ?? (state.phase === "steady" ? state.live : undefined),
    previous: env.slots.find((s) => s.role === "previous"),
    idle: state.phase === "steady" ? state.idle : undefined,
    live: state.phase === "steady" ? state.live : undefined,
  };
  const slot = byRole[to];
  if (slot) return slot;
  const names = env.slots.map((s) => s.name).join(", ");
  throw new ConfigurationError(
    `${input}: "${to}" names no slot of this environment. Valid: ${names}, or a role (candidate, stable, previous, idle, live) that one slot holds now.`,
  );
}

export function otherSlot(env: Environment, slot: Slot): Slot {
  return env.slots[0].targetGroupArn === slot.targetGroupArn ? env.slots[1] : env.slots[0];
}

export function refuseInconsistent(state: EnvironmentState, action: string): asserts state is Exclude<EnvironmentState, { phase: "inconsistent" }> {
  if (state.phase === "inconsistent") {
    throw new SafetyError(`${action} refused: the listener's weights and the slots' tags disagree (${state.reason}). Run the rollback action to restore a consistent state.`);
  }
}

/** Finds both slots' groups in one scan of the account's groups (fleetOf would scan once per slot). */
export async function findFleets(env: Environment, fleet: Fleet): Promise<void> {
  const missing = env.slots.filter((s) => !env.knownFleets.has(s.targetGroupArn)).map((s) => s.targetGroupArn);
  if (missing.length < 2) return;
  const found = await fleet.findByTargetGroups(missing);
  for (const arn of missing) {
    const feeding = found.filter((g) => g.targetGroupArns.includes(arn));
    // Zero or several are left to fleetOf, which says what is wrong.
    if (feeding.length === 1) env.knownFleets.set(arn, feeding[0]!);
  }
}

/** The Auto Scaling group feeding a slot, if any. */
export async function fleetOf(env: Environment, slot: Slot, fleet: Fleet): Promise<FleetGroup | undefined> {
  const known = env.knownFleets.get(slot.targetGroupArn);
  if (known) return (await fleet.describe(known.name)) ?? known;
  const found = await fleet.findByTargetGroups([slot.targetGroupArn]);
  if (found.length > 1) {
    throw new ConfigurationError(
      `target group ${slot.targetGroupName} is fed by ${found.length} Auto Scaling groups (${found.map((g) => g.name).join(", ")}); a slot needs exactly one.`,
    );
  }
  if (found[0]) env.knownFleets.set(slot.targetGroupArn, found[0]);
  return found[0];
}
