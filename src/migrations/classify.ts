/** One statement: its phase (expand, contract, unsafe) and what the rules find, given what came before it in the file. */
import type { SqlNode } from "../ports/sql-parser";
import { type Fields, ident, kindOf, list, names, relationKey, showRelation, str, type Relation } from "./ast";
import { alterTable } from "./alter-table";
import { type LintContext, type StatementAnalysis } from "./context";
import { concurrentIndexRecipe, renameColumnRecipe, renameTableRecipe } from "./recipes";
import type { RuleHit } from "./rules";

const rel = (v: unknown): Relation | undefined => {
  const r = (v ?? {}) as Fields;
  return str(r.relname) === undefined ? undefined : { schema: str(r.schemaname), name: str(r.relname)! };
};
const expand = (hits: RuleHit[] = [], strongLock = false): StatementAnalysis => ({ phase: "expand", hits, strongLock });
const contract = (hits: RuleHit[] = [], strongLock = true): StatementAnalysis => ({ phase: "contract", hits, strongLock });
const unsafe = (hits: RuleHit[]): StatementAnalysis => ({ phase: "unsafe", hits });

/** Statements that change no schema the running versions use, or only add to it. */
const PLAIN_EXPAND = new Set([
  "InsertStmt", "UpdateStmt", "DeleteStmt", "SelectStmt", "CreateSeqStmt", "CreateExtensionStmt", "CreateSchemaStmt", "CommentStmt", "GrantStmt", "GrantRoleStmt", "CreateFunctionStmt", "ViewStmt", "CreateEnumStmt", "CompositeTypeStmt", "CreateRoleStmt", "AlterSeqStmt", "CreateTableAsStmt", "VariableShowStmt", "CreatePolicyStmt", "CreateStatsStmt", "AlterOwnerStmt", "AlterDefaultPrivilegesStmt", "CallStmt", "NotifyStmt", "AnalyzeStmt", "VacuumStmt", "CreateRangeStmt",
]);

type Classifier = (f: Fields, ctx: LintContext, text: string) => StatementAnalysis;

