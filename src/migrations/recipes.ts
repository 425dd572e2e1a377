/**
 * The expand/contract recipe for a change that breaks one of the two live versions if done in one
 * step, written for the very statement (its table, columns and type).
 */
import { ident } from "./ast";

const steps = (lines: string[]) => lines.map((l, i) => `${i + 1}. ${l}`).join("\n");

export function renameColumnRecipe(table: string, from: string, to: string): string {
  const [a, b] = [ident(from), ident(to)];
  return steps([
    `expand: ALTER TABLE ${table} ADD COLUMN ${b} <the type of ${a}>; (nullable, so the old version's inserts still work)`,
    `backfill: UPDATE ${table} SET ${b} = ${a} WHERE ${b} IS NULL; (in batches on a large table)`,
    `dual-write: deploy a version that writes both ${a} and ${b} and reads ${b} (or a trigger that copies ${a} to ${b}), and backfill once more`,
    `deploy: the version that uses only ${b}; promote it and scale in the fleet that still used ${a}`,
    `drop: in a file marked \`-- migration: contract after <the schema version of the last release that used ${a}>\`, ALTER TABLE ${table} DROP COLUMN ${a}; once the migration-guard gate allows it`,
  ]);
}

export function renameTableRecipe(table: string, to: string): string {
  const b = ident(to);
  return steps([
    `expand: CREATE TABLE ${b} (LIKE ${table} INCLUDING ALL); or, for a pure rename, CREATE VIEW ${b} AS SELECT * FROM ${table};`,
    `backfill: INSERT INTO ${b} SELECT * FROM ${table} ON CONFLICT DO NOTHING; (in batches)`,
    `dual-write: deploy a version that writes both ${table} and ${b} and reads ${b}`,
    `deploy: the version that uses only ${b}; promote it and scale in the fleet that still used ${table}`,
    `drop: in a contract file, DROP TABLE ${table}; once the migration-guard gate allows it`,
  ]);
}

export function changeTypeRecipe(table: string, column: string, type: string): string {
  const a = ident(column);
  const b = ident(`${column}_new`);
  return steps([
    `expand: ALTER TABLE ${table} ADD COLUMN ${b} ${type};`,
    `backfill: UPDATE ${table} SET ${b} = ${a}::${type} WHERE ${b} IS NULL; (in batches)`,
    `dual-write: deploy a version that writes both ${a} and ${b} and reads ${b}`,
    `deploy: the version that uses only ${b}; promote it and scale in the fleet that still used ${a}`,
    `drop: in a contract file, ALTER TABLE ${table} DROP COLUMN ${a}; (then, if the name matters, rename by the same recipe or keep ${b})`,
  ]);
}

export function setNotNullRecipe(table: string, column: string): string {
  const a = ident(column);
  const c = ident(`${column}_not_null`);
  return steps([
    `expand: ALTER TABLE ${table} ADD CONSTRAINT ${c} CHECK (${a} IS NOT NULL) NOT VALID;`,
    `once every live version writes ${a}: ALTER TABLE ${table} VALIDATE CONSTRAINT ${c}; (in its own transaction: it does not block writes)`,
    `contract: ALTER TABLE ${table} ALTER COLUMN ${a} SET NOT NULL; (Postgres 12+ uses the valid constraint and skips the scan), then DROP CONSTRAINT ${c}`,
  ]);
}

export function concurrentIndexRecipe(statement: string): string {
  return `Write it as ${statement.replace(/^CREATE\s+(UNIQUE\s+)?INDEX\s+/i, (_m, u: string | undefined) => `CREATE ${u ? "UNIQUE " : ""}INDEX CONCURRENTLY `)} in a file of its own, outside any transaction.`;
}

export function notValidRecipe(table: string, constraint: string | undefined): string {
  const c = constraint ? ident(constraint) : "<name>";
  return steps([`expand: ALTER TABLE ${table} ADD CONSTRAINT ${c} … NOT VALID; (checks new rows only, takes its lock briefly)`, `then, in another transaction: ALTER TABLE ${table} VALIDATE CONSTRAINT ${c};`]);
}

export function usingIndexRecipe(table: string, kind: "UNIQUE" | "PRIMARY KEY", columns: string[], constraint: string | undefined): string {
  const name = constraint ? ident(constraint) : "<name>";
  const index = ident(`${constraint ?? "new"}_idx`);
  return steps([
    `CREATE UNIQUE INDEX CONCURRENTLY ${index} ON ${table} (${columns.map(ident).join(", ")});`,
    `ALTER TABLE ${table} ADD CONSTRAINT ${name} ${kind} USING INDEX ${index};`,
  ]);
}
