/**
 * Whether a column default is volatile, so that ADD COLUMN must write it into every row (Postgres 11+
 * stores a non-volatile default once, in the catalog, without a rewrite). Constants, casts of them,
 * the SQL value functions (CURRENT_TIMESTAMP, …) and the stable or immutable built-ins below are not;
 * any other function call is treated as volatile, as the lint cannot look it up.
 */
import { type Fields, kindOf, list, names } from "./ast";

/** Built-ins that are STABLE or IMMUTABLE in Postgres's catalog (pg_proc.provolatile 's' or 'i'). */
const NON_VOLATILE = new Set(["now", "transaction_timestamp", "statement_timestamp", "lower", "upper", "btrim", "trim", "length", "coalesce", "nullif", "abs", "round", "to_char", "to_timestamp", "to_date", "make_date", "make_interval", "jsonb_build_object", "json_build_object", "jsonb_build_array", "array_length", "concat", "current_setting", "date_trunc", "timezone"]);

export function isVolatile(expr: unknown): boolean {
  const [kind, f] = kindOf(expr);
  switch (kind) {
    case "A_Const":
    case "SQLValueFunction":
    case "ColumnRef":
      return false;
    case "TypeCast":
      return isVolatile(f.arg);
    case "A_Expr":
      return isVolatile(f.lexpr) || isVolatile(f.rexpr);
    case "BoolExpr":
    case "CoalesceExpr":
    case "MinMaxExpr":
      return list(f.args).some(isVolatile);
    case "A_ArrayExpr":
      return list(f.elements).some(isVolatile);
    case "FuncCall": {
      const fn = names((f as Fields).funcname).filter((n) => n !== "pg_catalog");
      return fn.length !== 1 || !NON_VOLATILE.has(fn[0]!.toLowerCase()) || list(f.args).some(isVolatile);
    }
    case "":
      return false;
    default:
      return true;
  }
}
