/**
 * The gate before contract migrations: a contract that ends schema version N (`contract after N`)
 * may run only when no slot that serves traffic, or that rollback could return to without a
 * redeploy (it still has instances), runs a release needing schema N or older. A slot whose schema
 * is not known (no deploy:schema-version tag) blocks too: there is no evidence it does not need it.
 */
import { type Environment, type EnvironmentPorts, type EnvironmentRef, fleetOf, resolveEnvironment } from "../domain/environment";
import { parseSchemaVersion, TAG } from "../domain/tags";
import { errorMessage, OperationalError } from "../util/errors";

export interface SlotSchema {
  name: string;
  targetGroupName: string;
  version?: string | undefined;
  role?: string | undefined;
  /** The schema version the slot's release needs, from its deploy:schema-version tag. */
  schemaVersion?: number | undefined;
  /** Share of traffic, 0–100. */
  share: number;
  /**
   * Instances the slot is meant to run: its Auto Scaling group's desired capacity (a group scaled to 0
   * counts as scaled in while its last instances shut down), or its registered targets that are not
   * draining when no group feeds it.
   */
  instances: number;
}

export interface ContractFile {
  file: string;
  after: number;
}

export interface Blocker {
  slot: string;
  reason: string;
}

export interface GateDecision {
  allowed: ContractFile[];
  blocked: (ContractFile & { by: Blocker[] })[];
}

/** Why a slot is live or rollback-able; undefined when it is neither (no traffic, no instances). */
export function liveness(slot: SlotSchema): string | undefined {
  if (slot.share > 0) return `serves ${slot.share}% of traffic`;
  if (slot.instances > 0) return `has ${slot.instances} instance(s), so rollback returns to it without a redeploy`;
  return undefined;
}

function blocker(slot: SlotSchema, after: number): Blocker | undefined {
  const live = liveness(slot);
  if (!live) return undefined;
  const release = `${slot.name}${slot.version ? ` (${slot.version})` : ""}`;
  if (slot.schemaVersion === undefined) {
    return { slot: slot.name, reason: `${release} ${live} and has no ${TAG.schemaVersion} tag, so it may need schema ${after}; deploy it with schema-version, or scale it in` };
  }
  if (slot.schemaVersion <= after) return { slot: slot.name, reason: `${release} ${live} and needs schema ${slot.schemaVersion}, which this contract ends (after ${after}); scale it in first` };
  return undefined;
}

export function decideGate(contracts: ContractFile[], slots: SlotSchema[]): GateDecision {
  const decision: GateDecision = { allowed: [], blocked: [] };
  for (const contract of contracts) {
    const by = slots.map((s) => blocker(s, contract.after)).filter((b): b is Blocker => b !== undefined);
    if (by.length === 0) decision.allowed.push(contract);
    else decision.blocked.push({ ...contract, by });
  }
  return decision;
}

/** Each slot's schema, traffic and instances. A group that cannot be read fails the gate: no pass without evidence. */
export async function readSlotSchemas(ref: EnvironmentRef, ports: EnvironmentPorts): Promise<{ env: Environment; slots: SlotSchema[]; contracted?: number | undefined }> {
  const env = await resolveEnvironment(ref, ports);
  const fleet = await ports.fleet();
  const slots: SlotSchema[] = [];
  for (const slot of env.slots) {
    let instances: number;
    try {
      const group = await fleetOf(env, slot, fleet);
      instances = group ? group.desiredCapacity : (await ports.targetGroups.health(slot.targetGroupArn)).filter((t) => t.state !== "draining").length;
    } catch (error) {
      throw new OperationalError(`Could not tell whether ${slot.name} (${slot.targetGroupName}) still has instances: ${errorMessage(error)}. The gate does not pass without knowing.`, { cause: error });
    }
    slots.push({ name: slot.name, targetGroupName: slot.targetGroupName, version: slot.version, role: slot.role, schemaVersion: parseSchemaVersion(slot.tags[TAG.schemaVersion]), share: slot.share, instances });
  }
  const envTags = (await ports.tags.read([env.ref.arn])).get(env.ref.arn) ?? {};
  return { env, slots, contracted: parseSchemaVersion(envTags[TAG.schemaContracted]) };
}

/**
 * Records on the environment's listener or rule that schema `after` is contracted away, before the
 * contract runs: from then on rollback refuses to return to a slot needing it (unless forced). Never
 * lowers a higher version recorded before.
 */
export async function recordContracted(env: Environment, after: number, previous: number | undefined, ports: Pick<EnvironmentPorts, "tags">): Promise<number> {
  const value = Math.max(after, previous ?? 0);
  if (value !== previous) await ports.tags.write(env.ref.arn, { [TAG.schemaContracted]: String(value) });
  return value;
}
