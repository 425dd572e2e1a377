/**
 * A SQL parser for the migration lint: the text of one file in, its statements as the dialect's
 * syntax tree out (each with where it starts and how long it is, in UTF-8 bytes), or the error with
 * where it is. The Postgres adapter (src/adapters/postgres/) wraps libpg-query, the real Postgres
 * parser; another dialect plugs in as another adapter of this port plus its own rule set.
 */

/** One node of the tree: `{ NodeType: { ...fields } }`, as libpg-query gives it (the JSON of Postgres's parse tree). */
export type SqlNode = Record<string, unknown>;

export interface ParsedStatement {
  stmt: SqlNode;
  /** Byte offset of the statement's start (after the previous `;`), 0 when absent. */
  stmt_location?: number | undefined;
  /** Length in bytes; absent or 0 for the last statement: to the end of the text. */
  stmt_len?: number | undefined;
}

export interface ParsedSql {
  stmts?: ParsedStatement[] | undefined;
}

export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    /** Byte offset of the error in the text, when the parser says. */
    readonly cursorPosition: number | undefined,
  ) {
    super(message);
    this.name = "SqlSyntaxError";
  }
}

export interface SqlParser {
  /** Which SQL this parser reads, e.g. `postgres 18`. */
  dialect: string;
  /** Parses a whole file; rejects with SqlSyntaxError when the text does not parse. */
  parse(sql: string): Promise<ParsedSql>;
}
