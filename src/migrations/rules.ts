/**
 * The lint's rules: what each one finds, and the squawk rule it matches (squawk, the Postgres
 * migration linter, is the anchor for the migration-safety rules; its style rules, such as
 * prefer-text-field or prefer-bigint-over-int, are not the guard's business).
 */
export type Severity = "error" | "warning";

export interface RuleInfo {
  summary: string;
  /** The squawk rule that finds the same problem. */
  squawk?: string;
}

export const RULES = {
  "contract-in-expand-file": { summary: "A statement that removes or changes what the running version uses, in a file that is not marked contract." },
  "contract-without-version": { summary: "A contract file that does not say which schema version it ends (`-- migration: contract after 42`), so the gate cannot tell when it is safe." },
  "unknown-phase-marker": { summary: "A marker comment that names no phase (expand, contract, contract after <n>)." },
  "renaming-column": { summary: "RENAME COLUMN breaks whichever version still uses the old name.", squawk: "renaming-column" },
  "renaming-table": { summary: "RENAME TO on a table breaks whichever version still uses the old name.", squawk: "renaming-table" },
  "changing-column-type": { summary: "ALTER COLUMN … TYPE rewrites the table under an ACCESS EXCLUSIVE lock and changes what old code reads.", squawk: "changing-column-type" },
  "ban-drop-column": { summary: "DROP COLUMN removes what the old version reads or writes.", squawk: "ban-drop-column" },
  "ban-drop-table": { summary: "DROP TABLE removes what the old version uses.", squawk: "ban-drop-table" },
  "ban-drop-database": { summary: "DROP DATABASE.", squawk: "ban-drop-database" },
  "ban-truncate-cascade": { summary: "TRUNCATE … CASCADE empties every table that references this one.", squawk: "ban-truncate-cascade" },
  "ban-truncate": { summary: "TRUNCATE deletes every row under an ACCESS EXCLUSIVE lock." },
  "ban-drop-not-null": { summary: "DROP NOT NULL lets NULLs reach code that does not expect them.", squawk: "ban-drop-not-null" },
  "adding-not-nullable-field": { summary: "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock, and old code that writes NULL fails.", squawk: "adding-not-nullable-field" },
  "adding-required-field": { summary: "ADD COLUMN … NOT NULL without a default: every insert by the old version fails.", squawk: "adding-required-field" },
  "adding-field-with-default": { summary: "ADD COLUMN with a volatile default (or a stored generated column) rewrites the whole table under an ACCESS EXCLUSIVE lock.", squawk: "adding-field-with-default" },
  "adding-serial-primary-key-field": { summary: "ADD COLUMN … PRIMARY KEY (or serial) on an existing table builds an index and rewrites under an ACCESS EXCLUSIVE lock.", squawk: "adding-serial-primary-key-field" },
  "constraint-missing-not-valid": { summary: "ADD CONSTRAINT (CHECK or FOREIGN KEY) without NOT VALID checks every row under its lock; or VALIDATE in the same transaction as NOT VALID.", squawk: "constraint-missing-not-valid" },
  "adding-foreign-key-constraint": { summary: "A foreign key without NOT VALID locks both tables while it checks every row.", squawk: "adding-foreign-key-constraint" },
  "disallowed-unique-constraint": { summary: "ADD CONSTRAINT … UNIQUE builds its index under an ACCESS EXCLUSIVE lock; build it CONCURRENTLY and add the constraint USING INDEX.", squawk: "disallowed-unique-constraint" },
  "adding-primary-key-constraint": { summary: "ADD PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock; build it CONCURRENTLY and add the key USING INDEX.", squawk: "adding-primary-key-constraint" },
  "require-concurrent-index-creation": { summary: "CREATE INDEX without CONCURRENTLY on an existing table blocks every write while it builds.", squawk: "require-concurrent-index-creation" },
  "require-concurrent-index-deletion": { summary: "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table.", squawk: "require-concurrent-index-deletion" },
  "ban-concurrent-index-creation-in-transaction": { summary: "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block.", squawk: "ban-concurrent-index-creation-in-transaction" },
  "transaction-nesting": { summary: "BEGIN inside a transaction, or COMMIT/ROLLBACK outside one.", squawk: "transaction-nesting" },
  "ban-uncommitted-transaction": { summary: "A transaction begun and never committed by the end of the file.", squawk: "ban-uncommitted-transaction" },
  "require-lock-timeout": { summary: "A statement that takes a strong lock on an existing table with no lock_timeout set before it: waiting for its lock, it queues every query behind it.", squawk: "require-lock-timeout" },
  "ban-create-domain-with-constraint": { summary: "A domain with a constraint: adding or changing it later scans every column of that domain.", squawk: "ban-create-domain-with-constraint" },
  "ban-alter-domain-with-add-constraint": { summary: "ALTER DOMAIN … ADD CONSTRAINT checks every column of that domain under lock.", squawk: "ban-alter-domain-with-add-constraint" },
  "require-concurrent-reindex": { summary: "REINDEX without CONCURRENTLY blocks writes while it rebuilds." },
  "ban-explicit-lock": { summary: "LOCK TABLE in SHARE mode or stronger blocks the live versions' writes (or reads) until the transaction ends." },
  "unparsed-block": { summary: "A DO block (or a function body run now): what it changes is not parsed, so it cannot be judged safe." },
  "parse-error": { summary: "The file does not parse as Postgres SQL." },
  "unclassified-statement": { summary: "A statement kind the lint does not classify; review it by hand." },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

export interface RuleHit {
  rule: RuleId;
  severity: Severity;
  message: string;
  /** The expand/contract steps that do the same change safely, naming the statement's own table and columns. */
  recipe?: string | undefined;
}
