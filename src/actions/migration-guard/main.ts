/** migration-guard once its inputs are valid: find the files, load the Postgres parser, lint, and in gate mode read the slots. Loaded with import(). */
import { findMigrationFiles } from "../../adapters/files/migration-files";
import { loadPostgresParser } from "../../adapters/postgres/parser";
import { environmentRef } from "../../inputs/common";
import { type ContractFile, decideGate, type GateDecision, readSlotSchemas, recordContracted, type SlotSchema } from "../../migrations/gate";
import { lintFiles, type LintReport } from "../../migrations/lint";
import type { ActionContext } from "../../runtime/run-action";
import { regionOf } from "../../util/arn";
import { SafetyError } from "../../util/errors";
import type { MigrationGuardSettings } from "./definition";
import { renderGuardSummary } from "./summary";

export interface GateOutcome {
  decision: GateDecision;
  slots: SlotSchema[];
  /** The schema version recorded as contracted on the environment after this run. */
  contracted?: number | undefined;
}

async function gate(report: LintReport, s: MigrationGuardSettings, ctx: ActionContext): Promise<GateOutcome> {
  const ports = await ctx.ports(regionOf(s["listener-arn"] ?? s["rule-arn"] ?? ""));
  const { env, slots, contracted } = await readSlotSchemas(environmentRef(s), ports);
  const contracts: ContractFile[] = report.files.filter((f) => f.phase.phase === "contract" && f.phase.after !== undefined).map((f) => ({ file: f.file, after: f.phase.after! }));
  const failing = new Set(report.files.filter((f) => !f.ok).map((f) => f.file));
  const decision = decideGate(contracts.filter((c) => !failing.has(c.file)), slots);
  for (const c of contracts.filter((c) => failing.has(c.file))) decision.blocked.push({ ...c, by: [{ slot: "lint", reason: "the file fails the lint (see its findings)" }] });
  decision.blocked.sort((a, b) => a.file.localeCompare(b.file));
  let recorded = contracted;
  if (decision.allowed.length > 0) {
    const highest = Math.max(...decision.allowed.map((c) => c.after));
    recorded = await recordContracted(env, highest, contracted, ports);
    ctx.log(`Recorded schema ${recorded} as contracted on ${env.ref.arn} (tag deploy:schema-contracted): rollback now refuses to return to a slot that needs it, unless forced.`);
  }
  return { decision, slots, contracted: recorded };
}

function failureMessage(s: MigrationGuardSettings, report: LintReport, outcome: GateOutcome | undefined): string {
  const errors = report.findings.filter((f) => f.severity === "error");
  const first = errors.slice(0, 3).map((f) => `${f.file}:${f.line} ${f.rule}`);
  const lint = errors.length > 0 ? `${errors.length} error(s) in ${new Set(errors.map((f) => f.file)).size} file(s): ${first.join(", ")}${errors.length > 3 ? ", …" : ""}` : "";
  const blocked = outcome?.decision.blocked ?? [];
  const gateText = blocked.length > 0 ? `${blocked.length} contract file(s) may not run yet: ${blocked.map((b) => `${b.file} (${b.by[0]!.reason})`).slice(0, 2).join("; ")}` : "";
  return `migration-guard ${s.mode} failed: ${[lint, gateText].filter(Boolean).join(". ")}. See the step summary.`;
}

/** GitHub keeps at most 1 MB of a job's outputs: the findings that fit in 900 kB, in order, and a warning when some did not. */
export function findingsJson(report: LintReport, warn: (line: string) => void, maxBytes = 900_000): string {
  const items = report.findings.map(({ file, line, statement, rule, severity, phase, message, recipe }) => JSON.stringify({ file, line, statement, rule, severity, phase, message, recipe: recipe ?? null }));
  let bytes = 2;
  let kept = 0;
  while (kept < items.length && bytes + Buffer.byteLength(items[kept]!) + 1 <= maxBytes) bytes += Buffer.byteLength(items[kept++]!) + 1;
  if (kept < items.length) warn(`The findings output holds the first ${kept} of ${report.findings.length} findings (GitHub keeps at most 1 MB of outputs); the step summary counts them all.`);
  return `[${items.slice(0, kept).join(",")}]`;
}

export async function main(s: MigrationGuardSettings, ctx: ActionContext): Promise<void> {
  const workspace = ctx.io.env("GITHUB_WORKSPACE") || process.cwd();
  const files = findMigrationFiles(s.migrations, workspace);
  const parser = await loadPostgresParser();
  const report = await lintFiles(files, parser, { marker: s["phase-marker"] });
  ctx.log(`Linted ${files.length} file(s) with the ${parser.dialect} parser: ${report.findings.length} finding(s), verdict ${report.verdict}.`);
  const outcome = s.mode === "gate" ? await gate(report, s, ctx) : undefined;
  const verdict = report.verdict === "pass" && (outcome?.decision.blocked.length ?? 0) === 0 ? "pass" : "fail";
  ctx.io.setOutput("verdict", verdict);
  ctx.io.setOutput("findings", findingsJson(report, (line) => ctx.io.warning(line)));
  ctx.io.setOutput("expand-files", report.files.filter((f) => f.phase.phase === "expand").map((f) => f.file).join("\n"));
  ctx.io.setOutput("contract-files", report.files.filter((f) => f.phase.phase === "contract").map((f) => f.file).join("\n"));
  ctx.io.setOutput("safe-to-run", outcome ? outcome.decision.allowed.map((c) => c.file).join("\n") : "");
  ctx.io.setOutput("contracted-schema", outcome?.contracted === undefined ? "" : String(outcome.contracted));
  ctx.io.appendSummary(renderGuardSummary(s.mode, report, outcome, { runUrl: ctx.run.runUrl }));
  if (verdict === "fail") throw new SafetyError(failureMessage(s, report, outcome));
}
