/** migration-guard's step summary: the verdict, the findings (file:line, rule, phase, message), the recipes, and in gate mode the slots and the contract files. */
import type { Finding, LintReport } from "../../migrations/lint";
import { liveness } from "../../migrations/gate";
import { bold, code, link, summary, type Summary } from "../../util/summary";
import type { GateOutcome } from "./main";

const PHASE_ICON = { expand: "➕ expand", contract: "➖ contract", unsafe: "⛔ unsafe" } as const;

function findingsTable(out: Summary, findings: Finding[]): void {
  if (findings.length === 0) {
    out.paragraph("No findings: every statement is expand-safe in its file's phase, with no lock risk.");
    return;
  }
  const shown = findings.slice(0, 200);
  out.table(
    ["Where", "Rule", "Phase", "Severity", "Statement", "Message"],
    shown.map((f) => [`${f.file}:${f.line}`, code(f.rule), PHASE_ICON[f.phase], f.severity, f.statement ? code(f.statement.length > 120 ? `${f.statement.slice(0, 119)}…` : f.statement) : "—", f.message]),
  );
  if (findings.length > shown.length) out.paragraph(`… and ${findings.length - shown.length} more in the findings output.`);
  const recipes = findings.filter((f) => f.recipe);
  for (const f of recipes.slice(0, 20)) out.details(`Recipe for ${f.file}:${f.line} (${f.rule})`, (inner) => inner.code(f.recipe!, "text"));
}

function gateSection(out: Summary, outcome: GateOutcome): void {
  out.heading("Gate", 3).table(
    ["Slot", "Version", "Schema", "Traffic", "Instances", "Live or rollback-able"],
    outcome.slots.map((s) => [s.name, s.version ?? "unknown", s.schemaVersion === undefined ? "unknown (no tag)" : String(s.schemaVersion), `${s.share}%`, String(s.instances), liveness(s) ?? "no"]),
  );
  const rows = [
    ...outcome.decision.allowed.map((c) => [c.file, String(c.after), "✅ may run now", "no live or rollback-able slot needs it"]),
    ...outcome.decision.blocked.map((c) => [c.file, String(c.after), "⛔ not yet", c.by.map((b) => b.reason).join("; ")]),
  ];
  if (rows.length === 0) out.paragraph("No contract file among the migrations: nothing to gate.");
  else out.table(["Contract file", "Ends schema", "Decision", "Why"], rows);
  out.paragraph(outcome.contracted === undefined ? "No schema version is recorded as contracted on the environment." : [bold("Contracted:"), ` schema ${outcome.contracted} and older (tag deploy:schema-contracted); rollback refuses to return to a slot that needs it unless force is given.`]);
}

export function renderGuardSummary(mode: "lint" | "gate", report: LintReport, outcome: GateOutcome | undefined, links: { runUrl?: string | undefined } = {}): string {
  const blocked = outcome?.decision.blocked.length ?? 0;
  const pass = report.verdict === "pass" && blocked === 0;
  const errors = report.findings.filter((f) => f.severity === "error").length;
  const out = summary().heading(`${pass ? "✅" : "❌"} migration-guard ${mode}: ${pass ? "pass" : "fail"}`, 2);
  const statements = report.files.reduce((n, f) => n + f.statements.length, 0);
  out.paragraph(`${report.files.length} file(s), ${statements} statement(s): ${errors} error(s), ${report.findings.length - errors} warning(s).`);
  out.table(
    ["File", "Phase", "Statements", "Result"],
    report.files.map((f) => [f.file, f.phase.phase === "contract" ? `contract${f.phase.after !== undefined ? ` after ${f.phase.after}` : ""}` : f.phase.markerLine ? "expand" : "expand (no marker)", String(f.statements.length), f.ok ? "✅" : "❌"]),
  );
  findingsTable(out, report.findings);
  if (outcome) gateSection(out, outcome);
  if (links.runUrl) out.paragraph(link("Workflow run", links.runUrl));
  return out.toString();
}
