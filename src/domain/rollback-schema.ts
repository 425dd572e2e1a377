/**
 * Rollback and the database: a slot whose release needs a schema that a contract migration ended
 * (the environment's deploy:schema-contracted tag, recorded by migration-guard's gate) would serve
 * errors against today's database, so rollback refuses to return to it unless forced.
 */
import type { ResourceTags } from "../ports/load-balancer";
import { SafetyError } from "../util/errors";
import type { Environment, Slot } from "./environment";
import { parseSchemaVersion, TAG } from "./tags";

export interface SchemaCheck {
  /** The schema version recorded as contracted on the environment. */
  contracted?: number | undefined;
  /** The good slot's schema version. */
  needs?: number | undefined;
  /** Forced past a refusal. */
  forced: boolean;
}

export async function checkRollbackSchema(env: Environment, good: Slot, force: boolean, tags: ResourceTags, warn: (line: string) => void): Promise<SchemaCheck> {
  const contracted = parseSchemaVersion((await tags.read([env.ref.arn])).get(env.ref.arn)?.[TAG.schemaContracted]);
  const needs = parseSchemaVersion(good.tags[TAG.schemaVersion]);
  const release = `${good.name}${good.version ? ` (${good.version})` : ""}`;
  if (contracted === undefined) return { needs, forced: false };
  if (needs === undefined) {
    warn(`${release} has no ${TAG.schemaVersion} tag, so rollback cannot tell whether it needs a schema that was contracted away (schema ${contracted} and older, ${TAG.schemaContracted} on the environment). Rolling back anyway.`);
    return { contracted, forced: false };
  }
  if (needs > contracted) return { contracted, needs, forced: false };
  const why = `${release} needs schema ${needs}, and schema ${contracted} and older were contracted away (tag ${TAG.schemaContracted}=${contracted} on the environment, recorded by migration-guard's gate before its contract migrations ran)`;
  if (!force) {
    throw new SafetyError(
      `Rollback refused: ${why}, so it would fail against the database as it is now. Traffic was left where it is. Deploy a release that works with the current schema with deploy-green, or give force: true if you know the contract did not run.`,
    );
  }
  warn(`force: true: rolling back although ${why}.`);
  return { contracted, needs, forced: true };
}
