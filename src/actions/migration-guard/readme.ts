/** The how-it-works part of migration-guard's generated README (actions/migration-guard/README.md). */
export const MIGRATION_GUARD_README = `## Phases and markers

A blue/green or canary deployment runs two versions against one database, and the previous fleet is
kept warm so that a rollback is instant. So a schema change happens in two phases:

- **expand** adds what the new version needs and keeps the old version working: CREATE TABLE, ADD COLUMN
  that is nullable or has a non-volatile default, CREATE INDEX CONCURRENTLY, ADD CONSTRAINT … NOT VALID
  then VALIDATE, a backfill, a trigger that writes both columns. Expand files run **before** deploy-green.
- **contract** removes or changes what the old version uses: DROP COLUMN/TABLE, DROP NOT NULL, SET NOT
  NULL, DROP DEFAULT, dropping a trigger, function or view. Contract files run only once no version that
  needs the old schema can serve again.

A file declares its phase in a line among its leading comments: \`-- migration: expand\`, or
\`-- migration: contract after 42\` (the contract ends schema version 42). A file with no marker is
expand. \`phase-marker\` changes the prefix.

## mode: lint

Every statement is parsed by the real Postgres parser (libpg-query) and classified expand, contract or
unsafe. The check fails on: a contract statement in an expand file; a contract file that names no schema
version; RENAME COLUMN, RENAME TO and ALTER COLUMN … TYPE, each with the expand/contract recipe written for
that very statement (add, backfill, dual-write, deploy, drop); lock risks (a non-concurrent index on an
existing table, a constraint without NOT VALID, VALIDATE in the transaction that added it, a volatile
default, UNIQUE or PRIMARY KEY not built USING INDEX, LOCK TABLE, no \`lock_timeout\` before a statement
that takes a strong lock); DO blocks (reported as unparsed and unsafe); TRUNCATE, DROP DATABASE; CONCURRENTLY
inside a transaction, nested or unfinished transactions; SQL that does not parse; a statement kind the
lint does not know. It covers squawk's migration-safety rules (a rule that matches one of squawk's has its
name), not its style rules. Tables created in the same file are new: nothing else
locks or reads them yet. No AWS call is made.

## mode: gate

Each release declares the schema version it needs with deploy-green's \`schema-version\` (tag
\`deploy:schema-version\` on the slot). The gate reads both slots and lets a contract file that ends
schema N run only when no slot that **serves traffic**, or that **still has instances** (so rollback
returns to it without a redeploy), needs schema N or older. A live slot with no schema tag blocks every
contract: there is no evidence it does not need it. \`safe-to-run\` lists the files that may run now.

When any may run, the gate records the highest schema they end in the tag \`deploy:schema-contracted\`
on the environment's listener or rule, before the contract runs (so no rollback can slip in between).
From then on rollback refuses to return to a slot whose \`deploy:schema-version\` is at or below it, even
a scaled-in one it would scale back up, unless \`force: true\` is given: that release would fail
against the database as it is now. deploy-green, for the same reason, refuses a \`schema-version\` at
or below it.

Running the SQL stays with your tool (psql, node-pg-migrate, Flyway): run \`expand-files\` before
deploy-green and \`safe-to-run\` after the gate. See
[examples/deploy-with-migrations.yml](../../examples/deploy-with-migrations.yml).

## Other SQL dialects

The lint's core (src/migrations/) reads statements through a parser port (src/ports/sql-parser.ts). A
dialect plugs in as an adapter of that port (as src/adapters/postgres/ wraps libpg-query) and a
classifier of its syntax tree returning the same expand/contract/unsafe analysis; the markers, the
findings, the recipes' shape, the verdict and the gate stay as they are.`;
