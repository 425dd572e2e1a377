/** The migration lint, rule by rule, on real SQL through the real Postgres parser (libpg-query). */
import { beforeAll, describe, expect, it } from "vitest";
import { loadPostgresParser } from "../../src/adapters/postgres/parser";
import type { SqlParser } from "../../src/ports/sql-parser";
import { type FileReport, lintSource } from "../../src/migrations/lint";
import { RULES } from "../../src/migrations/rules";

let parser: SqlParser;
beforeAll(async () => {
  parser = await loadPostgresParser();
});

const LT = "SET lock_timeout = '2s';\n";
const lint = (sql: string, file = "001.sql"): Promise<FileReport> => lintSource(file, sql, parser);
const rules = async (sql: string) => (await lint(sql)).findings.map((f) => f.rule);
const errors = async (sql: string) => (await lint(sql)).findings.filter((f) => f.severity === "error").map((f) => f.rule);

describe("expand statements pass in an expand file", () => {
  it.each([
    ["a new table", "CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);"],
    ["a nullable column", `${LT}ALTER TABLE users ADD COLUMN email_address text;`],
    ["a column with a constant default", `${LT}ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;`],
    ["a column defaulting to now()", `${LT}ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();`],
    ["an index built concurrently", "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"],
    ["a check constraint NOT VALID, validated in its own transaction", `${LT}ALTER TABLE users ADD CONSTRAINT email_present CHECK (email IS NOT NULL) NOT VALID;\nBEGIN;\n${LT}ALTER TABLE users VALIDATE CONSTRAINT email_present;\nCOMMIT;`],
    ["a backfill", "UPDATE users SET email_address = email WHERE email_address IS NULL;"],
    ["a dual-write trigger", "SET lock_timeout = '2s';\nCREATE FUNCTION copy_email() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.email_address := coalesce(NEW.email_address, NEW.email); RETURN NEW; END $$;\nCREATE TRIGGER users_copy_email BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION copy_email();"],
    ["an index on a table created in the same file", "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0);"],
  ])("%s", async (_what, sql) => {
    const report = await lint(sql);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.statements.every((s) => s.phase === "expand")).toBe(true);
  });
});

describe("contract statements", () => {
  it.each([
    ["DROP COLUMN", `${LT}ALTER TABLE users DROP COLUMN email;`, "ban-drop-column"],
    ["DROP TABLE", `${LT}DROP TABLE legacy_sessions;`, "ban-drop-table"],
    ["DROP NOT NULL", `${LT}ALTER TABLE users ALTER COLUMN email DROP NOT NULL;`, "ban-drop-not-null"],
  ])("%s fails in an expand file, and passes in a contract file that names its schema version", async (_what, sql, rule) => {
    const asExpand = await lint(sql);
    expect(asExpand.findings.map((f) => f.rule)).toEqual(["contract-in-expand-file", rule]);
    expect(asExpand.ok).toBe(false);
    expect(asExpand.findings[0]!.phase).toBe("contract");

    const asContract = await lint(`-- migration: contract after 42\n${sql}`);
    expect(asContract.ok).toBe(true);
    expect(asContract.phase).toEqual({ phase: "contract", after: 42, markerLine: 1 });
  });

  it("a contract file that does not name the schema version it ends fails (contract-without-version)", async () => {
    const report = await lint(`-- migration: contract\n${LT}ALTER TABLE users DROP COLUMN email;`);
    expect(report.findings.map((f) => f.rule)).toContain("contract-without-version");
    expect(report.ok).toBe(false);
  });

  it("an unknown marker fails (unknown-phase-marker); a file without a marker is expand", async () => {
    expect(await errors("-- migration: shrink\nSELECT 1;")).toEqual(["unknown-phase-marker"]);
    expect((await lint("-- add a column\nSELECT 1;")).phase.phase).toBe("expand");
  });

  it("ADD COLUMN … NOT NULL with no default is contract: the old version's inserts fail (adding-required-field)", async () => {
    expect(await errors(`${LT}ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;`)).toEqual(["contract-in-expand-file", "adding-required-field"]);
  });
});

