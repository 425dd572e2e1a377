/** Narrow ports to CloudWatch, shaped like what the judge needs; one SDK adapter sits under each. */
import type { AlarmState } from "../judge/types";

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

export interface AlarmReader {
  /** The current state of each named alarm that exists (metric and composite alarms). Throws on API errors. */
  describe(names: string[]): Promise<AlarmState[]>;
}
