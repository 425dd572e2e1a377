/** One line of the bench table, and how the table is printed. */
import type { Summary } from "./stats";
import { round } from "./stats";

export type Status = "ok" | "MISSED" | "info";

export interface Row {
  part: string;
  metric: string;
  unit: string;
  /** A single value, or a median with its spread. */
  value: number | Summary;
  budget?: { limit: number; text: string };
  status: Status;
  /** By how much a budget was missed and what it would take, or how the figure was obtained. */
  note?: string;
}

export interface PartResult {
  name: string;
  rows: Row[];
  /** Anything else worth keeping in results.json (raw samples, call counts…). */
  details?: Record<string, unknown>;
}

/** A row with a budget: ok when the median (or the value) is within it, else MISSED with the overshoot. */
export function budgeted(row: Omit<Row, "status" | "budget">, limit: number, text: string, fix?: string): Row {
  const value = typeof row.value === "number" ? row.value : row.value.median;
  const ok = value <= limit;
  const over = value - limit;
  const share = limit > 0 ? ` (${round((over / limit) * 100, 1)}% over)` : "";
  const missNote = `MISSED by ${round(over, 3)} ${row.unit}${share}${fix ? `; ${fix}` : ""}`;
  const note = ok ? row.note : [missNote, row.note].filter(Boolean).join(". ");
  return { ...row, budget: { limit, text }, status: ok ? "ok" : "MISSED", ...(note ? { note } : {}) };
}

export function info(row: Omit<Row, "status">): Row {
  return { ...row, status: "info" };
}

function formatValue(value: number | Summary, unit: string): string {
  const f = (v: number) => (Number.isFinite(v) ? String(round(v, Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 3)) : String(v));
  if (typeof value === "number") return `${f(value)} ${unit}`;
  return `${f(value.median)} ${unit} (${f(value.min)}–${f(value.max)}, n=${value.n})`;
}

/** Plain-text table: part, metric, median (min–max), budget, status; notes under the table. */
export function formatTable(parts: readonly PartResult[]): string {
  const header = ["part", "metric", "median (min–max) / value", "budget", "status"];
  const lines: string[][] = [];
  const notes: string[] = [];
  for (const part of parts) {
    for (const row of part.rows) {
      let status = row.status === "info" ? "" : row.status;
      if (row.note) {
        notes.push(`[${notes.length + 1}] ${row.part} / ${row.metric}: ${row.note}`);
        status = `${status} [${notes.length}]`.trim();
      }
      lines.push([row.part, row.metric, formatValue(row.value, row.unit), row.budget?.text ?? "", status]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ").trimEnd();
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...lines.map(fmt), "", ...notes].join("\n");
}
