/** The contract gate over the environment's slots, and rollback's refusal to return to a slot whose schema was contracted away. */
import { describe, expect, it } from "vitest";
import { resolveEnvironment } from "../../src/domain/environment";
import { rollback } from "../../src/domain/rollback";
import { checkDeploySchema } from "../../src/domain/schema-check";
import { TAG } from "../../src/domain/tags";
import { decideGate, readSlotSchemas, recordContracted, type SlotSchema } from "../../src/migrations/gate";
import { SafetyError } from "../../src/util/errors";
import { BLUE_ARN, GREEN_ARN, LISTENER_ARN } from "../support/fake-elb";
import { promotedPair } from "../support/promoted-pair";
import { rollbackOptions } from "../support/rollback-options";

/** Blue (v1, previous) needs schema 42, green (v2, stable) 43. */
const SCHEMAS = { blue: { [TAG.schemaVersion]: "42" }, green: { [TAG.schemaVersion]: "43" } };

const slot = (overrides: Partial<SlotSchema>): SlotSchema => ({ name: "blue", targetGroupName: "web-blue", share: 0, instances: 0, ...overrides });

describe("decideGate", () => {
  const v2 = slot({ name: "green", version: "v2", schemaVersion: 43, share: 100, instances: 3 });

  it("refuses a contract while a slot that rollback returns to without a redeploy (warm) needs the schema it ends", () => {
    const decision = decideGate([{ file: "003_drop_email.sql", after: 42 }], [slot({ version: "v1", schemaVersion: 42, instances: 2 }), v2]);
    expect(decision.allowed).toEqual([]);
    expect(decision.blocked[0]!.by).toEqual([{ slot: "blue", reason: "blue (v1) has 2 instance(s), so rollback returns to it without a redeploy and needs schema 42, which this contract ends (after 42); scale it in first" }]);
  });

  it("refuses while such a slot serves traffic (mid-canary), and allows once it is scaled in", () => {
    expect(decideGate([{ file: "c.sql", after: 42 }], [slot({ version: "v1", schemaVersion: 42, share: 90, instances: 0 }), v2]).blocked[0]!.by[0]!.reason).toContain("serves 90% of traffic");
    expect(decideGate([{ file: "c.sql", after: 42 }], [slot({ version: "v1", schemaVersion: 42 }), v2]).allowed).toEqual([{ file: "c.sql", after: 42 }]);
  });

  it("a live slot with no schema tag blocks: no pass without evidence", () => {
    const decision = decideGate([{ file: "c.sql", after: 1 }], [slot({ instances: 1 }), v2]);
    expect(decision.blocked[0]!.by[0]!.reason).toContain("has no deploy:schema-version tag");
  });

  it("decides per file: a contract of an older schema may run while a newer one waits", () => {
    const decision = decideGate([{ file: "a.sql", after: 40 }, { file: "b.sql", after: 42 }], [slot({ schemaVersion: 41, instances: 2 }), v2]);
    expect(decision.allowed.map((c) => c.file)).toEqual(["a.sql"]);
    expect(decision.blocked.map((c) => c.file)).toEqual(["b.sql"]);
  });
});

describe("readSlotSchemas and recordContracted", () => {
  it("reads each slot's schema tag, traffic and instances, and records the contracted schema on the listener, never lowering it", async () => {
    const { elb, ports } = promotedPair(2, SCHEMAS);
    const { env, slots, contracted } = await readSlotSchemas({ kind: "listener", arn: LISTENER_ARN }, ports);
    expect(slots.map((s) => [s.name, s.schemaVersion, s.share, s.instances])).toEqual([["blue", 42, 0, 2], ["green", 43, 100, 3]]);
    expect(contracted).toBeUndefined();
    expect(await recordContracted(env, 42, undefined, ports)).toBe(42);
    expect(elb.tagsOf(LISTENER_ARN)[TAG.schemaContracted]).toBe("42");
    expect(await recordContracted(env, 40, 42, ports)).toBe(42);
    expect(elb.tagsOf(LISTENER_ARN)[TAG.schemaContracted]).toBe("42");
  });
});

describe("rollback after a contract", () => {
  it("refuses to return to a slot needing a contracted schema, leaving traffic where it is", async () => {
    const { elb, deps } = promotedPair(0, SCHEMAS);
    elb.resourceTags.set(LISTENER_ARN, { [TAG.schemaContracted]: "42" });
    const error = await rollback(rollbackOptions(), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toMatch(/^Rollback refused: blue \(v1\) needs schema 42, and schema 42 and older were contracted away .*Traffic was left where it is\..*force: true/);
    expect(elb.groups.find((g) => g.targetGroupArn === GREEN_ARN)!.weight).toBe(1);
    expect(elb.calls.filter((c) => c.op === "setWeights")).toEqual([]);
  });

  it("with force: true rolls back and warns", async () => {
    const { elb, deps, warnings } = promotedPair(2, SCHEMAS);
    elb.resourceTags.set(LISTENER_ARN, { [TAG.schemaContracted]: "42" });
    const result = await rollback(rollbackOptions({ force: true }), deps);
    expect(result.good.name).toBe("blue");
    expect(elb.groups.find((g) => g.targetGroupArn === BLUE_ARN)!.weight).toBe(1);
    expect(warnings.some((w) => w.startsWith("force: true: rolling back although blue (v1) needs schema 42"))).toBe(true);
  });

  it("rolls back as before when the slot needs a newer schema than the contracted one, or nothing was contracted", async () => {
    const newer = promotedPair(2, SCHEMAS);
    newer.elb.resourceTags.set(LISTENER_ARN, { [TAG.schemaContracted]: "41" });
    expect((await rollback(rollbackOptions(), newer.deps)).good.name).toBe("blue");
    const none = promotedPair(2, SCHEMAS);
    expect((await rollback(rollbackOptions(), none.deps)).good.name).toBe("blue");
  });
});

describe("deploy-green after a contract", () => {
  it("refuses a schema-version at or below the contracted one, and allows a newer one", async () => {
    const { elb, ports } = promotedPair(0, SCHEMAS);
    elb.resourceTags.set(LISTENER_ARN, { [TAG.schemaContracted]: "42" });
    const env = await resolveEnvironment({ kind: "listener", arn: LISTENER_ARN }, ports);
    await expect(checkDeploySchema(env, 42, ports.tags)).rejects.toThrow(/^deploy-green refused: schema-version 42 was contracted away \(tag deploy:schema-contracted=42/);
    await expect(checkDeploySchema(env, 43, ports.tags)).resolves.toBeUndefined();
  });
});
