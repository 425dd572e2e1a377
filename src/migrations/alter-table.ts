/** ALTER TABLE's commands: which are expand, which contract, and their lock risks. */
import { type Fields, ident, kindOf, list, names, type Relation, relationKey, showRelation, str, typeText } from "./ast";
import type { LintContext, StatementAnalysis } from "./context";
import { changeTypeRecipe, notValidRecipe, setNotNullRecipe, usingIndexRecipe } from "./recipes";
import type { RuleHit } from "./rules";
import { isVolatile } from "./volatility";

interface Command {
  table: string;
  key: string;
  isNew: boolean;
  ctx: LintContext;
}

const CONTRACT = (hits: RuleHit[]): StatementAnalysis => ({ phase: "contract", hits, strongLock: true });
const EXPAND = (hits: RuleHit[] = [], strongLock = true): StatementAnalysis => ({ phase: "expand", hits, strongLock });

function addColumn(def: Fields, c: Command): StatementAnalysis {
  const column = kindOf(def)[1];
  const name = ident(str(column.colname) ?? "?");
  const constraints = list(column.constraints).map((n) => kindOf(n)[1]);
  const hits: RuleHit[] = [];
  if (c.isNew) return EXPAND([], false);
  const has = (t: string) => constraints.some((k) => k.contype === t);
  const defaultExpr = constraints.find((k) => k.contype === "CONSTR_DEFAULT")?.raw_expr;
  const serial = /^"?(small|big)?serial[248]?"?$/i.test(typeText(column.typeName));
  if (has("CONSTR_GENERATED")) {
    hits.push({ rule: "adding-field-with-default", severity: "error", message: `ADD COLUMN ${name} GENERATED … STORED rewrites every row of ${c.table} under an ACCESS EXCLUSIVE lock.` });
  } else if (defaultExpr !== undefined && isVolatile(defaultExpr)) {
    hits.push({ rule: "adding-field-with-default", severity: "error", message: `ADD COLUMN ${name} with a volatile default rewrites every row of ${c.table} under an ACCESS EXCLUSIVE lock. Add the column without the default (or with a constant one), then backfill in batches.` });
  }
  if (has("CONSTR_PRIMARY") || serial) {
    hits.push({ rule: "adding-serial-primary-key-field", severity: "error", message: `ADD COLUMN ${name} ${has("CONSTR_PRIMARY") ? "PRIMARY KEY" : "serial"} on ${c.table} rewrites it and builds an index under an ACCESS EXCLUSIVE lock.` });
  }
  if (has("CONSTR_UNIQUE")) hits.push({ rule: "disallowed-unique-constraint", severity: "error", message: `ADD COLUMN ${name} UNIQUE builds its index on ${c.table} under an ACCESS EXCLUSIVE lock.` });
  if (has("CONSTR_FOREIGN")) hits.push({ rule: "adding-foreign-key-constraint", severity: "error", message: `ADD COLUMN ${name} REFERENCES … locks ${c.table} and the referenced table while it checks.` });
  if (has("CONSTR_NOTNULL") && defaultExpr === undefined && !has("CONSTR_GENERATED") && !has("CONSTR_IDENTITY") && !serial) {
    hits.push({ rule: "adding-required-field", severity: "error", message: `ADD COLUMN ${name} NOT NULL without a default on ${c.table}: the old version's inserts, which do not set ${name}, fail. Add it nullable (or with a constant default) and set NOT NULL in a later contract.` });
    return CONTRACT(hits);
  }
  return EXPAND(hits);
}

function addConstraint(def: Fields, c: Command): StatementAnalysis {
  const con = kindOf(def)[1];
  const name = str(con.conname);
  const type = str(con.contype);
  const notValid = con.skip_validation === true;
  if (c.isNew) return EXPAND([], false);
  if (notValid && c.ctx.inTransaction) c.ctx.notValidInTransaction.add(`${c.key}/${name ?? ""}`);
  if (type === "CONSTR_UNIQUE" || type === "CONSTR_PRIMARY") {
    if (str(con.indexname)) return EXPAND();
    const kind = type === "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY";
    const rule = type === "CONSTR_UNIQUE" ? "disallowed-unique-constraint" : "adding-primary-key-constraint";
    return EXPAND([{ rule, severity: "error", message: `ADD CONSTRAINT ${kind} on ${c.table} builds its index under an ACCESS EXCLUSIVE lock, blocking reads and writes.`, recipe: usingIndexRecipe(c.table, kind, names(con.keys), name) }]);
  }
  if ((type === "CONSTR_FOREIGN" || type === "CONSTR_CHECK") && !notValid) {
    const rule = type === "CONSTR_FOREIGN" ? "adding-foreign-key-constraint" : "constraint-missing-not-valid";
    return EXPAND([{ rule, severity: "error", message: `ADD CONSTRAINT ${name ? ident(name) : ""} ${type === "CONSTR_FOREIGN" ? "FOREIGN KEY" : "CHECK"} without NOT VALID checks every row of ${c.table} while it holds its lock.`, recipe: notValidRecipe(c.table, name) }]);
  }
  return EXPAND();
}

