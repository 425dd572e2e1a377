/**
 * CloudWatch statistics over one period's raw values.
 *
 * Percentiles use the nearest rank: pNN is the smallest value with at least NN% of the values at or
 * below it. Percentage bounds of the trimmed family keep the values whose 1-based rank r in the sorted
 * list satisfies n·a/100 < r ≤ n·b/100; value bounds (TM(150:1000)) keep values v with a < v ≤ b.
 * Shorthands: tmNN = TM(:NN%), wmNN = WM(:NN%), tcNN = TC(:NN%), tsNN = TS(:NN%), IQM = TM(25%:75%).
 * PR(a:b) is the percentage of values v with a < v ≤ b.
 */
export type Statistic = (values: number[]) => number | undefined;

const VALID =
  "Sum, Average, Minimum, Maximum, SampleCount, IQM, pNN or pNN.NN, tmNN, wmNN, tcNN, tsNN, TM(a%:b%), WM(a%:b%), TC(a%:b%), TS(a%:b%), TM(a:b) with values, PR(a:b)";

export function parseStatistic(stat: string): Statistic {
  switch (stat) {
    case "Sum":
      return (values) => values.reduce((sum, v) => sum + v, 0);
    case "Average":
      return (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
    case "Minimum":
      return (values) => values.reduce((min, v) => Math.min(min, v), Infinity);
    case "Maximum":
      return (values) => values.reduce((max, v) => Math.max(max, v), -Infinity);
    case "SampleCount":
      return (values) => values.length;
    case "IQM":
      return trimmed("TM", { kind: "percent", low: 25, high: 75 });
  }
  const percentile = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(stat);
  if (percentile) {
    const p = Number(percentile[1]);
    return (values) => nearestRank(sorted(values), p);
  }
  const shorthand = /^(tm|wm|tc|ts)(\d{1,2}(?:\.\d+)?|100)$/.exec(stat);
  if (shorthand) {
    return trimmed(shorthand[1]!.toUpperCase() as Family, { kind: "percent", low: 0, high: Number(shorthand[2]) });
  }
  const bounded = /^(TM|WM|TC|TS|PR)\(([^:()]*):([^:()]*)\)$/.exec(stat);
  if (bounded) {
    const family = bounded[1] as Family | "PR";
    const bounds = parseBounds(stat, bounded[2]!, bounded[3]!);
    if (family === "PR") {
      if (bounds.kind === "percent") throw invalidStat(stat, "PR takes value bounds, not percentages");
      return (values) => (100 * values.filter((v) => v > bounds.low && v <= bounds.high).length) / values.length;
    }
    return trimmed(family, bounds);
  }
  throw invalidStat(stat);
}

type Family = "TM" | "WM" | "TC" | "TS";
type Bounds = { kind: "percent" | "value"; low: number; high: number };

function invalidStat(stat: string, detail?: string): Error {
  return new Error(`unsupported statistic ${JSON.stringify(stat)}${detail ? ` (${detail})` : ""}; valid: ${VALID}`);
}

function parseBounds(stat: string, lowText: string, highText: string): Bounds {
  const percent = (text: string) => text.trim().endsWith("%");
  const isPercent = percent(lowText) || percent(highText);
  if (isPercent && ((lowText.trim() !== "" && !percent(lowText)) || (highText.trim() !== "" && !percent(highText)))) {
    throw invalidStat(stat, "both bounds must be percentages or both values");
  }
  const number = (text: string, fallback: number) => {
    const trimmedText = text.trim().replace(/%$/, "");
    if (trimmedText === "") return fallback;
    const value = Number(trimmedText);
    if (!Number.isFinite(value)) throw invalidStat(stat, `"${text}" is not a number`);
    return value;
  };
  const bounds: Bounds = isPercent
    ? { kind: "percent", low: number(lowText, 0), high: number(highText, 100) }
    : { kind: "value", low: number(lowText, -Infinity), high: number(highText, Infinity) };
  if (bounds.low > bounds.high || (isPercent && (bounds.low < 0 || bounds.high > 100))) {
    throw invalidStat(stat, "bounds must be ascending (percentages between 0 and 100)");
  }
  return bounds;
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function nearestRank(ordered: number[], p: number): number | undefined {
  if (ordered.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((ordered.length * p) / 100 - 1e-9));
  return ordered[Math.min(rank, ordered.length) - 1];
}

function trimmed(family: Family, bounds: Bounds): Statistic {
  return (values) => {
    const ordered = sorted(values);
    const n = ordered.length;
    let kept: number[];
    let low: number | undefined;
    let high: number | undefined;
    if (bounds.kind === "percent") {
      const lowRank = (n * bounds.low) / 100;
      const highRank = (n * bounds.high) / 100;
      kept = ordered.filter((_, index) => index + 1 > lowRank + 1e-9 && index + 1 <= highRank + 1e-9);
      low = bounds.low > 0 ? nearestRank(ordered, bounds.low) : undefined;
      high = bounds.high < 100 ? nearestRank(ordered, bounds.high) : undefined;
    } else {
      kept = ordered.filter((v) => v > bounds.low && v <= bounds.high);
      low = Number.isFinite(bounds.low) ? bounds.low : undefined;
      high = Number.isFinite(bounds.high) ? bounds.high : undefined;
    }
    switch (family) {
      case "TC":
        return kept.length;
      case "TS":
        return kept.reduce((sum, v) => sum + v, 0);
      case "TM":
        return kept.length === 0 ? undefined : kept.reduce((sum, v) => sum + v, 0) / kept.length;
      case "WM": {
        if (n === 0) return undefined;
        const clamp = (v: number) => Math.min(high ?? Infinity, Math.max(low ?? -Infinity, v));
        return ordered.reduce((sum, v) => sum + clamp(v), 0) / n;
      }
    }
  };
}
