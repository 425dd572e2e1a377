/**
 * The demo's public API: `runDemo` (what `npm run demo` runs, and what test/e2e/demo.test.ts asserts)
 * and the migration rehearsal (`npm run demo:migrations`; test/e2e/migrations.test.ts).
 */
export { clipAtWord, runDemo, type DemoOptions, type DemoResult } from "./demo";
export { runMigrationsDemo, type MigrationsDemoResult } from "./migrations-demo";
export { databaseStage, rehearseExpandContract, rehearseOneStep, writeMigrations, type ExpandContractResult, type OneStepResult, type RehearsalOptions } from "./rehearsal";
export { CONTRACT_SQL, EXPAND_SQL, SEED_SQL } from "./rehearsal-sql";
