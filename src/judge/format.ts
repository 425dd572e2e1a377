/** Number formatting shared by the reasons in words and the markdown report. */
/** Formats a number for a sentence: 3 significant digits, no exponent for everyday values. */
export function fmt(value: number | null | undefined, unit = ""): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "n/a";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "-∞";
  const abs = Math.abs(value);
  const text = abs !== 0 && (abs < 0.001 || abs >= 1e6) ? value.toExponential(2) : String(Number(value.toPrecision(3)));
  return unit ? `${text} ${unit}` : text;
}

export function pct(r: number): string {
  if (!Number.isFinite(r)) return r > 0 ? "+∞%" : "-∞%";
  const p = (r - 1) * 100;
  return `${p >= 0 ? "+" : ""}${fmt(p)}%`;
}
