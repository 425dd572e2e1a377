/**
 * Releases and the database: a release that needs a schema which a contract migration ended (the
 * environment's deploy:schema-contracted tag, recorded by migration-guard's gate) would serve errors
 * against today's database. So rollback refuses to return to a slot running one unless forced, and
 * deploy-green refuses to deploy one.
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

async function contractedOf(env: Environment, tags: ResourceTags): Promise<number | undefined> {
  return parseSchemaVersion((await tags.read([env.ref.arn])).get(env.ref.arn)?.[TAG.schemaContracted]);
}

/** deploy-green's check: the release's schema-version must be above the contracted one. */
export async function checkDeploySchema(env: Environment, schemaVersion: number, tags: ResourceTags): Promise<void> {
  const contracted = await contractedOf(env, tags);
  if (contracted !== undefined && schemaVersion <= contracted) {
    throw new SafetyError(
      `deploy-green refused: schema-version ${schemaVersion} was contracted away (tag ${TAG.schemaContracted}=${contracted} on the environment: schema ${contracted} and older are gone), so this release would fail against the database as it is now. Deploy a release built for a schema above ${contracted}.`,
    );
  }
}

export async function checkRollbackSchema(env: Environment, good: Slot, force: boolean, tags: ResourceTags, warn: (line: string) => void): Promise<SchemaCheck> {
  const contracted = await contractedOf(env, tags);
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
