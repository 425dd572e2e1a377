/**
 * The metrics an instance exports on GET /metrics in the Prometheus text format (prom-client, one
 * registry per instance): requests by status code and version, and their durations as a histogram.
 * The target group label is added by the scrape configuration (sandbox/harness/prometheus.ts), as
 * relabelling an instance's tags gives it on AWS. Health checks and scrapes are not counted.
 */
import type { ServerResponse } from "node:http";
import { Counter, Histogram, Registry } from "prom-client";

/** Bucket bounds in seconds: the instance's latencies range from a few ms to seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface InstanceMetrics {
  /** Counts one answered request. */
  observe(version: string, status: number, ms: number): void;
  /** Answers GET /metrics. */
  serve(response: ServerResponse): void;
}

export function createInstanceMetrics(): InstanceMetrics {
  const registry = new Registry();
  const requests = new Counter({ name: "sandbox_http_requests_total", help: "Requests answered, by status code and release version.", labelNames: ["code", "version"], registers: [registry] });
  const duration = new Histogram({ name: "sandbox_http_request_duration_seconds", help: "Time from request to response, by release version.", labelNames: ["version"], buckets: DURATION_BUCKETS, registers: [registry] });
  const seen = new Set<string>();
  return {
    observe(version, status, ms) {
      if (!seen.has(version)) {
        // Both codes start at 0, so a series' first failure is an increase that rate() and increase() see.
        seen.add(version);
        for (const code of ["200", "500"]) requests.inc({ code, version }, 0);
      }
      requests.inc({ code: String(status), version });
      duration.observe({ version }, ms / 1000);
    },
    serve(response) {
      void registry.metrics().then((text) => {
        response.statusCode = 200;
        response.setHeader("content-type", registry.contentType);
        response.end(text);
      });
    },
  };
}
