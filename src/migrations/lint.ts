/**
 * The migration lint: each file's phase, each statement's phase and findings, and the verdict.
 * Pure over the SQL parser port; the files are read by the caller.
 */
import { type SqlParser, SqlSyntaxError } from "../ports/sql-parser";
import { classify } from "./classify";
import { hasLockTimeout, newContext } from "./context";
import type { RuleHit, RuleId, Severity } from "./rules";
import { type FilePhase, oneLine, readPhase, SourceText, type StatementPhase } from "./source";

export interface Finding {
  file: string;
  line: number;
  statement: string;
  rule: RuleId;
  severity: Severity;
  /** The statement's phase (expand, contract or unsafe). */
  phase: StatementPhase;
  message: string;
  recipe?: string | undefined;
}

export interface StatementReport {
  line: number;
  statement: string;
  phase: StatementPhase;
}

export interface FileReport {
  file: string;
  phase: FilePhase;
  statements: StatementReport[];
  findings: Finding[];
  /** No finding of severity error. */
  ok: boolean;
}

export interface LintOptions {
  /** The marker comment's prefix, `-- migration:` unless told. */
  marker?: string | undefined;
}

function fileFindings(file: string, phase: FilePhase): Finding[] {
  const at = { file, line: phase.markerLine ?? 1, statement: "", phase: phase.phase } as const;
  if (phase.invalid !== undefined) {
    return [{ ...at, rule: "unknown-phase-marker", severity: "error", message: `The marker names no phase: "${oneLine(phase.invalid, 80)}". Write expand, contract, or contract after <schema version>.` }];
  }
  if (phase.phase === "contract" && phase.after === undefined) {
    return [{ ...at, rule: "contract-without-version", severity: "error", message: "A contract file must say which schema version it ends, e.g. `-- migration: contract after 42`: the gate allows it only once no live or rollback-able slot needs that schema." }];
  }
  return [];
}

/** Lints one file's text. */
export async function lintSource(file: string, text: string, parser: SqlParser, options: LintOptions = {}): Promise<FileReport> {
  const phase = readPhase(text, options.marker);
  const source = new SourceText(text);
  const findings = fileFindings(file, phase);
  const statements: StatementReport[] = [];
  let parsed;
  try {
    parsed = await parser.parse(text);
  } catch (error) {
    const at = error instanceof SqlSyntaxError && error.cursorPosition !== undefined ? source.lineOf(source.index(error.cursorPosition)) : 1;
    findings.push({ file, line: at, statement: "", rule: "parse-error", severity: "error", phase: "unsafe", message: `Does not parse as ${parser.dialect} SQL: ${oneLine(error instanceof Error ? error.message : String(error), 200)}. Nothing in this file was checked.` });
    return { file, phase, statements, findings, ok: false };
  }
  const ctx = newContext();
  for (const s of parsed.stmts ?? []) {
    const { text: sql, line } = source.statement(s);
    const analysis = classify(s.stmt, ctx, sql);
    const statement = oneLine(sql);
    statements.push({ line, statement, phase: analysis.phase });
    const at = { file, line, statement, phase: analysis.phase };
    const hits: RuleHit[] = [...analysis.hits];
    if (analysis.strongLock && !hasLockTimeout(ctx)) {
      hits.push({ rule: "require-lock-timeout", severity: "error", message: "No lock_timeout is set before this statement: while it waits for its lock on a busy table, every query on the table queues behind it. Put SET lock_timeout = '2s'; (and retry on failure) before it." });
    }
    if (analysis.phase === "contract" && phase.phase === "expand") {
      hits.unshift({ rule: "contract-in-expand-file", severity: "error", message: `This removes or changes what the running version uses, in a file that is ${phase.markerLine ? "marked expand" : "not marked, so expand"}. Move it to a contract file (\`-- migration: contract after <schema version>\`) that runs once no version needing it can serve.` });
    }
    findings.push(...hits.map((h) => ({ ...at, ...h })));
  }
  if (ctx.inTransaction) {
    findings.push({ file, line: source.lineOf(text.length), statement: "", rule: "ban-uncommitted-transaction", severity: "error", phase: "unsafe", message: "The file begins a transaction and never commits it: the changes are rolled back (or left holding locks) when the session ends. Add COMMIT;" });
  }
  return { file, phase, statements, findings, ok: !findings.some((f) => f.severity === "error") };
}

export interface LintReport {
  files: FileReport[];
  findings: Finding[];
  verdict: "pass" | "fail";
}

export async function lintFiles(files: { file: string; text: string }[], parser: SqlParser, options: LintOptions = {}): Promise<LintReport> {
  const reports: FileReport[] = [];
  for (const f of files) reports.push(await lintSource(f.file, f.text, parser, options));
  const findings = reports.flatMap((r) => r.findings);
  return { files: reports, findings, verdict: reports.every((r) => r.ok) ? "pass" : "fail" };
}
