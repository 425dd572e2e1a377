import type { AlarmDefinition, AlarmEvaluation, AlarmState, MetricsStore } from "../contracts";

/**
 * The contract's evaluateAlarm gets no clock, so a period's real length comes from the store's
 * `timeScale` (stores made by createMetricsStore expose it) unless `periodMs` is given.
 */
export interface EvaluateAlarmOptions {
  /** Real milliseconds one period lasts; by default periodSeconds scaled by the store's `timeScale`. */
  periodMs?: number;
  /** The alarm's current state, kept when `treatMissingData` is `ignore` and no data arrived. */
  previousState?: AlarmState;
  /**
   * Real epoch ms up to which CloudWatch has published data (see publication.ts): only periods that end
   * by then are evaluated, as GetMetricData serves them. By default every complete period is.
   */
  publishedUntil?: number;
}

type Point = { at: number; value: number | undefined };

const WORDS: Record<AlarmDefinition["comparisonOperator"], string> = {
  GreaterThanThreshold: "greater than",
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

/**
 * CloudWatch's evaluation of a metric alarm at `now` (real epoch ms) over its last `evaluationPeriods`
 * complete periods (published ones only, when `publishedUntil` is given): ALARM when at least `datapointsToAlarm` of them breach, with missing periods treated
 * as `treatMissingData` says. With `missing` or `ignore`, CloudWatch looks further back for data: this
 * evaluates the most recent `evaluationPeriods` datapoints found within twice that many periods.
 * No data at all gives INSUFFICIENT_DATA (`missing`) or the previous state (`ignore`).
 */
export function evaluateAlarm(alarm: AlarmDefinition, store: MetricsStore, now: number, options: EvaluateAlarmOptions = {}): AlarmEvaluation {
  const n = alarm.evaluationPeriods;
  const m = alarm.datapointsToAlarm;
  if (!(n >= 1) || !(m >= 1) || m > n) {
    throw new Error(
      `alarm ${alarm.alarmName}: datapointsToAlarm (${m}) must be between 1 and evaluationPeriods (${n})`,
    );
  }
  const lookBack = alarm.treatMissingData === "missing" || alarm.treatMissingData === "ignore" ? 2 * n : n;
  const evaluatedUntil = Math.min(now, options.publishedUntil ?? now);
  const points = recentPeriods(alarm, store, evaluatedUntil, lookBack, options.periodMs);
  const breaches = (value: number) => compare(alarm.comparisonOperator, value, alarm.threshold);

  let window: Point[];
  if (lookBack > n) {
    window = points.filter((p) => p.value !== undefined).slice(0, n);
    if (window.length === 0) {
      if (alarm.treatMissingData === "ignore" && options.previousState) {
        return { state: options.previousState, reason: `No datapoints were received for ${lookBack} periods; the state is kept (treatMissingData: ignore).` };
      }
      return { state: "INSUFFICIENT_DATA", reason: `Insufficient Data: ${plural(n, "datapoint")} ${n === 1 ? "was" : "were"} unknown.` };
    }
  } else {
    window = points;
  }

  const missingTreatedAsBreach = alarm.treatMissingData === "breaching";
  const isBreach = (p: Point) => (p.value === undefined ? missingTreatedAsBreach : breaches(p.value));
  const breaching = window.filter(isBreach);
  const missing = window.filter((p) => p.value === undefined).length;
  const state: AlarmState = breaching.length >= m ? "ALARM" : "OK";
  const shown = state === "ALARM" ? breaching : window.filter((p) => !isBreach(p));
  const words = state === "ALARM" ? WORDS[alarm.comparisonOperator] : `not ${WORDS[alarm.comparisonOperator]}`;
  const transition = state === "ALARM" ? `minimum ${plural(m, "datapoint")} for OK -> ALARM transition` : "minimum 1 datapoint for ALARM -> OK transition";
  const treated = missing > 0 ? ` ${plural(missing, "missing datapoint")} ${missing === 1 ? "was" : "were"} treated as [${missingTreatedAsBreach ? "Breaching" : "NonBreaching"}].` : "";

  if (missing === window.length) {
    return { state, reason: `Threshold Crossed: no datapoints were received for ${plural(n, "period")} and${treated}` };
  }
  const listed = shown.filter((p) => p.value !== undefined);
  const list = `[${listed.map((p) => `${formatNumber(p.value as number)} (${formatDate(p.at)})`).join(", ")}]`;
  const count = shown.length;
  const lead = window.length === 1 ? `${plural(count, "datapoint")} ${list} ${count === 1 ? "was" : "were"}` : `${count} out of the last ${window.length} datapoints ${list} ${count === 1 ? "was" : "were"}`;
  return {
    state,
    reason: `Threshold Crossed: ${lead} ${words} the threshold (${formatNumber(alarm.threshold)}) (${transition}).${treated}`,
  };
}

/** The last `count` periods that end by `until`, newest first, with their value or undefined. */
function recentPeriods(alarm: AlarmDefinition, store: MetricsStore, until: number, count: number, periodMs?: number): Point[] {
  const length = periodMs ?? inferPeriodMs(alarm, store);
  const endIndex = Math.floor(until / length); // a period still open (or not yet published) is not evaluated
  const startIndex = endIndex - count;
  const series = store.query({
    namespace: alarm.namespace,
    metricName: alarm.metricName,
    dimensions: alarm.dimensions,
    stat: alarm.statistic,
    periodSeconds: alarm.periodSeconds,
    start: Math.floor(startIndex * length),
    end: Math.floor(endIndex * length),
    scanBy: "TimestampDescending",
  });
  const byIndex = new Map<number, number>();
  series.timestamps.forEach((at, i) => byIndex.set(Math.round(at / length), series.values[i] as number));
  const points: Point[] = [];
  for (let index = endIndex - 1; index >= startIndex; index -= 1) {
    points.push({ at: Math.floor(index * length), value: byIndex.get(index) });
  }
  return points;
}

/** A period's real length from the store's time scale. */
function inferPeriodMs(alarm: AlarmDefinition, store: MetricsStore): number {
  const scale = (store as { timeScale?: number }).timeScale;
  if (typeof scale === "number" && scale > 0) return (alarm.periodSeconds * 1000) / scale;
  throw new Error(
    `alarm ${alarm.alarmName}: cannot tell how long a period lasts; pass periodMs or use a store created by createMetricsStore`,
  );
}

function compare(operator: AlarmDefinition["comparisonOperator"], value: number, threshold: number): boolean {
  switch (operator) {
    case "GreaterThanThreshold":
      return value > threshold;
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Numbers as CloudWatch prints them (Java's Double.toString for ordinary magnitudes): 12.0, 0.25. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** dd/MM/yy HH:mm:ss in UTC, as in CloudWatch's state reasons. */
export function formatDate(at: number): string {
  const d = new Date(at);
  const two = (v: number) => String(v).padStart(2, "0");
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}
