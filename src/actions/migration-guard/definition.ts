/** migration-guard's inputs and outputs: the single truth for its settings, action.yml and docs. */
import * as z from "../../util/zod";
import { checkEnvironment, environmentInputs } from "../../inputs/common";
import { defineAction, type Settings } from "../../inputs/define";
import { oneOf, text } from "../../inputs/fields";
import { MIGRATION_GUARD_README } from "./readme";

export const migrationGuardAction = defineAction({
  name: "migration-guard",
  branding: { icon: "database", color: "orange" },
  title: "Migration guard",
  description:
    "Checks Postgres migrations for zero-downtime deployments, through the real Postgres parser. mode lint (for pull requests, no AWS): classifies every statement expand, contract or unsafe, flags lock risks, fails a contract statement in an expand file and a rename or type change (with the expand/contract recipe for that very statement). mode gate (before contract migrations): allows a contract that ends schema version N only when no slot that serves traffic, or that rollback could return to without a redeploy, runs a release needing schema N or older, and records the contracted version on the environment so rollback refuses to return to such a slot.",
  readme: MIGRATION_GUARD_README,
  inputs: {
    mode: {
      description:
        "lint: check the migrations (no AWS call). gate: also read the environment's slots (their deploy:schema-version tags, traffic and instances) and list the contract files that may run now; it records the highest one's version in the deploy:schema-contracted tag of the listener or rule.",
      default: "lint",
      get schema() {
        return oneOf(["lint", "gate"] as const);
      },
      valid: "lint or gate",
    },
    migrations: {
      description:
        "The migration files: a directory (its .sql files, subdirectories included) or a glob (`*`, `?`, `**`), relative to the workspace. Files run in path order. Each file declares its phase in a leading comment (see phase-marker); a file without one is expand.",
      required: true,
      get schema() {
        return text(1024);
      },
      valid: "a directory or glob such as db/migrations or db/migrations/*.sql",
    },
    "phase-marker": {
      description:
        "How a file declares its phase: a line among its leading comments that starts with this, followed by expand, contract, or contract after <schema version> (e.g. `-- migration: contract after 42`: the contract ends schema 42).",
      default: "-- migration:",
      get schema() {
        return z.string().check(z.regex(/^--[^\r\n\u0000-\u001f]{0,62}$/, "not a line comment (starting with --) of at most 64 characters"));
      },
      valid: "a SQL line comment prefix of at most 64 characters, starting with --, e.g. -- migration:",
    },
    ...environmentInputs,
  },
  outputs: {
    verdict: { description: "pass or fail: fail when any finding is an error (lint), or when any contract file may not run yet (gate)." },
    findings: { description: "The findings as a JSON array of {file, line, statement, rule, severity, phase, message, recipe}." },
    "expand-files": { description: "The expand files (marked expand, or not marked), one path per line in run order: run them before deploy-green." },
    "contract-files": { description: "The contract files, one path per line in run order: run only those the gate lists in safe-to-run." },
    "safe-to-run": { description: "gate: the contract files that may run now, one path per line, in order (empty in lint mode)." },
    "contracted-schema": { description: "gate: the schema version recorded as contracted on the environment (deploy:schema-contracted), empty when none." },
  },
  check: (s) => (s.mode === "gate" ? checkEnvironment(s) : undefined),
});

export type MigrationGuardSettings = Settings<typeof migrationGuardAction>;