describe("renames and type changes fail with the recipe for the very statement", () => {
  it("RENAME COLUMN, even in a contract file (renaming-column)", async () => {
    const report = await lint(`-- migration: contract after 7\n${LT}ALTER TABLE public."Users" RENAME COLUMN email TO email_address;`);
    const finding = report.findings.find((f) => f.rule === "renaming-column")!;
    expect(report.ok).toBe(false);
    expect(finding.line).toBe(3);
    expect(finding.statement).toBe('ALTER TABLE public."Users" RENAME COLUMN email TO email_address;');
    expect(finding.recipe).toContain('ALTER TABLE public."Users" ADD COLUMN email_address');
    expect(finding.recipe).toContain('UPDATE public."Users" SET email_address = email WHERE email_address IS NULL');
    expect(finding.recipe).toContain("dual-write");
    expect(finding.recipe).toContain('ALTER TABLE public."Users" DROP COLUMN email;');
    expect(finding.recipe!.split("\n").map((l) => l.split(":")[0])).toEqual(["1. expand", "2. backfill", "3. dual-write", "4. deploy", "5. drop"]);
  });

  it("RENAME TO on a table (renaming-table)", async () => {
    const report = await lint(`${LT}ALTER TABLE accounts RENAME TO customers;`);
    expect(report.findings.map((f) => f.rule)).toEqual(["contract-in-expand-file", "renaming-table"]);
    expect(report.findings[1]!.recipe).toContain("CREATE TABLE customers (LIKE accounts INCLUDING ALL)");
  });

  it("ALTER COLUMN … TYPE (changing-column-type), with the type in the recipe", async () => {
    const report = await lint(`-- migration: contract after 3\n${LT}ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12, 2);`);
    const finding = report.findings.find((f) => f.rule === "changing-column-type")!;
    expect(finding.recipe).toContain("ALTER TABLE orders ADD COLUMN amount_new numeric(12, 2);");
    expect(finding.recipe).toContain("SET amount_new = amount::numeric(12, 2)");
  });

  it("SET NOT NULL (adding-not-nullable-field) with the NOT VALID check recipe", async () => {
    const report = await lint(`-- migration: contract after 3\n${LT}ALTER TABLE users ALTER COLUMN email SET NOT NULL;`);
    const finding = report.findings.find((f) => f.rule === "adding-not-nullable-field")!;
    expect(finding.severity).toBe("error");
    expect(finding.recipe).toContain("ADD CONSTRAINT email_not_null CHECK (email IS NOT NULL) NOT VALID");
  });
});

