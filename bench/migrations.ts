/**
 * `npm run bench:migrations`: the migration guard's lint and squawk-cli over the same labelled corpus
 * (bench/migrations/corpus/, ground truth in each file's first line), side by side: how often each
 * agrees with the label and with the other, every case where either is wrong, and the wall time of
 * each as a ratio. Writes bench/migrations-results.json.
 *
 * squawk runs with its style rules excluded (they judge schema taste, not downtime) and
 * require-statement-timeout (the labels do not require a statement_timeout). It has no notion of
 * phases, so a DROP COLUMN in a gated contract file is a finding to it.
 *
 * squawk-cli is not a devDependency: its binaries are per-platform optional packages, and a lock file
 * holding all of them cannot be written from a registry that serves only this platform's. The npm
 * script runs this file under `npm exec --package=squawk-cli@2.66.0`, which puts `squawk` on the PATH.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadPostgresParser } from "../src/adapters/postgres/parser";
import { type FileReport, lintSource } from "../src/migrations/lint";
import { loadCorpus } from "./migrations/corpus";

const SQUAWK_EXCLUDED = ["prefer-robust-stmts", "prefer-text-field", "prefer-bigint-over-int", "prefer-bigint-over-smallint", "prefer-identity", "prefer-timestamptz", "ban-char-field", "require-statement-timeout"];
const root = join(import.meta.dirname, "..");

interface Row {
  file: string;
  label: "safe" | "unsafe";
  why: string;
  ours: "safe" | "unsafe";
  ourRules: string[];
  squawk: "safe" | "unsafe";
  squawkRules: string[];
}

function runSquawk(paths: string[]): Map<string, string[]> {
  let out: string;
  try {
    out = execFileSync("squawk", ["--reporter", "json", `--exclude=${SQUAWK_EXCLUDED.join(",")}`, ...paths], { encoding: "utf8", maxBuffer: 32 << 20 });
  } catch (error) {
    // squawk exits non-zero when it finds something; its report is still on stdout.
    out = (error as { stdout?: string }).stdout ?? "";
    if (!out.trim()) throw error;
  }
  const byFile = new Map<string, string[]>(paths.map((p) => [p, []]));
  for (const v of JSON.parse(out) as { file: string; rule_name: string; level: string }[]) byFile.get(v.file)?.push(v.rule_name);
  return byFile;
}

async function main(): Promise<void> {
  const corpus = loadCorpus();
  const t0 = performance.now();
  const parser = await loadPostgresParser();
  const ours: FileReport[] = [];
  for (const c of corpus) ours.push(await lintSource(c.file, c.text, parser));
  const ourMs = performance.now() - t0;
  const t1 = performance.now();
  const squawk = runSquawk(corpus.map((c) => c.path));
  const squawkMs = performance.now() - t1;
  const rows: Row[] = corpus.map((c, i) => {
    const errors = ours[i]!.findings.filter((f) => f.severity === "error").map((f) => f.rule);
    const sq = squawk.get(c.path) ?? [];
    return { file: c.file, label: c.label, why: c.why, ours: ours[i]!.ok ? "safe" : "unsafe", ourRules: [...new Set(errors)], squawk: sq.length === 0 ? "safe" : "unsafe", squawkRules: [...new Set(sq)] };
  });
  const count = (f: (r: Row) => boolean) => rows.filter(f).length;
  const pct = (n: number) => `${((100 * n) / rows.length).toFixed(1)}%`;
  const ourRight = count((r) => r.ours === r.label);
  const squawkRight = count((r) => r.squawk === r.label);
  const same = count((r) => r.ours === r.squawk);
  console.log(`corpus: ${rows.length} migrations (${count((r) => r.label === "safe")} labelled safe, ${count((r) => r.label === "unsafe")} unsafe), bench/migrations/corpus/`);
  console.log("");
  console.log("                     migration-guard lint   squawk-cli " + execFileSync("squawk", ["--version"], { encoding: "utf8" }).trim().replace(/^squawk\s*/, ""));
  console.log(`agrees with label    ${`${ourRight}/${rows.length} (${pct(ourRight)})`.padEnd(23)}${squawkRight}/${rows.length} (${pct(squawkRight)})`);
  console.log(`missed unsafe        ${String(count((r) => r.label === "unsafe" && r.ours === "safe")).padEnd(23)}${count((r) => r.label === "unsafe" && r.squawk === "safe")}`);
  console.log(`flagged safe         ${String(count((r) => r.label === "safe" && r.ours === "unsafe")).padEnd(23)}${count((r) => r.label === "safe" && r.squawk === "unsafe")}`);
  console.log(`wall time            ${`${ourMs.toFixed(0)} ms (1.00x)`.padEnd(23)}${squawkMs.toFixed(0)} ms (${(squawkMs / ourMs).toFixed(2)}x)`);
  console.log(`the two agree with each other on ${same}/${rows.length} (${pct(same)})`);
  console.log("");
  const wrong = rows.filter((r) => r.ours !== r.label || r.squawk !== r.label);
  console.log(`cases where either is wrong (${wrong.length}):`);
  for (const r of wrong) {
    const who = [r.ours !== r.label ? "ours" : "", r.squawk !== r.label ? "squawk" : ""].filter(Boolean).join(" and ");
    console.log(`  ${r.file}: label ${r.label} (${r.why}); wrong: ${who}`);
    console.log(`    ours: ${r.ours}${r.ourRules.length ? ` [${r.ourRules.join(", ")}]` : ""}; squawk: ${r.squawk}${r.squawkRules.length ? ` [${r.squawkRules.join(", ")}]` : ""}`);
  }
  writeFileSync(join(root, "bench/migrations-results.json"), `${JSON.stringify({ corpus: rows.length, ours: { right: ourRight, ms: Math.round(ourMs) }, squawk: { right: squawkRight, ms: Math.round(squawkMs), excluded: SQUAWK_EXCLUDED }, agree: same, rows }, null, 2)}\n`);
}

await main();