const CLASSIFIERS: Record<string, Classifier> = {
  CreateStmt: (f, ctx) => {
    ctx.created.add(relationKey(rel(f.relation)));
    return expand();
  },
  AlterTableStmt: (f, ctx) => (f.objtype === "OBJECT_TABLE" || f.objtype === undefined ? alterTable(f, ctx) : expand([], true)),
  IndexStmt: (f, ctx, text) => index(f, ctx, text),
  DropStmt: (f, ctx) => drop(f, ctx),
  RenameStmt: (f) => rename(f),
  TransactionStmt: (f, ctx) => transaction(f, ctx),
  VariableSetStmt: (f, ctx) => {
    if (str(f.name) === "lock_timeout") {
      const on = f.kind === "VAR_SET_VALUE" && !/^0(ms|s|min)?$/.test(settingValue(list(f.args)[0]).trim());
      if (f.is_local === true) ctx.lockTimeout.local = on;
      else ctx.lockTimeout.session = on;
    }
    return expand();
  },
  TruncateStmt: (f) =>
    unsafe([
      f.behavior === "DROP_CASCADE"
        ? { rule: "ban-truncate-cascade", severity: "error", message: "TRUNCATE … CASCADE also empties every table with a foreign key to these, which the statement does not name." }
        : { rule: "ban-truncate", severity: "error", message: `TRUNCATE ${list(f.relations).map((r) => showRelation(rel(kindOf(r)[1]))).join(", ")} deletes every row, which both live versions may still read.` },
    ]),
  DropdbStmt: (f) => unsafe([{ rule: "ban-drop-database", severity: "error", message: `DROP DATABASE ${ident(str(f.dbname) ?? "?")}.` }]),
  DoStmt: () => unsafe([{ rule: "unparsed-block", severity: "error", message: "DO block: its body is PL/pgSQL that the lint does not parse, so what it changes is unknown and it cannot pass. Write its statements out as plain SQL." }]),
  CreateDomainStmt: (f) =>
    list(f.constraints).length > 0 ? expand([{ rule: "ban-create-domain-with-constraint", severity: "warning", message: `CREATE DOMAIN ${names(f.domainname).map(ident).join(".")} with a constraint: changing the constraint later checks every column of the domain under lock. Put the CHECK on the table's columns instead.` }]) : expand(),
  AlterDomainStmt: (f) =>
    f.subtype === "C"
      ? expand([{ rule: "ban-alter-domain-with-add-constraint", severity: "error", message: `ALTER DOMAIN ${names(f.typeName).map(ident).join(".")} ADD CONSTRAINT checks every column of the domain while it holds its lock.` }], true)
      : contract(),
  AlterEnumStmt: () => expand(),
  // CREATE TRIGGER takes SHARE ROW EXCLUSIVE on its table: writes wait while it waits for its lock.
  CreateTrigStmt: (f, ctx) => expand([], !ctx.created.has(relationKey(rel(f.relation)))),
  ReindexStmt: (f) =>
    list(f.params).some((p) => kindOf(p)[1].defname === "concurrently")
      ? expand()
      : expand([{ rule: "require-concurrent-reindex", severity: "error", message: "REINDEX without CONCURRENTLY blocks every write to the table (and reads that use the index) while it rebuilds. Use REINDEX … CONCURRENTLY (Postgres 12+), outside a transaction." }], true),
  // Lock modes 1–8, ACCESS SHARE to ACCESS EXCLUSIVE; SHARE (4) and above conflict with writes.
  LockStmt: (f, ctx) => {
    const isNew = list(f.relations).every((r) => ctx.created.has(relationKey(rel(kindOf(r)[1]))));
    const mode = typeof f.mode === "number" ? f.mode : 8;
    if (isNew || mode < 4) return expand();
    const tables = list(f.relations).map((r) => showRelation(rel(kindOf(r)[1]))).join(", ");
    return expand([{ rule: "ban-explicit-lock", severity: "error", message: `LOCK TABLE ${tables} in a mode that blocks ${mode === 8 ? "reads and writes" : "writes"} until the transaction ends: both live versions wait on it.` }], true);
  },
};

/** `'2s'` → `2s`; `0` (an integer constant, whose 0 the tree leaves out) → `0`. */
function settingValue(arg: unknown): string {
  const c = kindOf(arg)[1];
  const sval = (c.sval ?? undefined) as Fields | undefined;
  if (sval) return str(sval.sval) ?? "";
  const ival = (c.ival ?? undefined) as Fields | undefined;
  return ival ? String(ival.ival ?? 0) : "";
}

function index(f: Fields, ctx: LintContext, text: string): StatementAnalysis {
  const table = rel(f.relation);
  const isNew = ctx.created.has(relationKey(table));
  if (f.concurrent === true) {
    return ctx.inTransaction
      ? unsafe([{ rule: "ban-concurrent-index-creation-in-transaction", severity: "error", message: "CREATE INDEX CONCURRENTLY inside a transaction block fails: Postgres refuses it there. Run it on its own, outside BEGIN … COMMIT." }])
      : expand();
  }
  if (isNew) return expand();
  return expand([{ rule: "require-concurrent-index-creation", severity: "error", message: `CREATE INDEX on ${showRelation(table)} without CONCURRENTLY blocks every write to it while the index builds.`, recipe: concurrentIndexRecipe(text) }], true);
}

const DROP_CONTRACT: Record<string, string> = { OBJECT_VIEW: "view", OBJECT_FUNCTION: "function", OBJECT_SEQUENCE: "sequence", OBJECT_TYPE: "type", OBJECT_TRIGGER: "trigger", OBJECT_SCHEMA: "schema", OBJECT_MATVIEW: "materialized view", OBJECT_DOMAIN: "domain", OBJECT_PROCEDURE: "procedure" };

