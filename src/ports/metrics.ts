/**
 * What a metric provider measures, and the narrow port to CloudWatch's metric data (its SDK adapter:
 * src/adapters/aws/metric-data.ts). The judge reasons over these values; the providers produce them.
 * Alarm states have their own port (./alarms.ts).
 */
import type { AlarmState } from "./alarms";

/** Events of interest among all trials, e.g. 5xx responses among requests. */
export interface Counts {
  events: number;
  total: number;
}

/** A point of a series over the window, for charts: epoch ms and value. */
export interface Point {
  t: number;
  v: number;
}

export interface SeriesPair {
  baseline: Point[];
  canary: Point[];
}

/** What a provider measured. Errors are values, never throws. */
export type Measurement =
  | { kind: "samples"; baseline: number[]; canary: number[]; unit?: string | undefined; series?: SeriesPair | undefined }
  | { kind: "counts"; baseline: Counts; canary: Counts; series?: SeriesPair | undefined }
  | { kind: "alarms"; alarms: AlarmState[] }
  | { kind: "error"; message: string };

export interface MetricQuerySpec {
  /** Starts with a lowercase letter; letters, digits and '_' only. */
  id: string;
  namespace: string;
  metric: string;
  dimensions: Array<{ name: string; value: string }>;
  stat: string;
  /** Seconds, a multiple of 60. */
  period: number;
}

export interface MetricSeries {
  id: string;
  /** Epoch ms, ascending. */
  timestamps: number[];
  values: number[];
  /** Complete | PartialData | InternalError | Forbidden. */
  status: string;
  messages: string[];
}

export interface MetricDataReader {
  /** All data points of every query in [start, end), every page read. Throws on transport or API errors. */
  read(queries: MetricQuerySpec[], start: Date, end: Date): Promise<MetricSeries[]>;
}