describe("lock risks", () => {
  it("a non-concurrent index on an existing table (require-concurrent-index-creation), with the concurrent form", async () => {
    const report = await lint(`${LT}CREATE UNIQUE INDEX users_email ON users (email);`);
    expect(report.findings.map((f) => f.rule)).toEqual(["require-concurrent-index-creation"]);
    expect(report.findings[0]!.recipe).toContain("CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);");
  });

  it("DROP INDEX without CONCURRENTLY (require-concurrent-index-deletion)", async () => {
    expect(await errors(`${LT}DROP INDEX users_email;`)).toEqual(["require-concurrent-index-deletion"]);
    expect(await errors("DROP INDEX CONCURRENTLY users_email;")).toEqual([]);
  });

  it("a CHECK constraint without NOT VALID (constraint-missing-not-valid), and VALIDATE in the same transaction as NOT VALID", async () => {
    expect(await errors(`${LT}ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0);`)).toEqual(["constraint-missing-not-valid"]);
    expect(await errors(`BEGIN;\n${LT}ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT age_positive;\nCOMMIT;`)).toEqual(["constraint-missing-not-valid"]);
  });

  it("a foreign key without NOT VALID (adding-foreign-key-constraint), inline or as a constraint", async () => {
    expect(await errors(`${LT}ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);`)).toEqual(["adding-foreign-key-constraint"]);
    expect(await errors(`${LT}ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id);`)).toEqual(["adding-foreign-key-constraint"]);
    expect(await errors(`${LT}ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;`)).toEqual([]);
  });

  it("UNIQUE and PRIMARY KEY constraints not built USING INDEX (disallowed-unique-constraint, adding-primary-key-constraint)", async () => {
    expect(await errors(`${LT}ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);`)).toEqual(["disallowed-unique-constraint"]);
    expect(await errors(`${LT}ALTER TABLE users ADD PRIMARY KEY (id);`)).toEqual(["adding-primary-key-constraint"]);
    expect(await errors(`${LT}ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;`)).toEqual([]);
  });

  it("a volatile default or a stored generated column (adding-field-with-default)", async () => {
    expect(await errors(`${LT}ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();`)).toEqual(["adding-field-with-default"]);
    expect(await errors(`${LT}ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT clock_timestamp();`)).toEqual(["adding-field-with-default"]);
    expect(await errors(`${LT}ALTER TABLE users ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;`)).toEqual(["adding-field-with-default"]);
    expect(await errors(`${LT}ALTER TABLE users ADD COLUMN plan text DEFAULT 'free'::text;`)).toEqual([]);
  });

  it("a serial or primary-key column added to an existing table (adding-serial-primary-key-field)", async () => {
    expect(await errors(`${LT}ALTER TABLE events ADD COLUMN id bigserial;`)).toEqual(["adding-serial-primary-key-field"]);
  });

  it("a strong lock with no lock_timeout before it, or after SET LOCAL's transaction ended (require-lock-timeout)", async () => {
    expect(await errors("ALTER TABLE users ADD COLUMN nickname text;")).toEqual(["require-lock-timeout"]);
    expect(await errors("SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN nickname text;")).toEqual(["require-lock-timeout"]);
    expect(await errors("BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE users ADD COLUMN a text;\nCOMMIT;\nALTER TABLE users ADD COLUMN b text;")).toEqual(["require-lock-timeout"]);
    const report = await lint("BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE users ADD COLUMN a text;\nCOMMIT;\nALTER TABLE users ADD COLUMN b text;");
    expect(report.findings[0]!.line).toBe(5);
  });

  it("domains with constraints (ban-create-domain-with-constraint, ban-alter-domain-with-add-constraint)", async () => {
    expect(await rules("CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');")).toEqual(["ban-create-domain-with-constraint"]);
    expect(await errors(`${LT}ALTER DOMAIN email ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%');`)).toEqual(["ban-alter-domain-with-add-constraint"]);
  });
});

describe("unsafe statements", () => {
  it("TRUNCATE, with and without CASCADE (ban-truncate, ban-truncate-cascade), and DROP DATABASE (ban-drop-database)", async () => {
    expect(await errors("TRUNCATE sessions;")).toEqual(["ban-truncate"]);
    expect(await errors("TRUNCATE users CASCADE;")).toEqual(["ban-truncate-cascade"]);
    expect(await errors("DROP DATABASE app;")).toEqual(["ban-drop-database"]);
  });

  it("a DO block is reported as unparsed and unsafe, whatever it contains (unparsed-block)", async () => {
    const report = await lint("-- migration: expand\nDO $$\nBEGIN\n  ALTER TABLE users ADD COLUMN x text;\nEND\n$$;");
    expect(report.findings.map((f) => [f.rule, f.phase, f.line])).toEqual([["unparsed-block", "unsafe", 2]]);
    expect(report.statements).toEqual([{ line: 2, statement: "DO $$ BEGIN ALTER TABLE users ADD COLUMN x text; END $$;", phase: "unsafe" }]);
    expect(report.ok).toBe(false);
  });

  it("SQL that does not parse (parse-error) names the line", async () => {
    const report = await lint("SELECT 1;\n\nALTER TABLE users ADD COLUMN ;");
    expect(report.findings.map((f) => [f.rule, f.line])).toEqual([["parse-error", 3]]);
    expect(report.findings[0]!.message).toContain('syntax error at or near ";"');
  });

  it("LOCK TABLE in a mode that blocks writes (ban-explicit-lock); ROW EXCLUSIVE does not", async () => {
    expect(await errors(`BEGIN;\n${LT}LOCK TABLE users IN ACCESS EXCLUSIVE MODE;\nCOMMIT;`)).toEqual(["ban-explicit-lock"]);
    expect(await errors("BEGIN;\nLOCK TABLE users IN ROW EXCLUSIVE MODE;\nCOMMIT;")).toEqual([]);
  });

  it("REINDEX without CONCURRENTLY (require-concurrent-reindex)", async () => {
    expect(await errors(`${LT}REINDEX TABLE users;`)).toEqual(["require-concurrent-reindex"]);
    expect(await errors("REINDEX INDEX CONCURRENTLY users_email_idx;")).toEqual([]);
  });

  it("CREATE and DROP TRIGGER lock their table, so they need a lock_timeout (require-lock-timeout)", async () => {
    expect(await errors("CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f();")).toEqual(["require-lock-timeout"]);
    expect(await errors("-- migration: contract after 1\nDROP TRIGGER t ON users;")).toEqual(["require-lock-timeout"]);
  });

  it("renaming an index or a constraint is expand; dropping a view or an extension is contract", async () => {
    expect(await errors(`${LT}ALTER INDEX users_email_idx RENAME TO users_email_key;\nALTER TABLE users RENAME CONSTRAINT a TO b;`)).toEqual([]);
    expect(await errors(`${LT}DROP VIEW customers;`)).toEqual(["contract-in-expand-file"]);
    expect(await errors(`${LT}DROP EXTENSION pg_trgm;`)).toEqual(["contract-in-expand-file"]);
  });

  it("a statement kind the lint does not know (unclassified-statement)", async () => {
    expect(await errors("CREATE PUBLICATION pub FOR ALL TABLES;")).toEqual(["unclassified-statement"]);
  });
});