function drop(f: Fields, ctx: LintContext): StatementAnalysis {
  const type = str(f.removeType) ?? "";
  const objects = list(f.objects).map((o) => names(kindOf(o)[1].items ?? [o]).map(ident).join("."));
  if (type === "OBJECT_TABLE") {
    const fresh = list(f.objects).every((o) => ctx.created.has(relationKey(dropRelation(o))));
    return fresh ? expand() : contract([{ rule: "ban-drop-table", severity: "warning", message: `DROP TABLE ${objects.join(", ")}: any version that still uses it fails.` }]);
  }
  if (type === "OBJECT_INDEX") {
    if (f.concurrent === true) {
      return ctx.inTransaction ? unsafe([{ rule: "ban-concurrent-index-creation-in-transaction", severity: "error", message: "DROP INDEX CONCURRENTLY inside a transaction block fails: Postgres refuses it there." }]) : expand();
    }
    return expand([{ rule: "require-concurrent-index-deletion", severity: "error", message: `DROP INDEX ${objects.join(", ")} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table, blocking reads and writes. Use DROP INDEX CONCURRENTLY, outside a transaction.` }], true);
  }
  // Whatever else is dropped (a view, function, type, extension, policy, …) may be what the old version
  // uses. DROP TRIGGER locks its table ACCESS EXCLUSIVE.
  return contract([], DROP_CONTRACT[type] === undefined || type === "OBJECT_TRIGGER");
}

function dropRelation(o: unknown): Relation | undefined {
  const parts = names(kindOf(o)[1].items);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? { name: parts[0]! } : { schema: parts[0], name: parts[parts.length - 1]! };
}

function rename(f: Fields): StatementAnalysis {
  const table = showRelation(rel(f.relation));
  const newName = str(f.newname) ?? "?";
  if (f.renameType === "OBJECT_COLUMN") {
    const from = str(f.subname) ?? "?";
    return contract([{ rule: "renaming-column", severity: "error", message: `RENAME COLUMN ${ident(from)} TO ${ident(newName)} on ${table}: the version still serving (or the one a rollback returns to) uses ${ident(from)} and fails the moment this runs. Rename in steps:`, recipe: renameColumnRecipe(table, from, newName) }]);
  }
  if (f.renameType === "OBJECT_TABLE") {
    return contract([{ rule: "renaming-table", severity: "error", message: `RENAME ${table} TO ${ident(newName)}: the version still serving uses ${table} and fails the moment this runs. Rename in steps:`, recipe: renameTableRecipe(table, newName) }]);
  }
  // An index, constraint or trigger is named by no query of the application.
  if (f.renameType === "OBJECT_INDEX" || f.renameType === "OBJECT_TABCONSTRAINT" || f.renameType === "OBJECT_TRIGGER") return expand([], true);
  return contract();
}

function transaction(f: Fields, ctx: LintContext): StatementAnalysis {
  const kind = str(f.kind) ?? "";
  if (kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START") {
    const nested = ctx.inTransaction;
    ctx.inTransaction = true;
    return expand(nested ? [{ rule: "transaction-nesting", severity: "error", message: "BEGIN inside a transaction: Postgres only warns, and the first COMMIT ends both. Remove the inner BEGIN." }] : []);
  }
  if (kind === "TRANS_STMT_COMMIT" || kind === "TRANS_STMT_ROLLBACK") {
    const outside = !ctx.inTransaction;
    ctx.inTransaction = false;
    ctx.lockTimeout.local = false;
    ctx.notValidInTransaction.clear();
    return expand(outside ? [{ rule: "transaction-nesting", severity: "warning", message: `${kind === "TRANS_STMT_COMMIT" ? "COMMIT" : "ROLLBACK"} with no transaction open (the migration tool may wrap the file in one already).` }] : []);
  }
  return expand();
}

export function classify(stmt: SqlNode, ctx: LintContext, text: string): StatementAnalysis {
  const [kind, fields] = kindOf(stmt);
  const classifier = CLASSIFIERS[kind];
  if (classifier) return classifier(fields, ctx, text);
  if (PLAIN_EXPAND.has(kind)) return expand();
  return unsafe([{ rule: "unclassified-statement", severity: "error", message: `${kind.replace(/Stmt$/, "")} statement: the lint does not classify it, so it cannot pass unreviewed.` }]);
}