function validate(cmd: Fields, c: Command): StatementAnalysis {
  const name = str(cmd.name) ?? "";
  if (c.ctx.inTransaction && c.ctx.notValidInTransaction.has(`${c.key}/${name}`)) {
    return EXPAND([{ rule: "constraint-missing-not-valid", severity: "error", message: `VALIDATE CONSTRAINT ${ident(name)} in the same transaction that added it NOT VALID holds the ADD's ACCESS EXCLUSIVE lock while every row is checked. Validate in a separate transaction.` }]);
  }
  return EXPAND([], false);
}

type Handler = (cmd: Fields, c: Command) => StatementAnalysis;

const HANDLERS: Record<string, Handler> = {
  AT_AddColumn: (cmd, c) => addColumn(cmd.def as Fields, c),
  AT_AddConstraint: (cmd, c) => addConstraint(cmd.def as Fields, c),
  AT_ValidateConstraint: validate,
  AT_DropColumn: (cmd, c) => CONTRACT([{ rule: "ban-drop-column", severity: "warning", message: `DROP COLUMN ${ident(str(cmd.name) ?? "?")} on ${c.table}: any version that still reads or writes it fails.` }]),
  AT_AlterColumnType: (cmd, c) => {
    const column = str(cmd.name) ?? "?";
    const type = typeText(kindOf(cmd.def)[1].typeName);
    return CONTRACT([{ rule: "changing-column-type", severity: "error", message: `ALTER COLUMN ${ident(column)} TYPE ${type} on ${c.table} rewrites the table under an ACCESS EXCLUSIVE lock, and the old version reads the old type. Do it in steps.`, recipe: changeTypeRecipe(c.table, column, type) }]);
  },
  AT_SetNotNull: (cmd, c) => {
    const column = str(cmd.name) ?? "?";
    return CONTRACT([{ rule: "adding-not-nullable-field", severity: c.isNew ? "warning" : "error", message: `SET NOT NULL on ${c.table}.${ident(column)} scans the whole table under an ACCESS EXCLUSIVE lock, and inserts by a version that does not set ${ident(column)} fail.`, recipe: setNotNullRecipe(c.table, column) }]);
  },
  AT_DropNotNull: (cmd, c) => CONTRACT([{ rule: "ban-drop-not-null", severity: "warning", message: `DROP NOT NULL on ${c.table}.${ident(str(cmd.name) ?? "?")}: a version that assumes a value is there reads NULL.` }]),
  AT_ColumnDefault: (cmd) => (cmd.def === undefined ? CONTRACT([]) : EXPAND([], true)),
  AT_DropConstraint: () => EXPAND(),
  AT_SetStatistics: () => EXPAND(),
  AT_SetStorage: () => EXPAND(),
  AT_ReplicaIdentity: () => EXPAND(),
  AT_EnableTrig: () => EXPAND(),
  AT_DisableTrig: () => CONTRACT([]),
  AT_ChangeOwner: () => EXPAND(),
  AT_SetRelOptions: () => EXPAND(),
  AT_ResetRelOptions: () => EXPAND(),
  AT_AlterConstraint: () => EXPAND(),
  AT_AddIdentity: () => EXPAND(),
  AT_SetIdentity: () => EXPAND(),
  AT_DropIdentity: () => CONTRACT([]),
  // Row security hides rows from a version whose role has no policy yet.
  AT_EnableRowSecurity: () => CONTRACT([]),
  AT_ForceRowSecurity: () => CONTRACT([]),
  AT_DisableRowSecurity: () => EXPAND(),
  AT_NoForceRowSecurity: () => EXPAND(),
  AT_AttachPartition: () => EXPAND(),
  AT_DetachPartition: () => CONTRACT([]),
};

/** Every command of one ALTER TABLE; the statement's phase is the worst of them. */
export function alterTable(stmt: Fields, ctx: LintContext): StatementAnalysis {
  const relation = relationOfStmt(stmt);
  const c: Command = { table: showRelation(relation), key: relationKey(relation), isNew: ctx.created.has(relationKey(relation)), ctx };
  const results = list(stmt.cmds).map((n) => {
    const cmd = kindOf(n)[1];
    const subtype = str(cmd.subtype) ?? "";
    const handler = HANDLERS[subtype];
    if (handler) return handler(cmd, c);
    return { phase: "unsafe", hits: [{ rule: "unclassified-statement", severity: "error", message: `ALTER TABLE ${c.table}: the lint does not classify ${subtype.replace(/^AT_/, "")}; review it by hand.` }], strongLock: true } satisfies StatementAnalysis;
  });
  const rank = { expand: 0, contract: 1, unsafe: 2 } as const;
  const phase = results.reduce<StatementAnalysis["phase"]>((worst, r) => (rank[r.phase] > rank[worst] ? r.phase : worst), "expand");
  return { phase, hits: results.flatMap((r) => r.hits), strongLock: !c.isNew && results.some((r) => r.strongLock) };
}

function relationOfStmt(stmt: Fields): Relation | undefined {
  const r = (stmt.relation ?? {}) as Fields;
  const name = str(r.relname);
  return name === undefined ? undefined : { schema: str(r.schemaname), name };
}