describe("transactions", () => {
  it("CREATE INDEX CONCURRENTLY inside BEGIN … COMMIT (ban-concurrent-index-creation-in-transaction)", async () => {
    expect(await errors("BEGIN;\nCREATE INDEX CONCURRENTLY i ON users (email);\nCOMMIT;")).toEqual(["ban-concurrent-index-creation-in-transaction"]);
  });

  it("a nested BEGIN (transaction-nesting) and a transaction never committed (ban-uncommitted-transaction)", async () => {
    expect(await errors("BEGIN;\nBEGIN;\nSELECT 1;\nCOMMIT;")).toEqual(["transaction-nesting"]);
    const open = await lint("BEGIN;\nSELECT 1;\n");
    expect(open.findings.map((f) => f.rule)).toEqual(["ban-uncommitted-transaction"]);
  });
});

describe("reading files", () => {
  it("quoted identifiers keep their case and quotes in messages and recipes", async () => {
    const report = await lint(`${LT}ALTER TABLE "Accounts" RENAME COLUMN "E-mail" TO "emailAddress";`);
    const finding = report.findings.find((f) => f.rule === "renaming-column")!;
    expect(finding.message).toContain('RENAME COLUMN "E-mail" TO "emailAddress" on "Accounts"');
    expect(finding.recipe).toContain('UPDATE "Accounts" SET "emailAddress" = "E-mail"');
  });

  it("many statements, comments and blank lines: each statement's own line and text", async () => {
    const sql = [
      "-- migration: expand",
      "/* the users' new address column",
      "   /* nested */ still a comment */",
      "SET lock_timeout = '2s';",
      "",
      "-- add it nullable",
      "ALTER TABLE users ADD COLUMN email_address text; ALTER TABLE users",
      "  DROP COLUMN email; -- not here",
      "CREATE INDEX users_ea ON users (email_address);",
    ].join("\n");
    const report = await lint(sql);
    expect(report.statements.map((s) => [s.line, s.phase])).toEqual([[4, "expand"], [7, "expand"], [7, "contract"], [9, "expand"]]);
    expect(report.findings.map((f) => [f.rule, f.line, f.statement])).toEqual([
      ["contract-in-expand-file", 7, "ALTER TABLE users DROP COLUMN email;"],
      ["ban-drop-column", 7, "ALTER TABLE users DROP COLUMN email;"],
      ["require-concurrent-index-creation", 9, "CREATE INDEX users_ea ON users (email_address);"],
    ]);
  });

  it("line numbers count characters, not bytes, after non-ASCII text", async () => {
    const report = await lint("-- Änderung für Straße\nCOMMENT ON TABLE users IS 'Benutzer – ü';\nTRUNCATE users;");
    expect(report.findings.map((f) => f.line)).toEqual([3]);
  });

  it("every rule in the catalogue has a test in this file", async () => {
    const source = await import("node:fs").then((fs) => fs.readFileSync(new URL(import.meta.url), "utf8"));
    const untested = Object.keys(RULES).filter((r) => !source.includes(`"${r}"`) && !source.includes(`(${r})`));
    expect(untested).toEqual([]);
  });
});
