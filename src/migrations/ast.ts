/** Reading Postgres's parse tree (libpg-query's JSON): node kinds, names as written, quoting. */
import type { SqlNode } from "../ports/sql-parser";

export type Fields = Record<string, unknown>;

/** `{ AlterTableStmt: {...} }` → `["AlterTableStmt", {...}]`. */
export function kindOf(node: unknown): [string, Fields] {
  if (typeof node !== "object" || node === null) return ["", {}];
  const [kind] = Object.keys(node);
  return kind === undefined ? ["", {}] : [kind, ((node as SqlNode)[kind] ?? {}) as Fields];
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The strings of a name list (`[{String:{sval:"pg_catalog"}}, {String:{sval:"int8"}}]`). */
export function names(value: unknown): string[] {
  return list(value).map((n) => str(kindOf(n)[1].sval) ?? "").filter(Boolean);
}

const RESERVED = new Set(
  "all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral leading limit localtime localtimestamp not null offset on only or order placing primary references returning select session_user some symmetric system_user table then to trailing true union unique user using variadic when where window with".split(" "),
);

/** An identifier as it must be written to mean the same name: quoted unless plain lower case and not reserved. */
export function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

export interface Relation {
  schema?: string | undefined;
  name: string;
}

export function relationOf(value: unknown): Relation | undefined {
  const fields = (typeof value === "object" && value !== null ? value : {}) as Fields;
  const name = str(fields.relname);
  return name === undefined ? undefined : { schema: str(fields.schemaname), name };
}

export function showRelation(r: Relation | undefined): string {
  if (!r) return "the table";
  return r.schema ? `${ident(r.schema)}.${ident(r.name)}` : ident(r.name);
}

/** A key for "the same table": `public.users` and `users` alike (the default search path). */
export function relationKey(r: Relation | undefined): string {
  return r ? `${r.schema && r.schema !== "public" ? r.schema : ""}.${r.name}` : "";
}

/** A type name as written back: `bigint`, `varchar(255)`, `"Money"` (pg_catalog's names shown as SQL's). */
export function typeText(typeName: unknown): string {
  const t = (typeName ?? {}) as Fields;
  const parts = names(t.names).filter((n, i, all) => !(n === "pg_catalog" && all.length > 1));
  const SQL: Record<string, string> = { int8: "bigint", int4: "integer", int2: "smallint", bool: "boolean", float8: "double precision", float4: "real", varchar: "varchar", bpchar: "char", timestamptz: "timestamptz", numeric: "numeric" };
  const base = parts.map((p, i) => (i === parts.length - 1 && SQL[p] ? SQL[p]! : ident(p))).join(".");
  const mods = list(t.typmods).map((m) => {
    const [, c] = kindOf(m);
    const ival = (c.ival ?? {}) as Fields;
    return typeof ival.ival === "number" ? String(ival.ival) : "?";
  });
  return `${base}${mods.length ? `(${mods.join(", ")})` : ""}${list(t.arrayBounds).length ? "[]" : ""}`;
}
