/**
 * Line charts for step summaries: a mermaid xychart with one distinct label per point, its
 * series named in the title in the colours its init directive sets, and the data as a table
 * under it. Fewer than MIN_POINTS distinct points make no chart: the table alone.
 */
import type { Summary } from "../util/summary";

/** A chart of fewer points than this says nothing a table does not (mermaid draws a dot or one segment). */
export const MIN_POINTS = 3;

export interface ChartSeries {
  name: string;
  /** Colour name for the title, and its hex value for the chart. */
  colour: { name: string; hex: string };
  values: number[];
}

export interface Chart {
  title: string;
  /** Header of the x column in the table, e.g. "time (UTC)". */
  xName: string;
  /** One label per point; made unique by `timeLabels`. */
  x: string[];
  series: ChartSeries[];
  yLabel: string;
}

export const COLOURS = {
  blue: { name: "blue", hex: "#0969da" },
  red: { name: "red", hex: "#d1242f" },
} as const;

function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, "'").replace(/[\r\n]+/g, " ")}"`;
}

function num(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : "0";
}

/**
 * Labels for points at `times` (epoch ms, distinct): HH:MM:SS when those are unique (unless
 * `elapsed` is asked for), else seconds since the first with as many decimals as it takes.
 */
export function timeLabels(times: number[], prefer: "clock" | "elapsed" = "clock"): { name: string; labels: string[] } {
  const clock = times.map((t) => new Date(t).toISOString().slice(11, 19));
  if (prefer === "clock" && new Set(clock).size === clock.length) return { name: "time (UTC)", labels: clock };
  const start = times[0] ?? 0;
  for (const digits of [0, 1, 2, 3]) {
    const labels = times.map((t) => `+${((t - start) / 1000).toFixed(digits)}s`);
    if (new Set(labels).size === labels.length) return { name: "elapsed", labels };
  }
  return { name: "elapsed", labels: times.map((t, i) => `+${((t - start) / 1000).toFixed(3)}s #${i + 1}`) };
}

/** The series' names in their colours, for a title: "baseline (blue) vs canary (red)". */
export function legend(series: ChartSeries[]): string {
  return series.map((s) => `${s.name} (${s.colour.name})`).join(" vs ");
}

/** The mermaid source of the chart. */
export function xyChart(chart: Chart): string {
  const all = chart.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const max = all.length ? Math.max(...all) : 0;
  const min = all.length ? Math.min(0, ...all) : 0;
  const top = max > min ? Number((max + (max - min) * 0.1).toPrecision(3)) : min + 1;
  const init = { themeVariables: { xyChart: { plotColorPalette: chart.series.map((s) => s.colour.hex).join(", ") } } };
  return [
    `%%{init: ${JSON.stringify(init)}}%%`,
    "xychart-beta",
    `  %% series: ${chart.series.map((s) => s.name.replace(/[|\r\n]/g, " ")).join(" | ")}`,
    `  title ${quoted(chart.series.length > 1 ? `${chart.title}: ${legend(chart.series)}` : chart.title)}`,
    `  x-axis ${quoted(chart.xName)} [${chart.x.map(quoted).join(", ")}]`,
    `  y-axis ${quoted(chart.yLabel)} ${num(min)} --> ${num(top)}`,
    ...chart.series.map((s) => `  line [${s.values.map(num).join(", ")}]`),
  ].join("\n");
}

function dataRows(chart: Chart): string[][] {
  return chart.x.map((x, i) => [x, ...chart.series.map((s) => num(s.values[i] ?? Number.NaN))]);
}

/**
 * Adds the chart to `out`: the mermaid chart and its data in a collapsed table, or, with fewer
 * than MIN_POINTS distinct points, the table alone, saying why.
 */
export function addChart(out: Summary, chart: Chart): void {
  const header = [chart.xName, ...chart.series.map((s) => s.name)];
  const distinct = new Set(chart.x).size;
  if (distinct < MIN_POINTS || chart.series.length === 0) {
    out.paragraph(`${chart.title}, ${distinct} point${distinct === 1 ? "" : "s"}: too few for a chart.`);
    out.table(header, dataRows(chart));
    return;
  }
  out.mermaid(xyChart(chart));
  out.details(`${chart.title} as a table`, (d) => d.table(header, dataRows(chart)));
}
