/**
 * The Postgres parser of the migration lint: libpg-query, Postgres's own parser compiled to
 * WebAssembly. Imported on first use only: the WebAssembly module (about 1.7 MB) is read and
 * compiled when an action has valid inputs and a file to lint, never on start-up.
 */
import { type ParsedSql, type SqlParser, SqlSyntaxError } from "../../ports/sql-parser";

interface LibPgQuery {
  parse(sql: string): Promise<ParsedSql>;
  loadModule(): Promise<void>;
}

/** The parser's own error for SQL it cannot parse (libpg-query's SqlError carries sqlDetails); anything else is rethrown as it is. */
function syntaxError(error: unknown): unknown {
  const e = error as { message?: unknown; sqlDetails?: { cursorPosition?: unknown } };
  if (typeof e !== "object" || e === null || e.sqlDetails === undefined) return error;
  const cursor = typeof e?.sqlDetails?.cursorPosition === "number" && e.sqlDetails.cursorPosition >= 0 ? e.sqlDetails.cursorPosition : undefined;
  return new SqlSyntaxError(typeof e?.message === "string" ? e.message : String(error), cursor);
}

export async function loadPostgresParser(): Promise<SqlParser> {
  const lib = (await import("libpg-query")) as unknown as LibPgQuery & { default?: LibPgQuery };
  const api = typeof lib.parse === "function" ? lib : lib.default!;
  // Compiles the WebAssembly now, so a missing or broken module fails here, not as a file's parse error.
  await api.loadModule();
  const parse = api.parse;
  return {
    dialect: "postgres 18",
    parse: async (sql) => {
      try {
        return await parse(sql);
      } catch (error) {
        throw syntaxError(error);
      }
    },
  };
}
