/**
 * Which part of a window an analysis may judge. Metrics are published late: CloudWatch reports ALB
 * metrics per whole minute ("reported in 60-second intervals") and serves a minute only after an
 * ingest delay that AWS does not document (1–3 min is commonly observed); Datadog and New Relic also
 * ingest with a delay, and Prometheus has the newest sample only after its next scrape. A window that
 * ends "now" reads the newest minutes as missing, and a count that is absent when zero reads them as
 * no errors. So every window ends `metrics-delay` before now: only published minutes are judged.
 */

/** 3m: the minute's own 60 s, plus up to 2 min of ingest delay. */
export const DEFAULT_METRICS_DELAY_MS = 180_000;

export interface PublishedBound {
  /** When the analysis runs (epoch ms). */
  now: number;
  /** How long after the fact a metric value is reliably readable. */
  delayMs: number;
}

export interface JudgedWindow {
  start: Date;
  /** The end of the published data: min(requested end, now − delay). */
  end: Date;
  /** The end that was asked for. */
  requestedEnd: Date;
  delayMs: number;
}

/** The window cut at the newest published moment; `end` may be at or before `start` (nothing published yet). */
export function judgedWindow(window: { start: Date; end: Date }, bound: PublishedBound | undefined): JudgedWindow {
  const delayMs = bound?.delayMs ?? 0;
  const end = bound ? Math.min(window.end.getTime(), bound.now - delayMs) : window.end.getTime();
  return { start: window.start, end: new Date(end), requestedEnd: window.end, delayMs };
}

/** Seconds of the requested window judged, and not yet judged (published later). */
export function coverage(w: JudgedWindow): { judgedSeconds: number; missingSeconds: number } {
  const judged = Math.max(0, w.end.getTime() - w.start.getTime());
  const missing = Math.max(0, w.requestedEnd.getTime() - Math.max(w.end.getTime(), w.start.getTime()));
  return { judgedSeconds: Math.round(judged / 1000), missingSeconds: Math.round(missing / 1000) };
}

/** "4m 30s", "45s": how the reports say a span. */
export function span(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m}m${s ? ` ${s}s` : ""}` : `${s}s`;
}
